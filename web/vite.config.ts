/// <reference types="vitest/config" />
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The console talks to the API only through the generated client in clients/typescript (imported from source, so a
// regenerated client is picked up by the next build). `npm run dev` proxies the API from `make run` on :8000.
const api = process.env.TP_API_URL ?? "http://localhost:8000";

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      "@threatplatform/client": fileURLToPath(new URL("../clients/typescript/src/index.ts", import.meta.url)),
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The polyfill would be an inline script; the CSP allows none (every supported browser has modulepreload).
    modulePreload: { polyfill: false },
    target: "es2022",
    rolldownOptions: {
      checks: { pluginTimings: false },
    },
  },
  server: {
    fs: { allow: [".."] },
    proxy: Object.fromEntries(["/api", "/swagger", "/redoc", "/health"].map((p) => [p, { target: api, changeOrigin: false }])),
  },
  // Unit tests of the console's pure logic (npm run test:unit, in make test): src/**/*.test.ts in Node, with the alias
  // above. The browser tests (e2e/) are Playwright's.
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
