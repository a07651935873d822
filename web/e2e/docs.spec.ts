import { auditPage, baseUrl, expect, test } from "./support";

// The `foreign` fixture (support.ts) fails any test whose page asks for another origin: here, ReDoc and Swagger UI
// must render from the API's own files with the outside network cut off.
test.describe("API documentation works offline", () => {
  test("ReDoc renders the API from local assets", async ({ page }) => {
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto("/redoc/");
    await expect(page.getByRole("heading", { name: /ThreatPlatform API/ })).toBeVisible();
    await expect(page.getByText("/api/alerts/{id}/status/").first()).toBeAttached();
    expect(requests.filter((u) => !u.startsWith(baseUrl()) && !u.startsWith("blob:") && !u.startsWith("data:"))).toEqual([]);
    await page.screenshot({ path: "screenshots/redoc.png" });
  });

  test("Swagger UI renders the API from local assets", async ({ page }) => {
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto("/swagger/");
    await expect(page.getByRole("heading", { name: /ThreatPlatform API/ })).toBeVisible();
    await page.locator("#operations-tag-Alerts").click();
    await expect(page.locator('[data-path="/api/alerts/{id}/status/"]').first()).toBeVisible();
    expect(requests.filter((u) => !u.startsWith(baseUrl()) && !u.startsWith("data:"))).toEqual([]);
    await page.screenshot({ path: "screenshots/swagger.png" });
  });

  test("the console is served with a CSP that allows no inline script and no other origin", async ({ page }) => {
    const response = await page.goto("/");
    const csp = response!.headers()["content-security-policy"];
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("connect-src 'self'");
    const inline = await page.locator("script:not([src])").count();
    expect(inline).toBe(0);
    await auditPage(page, "login-csp");
  });
});
