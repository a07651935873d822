import { AlertStatus, DetectionBody, Severity, TagsBody } from "@threatplatform/client";
import { admin, alertsAs, analyst, auditPage, expect, ingest, sensorFor, signIn, test, unique } from "./support";

test.describe("alert detail", () => {
  test("shows the whole event: fields, pretty metadata, detection with its ATT&CK technique as text", async ({ page }) => {
    const marker = unique("detail");
    const [event] = await ingest([
      {
        source: `${marker}-model`,
        event_type: "dns_exfiltration",
        severity: Severity.Critical,
        description: `TXT records to a rare domain ${marker}`,
        source_ip: "10.1.2.3",
        destination_ip: "198.51.100.7",
        metadata: { query: "aGVsbG8.example.net", bytes: 48211, tags: ["dns", "txt"] },
        detection: new DetectionBody({ model: "exfil-gbm", model_version: "3.2", confidence: 0.87, technique: "T1048.003" }),
      },
    ]);
    await signIn(page, analyst(), `/alerts/${event.alert_id}`);

    await expect(page.getByRole("heading", { name: `#${event.alert_id} dns_exfiltration` })).toBeVisible();
    await expect(page.getByText("198.51.100.7")).toBeVisible();
    await expect(page.getByTestId("metadata")).toContainText('"bytes": 48211');
    await expect(page.getByText("87 %")).toBeVisible();
    await expect(page.getByText("T1048.003 (https://attack.mitre.org/techniques/T1048/003/)")).toBeVisible();
    await expect(page.getByRole("link", { name: /attack\.mitre/ })).toHaveCount(0);
    await auditPage(page, "detail");
  });

  test("an analyst assigns, comments (a script tag stays text) and edits tags, but sees no status buttons", async ({ page }) => {
    const [event] = await ingest([{ description: unique("triage") }]);
    await signIn(page, analyst(), `/alerts/${event.alert_id}`);
    await expect(page.getByRole("heading", { name: "Triage" })).toBeVisible();
    await expect(page.getByTestId("status-actions")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);

    await page.getByRole("button", { name: "Assign to me" }).click();
    await expect(page.getByTestId("assignee")).toHaveText(analyst().username);

    const script = `<script>window.__pwned = true</script><b>bold?</b>`;
    await page.getByLabel("Add a comment").fill(script);
    await page.getByRole("button", { name: "Comment", exact: true }).click();
    await expect(page.getByTestId("comments").locator(".body")).toHaveText(script);
    await expect(page.getByTestId("comments").locator("b, script")).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();

    await page.getByLabel("New tag").fill("phishing");
    await page.getByRole("button", { name: "Add tag" }).click();
    await page.getByLabel("New tag").fill("Not A Tag!");
    await page.getByRole("button", { name: "Add tag" }).click();
    await expect(page.getByText("A tag is 1–50 characters")).toBeVisible();
    await page.getByLabel("New tag").fill("campaign:q4");
    await page.getByRole("button", { name: "Add tag" }).click();
    await expect(page.getByTestId("tags")).toContainText("campaign:q4");
    await page.getByRole("button", { name: "Remove tag phishing" }).click();
    await expect(page.getByTestId("tags").locator(".tag")).toHaveText(["campaign:q4×"]);

    await expect(page.locator(".timeline")).toContainText("commented");
    await expect(page.locator(".timeline")).toContainText(`assigned it to ${analyst().username}`);
    const alert = await (await alertsAs(analyst())).get(event.alert_id!);
    expect(alert.tags).toEqual(["campaign:q4"]);
    await auditPage(page, "detail-analyst");
  });

  test("a tag typed while the previous one is still saving is kept, and both are saved", async ({ page }) => {
    const [event] = await ingest([{ description: unique("slow-tags") }]);
    await signIn(page, analyst(), `/alerts/${event.alert_id}`);
    // The first save is held in the browser until the next tag has been typed: as on a slow network.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    await page.route(/\/api\/alerts\/\d+\/tags\/$/, async (route) => {
      if (first) {
        first = false;
        await held;
      }
      await route.continue();
    });

    await page.getByLabel("New tag").fill("phishing");
    await page.getByRole("button", { name: "Add tag" }).click();
    await page.getByLabel("New tag").fill("campaign:q4");
    release();
    await expect(page.getByTestId("tags")).toContainText("phishing");
    await expect(page.getByLabel("New tag")).toHaveValue("campaign:q4");

    await page.getByRole("button", { name: "Add tag" }).click();
    await expect(page.getByTestId("tags").locator(".tag")).toHaveText(["phishing×", "campaign:q4×"]);
    expect((await (await alertsAs(analyst())).get(event.alert_id!)).tags).toEqual(["phishing", "campaign:q4"]);
  });

  test("an admin moves the alert along its lifecycle with only the allowed buttons", async ({ page }) => {
    const [event] = await ingest([{ description: unique("lifecycle") }]);
    await signIn(page, admin(), `/alerts/${event.alert_id}`);
    const actions = page.getByTestId("status-actions").getByRole("button");
    await expect(actions).toHaveText(["Acknowledge", "Resolve", "False positive"]);

    await page.getByLabel("Note (optional)").fill("looking into it");
    await page.getByRole("button", { name: "Acknowledge" }).click();
    await expect(page.locator(".detail-head .st-acknowledged")).toBeVisible();
    await expect(actions).toHaveText(["Start work", "Resolve", "False positive"]);
    await expect(page.locator(".timeline")).toContainText("changed status Open → Acknowledged");
    await expect(page.locator(".timeline")).toContainText("looking into it");

    await page.getByRole("button", { name: "Resolve" }).click();
    await expect(actions).toHaveText(["Reopen"]);
    expect((await (await alertsAs(admin())).get(event.alert_id!)).status).toBe(AlertStatus.Resolved);
  });

  test("a sensor folding repeats into the alert since loading does not block acknowledging it", async ({ page }) => {
    const send = await sensorFor(unique("fold"));
    const first = await send({ source_ip: "10.9.8.7" });
    await signIn(page, admin(), `/alerts/${first.alert_id}`);
    await expect(page.getByRole("button", { name: "Acknowledge" })).toBeVisible();

    // The sensor's repeat folds in: the alert's version (ETag) moves, nothing a person decides does.
    const repeat = await send({ source_ip: "10.9.8.7" });
    expect(repeat.alert_id).toBe(first.alert_id);

    await page.getByRole("button", { name: "Acknowledge" }).click();
    await expect(page.locator(".detail-head .st-acknowledged")).toBeVisible();
    await expect(page.getByTestId("stale")).toHaveCount(0);
    const alert = await (await alertsAs(admin())).get(first.alert_id!);
    expect(alert.status).toBe(AlertStatus.Acknowledged);
    expect(alert.occurrences).toBe(2);
  });

  test("a change made elsewhere since loading is refused (If-Match) with 'changed by someone else — reload'", async ({ page }) => {
    const [event] = await ingest([{ description: unique("stale") }]);
    await signIn(page, admin(), `/alerts/${event.alert_id}`);
    await expect(page.getByRole("button", { name: "Acknowledge" })).toBeVisible();

    // Another analyst tags the alert meanwhile.
    await (await alertsAs(analyst())).replaceTags(event.alert_id!, new TagsBody({ tags: ["someone-else"] }));

    await page.getByRole("button", { name: "Acknowledge" }).click();
    await expect(page.getByTestId("stale")).toContainText("changed by someone else — reload");
    expect((await (await alertsAs(admin())).get(event.alert_id!)).status).toBe(AlertStatus.Open);

    await page.getByTestId("stale").getByRole("button", { name: "Reload" }).click();
    await expect(page.getByTestId("tags")).toContainText("someone-else");
    await page.getByRole("button", { name: "Acknowledge" }).click();
    await expect(page.locator(".detail-head .st-acknowledged")).toBeVisible();
  });
});
