//! Storage state: a context's cookies plus localStorage and sessionStorage per origin
//! (Playwright's format, with sessionStorage added), captured from a live context and applied
//! to a new one; and init scripts every page of a context runs before its own scripts.
//!
//! Applying localStorage is lazy: instead of visiting every origin in a scratch page when the
//! context opens (about 800 ms for three origins), each page of a context with saved items
//! runs a small script first in every document: it fills its origin's saved items if that
//! origin has not been written yet, then tells the host (a CDP binding) that the origin has
//! run. The host then takes the origin out of the script on every page, so a later document
//! never refills what the app changed (navigations the test starts wait for that). Pages see
//! what an eager copy would give them, since localStorage is only visible from documents of
//! its origin. Document requests tell [`Context::storage_state`] which other origins to read
//! back.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::Arc;

use chromiumoxide::cdp::browser_protocol::page as cdp_page;
use chromiumoxide::cdp::js_protocol::runtime;
use futures::FutureExt as _;
use serde::Deserialize;
use serde::Serialize;

use crate::context::Context;
use crate::context::Cookie;
use crate::context::NewCookie;
use crate::error::BrowserError;
use crate::error::cdp;
use crate::page::GotoOptions;
use crate::page::Page;
use crate::page::UrlMatch;
use crate::route::Fulfill;

/// One storage item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameValue {
    /// Key.
    pub name: String,
    /// Value.
    pub value: String,
}

/// The web storage of one origin.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OriginState {
    /// `https://app.example.com`.
    pub origin: String,
    /// localStorage items.
    #[serde(default)]
    pub local_storage: Vec<NameValue>,
    /// sessionStorage items (Playwright leaves these out; we keep them).
    #[serde(default)]
    pub session_storage: Vec<NameValue>,
}

/// Cookies and per-origin web storage of a context.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StorageState {
    /// All cookies, HttpOnly ones included.
    #[serde(default)]
    pub cookies: Vec<Cookie>,
    /// Web storage by origin.
    #[serde(default)]
    pub origins: Vec<OriginState>,
}

/// The binding the storage script reports each document's origin through.
pub(crate) const BINDING: &str = "__isolateBrowserOrigin";

/// What a context knows about its pages' web storage.
#[derive(Debug, Default)]
pub(crate) struct StorageTracker {
    /// Saved localStorage not written yet, by origin: the first document of the origin does.
    pending: BTreeMap<String, Vec<NameValue>>,
    /// Saved sessionStorage by origin (seeded into each new tab; kept when no tab is open).
    session: BTreeMap<String, Vec<NameValue>>,
    /// Origins whose documents have run in this context.
    seen: BTreeSet<String>,
}

impl StorageTracker {
    /// The script every document runs first: fill this origin's pending items (into an empty
    /// localStorage only), then report the origin. The binding is taken off the global object
    /// before any page script can see it.
    /// `None` when no saved items wait: then no page needs the script.
    pub(crate) fn script(&self) -> Option<String> {
        if self.pending.is_empty() {
            return None;
        }
        let pending: BTreeMap<&String, Vec<(&str, &str)>> = self
            .pending
            .iter()
            .map(|(o, items)| {
                (
                    o,
                    items
                        .iter()
                        .map(|i| (i.name.as_str(), i.value.as_str()))
                        .collect(),
                )
            })
            .collect();
        let data = serde_json::to_string(&pending).unwrap_or_else(|_| "{}".into());
        Some(format!(
            "(() => {{ const report = globalThis.{BINDING}; try {{ delete globalThis.{BINDING}; }} catch {{}} if (typeof report !== 'function') return; const origin = location.origin; if (!origin.startsWith('http')) return; const items = {data}[origin]; if (items) {{ try {{ if (localStorage.length === 0) for (const [k, v] of items) localStorage.setItem(k, v); }} catch {{}} }} report(origin); }})();"
        ))
    }
}

const SNAPSHOT_JS: &str = "(() => { const dump = (s) => { const out = []; for (let i = 0; i < s.length; i++) { const k = s.key(i); out.push({ name: k, value: s.getItem(k) }); } return out; }; return { origin: location.origin, localStorage: dump(localStorage), sessionStorage: dump(sessionStorage) }; })()";

impl Context {
    /// Captures cookies, and localStorage and sessionStorage of every origin this context has
    /// held: read from open pages; saved items no document has touched yet as they are; other
    /// origins its pages visited are read back through a short-lived page (served locally,
    /// nothing is fetched).
    pub async fn storage_state(&self) -> Result<StorageState, BrowserError> {
        let cookies = self.cookies(&[]).await?;
        let mut origins: Vec<OriginState> = Vec::new();
        for page in self.pages() {
            let Ok(value) = page.evaluate_value(SNAPSHOT_JS).await else {
                continue;
            };
            let Ok(state) = serde_json::from_value::<OriginState>(value) else {
                continue;
            };
            if !state.origin.starts_with("http") {
                continue;
            }
            match origins.iter_mut().find(|o| o.origin == state.origin) {
                // Pages of one origin share localStorage; sessionStorage is per tab, and the
                // later tab wins.
                Some(existing) => {
                    existing.local_storage = state.local_storage;
                    if !state.session_storage.is_empty() {
                        existing.session_storage = state.session_storage;
                    }
                }
                None => origins.push(state),
            }
        }
        let (pending, session, seen) =
            self.with_storage(|t| (t.pending.clone(), t.session.clone(), t.seen.clone()));
        let open: BTreeSet<String> = origins.iter().map(|o| o.origin.clone()).collect();
        let closed: Vec<String> = seen
            .iter()
            .filter(|o| !open.contains(*o) && !pending.contains_key(*o))
            .cloned()
            .collect();
        if !closed.is_empty() {
            let page = self.new_page().await?;
            let read = read_local_storage(&page, &closed).await;
            page.close().await?;
            origins.extend(read?);
        }
        for (origin, items) in pending {
            if !origins.iter().any(|o| o.origin == origin) {
                origins.push(OriginState {
                    origin,
                    local_storage: items,
                    session_storage: Vec::new(),
                });
            }
        }
        // A tab's sessionStorage ends with the tab; what was saved stays for the next one
        // unless an open tab of the origin replaced it.
        for (origin, items) in session {
            match origins.iter_mut().find(|o| o.origin == origin) {
                Some(o) if o.session_storage.is_empty() && !open.contains(&origin) => {
                    o.session_storage = items;
                }
                Some(_) => {}
                None => origins.push(OriginState {
                    origin,
                    local_storage: Vec::new(),
                    session_storage: items,
                }),
            }
        }
        origins.retain(|o| !o.local_storage.is_empty() || !o.session_storage.is_empty());
        origins.sort_by(|a, b| a.origin.cmp(&b.origin));
        Ok(StorageState { cookies, origins })
    }

    /// Applies a storage state: cookies at once; localStorage as the first thing each origin's
    /// first document does (see the module docs); sessionStorage through an init script that
    /// fills a tab's empty sessionStorage when it first opens that origin.
    pub async fn set_storage_state(&self, state: &StorageState) -> Result<(), BrowserError> {
        if !state.cookies.is_empty() {
            let cookies: Vec<NewCookie> = state
                .cookies
                .iter()
                .map(|c| NewCookie {
                    name: c.name.clone(),
                    value: c.value.clone(),
                    url: None,
                    domain: Some(c.domain.clone()),
                    path: Some(c.path.clone()),
                    expires: (c.expires > 0.0).then_some(c.expires),
                    http_only: Some(c.http_only),
                    secure: Some(c.secure),
                    same_site: Some(c.same_site.clone()),
                })
                .collect();
            self.add_cookies(&cookies).await?;
        }
        let mut changed = false;
        self.with_storage(|t| {
            for o in &state.origins {
                let origin = o.origin.trim_end_matches('/').to_string();
                if !o.local_storage.is_empty() {
                    t.pending.insert(origin.clone(), o.local_storage.clone());
                    changed = true;
                }
                if !o.session_storage.is_empty() {
                    t.session.insert(origin, o.session_storage.clone());
                }
            }
        });
        if changed {
            self.refresh_storage_scripts().await?;
        }
        let session: Vec<&OriginState> = state
            .origins
            .iter()
            .filter(|o| !o.session_storage.is_empty())
            .collect();
        if !session.is_empty() {
            let data = serde_json::to_string(&session)
                .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
            self.add_init_script(&format!(
                "(() => {{ const all = {data}; const mine = all.find((o) => o.origin === location.origin); if (!mine) return; try {{ if (sessionStorage.length !== 0) return; for (const {{ name, value }} of mine.sessionStorage) sessionStorage.setItem(name, value); }} catch {{}} }})();"
            ))
            .await?;
        }
        Ok(())
    }

    /// Adds a script every page of this context runs before any of its own, in every
    /// document (existing pages get it for their next navigation).
    pub async fn add_init_script(&self, source: &str) -> Result<(), BrowserError> {
        self.ensure_open("adding an init script")?;
        self.push_init_script(source.to_string())?;
        for page in self.pages() {
            page.add_init_script(source).await?;
        }
        Ok(())
    }

    /// Called for each document request of a page: `storage_state` reads these origins back.
    pub(crate) fn document_requested(&self, url: &str) {
        if let Some(origin) = origin_of(url) {
            self.with_storage(|t| t.seen.insert(origin));
        }
    }

    /// Called when a document of `origin` has run its storage script in some page.
    pub(crate) async fn origin_seen(&self, origin: String) {
        let was_pending = self.with_storage(|t| {
            t.seen.insert(origin.clone());
            t.pending.remove(&origin).is_some()
        });
        if was_pending {
            let _ = self.refresh_storage_scripts().await;
        }
    }

    /// Puts the current storage script on every page, replacing the previous one.
    async fn refresh_storage_scripts(&self) -> Result<(), BrowserError> {
        // Serialised, so a slower refresh never puts back an older script.
        let _turn = self.inner.storage_refresh.lock().await;
        for page in self.pages() {
            page.sync_storage_script().await?;
        }
        Ok(())
    }

    pub(crate) fn with_storage<T>(&self, f: impl FnOnce(&mut StorageTracker) -> T) -> T {
        let mut guard = self
            .inner
            .storage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

/// What a page has of the storage machinery: the binding, and the script now installed.
#[derive(Debug, Default)]
pub(crate) struct InstalledStorage {
    binding: bool,
    script: Option<(cdp_page::ScriptIdentifier, String)>,
}

/// Installs the binding (once) and `script` in place of the one installed before, unless it
/// is that one already; `None` takes the installed one away.
pub(crate) async fn install(
    page: &chromiumoxide::Page,
    installed: &mut InstalledStorage,
    script: Option<&str>,
) -> Result<(), BrowserError> {
    if installed.script.as_ref().map(|(_, s)| s.as_str()) == script {
        return Ok(());
    }
    if let Some((id, _)) = installed.script.take() {
        page.execute(cdp_page::RemoveScriptToEvaluateOnNewDocumentParams::new(id))
            .await
            .map_err(|e| cdp("Page.removeScriptToEvaluateOnNewDocument", e))?;
    }
    let Some(script) = script else {
        return Ok(());
    };
    if !installed.binding {
        page.execute(runtime::AddBindingParams::new(BINDING))
            .await
            .map_err(|e| cdp("Runtime.addBinding", e))?;
        installed.binding = true;
    }
    let added = page
        .execute(cdp_page::AddScriptToEvaluateOnNewDocumentParams::new(
            script,
        ))
        .await
        .map_err(|e| cdp("Page.addScriptToEvaluateOnNewDocument", e))?;
    installed.script = Some((added.result.identifier, script.to_string()));
    Ok(())
}

/// `scheme://host[:port]` of an http(s) URL, as `location.origin` spells it.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    Some(format!("{scheme}://{host}"))
}

/// Reads the localStorage of `origins` in `page`, each opened on a blank local document.
async fn read_local_storage(
    page: &Page,
    origins: &[String],
) -> Result<Vec<OriginState>, BrowserError> {
    page.route(
        UrlMatch::Glob("**".into()),
        Arc::new(|route| {
            async move {
                route
                    .fulfill(Fulfill {
                        status: Some(200),
                        content_type: Some("text/html".into()),
                        body: b"<!doctype html><title>storage</title>".to_vec(),
                        ..Fulfill::default()
                    })
                    .await
            }
            .boxed()
        }),
    )
    .await?;
    let mut out = Vec::new();
    for origin in origins {
        page.goto(
            &format!("{}/", origin.trim_end_matches('/')),
            GotoOptions::default(),
        )
        .await?;
        let value = page.evaluate_value(SNAPSHOT_JS).await?;
        let mut state: OriginState = serde_json::from_value(value)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        // A fresh tab: its sessionStorage is not the one the app used.
        state.session_storage.clear();
        out.push(state);
    }
    Ok(out)
}

impl Page {
    /// Adds a script this page runs before its own scripts in every new document.
    pub async fn add_init_script(&self, source: &str) -> Result<(), BrowserError> {
        self.ensure_open("adding an init script")?;
        self.cdp()
            .execute(cdp_page::AddScriptToEvaluateOnNewDocumentParams::new(
                source,
            ))
            .await
            .map_err(|e| cdp("Page.addScriptToEvaluateOnNewDocument", e))?;
        Ok(())
    }

    /// Before a navigation the test starts: the current document has filled its origin's
    /// saved items, so that origin is taken out of every page's script now, without waiting
    /// for its report to come round (a test that clears storage and reloads at once must not
    /// see it refilled).
    pub(crate) async fn settle_storage(&self) {
        let context = &self.inner.context;
        if context.with_storage(|t| t.pending.is_empty()) {
            drop(self.inner.storage.lock().await);
            return;
        }
        if let Some(origin) = self.last_known_url().await.as_deref().and_then(origin_of) {
            context.origin_seen(origin).await;
        }
        // And a refresh another report started, and this page's own first install, are
        // finished (the locks are fair).
        drop(context.inner.storage_refresh.lock().await);
        drop(self.inner.storage.lock().await);
    }

    /// Brings this page's storage script up to date with its context (waiting for any
    /// update under way).
    pub(crate) async fn sync_storage_script(&self) -> Result<(), BrowserError> {
        let mut installed = self.inner.storage.clone().lock_owned().await;
        self.sync_storage_locked(&mut installed).await
    }

    pub(crate) async fn sync_storage_locked(
        &self,
        installed: &mut InstalledStorage,
    ) -> Result<(), BrowserError> {
        if self.is_closed() {
            return Ok(());
        }
        let script = self.inner.context.with_storage(|t| t.script());
        install(self.cdp(), installed, script.as_deref()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_spelled_as_location_origin() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/a?b#c").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            origin_of("https://u:p@app.test?x").as_deref(),
            Some("https://app.test")
        );
        assert_eq!(origin_of("about:blank"), None);
        assert_eq!(origin_of("file:///x"), None);
    }

    #[test]
    fn the_script_holds_only_pending_origins() {
        let mut t = StorageTracker::default();
        t.pending.insert(
            "http://a.test".into(),
            vec![NameValue {
                name: "k".into(),
                value: "v\"</script>".into(),
            }],
        );
        let script = t.script().expect("a script");
        assert!(
            script.contains(r#"{"http://a.test":[["k","v\"</script>"]]}"#),
            "{script}"
        );
        t.pending.clear();
        assert_eq!(t.script(), None);
    }
}
