import { defineConfig } from "@playwright/test";

// Browser tests of the console against the real API on a real PostgreSQL: e2e/global-setup.ts starts the API (two
// processes on one fresh database: the main one, and one whose access tokens live 3 s for the silent-refresh test).
// Run through scripts/web-test.sh (make test), which builds the console and provides TP_API_DLL / TP_CONNECTION_STRING.
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: true,
  workers: process.env.TP_E2E_WORKERS ? Number(process.env.TP_E2E_WORKERS) : 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // Generous: the machine is shared (2 cores) and a slow moment must not fail a test; no test waits on a timer.
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: process.env.TP_E2E_BASE_URL,
    browserName: "chromium",
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: process.env.TP_CHROMIUM ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 20_000,
  },
});
