//! Virtual profiles through `isolate-browser test` and `isolate-browser profiles`: a setup
//! project logs in once (HttpOnly cookie, localStorage and sessionStorage), later tests and
//! the next run start signed in, ids that would escape are refused, concurrent writers
//! conflict, and export/import round-trips.

use std::process::Command;

use crate::support::Seen;
use crate::support::response;
use crate::support::serve;
use crate::test_runner::Run;
use crate::test_runner::project;
use crate::test_runner::run_test;

fn cookie(seen: &Seen) -> String {
    seen.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("cookie"))
        .map(|(_, v)| v.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

fn redirect(
    to: &str,
    set_cookie: Option<&str>,
) -> hyper::Response<http_body_util::Full<bytes::Bytes>> {
    let mut r = hyper::Response::builder()
        .status(302)
        .header("location", to);
    if let Some(c) = set_cookie {
        r = r.header("set-cookie", c);
    }
    r.body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("response")
}

/// A login app: `/app` needs the session cookie, `/welcome` stores a token in localStorage
/// and a tab id in sessionStorage.
async fn login_app() -> String {
    let addr = serve(|seen| {
        let signed_in = cookie(&seen).contains("sid=s3cret");
        let path = seen.path.split('?').next().unwrap_or("/").to_string();
        match (seen.method.as_str(), path.as_str()) {
            ("GET", "/login") => response(
                200,
                "text/html",
                "<title>Login</title><form method=post action=/login><label>User <input name=user></label><button>Sign in</button></form>",
            ),
            ("POST", "/login") => redirect("/welcome", Some("sid=s3cret; HttpOnly; Path=/")),
            ("GET", "/welcome") if signed_in => response(
                200,
                "text/html",
                "<title>Welcome</title><script>localStorage.setItem('token', 't1'); sessionStorage.setItem('tab', 's1');</script><h1>Welcome</h1>",
            ),
            ("GET", "/app") if signed_in => response(
                200,
                "text/html",
                "<title>App</title><h1>Dashboard</h1><p id=token></p><p id=tab></p><script>document.querySelector('#token').textContent = localStorage.getItem('token') ?? 'none'; document.querySelector('#tab').textContent = sessionStorage.getItem('tab') ?? 'none';</script>",
            ),
            ("GET", "/app" | "/welcome") => redirect("/login", None),
            _ => response(404, "text/plain", "not found"),
        }
    })
    .await;
    format!("http://{addr}")
}

const SETUP: &str = r#"import { test as setup, expect } from '@playwright/test';
setup('log in', async ({ browser }) => {
  const context = await browser.newContext({ profile: 'auth/main' });
  const page = await context.newPage();
  await page.goto('/app');
  if (page.url().endsWith('/login')) {
    console.log('logging in');
    await page.getByLabel('User').fill('ada');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('h1')).toHaveText('Welcome');
  } else {
    console.log('already signed in');
  }
  await context.close();
});
"#;

const SPEC: &str = r#"import { test, expect } from '@playwright/test';
test.use({ profile: 'auth/main', autosave: false });
for (const n of [1, 2, 3]) {
  test('signed in ' + n, async ({ page }) => {
    await page.goto('/app');
    await expect(page.locator('h1')).toHaveText('Dashboard');
    await expect(page.locator('#token')).toHaveText('t1');
    await expect(page.locator('#tab')).toHaveText('s1');
  });
}
"#;

fn config(base: &str) -> String {
    format!(
        r#"{{ "reporter": [["json"]], "workers": 2, "use": {{ "baseURL": "{base}" }},
  "projects": [
    {{ "name": "setup", "testMatch": "**/*.setup.ts" }},
    {{ "name": "app", "testMatch": "**/*.spec.ts", "dependencies": ["setup"] }}
  ] }}"#
    )
}

/// A project with one spec file and a config that points `baseURL` at the app.
fn spec_project(base: &str, path: &str, spec: &str) -> tempfile::TempDir {
    let config = format!(
        r#"{{ "testDir": "tests", "reporter": [["json"]], "use": {{ "baseURL": "{base}" }} }}"#
    );
    project(&[("isolate-browser.config.json", &config), (path, spec)])
}

async fn run_async(dir: &std::path::Path, args: &[&str]) -> Run {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_test(&dir, &args)
    })
    .await
    .expect("joins")
}

fn profiles_cli(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
        .arg("profiles")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_setup_project_logs_in_once_and_later_tests_and_runs_start_signed_in() {
    let base = login_app().await;
    let dir = project(&[
        ("isolate-browser.config.json", &config(&base)),
        ("tests/auth.setup.ts", SETUP),
        ("tests/app.spec.ts", SPEC),
    ]);
    let run = run_async(dir.path(), &[]).await;
    assert_eq!(
        run.code, 0,
        "{}\n{}\n{}",
        run.stdout, run.stderr, run.report
    );
    assert_eq!(run.stdout_of["log in"], ["logging in"]);
    for n in 1..=3 {
        assert_eq!(run.status(&format!("signed in {n}")), ["passed"]);
    }

    // A new process: the saved profile signs the setup in straight away.
    let run = run_async(dir.path(), &[]).await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.stdout_of["log in"], ["already signed in"]);

    // The CLI shows what the profile holds, values only on request.
    let (code, out, _) = profiles_cli(dir.path(), &["show", "auth/main"]);
    assert_eq!(code, 0);
    assert!(out.contains("sid") && !out.contains("s3cret"), "{out}");
    assert!(out.contains("token") && out.contains("tab"), "{out}");
    let (_, out, _) = profiles_cli(dir.path(), &["show", "auth/main", "--values"]);
    assert!(out.contains("sid = s3cret"), "{out}");
    let (_, out, _) = profiles_cli(dir.path(), &["list"]);
    assert!(out.starts_with("auth/main"), "{out}");

    // Export, delete, import: the round trip keeps the sign-in.
    let (code, _, err) = profiles_cli(dir.path(), &["export", "auth/main", "auth.zip"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = profiles_cli(dir.path(), &["rm", "auth/main"]);
    assert_eq!(code, 0);
    let (code, _, err) = profiles_cli(dir.path(), &["show", "auth/main"]);
    assert_eq!(code, 2);
    assert!(err.contains("not found"), "{err}");
    let (code, _, err) = profiles_cli(dir.path(), &["import", "auth.zip"]);
    assert_eq!(code, 0, "{err}");
    let run = run_async(dir.path(), &[]).await;
    assert_eq!(run.stdout_of["log in"], ["already signed in"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_ids_and_concurrent_writers_are_refused() {
    let base = login_app().await;
    let spec = r#"import { test, expect } from '@playwright/test';
test('bad ids', async ({ browser }) => {
  for (const id of ['../x', '/abs', 'a//b']) {
    await expect(browser.newContext({ profile: id })).rejects.toThrow(/invalid profile id/);
  }
});
test('two writers conflict', async ({ browser }) => {
  const first = await browser.newContext({ profile: 'shared' });
  await expect(browser.newContext({ profile: 'shared' })).rejects.toThrow(/already open elsewhere/);
  const reader = browser.newContext({ profile: 'shared', autosave: false });
  await expect(reader).rejects.toThrow(/already open elsewhere/);
  await first.close();
  const again = await browser.newContext({ profile: 'shared' });
  await again.close();
});
test('unknown modes are refused', async ({ browser }) => {
  await expect(browser.newContext({ profile: 'p', mode: 'disk' })).rejects.toThrow(/profile mode "disk" is not known/);
});
"#;
    let dir = spec_project(&base, "tests/p.spec.ts", spec);
    let run = run_async(dir.path(), &[]).await;
    assert_eq!(
        run.status("bad ids"),
        ["passed"],
        "{}",
        run.error("bad ids")
    );
    assert_eq!(
        run.status("two writers conflict"),
        ["passed"],
        "{}",
        run.error("two writers conflict")
    );
    assert_eq!(
        run.status("unknown modes are refused"),
        ["passed"],
        "{}",
        run.error("unknown modes are refused")
    );
    let (code, _, err) = profiles_cli(dir.path(), &["show", "../x"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid profile id"), "{err}");
}

const PERSISTENT: &str = r#"import { test, expect } from '@playwright/test';
test.use({ profile: 'auth/persistent', mode: 'persistent' });
const idb = (body) => new Promise((resolve, reject) => {
  const open = indexedDB.open('app', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('kv');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction('kv', 'readwrite');
    const req = body(tx.objectStore('kv'));
    tx.oncomplete = () => { open.result.close(); resolve(req.result); };
    tx.onerror = () => reject(tx.error);
  };
});
test('persistent', async ({ page, context }) => {
  await page.goto('/app');
  if (page.url().endsWith('/login')) {
    console.log('logging in');
    await page.getByLabel('User').fill('ada');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('h1')).toHaveText('Welcome');
    await page.evaluate(`(${idb})((s) => s.put('v1', 'k'))`);
    await page.evaluate(() => { document.cookie = 'pref=dark; Max-Age=86400; path=/'; });
  } else {
    console.log('signed in');
    await expect(page.locator('h1')).toHaveText('Dashboard');
    await expect(page.locator('#token')).toHaveText('t1');
    console.log('indexedDB ' + await page.evaluate(`(${idb})((s) => s.get('k'))`));
    console.log((await context.cookies()).map((c) => c.name).sort().join(','));
  }
});
"#;

/// Persistent mode: the whole Chromium user-data directory (IndexedDB included, which a
/// storage state does not carry) goes into the profile's zip and comes back in the next run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persistent_profile_keeps_state_across_runs_through_its_zip() {
    let base = login_app().await;
    let dir = spec_project(&base, "tests/p.spec.ts", PERSISTENT);
    let run = run_async(dir.path(), &[]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.error("persistent"));
    assert_eq!(run.stdout_of["persistent"], ["logging in"]);
    let zip = dir
        .path()
        .join(".isolate-browser/profiles/auth/persistent/user-data.zip");
    assert!(
        zip.is_file(),
        "the user-data directory is zipped into the profile"
    );
    let (code, out, _) = profiles_cli(dir.path(), &["show", "auth/persistent"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("kind: Persistent") && out.contains("sid"),
        "{out}"
    );

    // A new process unpacks the zip: signed in, with the IndexedDB record and both cookies
    // (the session cookie comes from the saved state, as Chromium does not keep those).
    let run = run_async(dir.path(), &[]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.error("persistent"));
    assert_eq!(
        run.stdout_of["persistent"],
        ["signed in", "indexedDB v1", "pref,sid"]
    );
}

/// `indexedDB: true` keeps a storage profile's IndexedDB databases from one test to the next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_profile_keeps_indexed_db_when_asked() {
    let base = login_app().await;
    let spec = r#"import { test, expect } from '@playwright/test';
test.describe.configure({ mode: 'serial' });
test.use({ profile: 'idb', indexedDB: true });
const idb = (body) => new Promise((resolve, reject) => {
  const open = indexedDB.open('notes', 1);
  open.onupgradeneeded = () => open.result.createObjectStore('n', { autoIncrement: true });
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction('n', 'readwrite');
    const req = body(tx.objectStore('n'));
    tx.oncomplete = () => { open.result.close(); resolve(req.result); };
  };
});
test('write', async ({ page, context }) => {
  await page.goto('/login');
  await page.evaluate(`(${idb})((s) => s.add({ text: 'hello', at: new Date(0) }))`);
  const state = await context.storageState({ indexedDB: true });
  expect(state.origins[0].indexedDB[0].name).toBe('notes');
  expect((await context.storageState()).origins).toEqual([]);
});
test('read', async ({ page }) => {
  await page.goto('/login');
  const notes = await page.evaluate(`(${idb})((s) => s.getAll())`);
  expect(notes.length).toBe(1);
  expect(notes[0].text).toBe('hello');
});
"#;
    let dir = spec_project(&base, "tests/idb.spec.ts", spec);
    let run = run_async(dir.path(), &[]).await;
    for t in ["write", "read"] {
        assert_eq!(run.status(t), ["passed"], "{t}: {}", run.error(t));
    }
}

#[test]
fn a_writer_killed_mid_save_leaves_a_readable_profile() {
    use isolate_browser_profiles::ProfileId;
    use isolate_browser_profiles::ProfileStore;
    use serde_json::json;

    let dir = tempfile::tempdir().expect("tmp");
    let id = ProfileId::parse("auth/main").expect("id");
    // The version on disk before the writer runs.
    let store = ProfileStore::open(dir.path().join(".isolate-browser/profiles")).expect("store");
    store
        .lock(&id)
        .expect("lock")
        .save_storage_state(
            &json!({ "cookies": [{ "name": "old" }], "origins": [] }),
            Vec::new(),
            None,
        )
        .expect("save");
    // A big export to import: slow enough to be killed in every phase of the write.
    let src = ProfileStore::open(dir.path().join("src")).expect("store");
    let user_data = dir.path().join("user-data");
    std::fs::create_dir_all(user_data.join("Default")).expect("mkdir");
    let mut noise = vec![0u8; 48 << 20];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in noise.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    std::fs::write(user_data.join("Default/blob"), &noise).expect("write");
    let lock = src.lock(&id).expect("lock");
    lock.save_storage_state(
        &json!({ "cookies": [{ "name": "new" }], "origins": [] }),
        Vec::new(),
        None,
    )
    .expect("save");
    lock.save_user_data(&user_data, None, Vec::new(), None)
        .expect("zip");
    drop(lock);
    let export = dir.path().join("big.zip");
    src.export(&id, &export).expect("export");

    for delay_ms in [5u64, 40, 120, 300, 700] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_isolate-browser-under-test"))
            .args(["profiles", "import", "big.zip", "auth/main"])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starts");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let (code, out, err) = profiles_cli(dir.path(), &["show", "auth/main"]);
        assert_eq!(code, 0, "killed after {delay_ms} ms: {err}");
        assert!(
            out.contains("    old  (") || out.contains("    new  ("),
            "killed after {delay_ms} ms, the profile is one whole version: {out}"
        );
    }
}

/// A project whose static site signs in through localStorage: a `setup` project saves the
/// profile `auth/local`, an `app` project (no dependency) opens it read-only.
fn local_storage_project() -> tempfile::TempDir {
    let site = r#"<!doctype html><title>app</title><h1 id="state"></h1><button id="in">Sign in</button>
<script>
  const show = () => { document.getElementById('state').textContent = localStorage.getItem('token') ? 'Welcome back' : 'Signed out'; };
  document.getElementById('in').onclick = () => { localStorage.setItem('token', 'abc'); show(); };
  show();
</script>"#;
    let config = r#"{ "reporter": [["json"]], "webServer": { "static": "site" },
  "projects": [
    { "name": "setup", "testMatch": "**/*.setup.ts" },
    { "name": "app", "testMatch": "**/*.spec.ts" }
  ] }"#;
    let setup = r#"import { test as setup, expect } from '@playwright/test';
setup('sign in', async ({ browser }) => {
  const context = await browser.newContext({ profile: 'auth/local' });
  const page = await context.newPage();
  await page.goto('/');
  await page.locator('#in').click();
  await expect(page.locator('#state')).toHaveText('Welcome back');
  await context.close();
});
"#;
    let spec = r#"import { test, expect } from '@playwright/test';
test.use({ profile: 'auth/local', autosave: false });
test('still signed in', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('#state')).toHaveText('Welcome back');
});
"#;
    project(&[
        ("isolate-browser.config.json", config),
        ("site/index.html", site),
        ("tests/auth.setup.ts", setup),
        ("tests/app.spec.ts", spec),
    ])
}

/// Runs the `setup` project of [`local_storage_project`], which saves the profile.
fn sign_in(dir: &std::path::Path) {
    let first = run_test(dir, &["--project", "setup"]);
    assert_eq!(
        first.status("sign in"),
        ["passed"],
        "{}",
        first.error("sign in")
    );
}

/// A profile saved against the project's own `webServer: { static }` comes back in a later
/// process with its localStorage: the static server takes the same port every run of the
/// project (localStorage is keyed by origin, port included), with no `port` in the config.
#[test]
fn a_profile_made_against_the_static_server_keeps_its_local_storage_in_the_next_process() {
    let dir = local_storage_project();
    sign_in(dir.path());
    let second = run_test(dir.path(), &["--project", "app"]);
    assert_eq!(
        second.status("still signed in"),
        ["passed"],
        "{}",
        second.error("still signed in")
    );
}

/// A profile whose manifest is gone is broken, not new: the test that opens it fails naming
/// the file, the saved state is left as it was, and `profiles list` shows it as broken.
#[test]
fn a_profile_missing_its_manifest_is_reported_and_its_state_kept() {
    let dir = local_storage_project();
    sign_in(dir.path());
    // The default profilesDir.
    let profile = dir.path().join(".isolate-browser/profiles/auth/local");
    std::fs::remove_file(profile.join("manifest.json")).expect("rm manifest");
    let state_before = std::fs::read(profile.join("storage-state.json")).expect("state");
    let second = run_test(dir.path(), &["--project", "app"]);
    assert_eq!(second.status("still signed in"), ["failed"]);
    let err = second.error("still signed in");
    assert!(
        err.contains("profile \"auth/local\" is corrupt")
            && err.contains("manifest.json is missing"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(profile.join("storage-state.json")).expect("state"),
        state_before,
        "the saved state is untouched"
    );
    let (code, out, err) = profiles_cli(dir.path(), &["list"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("auth/local  (BROKEN:"), "{out}");
}
