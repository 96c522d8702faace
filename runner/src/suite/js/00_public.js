// What `@playwright/test` and `isolate-browser/test` are in a test isolate: the harness's
// exports, under the one name the sandbox's loader resolves them to.

export * from "ext:isolate_suite/harness/99_index.js";
export { default } from "ext:isolate_suite/harness/99_index.js";
