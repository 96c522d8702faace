//! The tables against the JS sources, and how malformed calls are refused.

use std::collections::BTreeSet;

use super::error::ErrorKind;
use super::*;

/// Host-call namespaces: a string literal `"<namespace>.<name>"` in our JS is a method name.
const NAMESPACES: &[&str] = &[
    "harness",
    "events",
    "browser",
    "context",
    "page",
    "video",
    "keyboard",
    "mouse",
    "locator",
    "expect",
    "dialog",
    "route",
    "handle",
    "frame",
    "selectors",
];

/// Every `"ns.method"` string literal in the in-isolate sources, with the module it is in.
fn methods_named_in_js() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (module, code) in crate::suite::sources::all_sources() {
        for quote in ['"', '\''] {
            for piece in code.split(quote).skip(1).step_by(2) {
                let Some((ns, name)) = piece.split_once('.') else {
                    continue;
                };
                if NAMESPACES.contains(&ns)
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric())
                {
                    out.insert((piece.to_string(), module.clone()));
                }
            }
        }
    }
    out
}

#[test]
fn every_method_the_js_calls_is_in_a_table() {
    let table: BTreeSet<&str> = methods().collect();
    let missing: Vec<String> = methods_named_in_js()
        .into_iter()
        .filter(|(m, _)| !table.contains(m.as_str()))
        .map(|(m, module)| format!("{m} (in {module})"))
        .collect();
    assert!(
        missing.is_empty(),
        "host calls the JS makes that no table has: {missing:?}"
    );
}

/// The first argument of every `host(` call in the sources: a literal method name, or the
/// text of whatever else was passed (which the test refuses: names must be greppable).
fn host_call_arguments() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (module, code) in crate::suite::sources::all_sources() {
        for (i, _) in code.match_indices("host(") {
            // `function host(` and `host(method, …)` definitions are not calls.
            let before = code[..i].trim_end();
            if before.ends_with("function")
                || before.ends_with('.')
                || code[i..].starts_with("host(method")
            {
                continue;
            }
            let rest = &code[i + "host(".len()..];
            let arg = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or_default().to_string(),
                _ => format!(
                    "<not a literal: {}>",
                    rest.chars().take(30).collect::<String>()
                ),
            };
            out.push((arg, module.clone()));
        }
    }
    out
}

#[test]
fn every_host_call_names_a_method_of_a_table_literally() {
    let table: BTreeSet<&str> = methods().collect();
    let calls = host_call_arguments();
    assert!(
        calls.len() > 80,
        "the scan finds the calls: {}",
        calls.len()
    );
    let bad: Vec<String> = calls
        .into_iter()
        .filter(|(m, _)| !table.contains(m.as_str()))
        .map(|(m, module)| format!("{m} (in {module})"))
        .collect();
    assert!(bad.is_empty(), "host calls not in a table: {bad:?}");
}

#[test]
fn every_method_in_the_tables_is_called_by_the_js() {
    let used: BTreeSet<String> = methods_named_in_js().into_iter().map(|(m, _)| m).collect();
    let unused: Vec<&str> = methods().filter(|m| !used.contains(*m)).collect();
    assert!(unused.is_empty(), "table rows no JS calls: {unused:?}");
}

#[test]
fn method_names_are_unique_across_tables() {
    let all: Vec<&str> = methods().collect();
    let unique: BTreeSet<&str> = all.iter().copied().collect();
    assert_eq!(all.len(), unique.len(), "a method is in the tables twice");
}

#[test]
fn a_malformed_argument_is_refused_naming_the_method_and_the_field() {
    let err = BrowserCall::decode("page.goto", r#"{"page":1,"url":"x","timeout":"soon"}"#)
        .expect("a row")
        .expect_err("timeout is not a number");
    assert_eq!(err.kind, ErrorKind::BadCall);
    assert!(
        err.message
            .starts_with("page.goto: invalid argument `timeout`"),
        "{}",
        err.message
    );
    let err = BrowserCall::decode(
        "locator.click",
        r#"{"page":1,"chain":[{"step":"nth","index":"x"}],"options":{}}"#,
    )
    .expect("a row")
    .expect_err("index is not a number");
    assert!(
        err.message.contains("`chain[0]"),
        "the path into the chain is named: {}",
        err.message
    );
    let err = BrowserCall::decode("page.goto", r#"{"page":1}"#)
        .expect("a row")
        .expect_err("url is missing");
    assert!(
        err.message.contains("missing field `url`"),
        "{}",
        err.message
    );
    let err = BrowserCall::decode("page.title", r#"{"page":1,"frame":2}"#)
        .expect("a row")
        .expect_err("unknown field");
    assert!(
        err.message.contains("unknown field `frame`"),
        "{}",
        err.message
    );
}

#[test]
fn an_unknown_method_is_in_no_table() {
    assert!(BrowserCall::decode("page.teleport", "{}").is_none());
    assert!(HarnessCall::decode("page.teleport", "{}").is_none());
    let err = CallError::unknown_method("page.teleport");
    assert_eq!(err.kind, ErrorKind::BadCall);
    assert!(err.message.contains("page.teleport"));
}

#[test]
fn errors_carry_their_kind_on_the_wire() {
    let timeout = CallError::from(isolate_browser_browser::BrowserError::Timeout {
        what: "locator.click".into(),
        timeout: std::time::Duration::from_millis(50),
        call_log: vec!["waiting for locator('b')".into()],
    });
    let wire: serde_json::Value = serde_json::from_str(&encode_error(&timeout)).expect("json");
    assert_eq!(wire["error"]["kind"], "timeout");
    assert_eq!(
        wire["error"]["message"],
        "locator.click: Timeout 50ms exceeded."
    );
    assert_eq!(wire["error"]["callLog"][0], "waiting for locator('b')");
    let closed = CallError::from(isolate_browser_browser::BrowserError::Closed(None));
    assert_eq!(closed.kind, ErrorKind::TargetClosed);
}

#[test]
fn harness_results_refuse_fields_they_do_not_know() {
    // The bug the typed results fix: the worker read `afterAllErrors` where the harness wrote
    // `teardownErrors`, and nothing noticed.
    let err =
        serde_json::from_str::<FileResult>(r#"{"afterAllErrors":[]}"#).expect_err("unknown field");
    assert!(err.to_string().contains("afterAllErrors"), "{err}");
    let ok: FileResult = serde_json::from_str(
        r#"{"teardownErrors":[{"name":"Error","message":"boom"}],"lateErrors":[]}"#,
    )
    .expect("decodes");
    assert_eq!(ok.teardown_errors[0].message, "boom");
}
