//! Finding Chromium, launching it headless with a private profile directory, or connecting to
//! one that already runs; and supervising the CDP connection so that one undecodable message
//! never stops it and a dead browser fails pending calls at once.

use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chromiumoxide::browser::BrowserConfig;
use futures::StreamExt as _;

use crate::error::BrowserError;
use crate::network::NetworkPolicy;
use crate::network::proxy::PolicyProxy;

/// The environment variable that names the Chromium executable.
pub const CHROMIUM_ENV: &str = "ISOLATE_BROWSER_CHROMIUM";

/// Names looked up on `PATH`, in order.
const CANDIDATES: &[&str] = &["chromium", "chromium-browser", "google-chrome"];

/// Flags every launch gets: quiet, offline-friendly, no first-run UI, no initial window.
const BASE_ARGS: &[&str] = &[
    "disable-background-networking",
    "disable-component-update",
    "no-first-run",
    "disable-sync",
    "disable-gpu",
    "no-startup-window",
    "no-default-browser-check",
    "disable-dev-shm-usage",
    "password-store=basic",
    "use-mock-keychain",
    // Keep cross-origin iframes in the page's renderer so frame locators reach them through
    // the page's own session (site isolation would move them into separate targets).
    "disable-features=IsolateOrigins,site-per-process",
    "disable-site-isolation-trials",
    // Pages restored from the back/forward cache fire no load events; Playwright turns it off
    // for the same reason.
    "disable-back-forward-cache",
    // Input and animation frames are not held to a 60 Hz vsync in headless runs: an action's
    // stability check and its input events then cost a frame each far less often.
    "disable-gpu-vsync",
    "disable-frame-rate-limit",
];

/// Chromium bypasses proxies for loopback unless told otherwise; the policy must see it.
pub(crate) const PROXY_BYPASS: &str = "<-loopback>";

/// How to start Chromium.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// The executable; when `None`, [`CHROMIUM_ENV`] and then `PATH` are searched.
    pub executable: Option<PathBuf>,
    /// Headless (the default) or a visible window for local debugging.
    pub headless: bool,
    /// Extra command-line flags (with or without leading `--`).
    pub args: Vec<String>,
    /// How long Chromium may take to start.
    pub timeout: Duration,
    /// How many browser contexts (each with a blank page at the default viewport) to keep
    /// ready in the background, so that `new_context` + `new_page` hands one out instead of
    /// waiting for Chromium to start a renderer (about 100 ms here). Each costs an idle
    /// renderer; 0 turns it off.
    pub prewarm: usize,
    /// Chromium's user-data directory: `None` (the default) starts from an empty temporary
    /// one that is deleted on close; a given directory is used as it is and kept.
    pub user_data_dir: Option<PathBuf>,
    /// What pages may load ([`NetworkPolicy`]); contexts may carry their own.
    pub network: NetworkPolicy,
}

impl Default for LaunchOptions {
    fn default() -> Self {
        Self {
            executable: None,
            headless: true,
            args: Vec::new(),
            timeout: Duration::from_secs(30),
            prewarm: 2,
            user_data_dir: None,
            network: NetworkPolicy::default(),
        }
    }
}

/// Finds the Chromium executable: the explicit path, then `$ISOLATE_BROWSER_CHROMIUM`, then
/// `chromium`, `chromium-browser`, `google-chrome` on `PATH`.
pub fn find_chromium(explicit: Option<&Path>) -> Result<PathBuf, BrowserError> {
    let mut tried = Vec::new();
    if let Some(path) = explicit {
        if is_executable(path) {
            return Ok(path.to_path_buf());
        }
        tried.push(path.to_path_buf());
        return Err(BrowserError::ChromiumNotFound { tried });
    }
    if let Some(env) = std::env::var_os(CHROMIUM_ENV).filter(|v| !v.is_empty()) {
        let path = PathBuf::from(env);
        if is_executable(&path) {
            return Ok(path);
        }
        tried.push(path);
    }
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    for name in CANDIDATES {
        let mut found = None;
        for dir in std::env::split_paths(&path_var) {
            let candidate = dir.join(name);
            if is_executable(&candidate) {
                found = Some(candidate);
                break;
            }
        }
        match found {
            Some(path) => return Ok(path),
            None => tried.push(PathBuf::from(name)),
        }
    }
    Err(BrowserError::ChromiumNotFound { tried })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc_geteuid() == 0 }
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

/// A connected CDP session plus what keeps it alive.
pub(crate) struct Launched {
    pub cdp: chromiumoxide::Browser,
    pub alive: Arc<AtomicBool>,
    pub handler: tokio::task::JoinHandle<()>,
    /// The user-data directory of a launched browser.
    pub user_data_dir: Option<PathBuf>,
    /// Deleted when the browser is closed, when it is a temporary one.
    pub temp_dir: Option<tempfile::TempDir>,
}

impl Launched {
    fn supervised(
        cdp: chromiumoxide::Browser,
        handler: chromiumoxide::Handler,
        user_data_dir: Option<PathBuf>,
        temp_dir: Option<tempfile::TempDir>,
    ) -> Self {
        let (alive, task) = supervise(handler);
        Self {
            cdp,
            alive,
            handler: task,
            user_data_dir,
            temp_dir,
        }
    }
}

/// The prefix of the temporary directories a launch makes.
const TEMP_PREFIX: &str = "isolate-browser-chromium-";
/// The file in such a directory that names the process it belongs to.
const OWNER_FILE: &str = "isolate-browser.owner";

/// Removes temporary directories of earlier launches whose process has died without cleaning
/// up (SIGKILL): once per process, before its first launch.
fn clean_stale_temp_dirs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                continue;
            }
            let dir = entry.path();
            let owner = std::fs::read_to_string(dir.join(OWNER_FILE))
                .ok()
                .and_then(|pid| pid.trim().parse::<u32>().ok());
            let stale = match owner {
                Some(pid) => !Path::new(&format!("/proc/{pid}")).exists(),
                // Made before owners were written: stale once a day old.
                None => entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > Duration::from_secs(24 * 60 * 60)),
            };
            if stale {
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    });
}

/// An executable that starts Chromium so that it dies with the thread that launched it, even
/// when this process is killed (SIGKILL leaves no chance to close it): Linux's parent-death
/// signal, set by util-linux's `setpriv`. `None` when `setpriv` is not installed.
fn dying_with_us(executable: &Path, dir: &Path) -> Option<PathBuf> {
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| is_executable(p))?;
    let quoted = format!(
        "'{}'",
        executable.display().to_string().replace('\'', r"'\''")
    );
    let script = format!(
        "#!/bin/sh\nexec {} --pdeathsig KILL -- {quoted} \"$@\"\n",
        setpriv.display()
    );
    let path = dir.join("chromium");
    std::fs::write(&path, script).ok()?;
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).ok()?;
    Some(path)
}

/// Starts Chromium with the given user-data directory, or a fresh temporary one.
/// Launches Chromium; with a `proxy`, every connection of its default context (and of every
/// context created without a proxy of its own) goes through it, loopback included.
pub(crate) async fn launch(
    options: &LaunchOptions,
    proxy: Option<&PolicyProxy>,
) -> Result<Launched, BrowserError> {
    let executable = find_chromium(options.executable.as_deref())?;
    clean_stale_temp_dirs();
    // A temporary directory of our own: the profile, unless one is given, and the launcher.
    let temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempdir()
        .map_err(|e| BrowserError::Launch {
            executable: executable.clone(),
            reason: format!("cannot create a profile directory: {e}"),
        })?;
    let _ = std::fs::write(temp.path().join(OWNER_FILE), std::process::id().to_string());
    let launcher = dying_with_us(&executable, temp.path());
    let temp_dir = Some(temp);
    let user_data_dir = match (&options.user_data_dir, &temp_dir) {
        (Some(dir), _) => dir.clone(),
        (None, Some(temp)) => temp.path().join("profile"),
        (None, None) => unreachable!("a temporary directory is made when none is given"),
    };
    if options.user_data_dir.is_none() {
        std::fs::create_dir(&user_data_dir).map_err(|e| BrowserError::Launch {
            executable: executable.clone(),
            reason: format!("cannot create a profile directory: {e}"),
        })?;
    }
    if !user_data_dir.is_dir() {
        return Err(BrowserError::Launch {
            executable,
            reason: format!(
                "the user-data directory {} does not exist",
                user_data_dir.display()
            ),
        });
    }
    let mut builder = BrowserConfig::builder()
        .chrome_executable(launcher.as_deref().unwrap_or(&executable))
        .user_data_dir(&user_data_dir)
        .viewport(None)
        .launch_timeout(options.timeout)
        .request_timeout(Duration::from_secs(60))
        .port(0);
    // chromiumoxide's default is `--headless`, which is the new headless mode in current Chromium.
    if !options.headless {
        builder = builder.with_head();
    }
    if is_root() {
        builder = builder.no_sandbox();
    }
    let policed = proxy.map(|p| {
        [
            format!("proxy-server={}", p.server()),
            format!("proxy-bypass-list={PROXY_BYPASS}"),
            // WebRTC's UDP would go around a SOCKS proxy.
            "force-webrtc-ip-handling-policy=disable_non_proxied_udp".to_string(),
        ]
    });
    // chromiumoxide adds the leading `--` itself.
    let args: Vec<String> = BASE_ARGS
        .iter()
        .map(|a| a.to_string())
        .chain(policed.into_iter().flatten())
        .chain(
            options
                .args
                .iter()
                .map(|a| a.trim_start_matches('-').to_string()),
        )
        .collect();
    builder = builder.args(args);
    let config = builder.build().map_err(|reason| BrowserError::Launch {
        executable: executable.clone(),
        reason,
    })?;
    let (cdp, handler) =
        chromiumoxide::Browser::launch(config)
            .await
            .map_err(|e| BrowserError::Launch {
                executable: executable.clone(),
                reason: e.to_string(),
            })?;
    Ok(Launched::supervised(
        cdp,
        handler,
        Some(user_data_dir),
        temp_dir,
    ))
}

/// Connects to a browser that already runs: a `ws://…/devtools/browser/…` URL or the
/// `http://host:port` of its remote-debugging endpoint.
pub(crate) async fn connect(endpoint: &str) -> Result<Launched, BrowserError> {
    if !(endpoint.starts_with("ws://")
        || endpoint.starts_with("wss://")
        || endpoint.starts_with("http://")
        || endpoint.starts_with("https://"))
    {
        return Err(BrowserError::Connect {
            endpoint: endpoint.to_string(),
            reason: "expected a ws:// URL or the http://host:port of a remote-debugging endpoint"
                .into(),
        });
    }
    // chromiumoxide reads `/json/version` with reqwest; when the process enables reqwest's
    // rustls without a provider (the runner does, for its fetch binding), one must be installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (cdp, handler) = chromiumoxide::Browser::connect(endpoint)
        .await
        .map_err(|e| BrowserError::Connect {
            endpoint: endpoint.to_string(),
            reason: e.to_string(),
        })?;
    Ok(Launched::supervised(cdp, handler, None, None))
}

/// Drives the CDP handler until the connection ends. Errors (most often messages newer
/// Chromium sends that this protocol version cannot decode) are logged and skipped.
fn supervise(
    mut handler: chromiumoxide::Handler,
) -> (Arc<AtomicBool>, tokio::task::JoinHandle<()>) {
    let alive = Arc::new(AtomicBool::new(true));
    let flag = alive.clone();
    let task = tokio::spawn(async move {
        while let Some(event) = handler.next().await {
            match event {
                Ok(()) => {}
                // The socket is gone: the browser died or closed.
                Err(chromiumoxide::error::CdpError::Ws(err)) => {
                    tracing::debug!(target: "isolate_browser::cdp", "CDP connection ended: {err}");
                    break;
                }
                Err(err) => {
                    tracing::debug!(target: "isolate_browser::cdp", "skipped CDP message: {err}");
                }
            }
        }
        flag.store(false, Ordering::SeqCst);
    });
    (alive, task)
}
