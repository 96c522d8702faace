//! `isolate-browser run`: output streaming, exit codes 0/1/2, limits and grants from flags.

use std::process::Command;
use std::process::Output;
use std::time::Duration;
use std::time::Instant;

use crate::support::response;
use crate::support::serve;

fn cli(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the CLI starts")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_and_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let help = cli(dir.path(), &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let out = text(&help.stdout);
    assert!(
        out.contains("Usage: isolate-browser") && out.contains("run"),
        "{out}"
    );
    let version = cli(dir.path(), &["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        text(&version.stdout).trim(),
        format!("isolate-browser {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn runs_typescript_and_streams_console_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("hello.ts"),
        "type T = { n: number };\nconst t: T = { n: 2 };\nconsole.log('hello', t.n);\nconsole.error('to stderr');\n",
    )
    .expect("write");
    let out = cli(dir.path(), &["run", "hello.ts"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "hello 2\n");
    assert_eq!(text(&out.stderr), "to stderr\n");
}

#[test]
fn an_uncaught_error_exits_1_with_a_code_frame() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("src")).expect("mkdir");
    std::fs::write(
        dir.path().join("src/fail.ts"),
        "const x: number = 1;\nthrow new RangeError(`bad ${x}`);\n",
    )
    .expect("write");
    let out = cli(dir.path(), &["run", "src/fail.ts"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("Uncaught") && err.contains("RangeError: bad 1"),
        "{err}"
    );
    assert!(err.contains("at src/fail.ts:2:7"), "{err}");
    assert!(
        err.contains("> 2 | throw new RangeError(`bad ${x}`);"),
        "{err}"
    );
    assert!(
        !err.contains(&dir.path().display().to_string()),
        "host path leaked: {err}"
    );
}

/// A throw during the module's own evaluation reads as an uncaught error of that module, with
/// its code frame, also when it comes from a function the top level called; a promise nobody
/// awaited is still "in promise".
#[test]
fn a_synchronous_throw_at_the_top_level_is_uncaught_not_in_promise() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("sync.ts"),
        "function check(n: number) {\n  if (n > 1) throw new TypeError(`too big: ${n}`);\n}\ncheck(2);\n",
    )
    .expect("write");
    let out = cli(dir.path(), &["run", "sync.ts"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("Uncaught TypeError: too big: 2") && !err.contains("(in promise)"),
        "{err}"
    );
    assert!(err.contains("at check (sync.ts:2:20)"), "{err}");
    assert!(
        err.contains("> 2 |   if (n > 1) throw new TypeError"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("rejected.ts"),
        "async function later() {\n  await null;\n  throw new Error('nobody waited');\n}\nlater();\n",
    )
    .expect("write");
    let out = cli(dir.path(), &["run", "rejected.ts"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("Uncaught (in promise) Error: nobody waited"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = cli(dir.path(), &["run", "nope.ts"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("module not found: nope.ts"));
    let bad_flag = cli(dir.path(), &["run", "x.ts", "--no-such-flag"]);
    assert_eq!(bad_flag.status.code(), Some(2));
    assert!(text(&bad_flag.stderr).contains("--no-such-flag"));
    std::fs::write(dir.path().join("x.ts"), "").expect("write");
    let bad_origin = cli(dir.path(), &["run", "x.ts", "--allow-net", "not a url"]);
    assert_eq!(bad_origin.status.code(), Some(2));
    assert!(text(&bad_origin.stderr).contains("--allow-net not a url: not an origin"));
    let bad_files = cli(dir.path(), &["run", "x.ts", "--files", "missing-dir"]);
    assert_eq!(bad_files.status.code(), Some(2));
    let write_without_files = cli(dir.path(), &["run", "x.ts", "--files-write"]);
    assert_eq!(write_without_files.status.code(), Some(2));
    let no_command = cli(dir.path(), &[]);
    assert_eq!(no_command.status.code(), Some(2));
}

#[test]
fn timeout_and_memory_limit_flags_are_enforced() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("loop.js"), "while (true) {}\n").expect("write");
    let started = Instant::now();
    let out = cli(dir.path(), &["run", "loop.js", "--timeout", "100"]);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("execution timed out after 100 ms"));

    std::fs::write(
        dir.path().join("bomb.js"),
        "const a = []; for (;;) a.push(new Array(1e5).fill(1));\n",
    )
    .expect("write");
    let out = cli(dir.path(), &["run", "bomb.js", "--memory-limit-mb", "24"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("memory limit of 24 MB exceeded"),
        "{}",
        text(&out.stderr)
    );

    // Memory outside the JS heap counts too: 1 GiB of typed arrays under a 24 MB limit.
    std::fs::write(
        dir.path().join("buffers.js"),
        "const kept = []; for (let i = 0; i < 1024; i++) kept.push(new Uint8Array(1 << 20)); console.log('kept', kept.length);\n",
    )
    .expect("write");
    let out = cli(
        dir.path(),
        &["run", "buffers.js", "--memory-limit-mb", "24"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("memory limit of 24 MB exceeded"),
        "{}",
        text(&out.stderr)
    );
    assert!(!text(&out.stdout).contains("kept"), "{}", text(&out.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_net_and_files_flags_grant_access() {
    let addr = serve(|seen| response(200, "text/plain", format!("served {}", seen.path))).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("mkdir");
    std::fs::write(data.join("in.txt"), "from disk").expect("write");
    std::fs::write(
        dir.path().join("net.mjs"),
        format!(
            "import {{ readFile, writeFile }} from 'node:fs/promises';\n\
             const r = await fetch('http://{addr}/hi');\n\
             console.log(await r.text(), await readFile('/in.txt', 'utf8'));\n\
             await writeFile('/out.txt', 'written');\n"
        ),
    )
    .expect("write");
    let root = dir.path().to_path_buf();
    let origin = format!("http://{addr}");
    let out = tokio::task::spawn_blocking(move || {
        cli(
            &root,
            &[
                "run",
                "net.mjs",
                "--allow-net",
                &origin,
                "--files",
                "data",
                "--files-write",
            ],
        )
    })
    .await
    .expect("join");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "served /hi from disk\n");
    assert_eq!(
        std::fs::read_to_string(data.join("out.txt")).expect("written"),
        "written"
    );

    let root = dir.path().to_path_buf();
    let denied = tokio::task::spawn_blocking(move || cli(&root, &["run", "net.mjs"]))
        .await
        .expect("join");
    assert_eq!(denied.status.code(), Some(1));
    assert!(text(&denied.stderr).contains("fetch is not allowed for origin"));
}

/// `--allow-env NAME`: `process.env` holds the named host variables and nothing else; a
/// malformed name is a usage error.
#[test]
fn allow_env_grants_named_variables_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("env.ts"),
        "import { env } from 'node:process';\nconsole.log(JSON.stringify(process.env), env === process.env, process.env.PATH === undefined);\n",
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .args([
            "run",
            "env.ts",
            "--allow-env",
            "IB_GRANTED",
            "--allow-env",
            "IB_ABSENT",
        ])
        .env("IB_GRANTED", "granted")
        .env("IB_OTHER", "other")
        .current_dir(dir.path())
        .output()
        .expect("the CLI starts");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\"IB_GRANTED\":\"granted\"} true true\n"
    );
    let bad = cli(dir.path(), &["run", "env.ts", "--allow-env", "A=B"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("--allow-env \"A=B\": not a variable name"),
        "{}",
        text(&bad.stderr)
    );
}

/// `node:url`, `node:os` and `node:util` (also as bare `url`, `os`, `util`): file URLs of
/// sandbox paths, a virtual machine description, the console's formatter and `promisify`.
#[test]
fn node_url_os_and_util_modules_are_built_in() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("mods.ts"),
        r#"import url, { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'os';
import util, { format, promisify } from 'util';
console.log(pathToFileURL('/a b/c#d.txt').href, fileURLToPath('file:///x/y%20z'), pathToFileURL('rel/p').href);
console.log(os.EOL === '\n', os.tmpdir(), os.platform(), os.homedir());
console.log(format('%s is %d', 'x', 42), util.inspect({ deep: { er: [1, 2] } }));
const later = promisify((a: number, cb: (e: unknown, v?: number) => void) => setTimeout(() => cb(null, a * 2), 1));
console.log(await later(21), util.types.isDate(new Date()), url.URL === URL);
try { fileURLToPath('http://x/'); } catch (e: any) { console.log(e.code); }
"#,
    )
    .expect("write");
    let out = cli(dir.path(), &["run", "mods.ts"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "file:///a%20b/c%23d.txt /x/y z file:///rel/p\ntrue /tmp linux /home/sandbox\nx is 42 { deep: { er: [ 1, 2 ] } }\n42 true true\nERR_INVALID_URL_SCHEME\n"
    );
}

/// Node's modules that reach host processes or sockets are refused at import, naming the
/// module, the file that imported it, and what to use instead.
#[test]
fn unsandboxable_node_modules_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("spawn.ts"),
        "import { execSync } from 'child_process';\nconsole.log(execSync('id'));\n",
    )
    .expect("write");
    let out = cli(dir.path(), &["run", "spawn.ts"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("module \"child_process\" (imported from"),
        "{err}"
    );
    assert!(err.contains("spawn.ts) cannot run in the sandbox"), "{err}");
    assert!(err.contains("webServer"), "{err}");
    assert!(text(&out.stdout).is_empty());
}

/// Node's resolution on a package tree written for the test: `exports` conditions (ESM gets
/// `import`, `require` gets `require`), subpath patterns, `imports` (`#internal`), `main`,
/// directory indexes, nested `node_modules`, JSON, `.cjs`, tsconfig `paths`, CommonJS named
/// exports, `createRequire`, `import.meta.dirname`, and what is refused.
#[test]
fn packages_resolve_as_node_resolves_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files: &[(&str, &str)] = &[
        (
            "tsconfig.json",
            r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["src/lib/*"] } }, }"#,
        ),
        (
            "src/lib/money.ts",
            "export const cents = (n: number): string => `${(n / 100).toFixed(2)}`;\n",
        ),
        (
            "node_modules/dual/package.json",
            r##"{ "name": "dual", "exports": { ".": { "import": "./esm/index.mjs", "require": "./cjs/index.cjs" }, "./feature/*": "./features/*.js", "./package.json": "./package.json" }, "imports": { "#internal": "./internal.js" } }"##,
        ),
        (
            "node_modules/dual/esm/index.mjs",
            "export const kind = 'esm';\n",
        ),
        (
            "node_modules/dual/cjs/index.cjs",
            "const internal = require('#internal');\nexports.kind = 'cjs:' + internal;\n",
        ),
        (
            "node_modules/dual/internal.js",
            "module.exports = 'internal';\n",
        ),
        (
            "node_modules/dual/features/shout.js",
            "module.exports = (s) => s.toUpperCase() + '!';\n",
        ),
        (
            "node_modules/old/package.json",
            r#"{ "name": "old", "main": "lib/entry", "version": "1.2.3" }"#,
        ),
        (
            "node_modules/old/lib/entry.js",
            "const dep = require('dep');\nconst data = require('./data');\nmodule.exports = { dep, items: data.items, parent: __dirname };\nmodule.exports.extra = 1;\n",
        ),
        ("node_modules/old/lib/data.json", r#"{ "items": [1, 2] }"#),
        (
            "node_modules/old/node_modules/dep/index.js",
            "module.exports = 'nested dep';\n",
        ),
        (
            "node_modules/dep/index.js",
            "module.exports = 'top-level dep';\n",
        ),
        (
            "main.ts",
            r#"import { kind } from 'dual';
import shout from 'dual/feature/shout';
import old, { extra } from 'old';
import { cents } from '@lib/money';
import pkg from 'old/package.json' with { type: 'json' };
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
console.log(kind, require('dual').kind, shout('hi'));
console.log(old.dep, require('dep'), old.items.join(','), old.parent, extra, pkg.version);
console.log(cents(1234), import.meta.dirname, import.meta.filename);
console.log(require.resolve('old'), require.resolve('dual/package.json'));
for (const bad of ['dual/hidden', 'nope', 'fs/nope', 'zlib']) {
  try { require(bad); } catch (e: any) { console.log(e.code, e.message.split(' (')[0]); }
}
"#,
        ),
    ];
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let out = cli(dir.path(), &["run", "main.ts"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "esm cjs:internal HI!\n\
         nested dep top-level dep 1,2 /node_modules/old/lib 1 1.2.3\n\
         12.34 / /main.ts\n\
         /node_modules/old/lib/entry.js /node_modules/dual/package.json\n\
         MODULE_NOT_FOUND package subpath './hidden' is not defined by \"exports\" in /node_modules/dual/package.json\n\
         MODULE_NOT_FOUND module \"nope\" not found\n\
         ERR_UNKNOWN_BUILTIN_MODULE module \"fs/nope\"\n\
         ERR_UNKNOWN_BUILTIN_MODULE module \"zlib\"\n"
    );
}

/// A CommonJS file that does not parse is named with its line and a code frame (V8 names no
/// position for it), and a package with a broken package.json is named, not guessed around.
#[test]
fn broken_commonjs_and_package_json_are_named_where_they_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in [
        (
            "helpers/broken.js",
            "const a = 1;\nmodule.exports = {\n  x: a +,\n};\n",
        ),
        (
            "node_modules/badjson/package.json",
            "{ \"name\": \"badjson\",\n",
        ),
        ("node_modules/badjson/index.js", "module.exports = 1;\n"),
        (
            "main.ts",
            "for (const m of ['./helpers/broken', 'badjson']) {\n  try { require(m); } catch (e: any) { console.log(e.name, e.message); }\n}\n",
        ),
    ] {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let out = cli(dir.path(), &["run", "main.ts"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("SyntaxError Unexpected token\n    at helpers/broken.js:3:9"),
        "{stdout}"
    );
    assert!(stdout.contains("> 3 |   x: a +,"), "{stdout}");
    assert!(
        stdout.contains("package \"badjson\" has an invalid package.json (/node_modules/badjson/package.json, line 2, column 0"),
        "{stdout}"
    );
}
