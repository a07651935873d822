// The README's screenshots, taken from the demo (`make demo`) in Debian's Chromium: the queue, an alert's detail and
// the dashboard at 1280x800, signed in as the demo admin. Run through scripts/screenshots.sh, which passes
// TP_DEMO_URL, TP_DEMO_LOGINS (.data/demo-logins.json) and TP_SCREENSHOTS_DIR (docs/screenshots).
import { chromium } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const base = process.env.TP_DEMO_URL ?? "http://localhost:8000";
const out = process.env.TP_SCREENSHOTS_DIR ?? "../docs/screenshots";
const logins = JSON.parse(readFileSync(process.env.TP_DEMO_LOGINS ?? "../.data/demo-logins.json", "utf8"));
const admin = logins.users.find((u) => u.role === "ADMIN");

async function api(path, token) {
  const response = await fetch(base + path, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  return response.json();
}

const login = await fetch(`${base}/api/auth/login/`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ username: admin.username, password: admin.password }),
});
if (!login.ok) throw new Error(`The demo admin could not sign in (${login.status}): is make demo running on ${base}?`);
const { access } = await login.json();
// The detail worth showing: a folded alert someone is working on, with tags (and so comments and history).
const busiest = await api("/api/alerts/?ordering=-occurrences&page_size=50&status=IN_PROGRESS,ACKNOWLEDGED", access);
const shown = busiest.results.find((a) => a.tags.length > 0 && a.occurrences > 1) ?? busiest.results[0];
if (!shown) throw new Error("No alert in progress: seed the demo first (make demo).");

const browser = await chromium.launch({
  executablePath: process.env.TP_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // Nothing but the demo's own origin: the page must not reach out (as in the browser tests).
  await page.route(/^(?!https?:\/\/localhost[:/])/, (route) => route.abort());
  await page.goto(base + "/");
  await page.getByLabel("Username").fill(admin.username);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("whoami").waitFor();
  await page.getByRole("row").nth(10).waitFor();
  await page.screenshot({ path: join(out, "queue.png") });

  await page.goto(`${base}/alerts/${shown.id}`);
  await page.getByText(shown.description ?? shown.event_type).first().waitFor();
  await page.getByRole("heading", { name: /history/i }).first().waitFor();
  await page.screenshot({ path: join(out, "detail.png") });

  await page.goto(`${base}/dashboard`);
  await page.getByRole("img", { name: /^Alerts over time/ }).waitFor();
  await page.getByRole("heading", { name: "By status" }).waitFor();
  await page.waitForTimeout(500); // Chart.js draws its first frame with an animation
  await page.screenshot({ path: join(out, "dashboard.png") });
  console.log(`queue.png, detail.png (alert #${shown.id}) and dashboard.png written to ${out}`);
} finally {
  await browser.close();
}
