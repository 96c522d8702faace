//! Errors point at the original source: TypeScript stacks map back to `.ts` lines, syntax
//! errors name file:line:column with a code frame, unhandled rejections are reported.

use isolate_browser::ScriptError;

use crate::support::runtime_in;

fn uncaught(err: ScriptError) -> isolate_browser::sandbox::JsFailure {
    match err {
        ScriptError::Uncaught(f) => *f,
        other => panic!("expected an uncaught JS error, got {other:?}"),
    }
}

const TS_SPEC: &str = r#"// line 1
enum Level {
  Low = 1,
  High = 2,
}

interface Thing<T> {
  value: T;
  level: Level;
}

function check<T>(thing: Thing<T>): T {
  if (thing.level === Level.High) {
    throw new Error(`too high: ${String(thing.value)}`);
  }
  return thing.value;
}

const ok: number = check<number>({ value: 1, level: Level.Low });
console.log("ok", ok, Level[2]);
check<string>({ value: "boom", level: Level.High });
"#;

#[tokio::test]
async fn typescript_with_types_and_enums_runs_and_its_stack_points_at_the_ts_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("spec.ts"), TS_SPEC).expect("write");
    let (rt, console) = runtime_in(dir.path(), |_| {});
    let failure = uncaught(rt.run_module("spec.ts").await.expect_err("throws"));
    assert_eq!(console.texts(), vec!["ok 1 High"]);
    assert_eq!(failure.name, "Error");
    assert_eq!(failure.message, "too high: boom");
    let loc = failure.location.clone().expect("a location");
    assert_eq!(
        (loc.file.as_str(), loc.line, loc.column),
        ("spec.ts", 14, 11),
        "{failure}"
    );
    assert!(
        failure.stack[0].contains("check (spec.ts:14:11)"),
        "{failure}"
    );
    assert!(
        failure.stack.iter().any(|f| f.contains("spec.ts:21:")),
        "{failure}"
    );
    let frame = failure.code_frame.clone().expect("code frame");
    assert!(
        frame.contains("> 14 |     throw new Error(`too high: ${String(thing.value)}`);"),
        "{frame}"
    );
    assert!(frame.contains("     |           ^"), "{frame}");
}

#[tokio::test]
async fn a_typescript_syntax_error_reports_file_line_column_and_a_code_frame() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("bad.ts"),
        "const a: number = 1;\nconst b: string = ;\n",
    )
    .expect("write");
    let (rt, _console) = runtime_in(dir.path(), |_| {});
    let failure = uncaught(rt.run_module("bad.ts").await.expect_err("syntax error"));
    assert_eq!(failure.name, "SyntaxError", "{failure}");
    let loc = failure.location.clone().expect("a location");
    assert_eq!(
        (loc.file.as_str(), loc.line, loc.column),
        ("bad.ts", 2, 19),
        "{failure}"
    );
    let frame = failure.code_frame.clone().expect("code frame");
    assert!(frame.contains("> 2 | const b: string = ;"), "{frame}");
    assert!(frame.contains("    |                   ^"), "{frame}");
}

#[tokio::test]
async fn a_javascript_syntax_error_in_an_import_names_the_imported_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.js"), "import './lib.js';\n").expect("write");
    std::fs::write(
        dir.path().join("lib.js"),
        "export const x = 1;\nlet = = 2;\n",
    )
    .expect("write");
    let (rt, _console) = runtime_in(dir.path(), |_| {});
    let failure = uncaught(rt.run_module("main.js").await.expect_err("syntax error"));
    assert_eq!(failure.name, "SyntaxError", "{failure}");
    let loc = failure.location.clone().expect("a location");
    assert_eq!((loc.file.as_str(), loc.line), ("lib.js", 2), "{failure}");
    assert!(
        failure
            .code_frame
            .expect("frame")
            .contains("> 2 | let = = 2;")
    );
}

#[tokio::test]
async fn an_unhandled_rejection_is_reported_with_its_location() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("reject.mjs"),
        "async function later() {\n  await null;\n  throw new TypeError('nope');\n}\nlater();\n",
    )
    .expect("write");
    let (rt, _console) = runtime_in(dir.path(), |_| {});
    let failure = uncaught(rt.run_module("reject.mjs").await.expect_err("rejects"));
    assert_eq!(failure.name, "TypeError");
    assert!(failure.headline.contains("(in promise)"), "{failure}");
    assert_eq!(failure.location.expect("location").line, 3);
}

#[tokio::test]
async fn a_missing_import_names_the_module_and_the_importer() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.js"), "import './nope.js';\n").expect("write");
    let (rt, _console) = runtime_in(dir.path(), |_| {});
    let failure = uncaught(rt.run_module("main.js").await.expect_err("fails"));
    assert!(failure.message.contains("nope.js"), "{failure}");
    let bare = uncaught(
        rt.run_module_code("b.mjs", "import 'lodash';")
            .await
            .expect_err("fails"),
    );
    assert!(
        bare.message
            .contains("module \"lodash\" not found (imported from b.mjs)"),
        "{bare}"
    );
}
