//! [`Browser`]: one Chromium, launched or connected, shared by cheap clones.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;

use chromiumoxide::cdp::browser_protocol::target::CreateBrowserContextParams;
use tokio::sync::Mutex;

use crate::context::Context;
use crate::context::ContextOptions;
use crate::error::BrowserError;
use crate::error::cdp;
use crate::launch;
use crate::launch::LaunchOptions;
use crate::network::NetworkPolicy;
use crate::network::proxy::PolicyProxy;

pub(crate) struct BrowserInner {
    pub(crate) cdp: chromiumoxide::Browser,
    alive: Arc<AtomicBool>,
    handler: tokio::task::JoinHandle<()>,
    /// Taken by `close`; kept until then so the profile directory outlives the process.
    owned: Mutex<Option<Owned>>,
    pid: Option<u32>,
    /// The private profile directory of a launched browser: every process of that browser
    /// (zygotes, renderers, utilities) names it on its command line.
    profile: Option<String>,
    /// A context with a blank page, made in the background for the next `new_context`.
    spare: Mutex<std::collections::VecDeque<tokio::task::JoinHandle<Option<Spare>>>>,
    prewarm: usize,
    /// The policy Chromium was launched with (`None` when connected: the proxies of this
    /// process are not reachable from another machine's browser, so only navigations are
    /// checked there).
    network: Option<NetworkPolicy>,
    /// The proxy of the launch policy, named on Chromium's command line.
    launched_proxy: Option<Arc<PolicyProxy>>,
    /// Proxies of contexts with another policy, shared by equal policies.
    proxies: std::sync::Mutex<Vec<Arc<PolicyProxy>>>,
}

/// A context's network policy and the proxy that enforces it.
#[derive(Clone, Default)]
pub(crate) struct ContextNetwork {
    pub(crate) policy: NetworkPolicy,
    pub(crate) proxy: Option<Arc<PolicyProxy>>,
}

/// A ready-made context and its first page.
pub(crate) struct Spare {
    pub(crate) id: chromiumoxide::cdp::browser_protocol::browser::BrowserContextId,
    pub(crate) page: ReadyPage,
}

/// A blank page set up ahead of time.
pub(crate) struct ReadyPage {
    pub(crate) page: chromiumoxide::Page,
    /// The viewport already applied to `page`.
    pub(crate) viewport: crate::context::Viewport,
}

struct Owned {
    user_data_dir: Option<tempfile::TempDir>,
}

/// A running Chromium. Clones share it; it closes when [`Browser::close`] is called or the last
/// clone is dropped (a launched process is killed then, so none is left behind).
#[derive(Clone)]
pub struct Browser {
    pub(crate) inner: Arc<BrowserInner>,
}

impl Browser {
    /// Launches Chromium headless (or headed) with a private temporary profile.
    pub async fn launch(options: LaunchOptions) -> Result<Self, BrowserError> {
        let proxy = start_proxy(&options).await?;
        let launched = launch::launch(&options, proxy.as_deref()).await?;
        let browser = Self::from_launched(
            launched,
            options.prewarm,
            Some(options.network.clone()),
            proxy,
        );
        // One at first, so the first page is not slowed by several renderers starting at once;
        // `new_context` tops the pool up.
        if options.prewarm > 0 {
            browser.spawn_spare().await;
        }
        Ok(browser)
    }

    /// Launches Chromium on `user_data_dir` (Playwright's `launchPersistentContext`) and
    /// returns its default context: cookies and storage are Chromium's own, kept in that
    /// directory. Closing the context closes the browser, which writes everything to disk.
    pub async fn launch_persistent(
        mut launch: LaunchOptions,
        user_data_dir: &std::path::Path,
        options: ContextOptions,
    ) -> Result<Context, BrowserError> {
        launch.user_data_dir = Some(user_data_dir.to_path_buf());
        if let Some(policy) = &options.network {
            launch.network = policy.clone();
        }
        let proxy = start_proxy(&launch).await?;
        let launched = launch::launch(&launch, proxy.as_deref()).await?;
        let network = ContextNetwork {
            policy: launch.network.clone(),
            proxy: proxy.clone(),
        };
        // Pre-made pages live in contexts of their own; the default context has none.
        let browser = Self::from_launched(launched, 0, Some(launch.network), proxy);
        Context::create(browser, None, options, None, network).await
    }

    /// Connects to a running browser by its CDP endpoint (`ws://…` or `http://host:port`).
    pub async fn connect(endpoint: &str) -> Result<Self, BrowserError> {
        Ok(Self::from_launched(
            launch::connect(endpoint).await?,
            0,
            None,
            None,
        ))
    }

    fn from_launched(
        mut l: launch::Launched,
        prewarm: usize,
        network: Option<NetworkPolicy>,
        launched_proxy: Option<Arc<PolicyProxy>>,
    ) -> Self {
        let pid = l.cdp.get_mut_child().and_then(|c| c.inner.id());
        let profile = l.user_data_dir.as_ref().map(|d| d.display().to_string());
        Self {
            inner: Arc::new(BrowserInner {
                cdp: l.cdp,
                alive: l.alive,
                handler: l.handler,
                owned: Mutex::new(Some(Owned {
                    user_data_dir: l.temp_dir,
                })),
                pid,
                profile,
                spare: Mutex::new(std::collections::VecDeque::new()),
                prewarm,
                network,
                launched_proxy,
                proxies: std::sync::Mutex::default(),
            }),
        }
    }

    /// Whether the CDP connection is still up.
    pub fn is_connected(&self) -> bool {
        self.inner.alive.load(Ordering::SeqCst)
    }

    /// The browser process id, when this process launched it.
    pub fn pid(&self) -> Option<u32> {
        self.inner.pid
    }

    /// Chromium's product and version, e.g. `Chrome/156.0.8078.79`.
    pub async fn version(&self) -> Result<String, BrowserError> {
        self.ensure_alive("reading the version")?;
        let v = self
            .inner
            .cdp
            .version()
            .await
            .map_err(|e| cdp("Browser.getVersion", e))?;
        Ok(v.product)
    }

    /// Creates an isolated browser context (its own cookies, storage and cache).
    pub async fn new_context(&self, options: ContextOptions) -> Result<Context, BrowserError> {
        self.ensure_alive("creating a context")?;
        let Some(launched) = &self.inner.network else {
            // A connected browser: its network is its machine's; navigations are still checked.
            let network = ContextNetwork {
                policy: options.network.clone().unwrap_or_default(),
                proxy: None,
            };
            let id = self.create_context_id(None).await?;
            return Context::create(self.clone(), Some(id), options, None, network).await;
        };
        if let Some(policy) = options.network.clone().filter(|p| p != launched) {
            // A policy of its own: its own proxy, and no pre-made context (those use the
            // launch policy's).
            let proxy = if policy.is_enforced() {
                Some(self.proxy_for(&policy).await?)
            } else {
                None
            };
            let server = proxy
                .as_ref()
                .map_or_else(|| "direct://".to_string(), |p| p.server());
            let id = self.create_context_id(Some(server)).await?;
            let network = ContextNetwork { policy, proxy };
            return Context::create(self.clone(), Some(id), options, None, network).await;
        }
        let network = ContextNetwork {
            policy: launched.clone(),
            proxy: self.inner.launched_proxy.clone(),
        };
        let spare = self.inner.spare.lock().await.pop_front();
        let ready = match spare {
            Some(task) => task.await.ok().flatten(),
            None => None,
        };
        // Refill after taking ours, so the renderers being started do not slow this one down.
        let missing = self
            .inner
            .prewarm
            .saturating_sub(self.inner.spare.lock().await.len());
        for _ in 0..missing {
            self.spawn_spare().await;
        }
        let (id, first_page) = match ready {
            Some(spare) => (Some(spare.id), Some(spare.page)),
            None => (Some(self.create_context_id(None).await?), None),
        };
        Context::create(self.clone(), id, options, first_page, network).await
    }

    /// The running proxy for `policy`, started on first use.
    async fn proxy_for(&self, policy: &NetworkPolicy) -> Result<Arc<PolicyProxy>, BrowserError> {
        if let Some(p) = self
            .inner
            .proxies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|p| p.policy() == policy)
        {
            return Ok(p.clone());
        }
        let proxy =
            PolicyProxy::start(policy.clone())
                .await
                .map_err(|e| BrowserError::Protocol {
                    call: "starting the network policy proxy".into(),
                    reason: e.to_string(),
                })?;
        self.inner
            .proxies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(proxy.clone());
        Ok(proxy)
    }

    /// A new browser context; `proxy_server` overrides the launch flags' proxy.
    async fn create_context_id(
        &self,
        proxy_server: Option<String>,
    ) -> Result<chromiumoxide::cdp::browser_protocol::browser::BrowserContextId, BrowserError> {
        let params = CreateBrowserContextParams {
            proxy_bypass_list: proxy_server
                .as_ref()
                .map(|_| launch::PROXY_BYPASS.to_string()),
            proxy_server,
            ..CreateBrowserContextParams::default()
        };
        self.inner
            .cdp
            .create_browser_context(params)
            .await
            .map_err(|e| cdp("Target.createBrowserContext", e))
    }

    /// Starts making the next spare context in the background. The task holds the browser only
    /// weakly, so dropping every handle still ends the browser.
    async fn spawn_spare(&self) {
        let weak = Arc::downgrade(&self.inner);
        let task = tokio::spawn(async move {
            let inner = weak.upgrade()?;
            let browser = Browser { inner };
            let id = browser.create_context_id(None).await.ok()?;
            let params =
                chromiumoxide::cdp::browser_protocol::target::CreateTargetParams::builder()
                    .url("about:blank")
                    .browser_context_id(id.clone())
                    .build()
                    .ok()?;
            let page = browser.inner.cdp.new_page(params).await.ok()?;
            // Resizing a fresh renderer is the slow part of page set-up; do it now.
            let viewport = ContextOptions::default().viewport?;
            page.execute(chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams::new(
                i64::from(viewport.width),
                i64::from(viewport.height),
                1.0,
                false,
            ))
            .await
            .ok()?;
            Some(Spare {
                id,
                page: ReadyPage { page, viewport },
            })
        });
        self.inner.spare.lock().await.push_back(task);
    }

    /// Closes the browser and waits for the process to exit.
    pub async fn close(&self) -> Result<(), BrowserError> {
        let owned = self.inner.owned.lock().await.take();
        let Some(owned) = owned else {
            return Ok(());
        };
        for spare in self.inner.spare.lock().await.drain(..) {
            spare.abort();
        }
        if self.is_connected() {
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(5),
                self.inner
                    .cdp
                    .execute(chromiumoxide::cdp::browser_protocol::browser::CloseParams::default()),
            )
            .await;
        }
        if let Some(pid) = self.inner.pid {
            wait_for_exit(pid).await;
        }
        if let Some(profile) = &self.inner.profile {
            // Helpers exit shortly after the browser process; whatever lingers is killed.
            for _ in 0..100 {
                if profile_processes(profile).is_empty() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            for pid in profile_processes(profile) {
                kill(pid);
            }
        }
        self.inner.handler.abort();
        drop(owned.user_data_dir);
        Ok(())
    }

    pub(crate) fn ensure_alive(&self, doing: &str) -> Result<(), BrowserError> {
        if self.is_connected() {
            Ok(())
        } else {
            Err(BrowserError::Closed(Some(doing.to_string())))
        }
    }
}

/// The proxy a launch with `options` names on Chromium's command line, if its policy is
/// enforced.
async fn start_proxy(options: &LaunchOptions) -> Result<Option<Arc<PolicyProxy>>, BrowserError> {
    if !options.network.is_enforced() {
        return Ok(None);
    }
    PolicyProxy::start(options.network.clone())
        .await
        .map(Some)
        .map_err(|e| BrowserError::Launch {
            executable: options.executable.clone().unwrap_or_default(),
            reason: format!("cannot start the network policy proxy: {e}"),
        })
}

/// Waits (bounded) for a process to go away, then kills it if it has not.
async fn wait_for_exit(pid: u32) {
    let proc_path = format!("/proc/{pid}");
    for _ in 0..50 {
        if !is_running(&proc_path) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    kill(pid);
}

/// Live processes whose command line names this profile directory (the browser and its
/// helpers, crash handler included).
fn profile_processes(profile: &str) -> Vec<u32> {
    let needle = profile.as_bytes();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| {
            let path = format!("/proc/{pid}");
            is_running(&path)
                && std::fs::read(format!("{path}/cmdline"))
                    .map(|c| c.windows(needle.len()).any(|w| w == needle))
                    .unwrap_or(false)
        })
        .collect()
}

fn is_running(proc_path: &str) -> bool {
    // A zombie still has a /proc entry; its state is `Z`.
    match std::fs::read_to_string(format!("{proc_path}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

fn kill(pid: u32) {
    unsafe extern "C" {
        fn kill(pid: i32, sig: i32) -> i32;
    }
    // SAFETY: plain syscall wrapper; a stale pid at worst returns an error.
    unsafe {
        kill(pid as i32, 9);
    }
}

impl Drop for BrowserInner {
    fn drop(&mut self) {
        self.handler.abort();
        for spare in self.spare.get_mut().drain(..) {
            spare.abort();
        }
        if let Some(pid) = self.pid
            && is_running(&format!("/proc/{pid}"))
        {
            kill(pid);
        }
        if let Some(profile) = &self.profile {
            for pid in profile_processes(profile) {
                kill(pid);
            }
        }
    }
}
