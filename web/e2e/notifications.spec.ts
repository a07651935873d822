import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import {
  ChannelConfigBody,
  ChannelKind,
  CreateApiKeyBody,
  CreateChannelBody,
  CreateSensorBody,
  EventFormat,
  EventsClient,
  NotificationsClient,
  RuleBody,
  SensorKind,
  Severity,
  SensorsClient,
} from "@threatplatform/client";
import type { Page } from "@playwright/test";
import { admin, apiSession, auditPage, baseUrl, expect, ingest, signIn, test, unique } from "./support";

// The e2e API allows 127.0.0.0/8 as a notification target (Notifications__AllowedNetworks, see global-setup.ts) and
// waits an hour before retrying a failed delivery, so that only the Retry button sends a FAILED one again.

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A webhook receiver on 127.0.0.1 that answers 204 to every POST and counts them. */
async function receiver(port?: number): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      count++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port ?? 0, "127.0.0.1", resolve));
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${bound}/hook`, received: () => count, close: () => new Promise((r) => server.close(() => r())) };
}

async function notifications(): Promise<NotificationsClient> {
  return new NotificationsClient(baseUrl(), (await apiSession(admin())).http);
}

async function newChannelForm(page: Page, kind: ChannelKind, name: string) {
  const form = page.getByRole("form", { name: "New channel" });
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Kind").selectOption(kind);
  return form;
}

test.describe("notifications", () => {
  test("an admin creates a channel of each kind; the webhook secret is shown once and gone on reload", async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const hook = await receiver();
    const [mail, web, chat] = [unique("mail"), unique("hook"), unique("chat")];
    await signIn(page, admin(), "/admin/notifications");
    await expect(page).toHaveURL(/\/admin\/notifications\/channels$/);

    let form = await newChannelForm(page, ChannelKind.Email, mail);
    await form.getByLabel("To (addresses, comma-separated)").fill("soc@example.org, oncall@example.org");
    await form.getByLabel("Cc (optional)").fill("lead@example.org");
    await form.getByRole("button", { name: "Create channel" }).click();
    await expect(page.locator(`tr[data-channel="${mail}"]`)).toContainText("soc@example.org, oncall@example.org (cc lead@example.org)");
    await expect(page.getByTestId("new-secret")).toHaveCount(0);

    form = await newChannelForm(page, ChannelKind.Webhook, web);
    await form.getByLabel("URL").fill(hook.url);
    await form.getByRole("button", { name: "Create channel" }).click();
    await expect(page.getByTestId("new-secret")).toContainText("you will not see it again");
    const secret = (await page.getByTestId("new-secret-value").textContent())!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32,}$/);
    await page.getByRole("button", { name: "Copy secret" }).click();
    await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await expect(page.locator(`tr[data-channel="${web}"]`)).toContainText(hook.url);

    form = await newChannelForm(page, ChannelKind.Slack, chat);
    await expect(form.getByLabel(/^Secret/)).toHaveCount(0);
    await form.getByLabel("URL").fill(`${hook.url}/slack`);
    await form.getByRole("button", { name: "Create channel" }).click();
    await expect(page.locator(`tr[data-channel="${chat}"]`)).toContainText("SLACK");
    await auditPage(page, "notification-channels");

    await page.reload();
    await expect(page.locator(`tr[data-channel="${web}"]`)).toBeVisible();
    await expect(page.getByTestId("new-secret")).toHaveCount(0);
    await expect(page.locator("body")).not.toContainText(secret);
    await hook.close();
  });

  test("a refused url is shown at the URL field", async ({ page }) => {
    await signIn(page, admin(), "/admin/notifications/channels");
    const form = await newChannelForm(page, ChannelKind.Slack, unique("metadata"));
    await form.getByLabel("URL").fill("http://169.254.169.254/latest/meta-data/");
    await form.getByRole("button", { name: "Create channel" }).click();

    const url = form.getByLabel("URL");
    await expect(url).toHaveAttribute("aria-invalid", "true");
    await expect(form.locator('[data-field-error="config.url"]')).toBeVisible();
    await expect(url).toHaveAccessibleDescription(/.+/);
  });

  test("a channel is tested, disabled, enabled, renamed and deleted after confirmation", async ({ page }) => {
    const hook = await receiver();
    const name = unique("ops-hook");
    const channel = await (await notifications()).createChannel(
      new CreateChannelBody({ name, kind: ChannelKind.Webhook, config: new ChannelConfigBody({ url: hook.url }) }),
    );
    await signIn(page, admin(), "/admin/notifications/channels");
    const row = page.locator(`tr[data-channel="${name}"]`);
    await row.getByRole("button", { name: `Manage ${name}` }).click();

    await page.getByRole("button", { name: "Send a test message" }).click();
    const test = page.getByTestId("test-delivery");
    await expect(test).toContainText("SENT");
    expect(hook.received()).toBe(1);

    await page.getByRole("button", { name: "Disable" }).click();
    await expect(row).toContainText("disabled");
    await page.getByRole("button", { name: "Enable" }).click();
    await expect(row.getByRole("cell", { name: "enabled", exact: true })).toBeVisible();

    const renamed = `${name}-renamed`;
    await page.getByRole("row").filter({ has: page.getByRole("button", { name: "Rename" }) }).getByLabel("Name", { exact: true }).fill(renamed);
    await page.getByRole("button", { name: "Rename" }).click();
    const renamedRow = page.locator(`tr[data-channel="${renamed}"]`);
    await expect(renamedRow).toBeVisible();

    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(renamedRow).toBeVisible();
    await page.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByRole("group", { name: `Delete ${renamed}? Its deliveries stay in the log.` })).toBeVisible();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await expect(renamedRow).toHaveCount(0);
    await expect((await notifications()).getChannel(channel.id)).rejects.toMatchObject({ status: 404 });
    await hook.close();
  });

  test("a rule is created with every field, edited, disabled and deleted", async ({ page }) => {
    const hook = await receiver();
    const [first, second] = [unique("pager-a"), unique("pager-b")];
    const client = await notifications();
    for (const name of [first, second]) {
      await client.createChannel(new CreateChannelBody({ name, kind: ChannelKind.Webhook, config: new ChannelConfigBody({ url: hook.url }) }));
    }
    const name = unique("critical-edge");
    const source = unique("edge-fw");
    await signIn(page, admin(), "/admin/notifications/rules");
    const form = page.getByRole("form", { name: "New rule" });
    await form.getByLabel("Name", { exact: true }).fill(name);
    await form.getByLabel("Minimum severity").selectOption(Severity.Critical);
    await form.getByLabel("SLA breached").check();
    await form.getByLabel("Escalated", { exact: false }).uncheck();
    await form.getByLabel("Sources (any of)").fill(source);
    await form.getByLabel("Sources (any of)").press("Enter");
    await form.getByLabel("Tags (all of)").fill("ransomware");
    await form.getByRole("button", { name: "Add to tags" }).click();
    await form.getByLabel("ATT&CK techniques (any of)").fill("T1486");
    await form.getByLabel("ATT&CK techniques (any of)").press("Enter");
    await form.getByLabel(first).check();
    await form.getByLabel("At most").fill("5");
    await form.getByLabel(/^per/).fill("300");
    await form.getByRole("button", { name: "Create rule" }).click();

    const row = page.locator(`tr[data-rule="${name}"]`);
    await expect(row).toContainText("alert.created");
    await expect(row).toContainText("alert.sla_breached");
    await expect(row).not.toContainText("alert.escalated");
    await expect(row).toContainText(`severity ≥ CRITICAL · sources: ${source} · tags: ransomware · techniques: T1486`);
    await expect(row).toContainText(first);
    await expect(row).toContainText("5 per 300 s");
    await auditPage(page, "notification-rules");

    await row.getByRole("button", { name: `Edit ${name}` }).click();
    const edit = page.getByRole("form", { name: `Edit rule ${name}` });
    await expect(edit.getByLabel("Minimum severity")).toHaveValue(Severity.Critical);
    await edit.getByLabel("Minimum severity").selectOption(Severity.High);
    await edit.getByRole("button", { name: "Remove ransomware from tags" }).click();
    await edit.getByLabel(second).check();
    await edit.getByLabel("At most").fill("");
    await edit.getByLabel(/^per/).fill("");
    await edit.getByRole("button", { name: "Save rule" }).click();
    await expect(row).toContainText(`severity ≥ HIGH · sources: ${source} · techniques: T1486`);
    await expect(row).toContainText(`${first}, ${second}`);
    await expect(row.getByRole("cell").nth(3)).toHaveText("—");

    await row.getByRole("button", { name: `Disable ${name}` }).click();
    await expect(row).toContainText("disabled");
    await row.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await expect(row).toHaveCount(0);
    await hook.close();
  });

  test("a delivery to a receiver that is down shows FAILED in the log, and Retry sends it again", async ({ page }) => {
    const port = await freePort(); // nothing listens there yet
    const client = await notifications();
    const source = unique("dmz-ids");
    const channel = await client.createChannel(
      new CreateChannelBody({ name: unique("down"), kind: ChannelKind.Webhook, config: new ChannelConfigBody({ url: `http://127.0.0.1:${port}/hook` }) }),
    );
    const rule = await client.createRule(new RuleBody({ name: unique("dmz"), events: ["alert.created"], sources: [source], channels: [channel.id] }));
    const [event] = await ingest([{ source, severity: Severity.Critical }]);
    const alertId = event.alert_id!;

    await signIn(page, admin(), `/admin/notifications/deliveries?rule=${rule.id}&status=FAILED`);
    await expect(page.getByLabel("Status")).toHaveValue("FAILED");
    await expect(page.getByLabel("Rule")).toHaveValue(String(rule.id));
    const row = page.locator("tr[data-delivery]").filter({ has: page.getByRole("link", { name: `#${alertId}`, exact: true }) });
    await expect(row).toContainText("FAILED");
    await expect(row).toContainText("alert.created");
    await expect(row.locator("td.last-error")).not.toHaveText("—");
    await auditPage(page, "notification-deliveries");

    const hook = await receiver(port);
    await row.getByRole("button", { name: /^Retry/ }).click();
    await expect(page.getByText(/queued again/)).toBeVisible();
    await page.getByLabel("Status").selectOption("");
    await expect(page).toHaveURL(new RegExp(`rule=${rule.id}$`));
    await expect(row).toContainText("SENT");
    expect(hook.received()).toBe(1);

    await row.getByRole("link", { name: `#${alertId}`, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/alerts/${alertId}$`));
    const panel = page.getByTestId("notifications");
    await expect(panel).toContainText(`WEBHOOK #${channel.id}`);
    await expect(panel).toContainText("alert.created");
    await expect(panel).toContainText("SENT");
    await hook.close();
  });

  test("an alert no rule selected says so in its notifications panel", async ({ page }) => {
    const [event] = await ingest([{ source: unique("quiet"), severity: Severity.High }]);
    await signIn(page, admin(), `/alerts/${event.alert_id}`);
    await expect(page.getByTestId("notifications")).toContainText("No notification rule selected this alert");
  });

  test("the alert detail shows the event's format and raw record as text, with a copy button", async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const source = unique("edge-cef");
    const sensors = new SensorsClient(baseUrl(), (await apiSession(admin())).http);
    const sensor = await sensors.create(new CreateSensorBody({ name: source, kind: SensorKind.Firewall, format: EventFormat.Cef }));
    const { key } = await sensors.createKey(sensor.id, new CreateApiKeyBody({ name: "e2e" }));
    // Markup in a hostile record must show as characters, never as elements or script.
    const line = `CEF:0|Acme|EdgeWall|7.2|fw:deny|<img src=x onerror="window.__pwned=1"><b>C2</b> blocked|9|src=203.0.113.9 dst=10.1.2.3 dvchost=${source}`;
    const posted = await fetch(`${baseUrl()}/api/ingest/raw/`, { method: "POST", headers: { Authorization: `ApiKey ${key}`, "Content-Type": "text/plain" }, body: line });
    expect(posted.status).toBe(200);
    const events = await new EventsClient(baseUrl(), (await apiSession(admin())).http).list(1, 10, undefined, source);
    const alertId = events.results[0].alert_id!;

    await signIn(page, admin(), `/alerts/${alertId}`);
    await expect(page.getByRole("definition").filter({ hasText: /^CEF$/ })).toBeVisible();
    const raw = page.getByTestId("raw");
    await expect(raw).toHaveText(line);
    await expect(raw.locator("img, b")).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.getByRole("button", { name: "Copy raw record" }).click();
    await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(line);
    await auditPage(page, "alert-raw-record");
  });
});
