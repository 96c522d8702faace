//! The bindings a host grants: console, fetch, files, modules and tools.

use std::collections::HashMap;
use std::sync::Arc;

use futures::FutureExt as _;
use futures::StreamExt;
use isolate_browser::ScriptError;
use isolate_browser::sandbox::ConsoleLevel;
use isolate_browser::sandbox::FetchPolicy;
use isolate_browser::sandbox::FilesBinding;
use isolate_browser::sandbox::HostFetchResponse;
use isolate_browser::sandbox::ToolFn;
use isolate_browser::sandbox::ToolOutput;
use isolate_browser::sandbox::VirtualModule;
use serde_json::json;

use crate::support::response;
use crate::support::runtime;
use crate::support::serve;

fn js_error(err: ScriptError) -> String {
    match err {
        ScriptError::Uncaught(f) => format!("{}: {}", f.name, f.message),
        other => panic!("expected a JS error, got {other:?}"),
    }
}

#[tokio::test]
async fn console_output_reaches_the_host_in_order_with_levels() {
    let (rt, console, _dir) = runtime(|_| {});
    rt.run_module_code(
        "log.mjs",
        r#"
        console.log("one", 2, { three: [3] });
        console.info("info");
        console.warn("warn");
        console.error(new Error("err").message);
        console.debug("debug");
        await Promise.resolve();
        console.log("%s is %d", "x", 5);
        console.count(); console.count();
        console.group("g"); console.log("inner"); console.groupEnd();
        console.assert(1 === 2, "bad");
        console.table([{ a: 1 }]);
        "#,
    )
    .await
    .expect("runs");
    let entries = console.entries();
    let texts: Vec<_> = entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        &texts[..9],
        &[
            "one 2 { three: [ 3 ] }",
            "info",
            "warn",
            "err",
            "debug",
            "x is 5",
            "default: 1",
            "default: 2",
            "g",
        ]
    );
    assert_eq!(texts[9], "  inner");
    assert_eq!(texts[10], "Assertion failed: bad");
    assert!(
        texts[11].contains("│") && texts[11].contains("a"),
        "{}",
        texts[11]
    );
    let levels: Vec<_> = entries.iter().map(|e| e.level).collect();
    assert_eq!(
        &levels[..6],
        &[
            ConsoleLevel::Log,
            ConsoleLevel::Info,
            ConsoleLevel::Warn,
            ConsoleLevel::Error,
            ConsoleLevel::Debug,
            ConsoleLevel::Log,
        ]
    );
    assert_eq!(levels[10], ConsoleLevel::Error);
}

#[tokio::test]
async fn fetch_is_denied_by_default_with_a_clear_type_error() {
    let addr = serve(|_| response(200, "text/plain", "should not be reached")).await;
    let (rt, _console, _dir) = runtime(|_| {});
    let err = rt
        .eval(format!("fetch('http://{addr}/x')"))
        .await
        .expect_err("denied");
    let msg = js_error(err);
    assert!(
        msg.starts_with("TypeError: fetch is not allowed for origin http://"),
        "{msg}"
    );
    assert!(msg.contains(&format!("--allow-net http://{addr}")), "{msg}");
}

#[tokio::test]
async fn allowed_origins_reach_a_local_server_and_others_stay_denied() {
    let addr = serve(|seen| {
        if seen.path == "/redirect" {
            return http::Response::builder()
                .status(302)
                .header("location", "/echo")
                .body(http_body_util::Full::new(bytes::Bytes::new()))
                .expect("redirect");
        }
        let header = seen
            .headers
            .iter()
            .find(|(k, _)| k == "x-test")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let body = json!({
            "method": seen.method,
            "path": seen.path,
            "header": header,
            "body": String::from_utf8_lossy(&seen.body),
        });
        response(200, "application/json", body.to_string())
    })
    .await;
    let origin = format!("http://{addr}");
    let allowed = origin.clone();
    let (rt, _console, _dir) = runtime(move |o| o.fetch = FetchPolicy::AllowOrigins(vec![allowed]));
    let value = rt
        .eval(format!(
            r#"(async () => {{
                const res = await fetch("{origin}/echo?x=1", {{ method: "POST", headers: {{ "x-test": "yes" }}, body: JSON.stringify({{ a: 1 }}) }});
                const redirected = await fetch("{origin}/redirect");
                return {{ status: res.status, ok: res.ok, type: res.headers.get("content-type"), json: await res.json(),
                          redirected: redirected.redirected, finalUrl: redirected.url, again: (await redirected.json()).path }};
            }})()"#
        ))
        .await
        .expect("fetch works");
    assert_eq!(value["status"], 200);
    assert_eq!(value["ok"], true);
    assert_eq!(value["type"], "application/json");
    assert_eq!(
        value["json"],
        json!({"method": "POST", "path": "/echo?x=1", "header": "yes", "body": "{\"a\":1}"})
    );
    assert_eq!(value["redirected"], true);
    assert_eq!(value["finalUrl"], format!("{origin}/echo"));
    assert_eq!(value["again"], "/echo");
    let other = rt
        .eval("fetch('http://127.0.0.2:1/')")
        .await
        .expect_err("denied");
    assert!(js_error(other).contains("not in the allow-list"));
}

#[tokio::test]
async fn a_host_fetch_handler_answers_instead_of_the_network() {
    let (rt, _console, _dir) = runtime(|o| {
        o.fetch = FetchPolicy::Handler(Arc::new(|req| {
            async move {
                if req.url.ends_with("/fail") {
                    return Err("host says no".to_string());
                }
                Ok(HostFetchResponse {
                    status: 418,
                    headers: vec![("x-from".into(), "host".into())],
                    body: format!(
                        "{} {} {}",
                        req.method,
                        req.url,
                        String::from_utf8_lossy(req.body.as_deref().unwrap_or(b""))
                    )
                    .into_bytes(),
                })
            }
            .boxed()
        }));
    });
    let value = rt
        .eval(r#"(async () => { const r = await fetch("https://api.test/x", { method: "PUT", body: "b" }); return [r.status, r.statusText, r.headers.get("x-from"), await r.text()]; })()"#)
        .await
        .expect("handled");
    assert_eq!(
        value,
        json!([418, "I'm a teapot", "host", "PUT https://api.test/x b"])
    );
    let err = rt
        .eval("fetch('https://api.test/fail')")
        .await
        .expect_err("rejects");
    assert_eq!(js_error(err), "TypeError: host says no");
}

#[tokio::test]
async fn files_are_denied_without_a_root() {
    let (rt, _console, _dir) = runtime(|_| {});
    let err = rt
        .run_module_code(
            "f.mjs",
            "import { readFile } from 'node:fs/promises'; await readFile('/etc/passwd', 'utf8');",
        )
        .await
        .expect_err("denied");
    let msg = js_error(err);
    assert!(
        msg.contains("EACCES") && msg.contains("no file system"),
        "{msg}"
    );
}

#[tokio::test]
async fn files_read_and_write_inside_the_root_and_refuse_escapes() {
    let files = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(files.path().join("in.txt"), "inside").expect("write");
    std::fs::write(outside.path().join("secret.txt"), "secret").expect("write");
    std::os::unix::fs::symlink(outside.path(), files.path().join("link")).expect("symlink");
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        files.path().join("secret-link"),
    )
    .expect("symlink");
    let root = files.path().to_path_buf();
    let (rt, _console, _dir) = runtime(move |o| {
        o.files = Some(FilesBinding {
            root,
            allow_write: true,
            writable_dirs: Vec::new(),
            writable_snapshot_dirs: false,
        })
    });
    let value = rt
        .eval(
            r#"(async () => {
                const fs = await import("node:fs/promises");
                const path = await import("node:path");
                const out = {};
                out.read = await fs.readFile("/in.txt", "utf8");
                await fs.mkdir("/a/b", { recursive: true });
                await fs.writeFile(path.join("/a/b", "c.txt"), "hello");
                await fs.appendFile("/a/b/c.txt", new TextEncoder().encode(" world"));
                out.written = await fs.readFile("/a/b/c.txt", "utf8");
                out.bytes = (await fs.readFile("/a/b/c.txt")).length;
                out.list = (await fs.readdir("/a/b", { withFileTypes: true })).map((d) => [d.name, d.isFile()]);
                const st = await fs.stat("/a");
                out.stat = [st.isDirectory(), st.isFile()];
                await fs.rename("/a/b/c.txt", "/a/d.txt");
                out.renamed = await fs.readdir("/a");
                await fs.rm("/a", { recursive: true });
                out.afterRm = (await fs.readdir("/")).sort();
                const errors = [];
                for (const attempt of [
                    () => fs.readFile("/../" + "etc/passwd", "utf8"),
                    () => fs.readFile("../secret.txt"),
                    () => fs.readFile("/link/secret.txt", "utf8"),
                    () => fs.readFile("/secret-link", "utf8"),
                    () => fs.writeFile("/link/new.txt", "x"),
                    () => fs.readFile("/missing.txt"),
                ]) {
                    try { await attempt(); errors.push("no error"); } catch (e) { errors.push(e.code + " " + e.message); }
                }
                out.errors = errors;
                return out;
            })()"#,
        )
        .await
        .expect("runs");
    assert_eq!(value["read"], "inside");
    assert_eq!(value["written"], "hello world");
    assert_eq!(value["bytes"], 11);
    assert_eq!(value["list"], json!([["c.txt", true]]));
    assert_eq!(value["stat"], json!([true, false]));
    assert_eq!(value["renamed"], json!(["b", "d.txt"]));
    assert_eq!(value["afterRm"], json!(["in.txt", "link", "secret-link"]));
    let errors: Vec<String> = serde_json::from_value(value["errors"].clone()).expect("strings");
    for e in &errors[..5] {
        assert!(
            e.starts_with("EACCES") && e.contains("escapes the files root"),
            "{errors:?}"
        );
    }
    assert!(
        errors[5].starts_with("ENOENT ENOENT: no such file or directory, open '/missing.txt'"),
        "{errors:?}"
    );
    assert!(!outside.path().join("new.txt").exists());
}

#[tokio::test]
async fn read_only_files_refuse_writes() {
    let files = tempfile::tempdir().expect("tempdir");
    let root = files.path().to_path_buf();
    let (rt, _console, _dir) = runtime(move |o| {
        o.files = Some(FilesBinding {
            root,
            allow_write: false,
            writable_dirs: Vec::new(),
            writable_snapshot_dirs: false,
        })
    });
    let err = rt
        .run_module_code(
            "w.mjs",
            "import fs from 'node:fs/promises'; await fs.writeFile('/x.txt', 'x');",
        )
        .await
        .expect_err("read-only");
    assert!(js_error(err).contains("read-only"));
    assert!(!files.path().join("x.txt").exists());
}

fn tools() -> HashMap<String, ToolFn> {
    let mut tools: HashMap<String, ToolFn> = HashMap::new();
    tools.insert(
        "add".into(),
        Arc::new(|args| {
            async move {
                let sum: i64 = args.iter().filter_map(|a| a.as_i64()).sum();
                Ok(ToolOutput::Value(json!({ "sum": sum, "args": args })))
            }
            .boxed()
        }),
    );
    tools.insert(
        "count".into(),
        Arc::new(|args| {
            async move {
                let n = args.first().and_then(|a| a.as_u64()).unwrap_or(0);
                let items = (1..=n).map(|i| Ok(json!({ "i": i })));
                Ok(ToolOutput::Stream(StreamExt::boxed(futures::stream::iter(
                    items,
                ))))
            }
            .boxed()
        }),
    );
    tools.insert(
        "broken".into(),
        Arc::new(|_| {
            async move {
                let items = vec![Ok(json!(1)), Err("stream broke".to_string())];
                Ok(ToolOutput::Stream(StreamExt::boxed(futures::stream::iter(
                    items,
                ))))
            }
            .boxed()
        }),
    );
    tools.insert(
        "fails".into(),
        Arc::new(|_| async move { Err("no luck".to_string()) }.boxed()),
    );
    tools
}

#[tokio::test]
async fn host_tools_and_async_iterators_round_trip() {
    let (rt, _console, _dir) = runtime(|o| o.tools = tools());
    let value = rt
        .eval(
            r#"(async () => {
                const out = {};
                out.add = await tools.add(1, 2, { nested: [true, null] });
                out.global = (await add(40, 2)).sum;
                out.items = [];
                for await (const item of tools.count(3)) out.items.push(item.i);
                out.early = [];
                for await (const item of await count(10)) { out.early.push(item.i); if (item.i === 2) break; }
                out.errors = [];
                try { await tools.fails(); } catch (e) { out.errors.push(e.message); }
                try { for await (const x of tools.broken()) out.errors.push(x); } catch (e) { out.errors.push(e.message); }
                try { await tools.unknown(); } catch (e) { out.errors.push(e.constructor.name + ": " + e.message); }
                return out;
            })()"#,
        )
        .await
        .expect("tools work");
    assert_eq!(
        value["add"],
        json!({ "sum": 3, "args": [1, 2, { "nested": [true, null] }] })
    );
    assert_eq!(value["global"], json!(42));
    assert_eq!(value["items"], json!([1, 2, 3]));
    assert_eq!(value["early"], json!([1, 2]));
    assert_eq!(
        value["errors"],
        json!([
            "tool `fails` failed: no luck",
            1,
            "stream broke",
            "TypeError: tools.unknown is not a tool the host provides (available: add, broken, count, fails)"
        ])
    );
}

#[tokio::test]
async fn modules_resolve_relative_virtual_fallback_builtin_and_dynamic_imports() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("lib")).expect("mkdir");
    std::fs::write(
        dir.path().join("lib/math.ts"),
        "export const double = (n: number): number => n * 2;\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("lib/data.json"), "{\"answer\": 42}").expect("write");
    std::fs::write(
        dir.path().join("main.ts"),
        r#"
        import { double } from "./lib/math.ts";
        import { greeting } from "config";
        import { shout } from "from-fallback";
        import data from "/lib/data.json" with { type: "json" };
        import path from "node:path";
        const lazy = await import("./lib/math.ts");
        console.log(double(2), greeting, shout("hi"), data.answer, path.basename("/a/b.txt", ".txt"), lazy.double(5));
        "#,
    )
    .expect("write");
    let (rt, console) = crate::support::runtime_in(dir.path(), |o| {
        o.modules.virtual_modules.insert(
            "config".into(),
            VirtualModule::ts("export const greeting: string = 'hey';"),
        );
        o.modules.fallback = Some(Arc::new(|spec, _referrer| {
            (spec == "from-fallback")
                .then(|| VirtualModule::js("export const shout = (s) => s.toUpperCase();"))
        }));
    });
    rt.run_module("main.ts").await.expect("runs");
    assert_eq!(console.texts(), vec!["4 hey HI 42 b 10"]);
}

#[tokio::test]
async fn imports_cannot_leave_the_module_root() {
    let outer = tempfile::tempdir().expect("tempdir");
    let root = outer.path().join("root");
    std::fs::create_dir(&root).expect("mkdir");
    std::fs::write(outer.path().join("secret.mjs"), "export default 'secret';").expect("write");
    std::os::unix::fs::symlink(outer.path().join("secret.mjs"), root.join("link.mjs"))
        .expect("symlink");
    let (rt, _console) = crate::support::runtime_in(&root, |_| {});
    let via_dots = rt
        .run_module_code("a.mjs", "import s from '../secret.mjs'; console.log(s);")
        .await
        .expect_err("refused");
    assert!(js_error(via_dots).contains("module not found"));
    let via_link = rt
        .run_module_code("b.mjs", "import s from './link.mjs'; console.log(s);")
        .await
        .expect_err("refused");
    assert!(js_error(via_link).contains("outside the module root"));
}
