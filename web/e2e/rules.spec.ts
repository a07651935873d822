import { Severity } from "@threatplatform/client";
import { admin, analyst, auditPage, expect, ingest, signIn, test, unique } from "./support";

// Each rule matches only its own unique event type, so rules written here raise nothing for the other tests' events.
const yaml = (title: string, eventType: string, condition: string) =>
  [
    `title: ${title}`,
    "status: test",
    "level: medium",
    "tags:",
    "    - attack.t1059.001",
    "detection:",
    "    selection:",
    `        event_type: ${eventType}`,
    "        command_line|contains: 'EncodedCommand'",
    `    condition: ${condition}`,
    "",
  ].join("\n");
const conditionLine = 10;

test.describe("detection rules", () => {
  test("an admin writes a rule with a mistake, sees it at its line, fixes it, tests it, and its alert names the rule", async ({ page }) => {
    const title = unique("e2e rule");
    const eventType = unique("ps_launch").replace(/-/g, "_");
    await signIn(page, admin(), "/rules");
    await expect(page.getByRole("heading", { name: "Detection rules", level: 1 })).toBeVisible();

    await page.getByRole("button", { name: "New rule" }).click();
    const editor = page.getByLabel("Sigma YAML");
    await editor.fill(yaml(title, eventType, "selection and not filter"));
    await page.getByRole("button", { name: "Create rule" }).click();

    // The 400's message is shown under a copy of its line, and the line's number is marked in the gutter.
    const problem = page.locator(`[data-error-line="${conditionLine}"]`);
    await expect(problem).toContainText(`Line ${conditionLine}, column`);
    await expect(problem).toContainText("filter");
    await expect(problem.locator("pre")).toContainText("condition: selection and not filter");
    await expect(page.locator(`.gutter [data-line="${conditionLine}"]`)).toHaveClass("bad");
    await expect(page.locator(".gutter .bad")).toHaveCount(1);
    await auditPage(page, "rules-error");

    await editor.fill(yaml(title, eventType, "selection"));
    await page.getByRole("button", { name: "Create rule" }).click();
    await expect(page.getByRole("status").filter({ hasText: `Rule "${title}" created.` })).toBeVisible();
    await expect(page.locator("#sigma-errors")).toHaveCount(0);
    const row = page.locator(`tr[data-rule="${title}"]`);
    await expect(row).toContainText("MEDIUM");

    // A dry run on pasted events: the first matches, the second (another command line) does not.
    await page.getByLabel("Events (a JSON array, or one JSON object per line)").fill(
      [
        JSON.stringify({ source: "ws-7", event_type: eventType, severity: "LOW", metadata: { command_line: "powershell -EncodedCommand SQBFAFgA" } }),
        JSON.stringify({ source: "ws-7", event_type: eventType, severity: "LOW", metadata: { command_line: "powershell -File backup.ps1" } }),
      ].join("\n"),
    );
    await page.getByRole("button", { name: "Run test" }).click();
    const result = page.getByTestId("rule-test-result");
    await expect(result).toContainText("Matched 1 of 2: event 0.");
    await expect(result).toContainText(`Would raise a MEDIUM alert “${title}” (T1059.001) for event 0`);
    await auditPage(page, "rules");

    // A LOW event that matches raises an alert; its detail names the rule and links to it.
    const [event] = await ingest([
      { source: "ws-7", event_type: eventType, severity: Severity.Low, metadata: { command_line: "powershell.exe -EncodedCommand SQBFAFgA" } },
    ]);
    expect(event.alert_id).toBeTruthy();
    await page.goto(`/alerts/${event.alert_id}`);
    const raised = page.getByTestId("raised-by-rule");
    await expect(raised).toHaveText(`Raised by rule ${title} (MEDIUM, T1059.001)`);
    await raised.getByRole("link", { name: title }).click();
    await expect(page).toHaveURL(/\/rules\?open=\d+/);
    await expect(page.getByRole("heading", { name: `Rule: ${title}` })).toBeVisible();

    // Its hit links to the queue filtered by the rule; then the admin switches the rule off.
    await expect(row.getByRole("link", { name: `1 alerts raised by ${title}` })).toBeVisible();
    const toggle = row.getByRole("checkbox");
    await expect(toggle).toBeChecked();
    await toggle.click();
    await expect(page.getByRole("status").filter({ hasText: `Rule "${title}" disabled.` })).toBeVisible();
    await expect(toggle).not.toBeChecked();
    await page.reload();
    await expect(page.locator(`tr[data-rule="${title}"]`).getByRole("checkbox")).not.toBeChecked();

    await page.locator(`tr[data-rule="${title}"]`).getByRole("link", { name: /alerts raised by/ }).click();
    await expect(page.getByTestId("rule-filter")).toBeVisible();
    await expect(page.getByRole("link", { name: `#${event.alert_id} ${eventType}` })).toBeVisible();
  });

  test("an analyst sees the rules but cannot change them", async ({ page }) => {
    await signIn(page, analyst(), "/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Detection rules" }).click();
    await expect(page.getByRole("heading", { name: "Detection rules", level: 1 })).toBeVisible();
    await expect(page.getByRole("button", { name: "New rule" })).toHaveCount(0);
    await expect(page.getByText("Only admins can change rules.")).toBeVisible();
  });
});
