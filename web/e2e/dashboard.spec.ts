import { Severity } from "@threatplatform/client";
import { analyst, auditPage, expect, ingest, signIn, test, unique } from "./support";

test("the dashboard shows counts by status and severity, the charts (loaded lazily), top sources, MTTA/MTTR and SLA", async ({ page }) => {
  const source = unique("dash-src");
  await ingest([1, 2, 3].map(() => ({ source, severity: Severity.Critical })));
  const chartChunk: string[] = [];
  page.on("request", (r) => {
    if (/DashboardCharts-.*\.js$/.test(r.url())) chartChunk.push(r.url());
  });

  await signIn(page, analyst());
  expect(chartChunk, "the chart code is not part of the queue's load").toEqual([]);
  await page.getByRole("link", { name: "Dashboard" }).click();

  await expect(page.getByRole("heading", { name: "By status" })).toBeVisible();
  await expect(page.getByRole("row", { name: /^CRITICAL/ })).toBeVisible();
  await expect(page.getByText("MTTA median / p90")).toBeVisible();
  await expect(page.getByTestId("tile-sla")).toBeVisible();
  await expect(page.locator(".top-sources")).toContainText(source);
  await expect(page.locator("canvas")).toHaveCount(3);
  await expect(page.getByRole("img", { name: /^Alerts over time/ })).toBeVisible();
  expect(chartChunk.length).toBe(1);
  await auditPage(page, "dashboard");
});
