//! The JS the runner puts into test isolates, as virtual modules: the test API
//! (`@playwright/test`, `isolate-browser/test`; `js/NN_*.js`), the browser API behind it
//! (`browser/js/NN_*.js`), `defineConfig` and `devices`, and the matchers crate's `expect` and
//! web-first adapters. Each numbered file is an ES module that imports the ones before it.

use crate::sandbox::VirtualModule;

/// The harness modules, by their file names under `js/`.
const HARNESS: &[(&str, &str)] = &[
    ("10_state.js", include_str!("js/10_state.js")),
    ("15_expect.js", include_str!("js/15_expect.js")),
    ("20_fixtures.js", include_str!("js/20_fixtures.js")),
    ("30_registration.js", include_str!("js/30_registration.js")),
    ("40_builtins.js", include_str!("js/40_builtins.js")),
    ("50_running.js", include_str!("js/50_running.js")),
];
const HARNESS_INDEX: &str = include_str!("js/99_index.js");

/// The browser API modules, by their file names under `browser/js/`.
const BROWSER: &[(&str, &str)] = &[
    ("10_wire.js", include_str!("browser/js/10_wire.js")),
    ("11_values.js", include_str!("browser/js/11_values.js")),
    ("20_network.js", include_str!("browser/js/20_network.js")),
    ("30_events.js", include_str!("browser/js/30_events.js")),
    ("40_locator.js", include_str!("browser/js/40_locator.js")),
    ("50_page.js", include_str!("browser/js/50_page.js")),
    ("60_context.js", include_str!("browser/js/60_context.js")),
    (
        "70_api_request.js",
        include_str!("browser/js/70_api_request.js"),
    ),
];
const BROWSER_INDEX: &str = include_str!("browser/js/99_index.js");

const CONFIG_JS: &str = include_str!("js/config.js");

/// `isolate-browser/test` is the same module instance as `@playwright/test`, so tests declared
/// through either land in one registry.
const ALIAS_JS: &str =
    "export * from \"@playwright/test\";\nexport { default } from \"@playwright/test\";\n";

/// Every JS source of the test API with the name it is known by, for checks over the sources
/// (the host-call table test).
#[cfg(test)]
pub(crate) fn all_sources() -> Vec<(String, String)> {
    test_modules()
        .into_iter()
        .map(|(name, m)| (name, m.code))
        .collect()
}

/// The modules a test isolate can import.
pub(crate) fn test_modules() -> Vec<(String, VirtualModule)> {
    let mut out = vec![
        (
            "@playwright/test".to_string(),
            VirtualModule::js(HARNESS_INDEX),
        ),
        ("isolate-browser/test".into(), VirtualModule::js(ALIAS_JS)),
        (
            "isolate-browser/internal/browser".into(),
            VirtualModule::js(BROWSER_INDEX),
        ),
        (
            "isolate-browser/internal/web-first".into(),
            VirtualModule::js(isolate_browser_matchers::web_first_js()),
        ),
        (
            "isolate-browser/internal/config".into(),
            VirtualModule::js(CONFIG_JS),
        ),
        (
            "isolate-browser/expect".into(),
            VirtualModule::js(isolate_browser_matchers::EXPECT_JS),
        ),
    ];
    for (file, code) in HARNESS {
        out.push((
            format!("isolate-browser/internal/harness/{file}"),
            VirtualModule::js(*code),
        ));
    }
    for (file, code) in BROWSER {
        out.push((
            format!("isolate-browser/internal/browser/{file}"),
            VirtualModule::js(*code),
        ));
    }
    out
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
