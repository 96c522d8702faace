// The web-first matchers and how each takes its arguments: the one list both halves use (the
// JS adapters in web_first.js and `web_first::matchers()` in Rust, which reads this file).
//   flag:      toBeVisible(options?)
//   expected:  toHaveText(expected, options?)
//   named:     toHaveCSS(name, value, options?)
//   attribute: toHaveAttribute(name, value?, options?), presence without a value

export const MATCHERS = [
  ["toBeAttached", "flag"],
  ["toBeVisible", "flag"],
  ["toBeHidden", "flag"],
  ["toBeEnabled", "flag"],
  ["toBeDisabled", "flag"],
  ["toBeEditable", "flag"],
  ["toBeEmpty", "flag"],
  ["toBeFocused", "flag"],
  ["toBeChecked", "flag"],
  ["toBeInViewport", "flag"],
  ["toHaveText", "expected"],
  ["toContainText", "expected"],
  ["toHaveValue", "expected"],
  ["toHaveValues", "expected"],
  ["toHaveAttribute", "attribute"],
  ["toHaveClass", "expected"],
  ["toContainClass", "expected"],
  ["toHaveCSS", "named"],
  ["toHaveId", "expected"],
  ["toHaveJSProperty", "named"],
  ["toHaveCount", "expected"],
  ["toHaveAccessibleName", "expected"],
  ["toHaveAccessibleDescription", "expected"],
  ["toHaveAccessibleErrorMessage", "expected"],
  ["toHaveRole", "expected"],
  ["toHaveTitle", "expected"],
  ["toHaveURL", "expected"],
];
