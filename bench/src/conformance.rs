//! Playwright conformance: spec files of Playwright's own `tests/page` suite, run through
//! isolate-browser and through Playwright Test with the same fixture shim of ours, compared
//! test by test.
//!
//! `bench-conformance <playwright git dir> <isolate-browser binary> [spec names...]
//!  [--pw <dir holding Playwright Test's node_modules>] [--keep]`
//!
//! The git directory is a clone (or the bare directory the search tool's `fetch` returns) of
//! microsoft/playwright; its `tests/page` specs and `tests/assets` are exported with `git
//! archive` into a work directory outside the repository, where `pageTest.ts` and
//! `config/utils.ts` are replaced by our shim (`SHIM_*` below): `server` is a set of URLs of a
//! static server of `tests/assets` (its methods that need a programmable server throw in both
//! runners), `asset()` a path, the platform flags false. Nothing of Playwright's is kept.
//! Spec names default to the handle/frame/evaluate/selector files of issue 13. Prints, per
//! file, the tests passed under Playwright / passed under isolate-browser / total, then every
//! test that passes under Playwright and not under isolate-browser, with its error.

use std::collections::BTreeMap;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// The files issue 13 measures (those that load without Node APIs). Issue 14's, which import
/// Node's modules (`url`, `fs`, `path`, `util`) and `formidable`, are named on the command line:
/// page-event-console page-goto page-history page-set-input-files page-filechooser
/// locator-misc-1 page-add-script-tag page-add-style-tag page-drop page-network-request
/// page-request-fulfill page-request-intercept.
const DEFAULT_SPECS: &[&str] = &[
    "eval-on-selector",
    "eval-on-selector-all",
    "elementhandle-bounding-box",
    "elementhandle-click",
    "elementhandle-content-frame",
    "elementhandle-convenience",
    "elementhandle-eval-on-selector",
    "elementhandle-misc",
    "elementhandle-owner-frame",
    "elementhandle-press",
    "elementhandle-query-selector",
    "elementhandle-scroll-into-view",
    "elementhandle-select-text",
    "elementhandle-type",
    "elementhandle-wait-for-element-state",
    "frame-evaluate",
    "frame-frame-element",
    "frame-goto",
    "frame-hierarchy",
    "jshandle-as-element",
    "jshandle-evaluate",
    "jshandle-json-value",
    "jshandle-properties",
    "jshandle-to-string",
    "locator-element-handle",
    "locator-evaluate",
    "locator-frame",
    "page-evaluate",
    "page-evaluate-handle",
    "page-wait-for-selector-1",
    "page-wait-for-selector-2",
    "selectors-css",
    "selectors-frame",
    "selectors-misc",
    "selectors-text",
];

const PORT: u16 = 8907;

const CHROMIUM_ARGS: &str = "'--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-dev-shm-usage'";

/// Our fixture shim, standing in for Playwright's `tests/page/pageTest.ts`.
fn shim_page_test() -> String {
    format!(
        r#"// The conformance harness's fixture shim (isolate-browser's bench/src/conformance.rs).
import {{ test as base, expect as baseExpect }} from '@playwright/test';

const PREFIX = 'http://localhost:{PORT}';
const unsupported = (name: string) => () => {{
  throw new Error(`server.${{name}}() needs Playwright's programmable test server, which the conformance shim does not provide`);
}};
const server: any = {{
  PORT: {PORT},
  PREFIX,
  CROSS_PROCESS_PREFIX: 'http://127.0.0.1:{PORT}',
  EMPTY_PAGE: PREFIX + '/empty.html',
}};
for (const name of ['setRoute', 'setRedirect', 'setAuth', 'setCSP', 'setExtraHeaders', 'enableGzip', 'waitForRequest',
  'reset', 'serveFile', 'onceWebSocketConnection', 'sendOnWebSocketConnection', 'waitForWebSocketConnectionRequest',
  'waitForWebSocket', 'close']) server[name] = unsupported(name);

export const test = base.extend<any, any>({{
  server: [async ({{}}, use) => {{ await use(server); }}, {{ scope: 'worker' }}],
  httpsServer: [async ({{}}, use) => {{ await use({{ ...server, PREFIX: 'https://localhost:{PORT}' }}); }}, {{ scope: 'worker' }}],
  asset: [async ({{}}, use) => {{ await use((p: string) => 'tests/assets/' + p); }}, {{ scope: 'worker' }}],
  isAndroid: [false, {{ scope: 'worker' }}],
  isElectron: [false, {{ scope: 'worker' }}],
  isWebView2: [false, {{ scope: 'worker' }}],
  isBidi: [false, {{ scope: 'worker' }}],
  isHeadlessShell: [false, {{ scope: 'worker' }}],
  isFrozenWebkit: [false, {{ scope: 'worker' }}],
  electronMajorVersion: [0, {{ scope: 'worker' }}],
  browserMajorVersion: [200, {{ scope: 'worker' }}],
  mode: ['default', {{ scope: 'worker' }}],
  platform: ['linux', {{ scope: 'worker' }}],
  isLinux: [true, {{ scope: 'worker' }}],
  isMac: [false, {{ scope: 'worker' }}],
  macVersion: [0, {{ scope: 'worker' }}],
  isWindows: [false, {{ scope: 'worker' }}],
  nodeVersion: [{{ major: 24, minor: 0, patch: 0 }}, {{ scope: 'worker' }}],
  loopback: [undefined, {{ scope: 'worker', option: true }}],
  toImpl: [async ({{}}, use) => {{ await use(unsupported('toImpl')); }}, {{ scope: 'worker' }}],
}});

export const expect = baseExpect;

/** Two animation frames, `count` times. */
export async function rafraf(target: any, count = 1) {{
  for (let i = 0; i < count; i++) {{
    await target.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  }}
}}
"#
    )
}

/// Our stand-in for Playwright's `tests/config/utils.ts` (only what the page specs import).
const SHIM_UTILS: &str = r#"// The conformance harness's helpers (isolate-browser's bench/src/conformance.rs).
export async function attachFrame(page: any, frameId: string, url: string) {
  const handle = await page.evaluateHandle(async ([id, src]: [string, string]) => {
    const el = document.createElement('iframe');
    el.id = id;
    el.src = src;
    const loaded = new Promise((done) => (el.onload = done));
    document.body.appendChild(el);
    await loaded;
    return el;
  }, [frameId, url]);
  return await handle.asElement().contentFrame();
}

export async function detachFrame(page: any, frameId: string) {
  await page.evaluate((id: string) => document.getElementById(id)!.remove(), frameId);
}

export async function verifyViewport(page: any, width: number, height: number) {
  if (page.viewportSize().width !== width || page.viewportSize().height !== height) throw new Error('viewport mismatch');
}

export function expectedSSLError(): RegExp {
  return /net::ERR_CERT|SSL/;
}

export function chromiumVersionLessThan(a: string, b: string) {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) {
    if (left[i] > right[i]) return false;
    if (left[i] < right[i]) return true;
  }
  return false;
}

/** A bounding box with each number rounded. */
export function roundBox(box: { x: number, y: number, width: number, height: number }) {
  return { x: Math.round(box.x), y: Math.round(box.y), width: Math.round(box.width), height: Math.round(box.height) };
}

/** `s` without terminal colour codes. */
export function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
"#;

/// Our stand-in for `tests/config/comparator.ts`: Playwright's strict comparison of two
/// screenshots of one browser, here byte equality (both runners use it, so it favours neither).
const SHIM_COMPARATOR: &str = r#"// The conformance harness's comparator (isolate-browser's bench/src/conformance.rs).
export function comparePNGs(actual: Uint8Array, expected: Uint8Array): { errorMessage: string } | null {
  if (actual.length === expected.length && actual.every((b, i) => b === expected[i])) return null;
  return { errorMessage: 'the images differ' };
}
"#;

/// Our stand-in for the `utils` of `playwright-core/lib/coreBundle` the screenshot specs use:
/// whether a WebP is lossless (a `VP8L` chunk); decoding a WebP is not provided.
const SHIM_CORE_BUNDLE: &str = r#"// The conformance harness's core utilities (isolate-browser's bench/src/conformance.rs).
const fourCC = (b: Uint8Array, at: number) => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
export const utils = {
  isLosslessWebp(b: Uint8Array): boolean {
    if (fourCC(b, 0) !== 'RIFF' || fourCC(b, 8) !== 'WEBP') return false;
    for (let at = 12; at + 8 <= b.length;) {
      const kind = fourCC(b, at);
      if (kind === 'VP8L') return true;
      if (kind === 'VP8 ') return false;
      const size = b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16) | (b[at + 7] << 24);
      at += 8 + size + (size & 1);
    }
    return false;
  },
  decodeWebp(): never {
    throw new Error('decodeWebp is not provided by the conformance shim');
  },
};
"#;

/// Our stand-in for `playwright-core/lib/utilsBundle`'s `PNG`: decoding is not provided (the
/// one spec that decodes also decodes WebP, which the core shim refuses first).
const SHIM_UTILS_BUNDLE: &str = r#"// The conformance harness's utilities bundle (isolate-browser's bench/src/conformance.rs).
export const PNG = {
  sync: {
    read(): never {
      throw new Error('PNG decoding is not provided by the conformance shim');
    },
  },
};
"#;

/// A static file server of `tests/assets` for both runners (Node, which Playwright Test needs
/// anyway).
const SERVE_JS: &str = r#"// Static server of a directory, for the conformance harness.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
const [root, port] = process.argv.slice(2);
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.json': 'application/json', '.txt': 'text/plain', '.gif': 'image/gif', '.jpg': 'image/jpeg',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.webp': 'image/webp', '.mp4': 'video/mp4', '.webm': 'video/webm' };
createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = await readFile(join(root, path));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
}).listen(Number(port), '127.0.0.1');
"#;

fn config() -> String {
    format!(
        "import {{ defineConfig }} from '@playwright/test';\n\
         export default defineConfig({{\n\
         \x20 testDir: './tests/page',\n\
         \x20 timeout: 15000,\n\
         \x20 workers: 2,\n\
         \x20 retries: 0,\n\
         \x20 reporter: [['json']],\n\
         \x20 snapshotPathTemplate: '{{testDir}}/{{testFileDir}}/{{testFileName}}-snapshots/{{arg}}-chromium{{ext}}',\n\
         \x20 updateSnapshots: 'none',\n\
         \x20 webServer: {{ command: 'node serve.mjs tests/assets {PORT}', url: 'http://localhost:{PORT}/empty.html', reuseExistingServer: false }},\n\
         \x20 use: {{ headless: true, launchOptions: {{ executablePath: '/usr/bin/chromium', args: [{CHROMIUM_ARGS}] }} }},\n\
         }});\n"
    )
}

/// `(file, title path)` → whether it passed, from a JSON report in Playwright's shape.
fn outcomes(report: &Value) -> BTreeMap<(String, String), (bool, String)> {
    fn walk(
        suite: &Value,
        file: &str,
        path: &[String],
        out: &mut BTreeMap<(String, String), (bool, String)>,
    ) {
        for spec in suite["specs"].as_array().into_iter().flatten() {
            let mut title = path.to_vec();
            title.push(spec["title"].as_str().unwrap_or_default().to_string());
            for test in spec["tests"].as_array().into_iter().flatten() {
                let status = test["status"].as_str().unwrap_or_default();
                if status == "skipped" {
                    continue;
                }
                let error = test["results"]
                    .as_array()
                    .and_then(|r| r.last())
                    .and_then(|r| r["errors"].as_array())
                    .and_then(|e| e.first())
                    .and_then(|e| e["message"].as_str())
                    .unwrap_or_default();
                let first_line: String = error
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" | ");
                out.insert(
                    (file.to_string(), title.join(" › ")),
                    (status == "expected" || status == "flaky", first_line),
                );
            }
        }
        for child in suite["suites"].as_array().into_iter().flatten() {
            let mut p = path.to_vec();
            p.push(child["title"].as_str().unwrap_or_default().to_string());
            walk(child, file, &p, out);
        }
    }
    let mut out = BTreeMap::new();
    for file in report["suites"].as_array().into_iter().flatten() {
        let name = file["file"]
            .as_str()
            .or(file["title"].as_str())
            .unwrap_or_default();
        let name = Path::new(name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        walk(file, &name, &[], &mut out);
    }
    out
}

fn run(cmd: &mut Command, work: &Path, report_env: &str) -> Value {
    let report = work.join(format!("{report_env}.json"));
    let _ = std::fs::remove_file(&report);
    let out = cmd
        .current_dir(work)
        .env(report_env, &report)
        .env_remove("CI")
        .output()
        .expect("the runner starts");
    match std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    {
        Some(v) => {
            // Errors outside tests (a file that does not load) explain missing results.
            for e in v["errors"].as_array().into_iter().flatten() {
                let text: String = e["message"]
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .take(300)
                    .collect();
                eprintln!("{}: {text}", cmd.get_program().to_string_lossy());
            }
            v
        }
        None => panic!(
            "no JSON report from {cmd:?} (exit {:?})\n{}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let keep = args.iter().any(|a| a == "--keep");
    args.retain(|a| a != "--keep");
    let pw = match args.iter().position(|a| a == "--pw") {
        Some(i) => {
            let dir = PathBuf::from(args.remove(i + 1));
            args.remove(i);
            dir
        }
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/playwright")),
    };
    if args.len() < 2 {
        eprintln!(
            "usage: bench-conformance <playwright git dir> <isolate-browser binary> [spec names...] [--pw DIR] [--keep]"
        );
        std::process::exit(2);
    }
    // The runners start in the work directory: absolute paths only.
    let absolute = |p: &str| std::fs::canonicalize(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let git_dir = absolute(&args[0]);
    let ours = absolute(&args[1]);
    let pw = absolute(&pw.display().to_string());
    let specs: Vec<String> = if args.len() > 2 {
        args[2..].to_vec()
    } else {
        DEFAULT_SPECS.iter().map(|s| s.to_string()).collect()
    };
    if !pw.join("node_modules/@playwright/test/cli.js").is_file() {
        eprintln!(
            "Playwright Test is not installed in {} (run `npm ci` there)",
            pw.display()
        );
        std::process::exit(2);
    }
    let commit = Command::new("git")
        .arg("--git-dir")
        .arg(&git_dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();

    // The work directory: Playwright's specs and assets, exported at run time, plus our shim.
    let work = tempfile::Builder::new()
        .prefix("conformance-")
        .tempdir()
        .expect("a work directory");
    let archive = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "git --git-dir='{}' archive HEAD tests/page tests/assets | tar -x -C '{}'",
            git_dir.display(),
            work.path().display()
        ))
        .status()
        .expect("git archive runs");
    assert!(
        archive.success(),
        "git archive of tests/page and tests/assets failed"
    );
    let page_dir = work.path().join("tests/page");
    for entry in std::fs::read_dir(&page_dir).expect("tests/page").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let keep_spec = specs
            .iter()
            .any(|s| name == format!("{s}.spec.ts") || name.starts_with(&format!("{s}.spec.ts-")));
        if name.ends_with(".spec.ts") && !keep_spec || name == "pageTestApi.ts" {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    std::fs::write(page_dir.join("pageTest.ts"), shim_page_test()).expect("shim");
    std::fs::create_dir_all(work.path().join("tests/config")).expect("mkdir");
    std::fs::write(work.path().join("tests/config/utils.ts"), SHIM_UTILS).expect("shim");
    std::fs::write(
        work.path().join("tests/config/comparator.ts"),
        SHIM_COMPARATOR,
    )
    .expect("shim");
    let core = work.path().join("packages/playwright-core/lib");
    std::fs::create_dir_all(&core).expect("mkdir");
    std::fs::write(core.join("coreBundle.ts"), SHIM_CORE_BUNDLE).expect("shim");
    std::fs::write(core.join("utilsBundle.ts"), SHIM_UTILS_BUNDLE).expect("shim");
    std::fs::write(work.path().join("serve.mjs"), SERVE_JS).expect("server");
    std::fs::write(work.path().join("playwright.config.ts"), config()).expect("config");
    // A copy, not a link: isolate-browser refuses packages that resolve outside the project,
    // and some specs import npm packages (`formidable`) as well as Playwright Test.
    let copied = Command::new("cp")
        .arg("-a")
        .arg(pw.join("node_modules"))
        .arg(work.path().join("node_modules"))
        .status()
        .expect("cp runs");
    assert!(copied.success(), "copying node_modules failed");

    let started = std::time::Instant::now();
    let theirs = outcomes(&run(
        Command::new("node")
            .arg(work.path().join("node_modules/@playwright/test/cli.js"))
            .args(["test", "-c", "playwright.config.ts"]),
        work.path(),
        "PLAYWRIGHT_JSON_OUTPUT_NAME",
    ));
    let pw_time = started.elapsed();
    let started = std::time::Instant::now();
    let mine = outcomes(&run(
        Command::new(&ours).args(["test", "-c", "playwright.config.ts"]),
        work.path(),
        "ISOLATE_BROWSER_JSON_OUTPUT_NAME",
    ));
    let our_time = started.elapsed();

    println!(
        "Playwright tests/page at {commit}; Playwright Test 1.65.1 and isolate-browser, same shim"
    );
    println!(
        "{:<44} {:>10} {:>10} {:>6}",
        "file", "playwright", "ours", "total"
    );
    let mut files: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
    for ((file, _), (passed, _)) in &theirs {
        let e = files.entry(file).or_default();
        e.2 += 1;
        if *passed {
            e.0 += 1;
        }
    }
    let mut missing = Vec::new();
    for (key, (passed, _)) in &theirs {
        let ours_passed = mine.get(key).map(|(p, _)| *p).unwrap_or(false);
        let e = files.entry(&key.0).or_default();
        if ours_passed {
            e.1 += 1;
            if *passed {
                e.3 += 1;
            }
        }
        if *passed && !ours_passed {
            missing.push((
                key,
                mine.get(key)
                    .map(|(_, err)| err.clone())
                    .unwrap_or_else(|| "(not run: the file failed to load)".into()),
            ));
        }
    }
    let (mut pw_total, mut both_total, mut all) = (0, 0, 0);
    for (file, (pw_pass, our_pass, total, both)) in &files {
        println!("{file:<44} {pw_pass:>10} {our_pass:>10} {total:>6}");
        pw_total += pw_pass;
        both_total += both;
        all += total;
    }
    println!(
        "{:<44} {:>10} {:>10} {:>6}",
        "all",
        pw_total,
        mine.values().filter(|(p, _)| *p).count(),
        all
    );
    println!(
        "isolate-browser passes {both_total} of the {pw_total} tests that pass under Playwright ({:.0}%); Playwright {:.0} s, isolate-browser {:.0} s",
        if pw_total > 0 {
            100.0 * both_total as f64 / pw_total as f64
        } else {
            0.0
        },
        pw_time.as_secs_f64(),
        our_time.as_secs_f64()
    );
    println!("\npassing under Playwright, not under isolate-browser:");
    for ((file, title), error) in missing {
        let error: String = error.chars().take(220).collect();
        println!("  {file} › {title}\n      {error}");
    }
    if keep {
        println!("\nwork directory kept: {}", work.keep().display());
    }
}
