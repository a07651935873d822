import { AlertStatus, Severity } from "@threatplatform/client";
import { admin, alertsAs, analyst, auditPage, expect, ingest, signIn, test, unique } from "./support";

test.describe("alert queue", () => {
  test("filters and search narrow the queue and stay in the URL; columns sort", async ({ page }) => {
    const marker = unique("filt");
    await ingest([
      { source: `${marker}-a`, severity: Severity.Critical, event_type: "ransomware", description: `encryptor seen ${marker}` },
      { source: `${marker}-a`, severity: Severity.Critical, event_type: "ransomware", description: `shadow copies deleted ${marker}` },
      { source: `${marker}-b`, severity: Severity.High, event_type: "port_scan", description: `scan ${marker}` },
    ]);
    await signIn(page, analyst());

    await page.getByLabel("Search").fill(marker);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(new RegExp(`q=${marker}`));
    await expect(page.getByTestId("alert-count")).toHaveText("3 alerts");
    await expect(page.locator("tbody tr")).toHaveCount(3);

    await page.getByRole("checkbox", { name: "CRITICAL" }).check();
    await expect(page).toHaveURL(/severity=CRITICAL/);
    await expect(page.getByTestId("alert-count")).toHaveText("2 alerts");

    await page.getByRole("checkbox", { name: "CRITICAL" }).uncheck();
    await page.getByLabel("Source").fill(`${marker}-b`);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByTestId("alert-count")).toHaveText("1 alert");
    await expect(page.locator("tbody tr").first()).toContainText("port_scan");

    // The URL is the state: reloading (or sharing it) shows the same list.
    await page.reload();
    await expect(page.getByTestId("alert-count")).toHaveText("1 alert");
    await page.getByLabel("Source").fill("");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByTestId("alert-count")).toHaveText("3 alerts");

    // Severity by rank: ascending puts HIGH before CRITICAL.
    await page.getByRole("button", { name: /^Severity/ }).click();
    await expect(page).toHaveURL(/ordering=-event__severity/);
    await expect(page.locator("tbody tr").first()).toContainText("CRITICAL");
    await page.getByRole("button", { name: /^Severity/ }).click();
    await expect(page).toHaveURL(/ordering=event__severity/);
    await expect(page.locator("tbody tr").first()).toContainText("HIGH");

    await page.getByLabel("Assignee").selectOption("none");
    await expect(page).toHaveURL(/assignee=none/);
    await expect(page.getByTestId("alert-count")).toHaveText("3 alerts");
    await auditPage(page, "queue-filtered");
  });

  test("keyboard: j/k move, m assigns to me, Enter opens the alert", async ({ page }) => {
    const marker = unique("keys");
    const [older, newer] = await ingest([
      { description: `first ${marker}` },
      { description: `second ${marker}` },
    ]);
    await signIn(page, analyst(), `/?q=${marker}`);
    await expect(page.locator("tbody tr")).toHaveCount(2);
    await expect(page.locator("tbody tr.active")).toHaveAttribute("data-alert-id", String(newer.alert_id));

    await page.keyboard.press("j");
    await expect(page.locator("tbody tr.active")).toHaveAttribute("data-alert-id", String(older.alert_id));
    await page.keyboard.press("k");
    await page.keyboard.press("j");
    await page.keyboard.press("m");
    await expect(page.getByTestId("queue-message")).toHaveText(`Alert #${older.alert_id} assigned to you.`);
    await expect(page.locator("tbody tr.active")).toContainText(analyst().username);

    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(new RegExp(`/alerts/${older.alert_id}$`));
    await expect(page.getByTestId("assignee")).toHaveText(analyst().username);
  });

  test("keyboard: an admin acknowledges the highlighted alert with a", async ({ page }) => {
    const marker = unique("ack-key");
    const [event] = await ingest([{ description: `press a ${marker}` }]);
    await signIn(page, admin(), `/?q=${marker}`);
    await expect(page.locator("tbody tr.active")).toHaveAttribute("data-alert-id", String(event.alert_id));

    await page.keyboard.press("a");

    await expect(page.getByTestId("queue-message")).toHaveText(`Alert #${event.alert_id} acknowledged.`);
    await expect(page.locator("tbody tr.active .st-acknowledged")).toBeVisible();
    expect((await (await alertsAs(admin())).get(event.alert_id!)).status).toBe(AlertStatus.Acknowledged);
  });

  test("an admin acknowledges three alerts at once", async ({ page }) => {
    const marker = unique("bulk");
    const events = await ingest([1, 2, 3].map((i) => ({ description: `bulk ${i} ${marker}` })));
    await signIn(page, admin(), `/?q=${marker}`);
    await expect(page.locator("tbody tr")).toHaveCount(3);

    await page.getByRole("checkbox", { name: "Select all on this page" }).check();
    await expect(page.getByText("3 selected")).toBeVisible();
    await page.getByRole("button", { name: "Acknowledge selected" }).click();

    await expect(page.getByTestId("queue-message")).toHaveText("Acknowledge: 3 of 3 done.");
    await expect(page.locator("tbody tr .st-acknowledged")).toHaveCount(3);
    const alerts = await alertsAs(admin());
    for (const e of events) expect((await alerts.get(e.alert_id!)).status).toBe(AlertStatus.Acknowledged);
    await auditPage(page, "queue-bulk");
  });

  test("a new alert ingested through the API is announced live, without moving the rows", async ({ page }) => {
    const marker = unique("live");
    await ingest([{ description: `already here ${marker}` }]);
    await signIn(page, analyst(), `/?q=${marker}`);
    await expect(page.locator("tbody tr")).toHaveCount(1);
    await expect(page.getByTestId("live-state")).toHaveText("● Live");

    const [fresh] = await ingest([{ severity: Severity.Critical, description: `just now ${marker}` }]);

    await expect(page.getByTestId("new-alerts")).toHaveText("1 new alert — show", { timeout: 15_000 });
    await expect(page.locator("tbody tr")).toHaveCount(1); // announced, not inserted under the cursor
    await page.getByTestId("new-alerts").click();
    await expect(page.locator("tbody tr")).toHaveCount(2);
    await expect(page.locator("tbody tr").first()).toHaveAttribute("data-alert-id", String(fresh.alert_id));
    await expect(page.getByTestId("new-alerts")).toHaveCount(0);
  });

  test("the queue passes axe", async ({ page }) => {
    await ingest([{ description: `for the screenshot ${unique("shot")}`, severity: Severity.Critical }]);
    await signIn(page, admin());
    await expect(page.locator("tbody tr").first()).toBeVisible();
    await auditPage(page, "queue");
  });
});
