//! The global scope: web APIs a developer expects are there, internals are not.

use serde_json::json;

use crate::support::runtime;

#[tokio::test]
async fn web_platform_globals_work() {
    let (rt, _console, _dir) = runtime(|_| {});
    let value = rt
        .eval(
            r#"(async () => {
                const url = new URL("/a?b=1", "https://x.test");
                const params = new URLSearchParams("q=1&q=2");
                const bytes = new TextEncoder().encode("héllo");
                const clone = structuredClone({ d: new Date(0), m: new Map([[1, 2]]) });
                const ctrl = new AbortController();
                ctrl.abort("why");
                const timeout = AbortSignal.timeout(5);
                await new Promise((r) => setTimeout(r, 20));
                let ticks = 0;
                await new Promise((r) => { const i = setInterval(() => { if (++ticks === 3) { clearInterval(i); r(); } }, 1); });
                let micro = false;
                queueMicrotask(() => { micro = true; });
                await null;
                const target = new EventTarget();
                let got = null;
                target.addEventListener("ping", (e) => { got = e.detail; });
                target.dispatchEvent(new CustomEvent("ping", { detail: 7 }));
                const rand = crypto.getRandomValues(new Uint8Array(8));
                const headers = new Headers({ "X-A": "1" });
                headers.append("x-a", "2");
                const req = new Request("https://x.test/p", { method: "POST", body: "hi" });
                const res = Response.json({ ok: 1 }, { status: 201 });
                const fd = new FormData();
                fd.append("f", new Blob(["abc"], { type: "text/plain" }), "a.txt");
                const multipart = new Response(fd);
                const parsed = await multipart.formData();
                const t0 = performance.now();
                return {
                    href: url.href,
                    q: params.getAll("q"),
                    len: bytes.length,
                    decoded: new TextDecoder().decode(bytes),
                    b64: btoa("hi") + atob("aGk="),
                    cloneOk: clone.d instanceof Date && clone.m.get(1) === 2,
                    aborted: ctrl.signal.aborted && ctrl.signal.reason === "why",
                    timedOut: timeout.aborted && timeout.reason.name,
                    ticks,
                    micro,
                    got,
                    randLen: rand.length,
                    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
                    header: headers.get("x-a"),
                    reqBody: await req.text(),
                    reqType: req.headers.get("content-type"),
                    res: [res.status, res.headers.get("content-type"), await res.json()],
                    file: [parsed.get("f").name, await parsed.get("f").text()],
                    blob: await new Blob(["x", new Uint8Array([121])]).text(),
                    perf: typeof t0 === "number" && t0 >= 0,
                };
            })()"#,
        )
        .await
        .expect("evaluates");
    assert_eq!(
        value,
        json!({
            "href": "https://x.test/a?b=1",
            "q": ["1", "2"],
            "len": 6,
            "decoded": "héllo",
            "b64": "aGk=hi",
            "cloneOk": true,
            "aborted": true,
            "timedOut": "TimeoutError",
            "ticks": 3,
            "micro": true,
            "got": 7,
            "randLen": 8,
            "uuid": true,
            "header": "1, 2",
            "reqBody": "hi",
            "reqType": "text/plain;charset=UTF-8",
            "res": [201, "application/json", {"ok": 1}],
            "file": ["a.txt", "abc"],
            "blob": "xy",
            "perf": true,
        })
    );
}

#[tokio::test]
async fn the_global_object_holds_no_internals() {
    let (rt, _console, _dir) = runtime(|_| {});
    let value = rt
        .eval(
            r#"(() => {
                const names = Object.getOwnPropertyNames(globalThis);
                const symbols = Object.getOwnPropertySymbols(globalThis).map(String);
                // `Buffer` and `global` are Node's globals (packages expect them); `require`,
                // `module` and `exports` are per-module names, never globals.
                const leaks = names.filter((n) => /^(Deno|__bootstrap|require|module|exports|op_.*|__.*)$/.test(n));
                // `process` is the sandbox's own: no host environment, no native bindings.
                const proc = [Object.keys(process.env).length, process.cwd(), typeof process.binding, typeof process.dlopen];
                const reach = [];
                try { reach.push(typeof Deno); } catch { reach.push("threw"); }
                try { reach.push(typeof globalThis.__bootstrap); } catch { reach.push("threw"); }
                // Known escape routes: the Function constructor, prototypes and console internals.
                reach.push(typeof Function("return this")().Deno);
                reach.push(typeof (async () => {}).constructor("return globalThis")().then);
                reach.push(Object.keys(console).some((k) => k.startsWith("op_")));
                return { leaks, symbols, reach, proc };
            })()"#,
        )
        .await
        .expect("evaluates");
    assert_eq!(value["leaks"], json!([]), "{value}");
    assert_eq!(
        value["proc"],
        json!([0, "/", "undefined", "undefined"]),
        "{value}"
    );
    assert_eq!(value["symbols"], json!([]), "{value}");
    assert_eq!(value["reach"][0], "undefined");
    assert_eq!(value["reach"][1], "undefined");
    assert_eq!(value["reach"][2], "undefined");
    assert_eq!(value["reach"][4], false);
}

#[tokio::test]
async fn import_meta_and_stack_traces_show_no_host_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    std::fs::write(
        dir.path().join("sub/mod.mjs"),
        "console.log(import.meta.url); console.log(new Error('x').stack);",
    )
    .expect("write");
    let (rt, console) = crate::support::runtime_in(dir.path(), |_| {});
    rt.run_module(dir.path().join("sub/mod.mjs"))
        .await
        .expect("runs");
    let host = dir
        .path()
        .canonicalize()
        .expect("canonical")
        .display()
        .to_string();
    let texts = console.texts();
    assert_eq!(texts[0], "file:///sub/mod.mjs");
    for t in &texts {
        assert!(!t.contains(&host), "host path leaked: {t}");
    }
}

/// Every runtime starts from the snapshot that holds the test API, but only test runtimes
/// reach it: a script sees neither its globals nor its module.
#[tokio::test]
async fn a_plain_runtime_cannot_reach_the_test_api() {
    let (rt, _console, _dir) = runtime(|_| {});
    let value = rt
        .eval(
            r#"(async () => {
                const globals = [typeof test, typeof expect, typeof describe, typeof __ib_harness];
                const imports = [];
                for (const name of ['@playwright/test', 'isolate-browser/test', 'node:isolate-browser/test', 'ext:isolate_suite/harness/99_index.js']) {
                    imports.push(await import(name).then(() => 'loaded', (e) => e.constructor.name));
                }
                return { globals, imports };
            })()"#,
        )
        .await
        .expect("evaluates");
    assert_eq!(
        value["globals"],
        json!(["undefined", "undefined", "undefined", "undefined"])
    );
    assert_eq!(
        value["imports"],
        json!(["TypeError", "TypeError", "TypeError", "TypeError"]),
        "{value}"
    );
}
