// The console's lint (npm run lint; scripts/web-test.sh runs it in make test): ESLint's and typescript-eslint's
// recommended rules with type information, and React's rules of hooks (with the React Compiler's checks) for the
// components. A justified per-line disable is fine; a blanket one is not.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/", "node_modules/", "test-results/", "playwright-report/", "screenshots/"] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // React ignores what an event handler returns, and the console's async handlers (a form's submit) catch their own
      // errors; a promise passed where anything else expects void is still an error.
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    // The plain-JavaScript scripts (this file, the screenshots, the bench) have no types to check against.
    files: ["**/*.js", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    extends: [reactHooks.configs.flat["recommended-latest"]],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ["e2e/**/*.ts", "*.config.ts", "**/*.js", "**/*.mjs"],
    languageOptions: { globals: globals.node },
  },
);
