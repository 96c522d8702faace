//! [`Context`]: an isolated browser context (`Target.createBrowserContext`) with its own
//! cookies and storage, the emulation options every page in it gets, and its pages.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::browser::BrowserContextId;
use chromiumoxide::cdp::browser_protocol::network;
use chromiumoxide::cdp::browser_protocol::storage;
use chromiumoxide::cdp::browser_protocol::target::CreateTargetParams;
use serde::Deserialize;
use serde::Serialize;

use crate::browser::Browser;
use crate::error::BrowserError;
use crate::error::cdp;
use crate::page::Page;

/// A viewport size in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewport {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// `prefers-color-scheme` emulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScheme {
    /// `light`.
    Light,
    /// `dark`.
    Dark,
    /// `no-preference`.
    NoPreference,
}

impl ColorScheme {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
            Self::NoPreference => "no-preference",
        }
    }
}

/// Options every page of a context is created with (Playwright's `browser.newContext()`).
#[derive(Debug, Clone)]
pub struct ContextOptions {
    /// Viewport; Playwright's default is 1280×720. `None` keeps the window size.
    pub viewport: Option<Viewport>,
    /// User agent override.
    pub user_agent: Option<String>,
    /// Locale (`de-DE`): `navigator.language`, `Intl` and `Accept-Language`.
    pub locale: Option<String>,
    /// Time zone (`Europe/Berlin`).
    pub timezone_id: Option<String>,
    /// `prefers-color-scheme`.
    pub color_scheme: Option<ColorScheme>,
    /// Headers sent with every request.
    pub extra_http_headers: Vec<(String, String)>,
    /// Start offline.
    pub offline: bool,
    /// Run page JavaScript (default true).
    pub java_script_enabled: bool,
    /// Accept invalid TLS certificates.
    pub ignore_https_errors: bool,
    /// Relative URLs given to `goto` resolve against it.
    pub base_url: Option<String>,
    /// Default timeout of actions and waits.
    pub action_timeout: Duration,
    /// Default timeout of navigations.
    pub navigation_timeout: Duration,
    /// The attribute `get_by_test_id` matches (default `data-testid`).
    pub test_id_attribute: String,
    /// Cookies and web storage to start with.
    pub storage_state: Option<crate::storage::StorageState>,
    /// Permissions granted to every origin (Playwright's names).
    pub permissions: Vec<String>,
    /// The position pages report through `navigator.geolocation`.
    pub geolocation: Option<crate::permissions::Geolocation>,
    /// What pages may load; `None` is the browser's launch policy.
    pub network: Option<crate::network::NetworkPolicy>,
    /// Where downloads are saved (under names Chromium makes up, never the page's); `None`
    /// refuses downloads.
    pub downloads_dir: Option<std::path::PathBuf>,
    /// Record a video of every page (Playwright's `recordVideo`).
    pub record_video: Option<crate::page::RecordVideo>,
}

impl Default for ContextOptions {
    fn default() -> Self {
        Self {
            viewport: Some(Viewport {
                width: 1280,
                height: 720,
            }),
            user_agent: None,
            locale: None,
            timezone_id: None,
            color_scheme: None,
            extra_http_headers: Vec::new(),
            offline: false,
            java_script_enabled: true,
            ignore_https_errors: false,
            base_url: None,
            action_timeout: Duration::from_secs(30),
            navigation_timeout: Duration::from_secs(30),
            test_id_attribute: "data-testid".to_string(),
            storage_state: None,
            permissions: Vec::new(),
            geolocation: None,
            network: None,
            downloads_dir: None,
            record_video: None,
        }
    }
}

/// A cookie, as Playwright's `context.cookies()` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cookie {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
    /// Domain (a leading dot for domain cookies).
    pub domain: String,
    /// Path.
    pub path: String,
    /// Expiry in seconds since the epoch; -1 for a session cookie.
    pub expires: f64,
    /// `HttpOnly`.
    pub http_only: bool,
    /// `Secure`.
    pub secure: bool,
    /// `Strict`, `Lax` or `None`.
    pub same_site: String,
}

/// A cookie to add: either `url`, or `domain` and `path`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCookie {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
    /// A URL the cookie belongs to (sets domain, path and secure).
    pub url: Option<String>,
    /// Domain.
    pub domain: Option<String>,
    /// Path.
    pub path: Option<String>,
    /// Expiry in seconds since the epoch.
    pub expires: Option<f64>,
    /// `HttpOnly`.
    pub http_only: Option<bool>,
    /// `Secure`.
    pub secure: Option<bool>,
    /// `Strict`, `Lax` or `None`.
    pub same_site: Option<String>,
}

pub(crate) struct ContextInner {
    pub(crate) browser: Browser,
    /// `None` for the browser's default context (a persistent launch).
    pub(crate) id: Option<BrowserContextId>,
    pub(crate) options: ContextOptions,
    /// Weak: a page owns its context, so owning pages here would keep both alive forever.
    pages: Mutex<Vec<std::sync::Weak<crate::page::PageInner>>>,
    closed: std::sync::atomic::AtomicBool,
    routes: crate::route::RouteList,
    init_scripts: Mutex<Vec<String>>,
    /// A blank page made ahead of time (see `LaunchOptions::prewarm`), handed out first.
    first_page: Mutex<Option<crate::browser::ReadyPage>>,
    /// Web storage applied lazily and origins visited (see `storage`).
    pub(crate) storage: Mutex<crate::storage::StorageTracker>,
    /// Held while pages get a new storage script, and while a page is created.
    pub(crate) storage_refresh: tokio::sync::Mutex<()>,
    /// Timeouts and extra headers set after creation.
    pub(crate) overrides: crate::page::Overrides,
    /// What `set_geolocation` last set (the options' at first).
    pub(crate) geolocation: Mutex<Option<crate::permissions::Geolocation>>,
    /// What `set_offline` last set (the options' at first); pages opened later get it too.
    pub(crate) offline: std::sync::atomic::AtomicBool,
    /// The network policy and its proxy.
    pub(crate) network: crate::browser::ContextNetwork,
    /// Selector engines `selectors.register` added: name and the source that makes the engine.
    selector_engines: Mutex<Vec<(String, String)>>,
    /// What `selectors.setTestIdAttribute` set, over the options' attribute.
    test_id_attribute: Mutex<Option<String>>,
    /// The videos of its pages (closed ones too), in the order the pages opened.
    videos: Mutex<Vec<crate::page::Video>>,
}

/// An isolated browser context. Clones share it.
#[derive(Clone)]
pub struct Context {
    pub(crate) inner: Arc<ContextInner>,
}

impl Context {
    pub(crate) async fn create(
        browser: Browser,
        id: Option<BrowserContextId>,
        options: ContextOptions,
        first_page: Option<crate::browser::ReadyPage>,
        network: crate::browser::ContextNetwork,
    ) -> Result<Self, BrowserError> {
        let state = options.storage_state.clone();
        let permissions = options.permissions.clone();
        if let Some(g) = &options.geolocation {
            g.validate()?;
        }
        if options.record_video.is_some() && crate::page::find_ffmpeg().is_none() {
            return Err(crate::page::video_needs_ffmpeg());
        }
        let geolocation = Mutex::new(options.geolocation);
        let offline = std::sync::atomic::AtomicBool::new(options.offline);
        let context = Self {
            inner: Arc::new(ContextInner {
                browser,
                id,
                options,
                pages: Mutex::new(Vec::new()),
                closed: std::sync::atomic::AtomicBool::new(false),
                routes: crate::route::RouteList::default(),
                init_scripts: Mutex::new(Vec::new()),
                first_page: Mutex::new(first_page),
                storage: Mutex::default(),
                storage_refresh: tokio::sync::Mutex::new(()),
                overrides: crate::page::Overrides::default(),
                geolocation,
                offline,
                network,
                selector_engines: Mutex::new(Vec::new()),
                test_id_attribute: Mutex::new(None),
                videos: Mutex::new(Vec::new()),
            }),
        };
        context.set_download_behavior().await?;
        if !permissions.is_empty() {
            context.grant_permissions(&permissions, None).await?;
        }
        if let Some(state) = state {
            context.set_storage_state(&state).await?;
        }
        context.watch_popups().await;
        Ok(context)
    }

    /// The browser this context belongs to.
    pub fn browser(&self) -> &Browser {
        &self.inner.browser
    }

    /// Adds a selector engine (`selectors.register`): `name=body` parts of locators made from
    /// now on run `engine.queryAll(root, body)` in the page, where `source` is a JS expression
    /// that makes the engine (an object with `queryAll`, and `query` optionally).
    /// The attribute `getByTestId` reads (several, comma-separated, match any): what
    /// [`Context::set_test_id_attribute`] set, else the options' (`data-testid` by default).
    pub fn test_id_attribute(&self) -> String {
        self.inner
            .test_id_attribute
            .lock()
            .ok()
            .and_then(|a| a.clone())
            .unwrap_or_else(|| self.inner.options.test_id_attribute.clone())
    }

    /// `selectors.setTestIdAttribute(name)`: `getByTestId` of this context reads `name` from
    /// now on.
    pub fn set_test_id_attribute(&self, name: &str) {
        if let Ok(mut a) = self.inner.test_id_attribute.lock() {
            *a = Some(name.to_string());
        }
    }

    pub fn register_selector_engine(&self, name: &str, source: &str) -> Result<(), BrowserError> {
        const BUILT_IN: &[&str] = &[
            "css",
            "xpath",
            "text",
            "id",
            "data-testid",
            "data-test-id",
            "data-test",
            "nth",
            "visible",
        ];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(BrowserError::InvalidArgument(
                "Selector engine name may only contain [a-zA-Z0-9_] characters".into(),
            ));
        }
        let mut engines = self
            .inner
            .selector_engines
            .lock()
            .map_err(|_| BrowserError::InvalidArgument("selector engines poisoned".into()))?;
        if BUILT_IN.contains(&name) || engines.iter().any(|(n, _)| n == name) {
            return Err(BrowserError::InvalidArgument(format!(
                "\"{name}\" selector engine has been already registered"
            )));
        }
        engines.push((name.to_string(), source.to_string()));
        Ok(())
    }

    /// The engines [`Self::register_selector_engine`] added.
    pub(crate) fn selector_engines(&self) -> Vec<(String, String)> {
        self.inner
            .selector_engines
            .lock()
            .map(|e| e.clone())
            .unwrap_or_default()
    }

    /// The network policy this context's pages are held to.
    pub fn network_policy(&self) -> &crate::network::NetworkPolicy {
        &self.inner.network.policy
    }

    /// Connections the policy refused (and connections that failed) since `mark`
    /// (see [`Self::network_mark`]), oldest first.
    pub fn network_failures_since(&self, mark: u64) -> Vec<crate::network::Refusal> {
        self.inner
            .network
            .proxy
            .as_ref()
            .map(|p| p.failures_since(mark))
            .unwrap_or_default()
    }

    /// A point in the log of refused connections.
    pub fn network_mark(&self) -> u64 {
        self.inner.network.proxy.as_ref().map_or(0, |p| p.mark())
    }

    /// Saves downloads in the configured directory, under generated names, or refuses them.
    async fn set_download_behavior(&self) -> Result<(), BrowserError> {
        use chromiumoxide::cdp::browser_protocol::browser::SetDownloadBehaviorBehavior as B;
        use chromiumoxide::cdp::browser_protocol::browser::SetDownloadBehaviorParams;
        let mut params = SetDownloadBehaviorParams::new(match &self.inner.options.downloads_dir {
            Some(_) => B::AllowAndName,
            None => B::Deny,
        });
        params.browser_context_id = self.inner.id.clone();
        params.download_path = self
            .inner
            .options
            .downloads_dir
            .as_ref()
            .map(|d| d.display().to_string());
        self.inner
            .browser
            .inner
            .cdp
            .execute(params)
            .await
            .map_err(|e| cdp("Browser.setDownloadBehavior", e))?;
        Ok(())
    }

    /// Whether `other` is this context (clones are).
    pub fn same_context(&self, other: &Context) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// The options the context was created with.
    pub fn options(&self) -> &ContextOptions {
        &self.inner.options
    }

    /// Opens a new page (tab) in this context with the context's emulation applied.
    pub async fn new_page(&self) -> Result<Page, BrowserError> {
        self.ensure_open("opening a page")?;
        let ready = self.inner.first_page.lock().ok().and_then(|mut p| p.take());
        let (cdp_page, preset) = match ready {
            Some(ready) => (ready.page, Some(ready.viewport)),
            None => {
                let mut params = CreateTargetParams::builder().url("about:blank");
                if let Some(id) = &self.inner.id {
                    params = params.browser_context_id(id.clone());
                }
                let params = params
                    .build()
                    .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
                let page = self
                    .inner
                    .browser
                    .inner
                    .cdp
                    .new_page(params)
                    .await
                    .map_err(|e| cdp("Target.createTarget", e))?;
                (page, None)
            }
        };
        self.add_page(cdp_page, preset).await
    }

    /// Makes a browser tab a page of this context: its emulation, init scripts and routes.
    pub(crate) async fn add_page(
        &self,
        cdp_page: chromiumoxide::Page,
        preset: Option<Viewport>,
    ) -> Result<Page, BrowserError> {
        let scripts = self
            .inner
            .init_scripts
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        // No storage refresh may pass between the script this page gets and its joining the
        // page list.
        let _turn = self.inner.storage_refresh.lock().await;
        let page = Page::create(self.clone(), cdp_page, &scripts, preset).await?;
        self.inner
            .pages
            .lock()
            .map_err(|_| BrowserError::Closed(Some("opening a page".into())))?
            .push(Arc::downgrade(&page.inner));
        Ok(page)
    }

    /// Takes every page of the context offline (or back online), pages opened later too.
    pub async fn set_offline(&self, offline: bool) -> Result<(), BrowserError> {
        self.ensure_open("setting offline")?;
        self.inner
            .offline
            .store(offline, std::sync::atomic::Ordering::SeqCst);
        for page in self.pages() {
            page.set_offline(offline).await?;
        }
        Ok(())
    }

    pub(crate) fn is_offline(&self) -> bool {
        self.inner.offline.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether the context was closed.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The open pages of this context.
    pub fn pages(&self) -> Vec<Page> {
        self.inner
            .pages
            .lock()
            .map(|pages| {
                pages
                    .iter()
                    .filter_map(std::sync::Weak::upgrade)
                    .map(|inner| Page { inner })
                    .filter(|p| !p.is_closed())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Routes requests matching `url` in every page of this context (existing and future) to
    /// `handler`; page routes take precedence.
    pub async fn route(
        &self,
        url: crate::page::UrlMatch,
        handler: crate::route::RouteHandler,
    ) -> Result<(), BrowserError> {
        self.route_with(url, handler, crate::route::RouteOptions::default())
            .await
    }

    /// [`Context::route`] with a use count and a tag.
    pub async fn route_with(
        &self,
        url: crate::page::UrlMatch,
        handler: crate::route::RouteHandler,
        options: crate::route::RouteOptions,
    ) -> Result<(), BrowserError> {
        self.ensure_open("adding a route")?;
        self.inner
            .routes
            .push(crate::route::RouteEntry::new(url, handler, options)?)?;
        for page in self.pages() {
            page.enable_routing().await?;
        }
        Ok(())
    }

    /// Removes every context route for `url`.
    pub fn unroute(&self, url: &crate::page::UrlMatch) {
        self.inner.routes.remove(url, None);
    }

    /// Removes the context routes for `url` that were registered with `tag`.
    pub fn unroute_tagged(&self, url: &crate::page::UrlMatch, tag: u64) {
        self.inner.routes.remove(url, Some(tag));
    }

    /// Removes every context route.
    pub fn unroute_all(&self) {
        self.inner.routes.clear();
    }

    pub(crate) fn push_init_script(&self, source: String) -> Result<(), BrowserError> {
        self.inner
            .init_scripts
            .lock()
            .map_err(|_| BrowserError::Closed(Some("adding an init script".into())))?
            .push(source);
        Ok(())
    }

    pub(crate) fn has_routes(&self) -> bool {
        !self.inner.routes.is_empty()
    }

    pub(crate) fn routes(&self) -> &crate::route::RouteList {
        &self.inner.routes
    }

    /// All cookies of this context, or those visible to `urls` when given.
    pub async fn cookies(&self, urls: &[&str]) -> Result<Vec<Cookie>, BrowserError> {
        self.ensure_open("reading cookies")?;
        let params = storage::GetCookiesParams {
            browser_context_id: self.inner.id.clone(),
        };
        let res = self.execute("Storage.getCookies", params).await?;
        let cookies = res.cookies.into_iter().map(cookie_from_cdp);
        Ok(cookies
            .filter(|c| urls.is_empty() || urls.iter().any(|u| cookie_matches_url(c, u)))
            .collect())
    }

    /// Adds cookies to this context.
    pub async fn add_cookies(&self, cookies: &[NewCookie]) -> Result<(), BrowserError> {
        self.ensure_open("adding cookies")?;
        let mut params = Vec::with_capacity(cookies.len());
        for c in cookies {
            if c.url.is_none() && (c.domain.is_none() || c.path.is_none()) {
                return Err(BrowserError::InvalidArgument(format!(
                    "cookie `{}` needs either a url, or a domain and a path",
                    c.name
                )));
            }
            let mut p = network::CookieParam::new(c.name.clone(), c.value.clone());
            p.url = c.url.clone();
            p.domain = c.domain.clone();
            p.path = c.path.clone();
            p.expires = c
                .expires
                .filter(|e| *e >= 0.0)
                .map(network::TimeSinceEpoch::new);
            p.http_only = c.http_only;
            p.secure = c.secure;
            p.same_site = match c.same_site.as_deref() {
                Some("Strict") => Some(network::CookieSameSite::Strict),
                Some("Lax") => Some(network::CookieSameSite::Lax),
                Some("None") => Some(network::CookieSameSite::None),
                Some(other) => {
                    return Err(BrowserError::InvalidArgument(format!(
                        "cookie `{}`: sameSite must be Strict, Lax or None, not `{other}`",
                        c.name
                    )));
                }
                None => None,
            };
            params.push(p);
        }
        let mut set = storage::SetCookiesParams::new(params);
        set.browser_context_id = self.inner.id.clone();
        self.execute("Storage.setCookies", set).await?;
        Ok(())
    }

    /// Sends a browser-level command on behalf of this context.
    pub(crate) async fn browser_command<C: chromiumoxide::types::Command>(
        &self,
        call: &str,
        cmd: C,
    ) -> Result<C::Response, BrowserError> {
        self.execute(call, cmd).await
    }

    /// Sends a browser-level command on behalf of this context.
    async fn execute<C: chromiumoxide::types::Command>(
        &self,
        call: &str,
        cmd: C,
    ) -> Result<C::Response, BrowserError> {
        self.inner
            .browser
            .inner
            .cdp
            .execute(cmd)
            .await
            .map(|r| r.result)
            .map_err(|e| cdp(call, e))
    }

    /// Removes every cookie of this context.
    pub async fn clear_cookies(&self) -> Result<(), BrowserError> {
        self.ensure_open("clearing cookies")?;
        let params = storage::ClearCookiesParams {
            browser_context_id: self.inner.id.clone(),
        };
        self.execute("Storage.clearCookies", params).await?;
        Ok(())
    }

    pub(crate) fn add_video(&self, video: crate::page::Video) {
        if let Ok(mut videos) = self.inner.videos.lock() {
            videos.push(video);
        }
    }

    /// The videos of the context's pages (closed ones too), in the order the pages opened;
    /// whole once the context is closed.
    pub fn videos(&self) -> Vec<crate::page::Video> {
        self.inner
            .videos
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }

    /// Closes every page and disposes the context; its videos are written before it returns.
    pub async fn close(&self) -> Result<(), BrowserError> {
        if self
            .inner
            .closed
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return Ok(());
        }
        let videos = self.videos();
        for video in &videos {
            video.stop();
        }
        let closed = self.dispose().await;
        for video in &videos {
            if let Err(e) = video.finished().await {
                tracing::warn!("{e}");
            }
        }
        closed
    }

    async fn dispose(&self) -> Result<(), BrowserError> {
        if !self.inner.browser.is_connected() {
            return Ok(());
        }
        let Some(id) = self.inner.id.clone() else {
            // The default context of a persistent launch: the browser goes with it, and
            // writes its profile on the way out.
            return self.inner.browser.close().await;
        };
        let params =
            chromiumoxide::cdp::browser_protocol::target::DisposeBrowserContextParams::new(id);
        self.inner
            .browser
            .inner
            .cdp
            .execute(params)
            .await
            .map_err(|e| cdp("Target.disposeBrowserContext", e))?;
        Ok(())
    }

    pub(crate) fn ensure_open(&self, doing: &str) -> Result<(), BrowserError> {
        self.inner.browser.ensure_alive(doing)?;
        if self.inner.closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(BrowserError::InvalidArgument(format!(
                "context is closed (while {doing})"
            )));
        }
        Ok(())
    }
}

fn cookie_from_cdp(c: network::Cookie) -> Cookie {
    Cookie {
        name: c.name,
        value: c.value,
        domain: c.domain,
        path: c.path,
        expires: if c.session { -1.0 } else { c.expires },
        http_only: c.http_only,
        secure: c.secure,
        same_site: match c.same_site {
            Some(network::CookieSameSite::Strict) => "Strict",
            Some(network::CookieSameSite::None) => "None",
            _ => "Lax",
        }
        .to_string(),
    }
}

fn cookie_matches_url(c: &Cookie, url: &str) -> bool {
    let Some(rest) = url.split_once("://").map(|(_, r)| r) else {
        return false;
    };
    let (host_port, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    let domain = c.domain.trim_start_matches('.');
    let host_ok = host == domain || host.ends_with(&format!(".{domain}"));
    let secure_ok =
        !c.secure || url.starts_with("https://") || host == "localhost" || host == "127.0.0.1";
    host_ok && secure_ok && path.starts_with(&c.path)
}
