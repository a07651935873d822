// The console's budget, measured (run by `make bench-web`, never by make test):
//  - initial JS: every script the first page loads (index.html's entry + modulepreloads), gzipped at level 9;
//  - first queue page: navigation start → the first alert row on screen, in Debian's Chromium, signed in, against the
//    API that `make bench-web` started on BENCH_WEB_ALERTS seeded alerts. The first load (cold caches) and the
//    median / p90 of the next runs are reported. Prints a table, then one JSON line.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";

const base = process.env.BENCH_WEB_URL;
const runs = Number(process.env.BENCH_WEB_RUNS ?? 10);
const html = readFileSync("dist/index.html", "utf8");
const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"|<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1] ?? m[2]);
const sizes = scripts.map((s) => {
  const body = readFileSync(`dist${s}`);
  return { file: s, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
});
const gzipKiB = sizes.reduce((a, s) => a + s.gzip, 0) / 1024;

const browser = await chromium.launch({ executablePath: process.env.TP_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
await page.goto(`${base}/login`);
await page.getByLabel("Username").fill(process.env.BENCH_WEB_USER);
await page.getByLabel("Password").fill(process.env.BENCH_WEB_PASSWORD);
await page.getByRole("button", { name: "Sign in" }).click();
await page.getByTestId("whoami").waitFor();

const times = [];
const apiTimes = [];
for (let i = 0; i <= runs; i++) {
  if (i === 0) await context.clearCookies();
  await page.goto(`${base}/?run=${i}`, { waitUntil: "commit" });
  await page.locator("tbody tr").first().waitFor({ state: "visible", timeout: 60_000 });
  // performance.now() counts from this navigation's start.
  times.push(await page.evaluate(() => new Promise((r) => globalThis.requestAnimationFrame(() => r(performance.now())))));
  // How much of it was the API answering the list (server time, network included), from the resource timing.
  apiTimes.push(
    await page.evaluate(() => {
      const list = performance.getEntriesByType("resource").filter((e) => /\/api\/alerts\/\?/.test(e.name));
      return list.length ? list[list.length - 1].responseEnd - list[list.length - 1].requestStart : null;
    }),
  );
}
const count = await page.getByTestId("alert-count").textContent();
await browser.close();

const first = times[0];
const rest = times.slice(1).sort((a, b) => a - b);
const pct = (p) => rest[Math.min(rest.length - 1, Math.floor(p * rest.length))];
const result = {
  initial_js_gzip_kib: Math.round(gzipKiB * 10) / 10,
  initial_js_files: sizes,
  queue_first_row_ms: { first: Math.round(first), median: Math.round(pct(0.5)), p90: Math.round(pct(0.9)), runs: rest.length },
  list_api_ms: { first: apiTimes[0] === null ? null : Math.round(apiTimes[0]), median: Math.round([...apiTimes.slice(1)].sort((a, b) => a - b)[Math.floor(rest.length / 2)] ?? NaN) },
  queue_count_shown: count,
  alerts: Number(process.env.BENCH_WEB_ALERTS ?? 0),
};
console.log(`initial JS (gzip -9): ${result.initial_js_gzip_kib} KiB in ${sizes.length} file(s)   budget ≤ 250 KiB: ${gzipKiB <= 250 ? "met" : "missed"}`);
console.log(
  `queue first row visible after navigation: first ${result.queue_first_row_ms.first} ms, median ${result.queue_first_row_ms.median} ms, ` +
    `p90 ${result.queue_first_row_ms.p90} ms over ${rest.length} runs (${count})   budget ≤ 1000 ms: ${result.queue_first_row_ms.median <= 1000 ? "met" : "missed"}`,
);
console.log(`of which GET /api/alerts/ (request → response end): first ${result.list_api_ms.first} ms, median ${result.list_api_ms.median} ms`);
console.log(JSON.stringify(result));
