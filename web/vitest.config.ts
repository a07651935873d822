import { defineConfig, mergeConfig } from "vitest/config";
import viteConfig from "./vite.config";

// Unit tests of the console's pure logic (npm run test:unit; scripts/web-test.sh runs them in make test): src/**/*.test.ts
// in Node, with Vite's alias to the generated client. The browser tests (e2e/, Playwright) are not Vitest's.
export default mergeConfig(
  viteConfig,
  defineConfig({
    test: { include: ["src/**/*.test.ts"], environment: "node" },
  }),
);
