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
    /// IndexedDB databases, when captured with them (Playwright's format; see
    /// `indexed_db.js`).
    #[serde(rename = "indexedDB", default, skip_serializing_if = "Option::is_none")]
    pub indexed_db: Option<Vec<serde_json::Value>>,
}

impl OriginState {
    fn is_empty(&self) -> bool {
        self.local_storage.is_empty()
            && self.session_storage.is_empty()
            && self.indexed_db.as_ref().is_none_or(Vec::is_empty)
    }
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

/// `{ dump, restore }` for IndexedDB, in page JavaScript.
const INDEXED_DB_JS: &str = include_str!("indexed_db.js");

/// Saved storage of one origin that its first document writes.
#[derive(Debug, Clone, Default, Serialize)]
struct Pending {
    /// localStorage items as `[name, value]`.
    #[serde(rename = "l")]
    local: Vec<(String, String)>,
    /// IndexedDB databases.
    #[serde(rename = "i", skip_serializing_if = "Option::is_none")]
    indexed_db: Option<Vec<serde_json::Value>>,
}

/// What a context knows about its pages' web storage.
#[derive(Debug, Default)]
pub(crate) struct StorageTracker {
    /// Saved storage not written yet, by origin: the first document of the origin does.
    pending: BTreeMap<String, Pending>,
    /// Saved sessionStorage by origin (seeded into each new tab; kept when no tab is open).
    session: BTreeMap<String, Vec<NameValue>>,
    /// Origins whose documents have run in this context.
    seen: BTreeSet<String>,
}

impl StorageTracker {
    /// The script every document runs first: write this origin's pending items
    /// (localStorage only when it is empty, IndexedDB databases only where they do not
    /// exist), then report the origin. The binding is taken off the global object before any
    /// page script can see it. `None` when nothing waits: then no page needs the script.
    pub(crate) fn script(&self) -> Option<String> {
        if self.pending.is_empty() {
            return None;
        }
        let data = serde_json::to_string(&self.pending).unwrap_or_else(|_| "{}".into());
        let indexed_db = if self.pending.values().any(|p| p.indexed_db.is_some()) {
            INDEXED_DB_JS
        } else {
            "null"
        };
        Some(format!(
            "(() => {{ const report = globalThis.{BINDING}; try {{ delete globalThis.{BINDING}; }} catch {{}} if (typeof report !== 'function') return; const origin = location.origin; if (!origin.startsWith('http')) return; const mine = {data}[origin]; if (mine) {{ try {{ if (localStorage.length === 0) for (const [k, v] of mine.l) localStorage.setItem(k, v); }} catch {{}} if (mine.i) {{ try {{ ({indexed_db}).restore(mine.i); }} catch {{}} }} }} report(origin); }})();"
        ))
    }
}

const SNAPSHOT_JS: &str = "(() => { const dump = (s) => { const out = []; for (let i = 0; i < s.length; i++) { const k = s.key(i); out.push({ name: k, value: s.getItem(k) }); } return out; }; return { origin: location.origin, localStorage: dump(localStorage), sessionStorage: dump(sessionStorage) }; })()";

/// The snapshot of a document's origin, with its IndexedDB databases when asked for.
fn snapshot_js(indexed_db: bool) -> String {
    if indexed_db {
        format!(
            "(async () => {{ const s = {SNAPSHOT_JS}; s.indexedDB = await ({INDEXED_DB_JS}).dump(); return s; }})()"
        )
    } else {
        SNAPSHOT_JS.to_string()
    }
}

impl Context {
    /// Captures cookies, and localStorage and sessionStorage of every origin this context has
    /// held: read from open pages; saved items no document has touched yet as they are; other
    /// origins its pages visited are read back through a short-lived page (served locally,
    /// nothing is fetched).
    pub async fn storage_state(&self) -> Result<StorageState, BrowserError> {
        self.capture_storage(false).await
    }

    /// [`Context::storage_state`] with each origin's IndexedDB databases too (Playwright's
    /// `storageState({ indexedDB: true })`).
    pub async fn storage_state_with_indexed_db(&self) -> Result<StorageState, BrowserError> {
        self.capture_storage(true).await
    }

    async fn capture_storage(&self, indexed_db: bool) -> Result<StorageState, BrowserError> {
        let cookies = self.cookies(&[]).await?;
        let snapshot = snapshot_js(indexed_db);
        let mut origins: Vec<OriginState> = Vec::new();
        for page in self.pages() {
            let Ok(value) = page.evaluate_value(&snapshot).await else {
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
                    existing.indexed_db = state.indexed_db;
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
            let read = read_storage(&page, &closed, &snapshot).await;
            page.close().await?;
            origins.extend(read?);
        }
        for (origin, saved) in pending {
            if !origins.iter().any(|o| o.origin == origin) {
                origins.push(OriginState {
                    origin,
                    local_storage: saved
                        .local
                        .into_iter()
                        .map(|(name, value)| NameValue { name, value })
                        .collect(),
                    session_storage: Vec::new(),
                    indexed_db: saved.indexed_db.filter(|_| indexed_db),
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
                    session_storage: items,
                    ..OriginState::default()
                }),
            }
        }
        origins.retain(|o| !o.is_empty());
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
                let indexed_db = o.indexed_db.clone().filter(|d| !d.is_empty());
                if !o.local_storage.is_empty() || indexed_db.is_some() {
                    let local = o
                        .local_storage
                        .iter()
                        .map(|i| (i.name.clone(), i.value.clone()))
                        .collect();
                    t.pending
                        .insert(origin.clone(), Pending { local, indexed_db });
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

/// Reads the storage of `origins` in `page` with `snapshot`, each opened on a blank local
/// document.
async fn read_storage(
    page: &Page,
    origins: &[String],
    snapshot: &str,
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
        let value = page.evaluate_value(snapshot).await?;
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
            Pending {
                local: vec![("k".into(), "v\"</script>".into())],
                indexed_db: None,
            },
        );
        let script = t.script().expect("a script");
        assert!(
            script.contains(r#"{"http://a.test":{"l":[["k","v\"</script>"]]}}"#),
            "{script}"
        );
        assert!(
            !script.contains("restore = "),
            "no IndexedDB code without databases"
        );
        t.pending
            .get_mut("http://a.test")
            .expect("pending")
            .indexed_db = Some(Vec::new());
        assert!(t.script().expect("a script").contains("restore = "));
        t.pending.clear();
        assert_eq!(t.script(), None);
    }
}
