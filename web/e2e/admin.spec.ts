import { AuthClient, EventInput, EventsClient, LoginBody, ProblemDetails, Severity } from "@threatplatform/client";
import { admin, analyst, auditPage, baseUrl, expect, registerPending, signIn, test, unique } from "./support";

function ingestWithKey(key: string, source: string) {
  const http = { fetch: (url: RequestInfo, init?: RequestInit) => fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), Authorization: `ApiKey ${key}` } }) };
  return new EventsClient(baseUrl(), http).ingest(new EventInput({ source, event_type: "ids_alert", severity: Severity.Low }));
}

test.describe("admin", () => {
  test("creates a sensor, edits its sources, creates a key shown once, and revokes it", async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const name = unique("suricata");
    await signIn(page, admin(), "/admin/sensors");

    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Kind").selectOption("IDS");
    await page.getByRole("button", { name: "Create sensor" }).click();
    const row = page.locator(`tr[data-sensor="${name}"]`);
    await expect(row).toContainText("IDS");

    await page.getByLabel("Owned sources").fill(`${name}, ${name}-dmz`);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(row).toContainText(`${name}, ${name}-dmz`);

    await page.getByLabel("Key name").fill("vector-1");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect(page.getByTestId("new-key")).toContainText("shown only once");
    const key = (await page.getByTestId("new-key-value").textContent())!;
    expect(key).toMatch(/^tp_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/);
    await page.getByRole("button", { name: "Copy key" }).click();
    await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await auditPage(page, "sensors");

    expect((await ingestWithKey(key, `${name}-dmz`)).source).toBe(`${name}-dmz`);

    await page.getByRole("button", { name: "I have stored it" }).click();
    await expect(page.getByTestId("new-key")).toHaveCount(0);
    await page.getByRole("button", { name: /^Revoke/ }).click();
    await expect(page.getByRole("cell", { name: /^revoked/ })).toBeVisible();
    await expect
      .poll(async () => ingestWithKey(key, `${name}-dmz`).then(() => 201, (e: unknown) => (e instanceof ProblemDetails ? e.status : 0)))
      .toBe(401);
  });

  test("activates a pending user, who can then sign in", async ({ page }) => {
    const pending = await registerPending("newbie");
    await signIn(page, admin(), "/admin/users");
    await page.getByLabel("Show").selectOption("pending");
    const row = page.locator(`tr[data-user="${pending.username}"]`);
    await expect(row).toContainText("inactive");
    await auditPage(page, "users");

    await row.getByRole("button", { name: `Activate ${pending.username}` }).click();
    await expect(page.getByRole("status")).toHaveText(`${pending.username} activated.`);
    await expect(row).toHaveCount(0); // no longer in the pending list

    const tokens = await new AuthClient(baseUrl(), { fetch }).login(new LoginBody({ username: pending.username, password: pending.password }));
    expect(tokens.access).toBeTruthy();
  });

  test("the last active admin cannot demote themselves, and the API's reason is shown", async ({ page }) => {
    await signIn(page, admin(), "/admin/users");
    const row = page.locator(`tr[data-user="${admin().username}"]`);
    await row.getByLabel(`Role of ${admin().username}`).selectOption("ANALYST");
    await expect(page.getByRole("alert")).toContainText("last active admin");
  });

  test("an analyst gets no admin pages", async ({ page }) => {
    await signIn(page, analyst(), "/admin/sensors");
    await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
    await expect(page.getByRole("link", { name: "Sensors" })).toHaveCount(0);
  });

  test("the audit page says what it waits for, or lists the trail", async ({ page }) => {
    await signIn(page, admin(), "/admin/audit");
    await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
    await auditPage(page, "audit");
  });
});
