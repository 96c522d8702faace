//! The JS the runner puts into test isolates, as virtual modules: the test API
//! (`@playwright/test`, `isolate-browser/test`), the browser API behind it, `defineConfig` and
//! `devices`, and the generic `expect` from the matchers crate.

use crate::sandbox::VirtualModule;

const HARNESS_JS: &str = include_str!("js/harness.js");
const BROWSER_JS: &str = include_str!("js/browser.js");
const CONFIG_JS: &str = include_str!("js/config.js");

/// `isolate-browser/test` is the same module instance as `@playwright/test`, so tests declared
/// through either land in one registry.
const ALIAS_JS: &str =
    "export * from \"@playwright/test\";\nexport { default } from \"@playwright/test\";\n";

/// The modules a test isolate can import.
pub(crate) fn test_modules() -> Vec<(String, VirtualModule)> {
    vec![
        ("@playwright/test".into(), VirtualModule::js(HARNESS_JS)),
        ("isolate-browser/test".into(), VirtualModule::js(ALIAS_JS)),
        (
            "isolate-browser/internal/browser".into(),
            VirtualModule::js(BROWSER_JS),
        ),
        (
            "isolate-browser/internal/config".into(),
            VirtualModule::js(CONFIG_JS),
        ),
        (
            "isolate-browser/expect".into(),
            VirtualModule::js(isolate_browser_matchers::EXPECT_JS),
        ),
    ]
}

/// The modules a config file can import: `defineConfig` and `devices` only.
pub(crate) fn config_modules() -> Vec<(String, VirtualModule)> {
    let config = || {
        VirtualModule::js(
            "export { defineConfig, devices } from \"isolate-browser/internal/config\";\nexport { defineConfig as default } from \"isolate-browser/internal/config\";\n",
        )
    };
    vec![
        ("@playwright/test".into(), config()),
        ("isolate-browser/test".into(), config()),
        (
            "isolate-browser/internal/config".into(),
            VirtualModule::js(CONFIG_JS),
        ),
    ]
}

/// Loads the test API before the spec, so it captures the host entry point first.
pub(crate) const ENTRY_NAME: &str = "__isolate_browser_entry.mjs";
pub(crate) const ENTRY_JS: &str = "import \"@playwright/test\";\n";
