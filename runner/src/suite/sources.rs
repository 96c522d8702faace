//! The JS of the test runner. The test API (`js/NN_*.js`, `@playwright/test`), the browser API
//! behind it (`browser/js/NN_*.js`) and the matchers crate's `expect` and web-first adapters
//! are evaluated into the test snapshot when the crate is built (the `isolate_suite` extension
//! in `sandbox/ext`), so a test isolate starts with them loaded. Config files get
//! `defineConfig` and `devices` as virtual modules here.

use crate::sandbox::VirtualModule;

const CONFIG_JS: &str = include_str!("js/config.js");

/// Every JS source of the test API with its module name, for checks over the sources (the
/// host-call table test).
#[cfg(test)]
pub(crate) fn all_sources() -> Vec<(String, String)> {
    let sources: &[(&str, &str)] = &[
        ("public", include_str!("js/00_public.js")),
        ("harness/10_state.js", include_str!("js/10_state.js")),
        (
            "harness/14_snapshots.js",
            include_str!("js/14_snapshots.js"),
        ),
        ("harness/15_expect.js", include_str!("js/15_expect.js")),
        ("harness/20_fixtures.js", include_str!("js/20_fixtures.js")),
        (
            "harness/30_registration.js",
            include_str!("js/30_registration.js"),
        ),
        ("harness/40_builtins.js", include_str!("js/40_builtins.js")),
        ("harness/50_running.js", include_str!("js/50_running.js")),
        ("harness/99_index.js", include_str!("js/99_index.js")),
        ("browser/10_wire.js", include_str!("browser/js/10_wire.js")),
        (
            "browser/11_values.js",
            include_str!("browser/js/11_values.js"),
        ),
        (
            "browser/12_trace.js",
            include_str!("browser/js/12_trace.js"),
        ),
        (
            "browser/20_network.js",
            include_str!("browser/js/20_network.js"),
        ),
        (
            "browser/30_events.js",
            include_str!("browser/js/30_events.js"),
        ),
        (
            "browser/40_locator.js",
            include_str!("browser/js/40_locator.js"),
        ),
        (
            "browser/45_handles.js",
            include_str!("browser/js/45_handles.js"),
        ),
        (
            "browser/48_frame.js",
            include_str!("browser/js/48_frame.js"),
        ),
        ("browser/50_page.js", include_str!("browser/js/50_page.js")),
        (
            "browser/60_context.js",
            include_str!("browser/js/60_context.js"),
        ),
        (
            "browser/70_api_request.js",
            include_str!("browser/js/70_api_request.js"),
        ),
        (
            "browser/99_index.js",
            include_str!("browser/js/99_index.js"),
        ),
        ("config.js", CONFIG_JS),
        ("matchers/expect.js", isolate_browser_matchers::EXPECT_JS),
        (
            "matchers/web_first.js",
            isolate_browser_matchers::WEB_FIRST_JS,
        ),
    ];
    sources
        .iter()
        .map(|(name, code)| (name.to_string(), code.to_string()))
        .collect()
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
