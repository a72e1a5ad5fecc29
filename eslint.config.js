// ESLint for the field app: plain ES modules in the browser (static/js) and the
// service worker (sw/sw.js), no build step. `npx eslint` runs it; CI runs it
// through tests/test_lint.py.
import js from "@eslint/js";
import globals from "globals";

export default [
  {ignores: ["static/vendor/**", "node_modules/**", "test-artifacts/**", "tests/**"]},
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "module", globals: {...globals.browser}},
  },
  {
    files: ["sw/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: {...globals.serviceworker, workbox: "readonly", importScripts: "readonly"},
    },
  },
  {
    rules: {
      "no-unused-vars": ["error", {args: "after-used", caughtErrors: "none"}],
      eqeqeq: ["error", "smart"],
      "no-var": "error",
      "prefer-const": "error",
      "max-len": ["error", {code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true}],
    },
  },
];
