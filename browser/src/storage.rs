//! Storage state: a context's cookies plus localStorage and sessionStorage per origin
//! (Playwright's format, with sessionStorage added), captured from a live context and applied
//! to a new one; and init scripts every page of a context runs before its own scripts.

use std::sync::Arc;

use chromiumoxide::cdp::browser_protocol::page as cdp_page;
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

const SNAPSHOT_JS: &str = "(() => { const dump = (s) => { const out = []; for (let i = 0; i < s.length; i++) { const k = s.key(i); out.push({ name: k, value: s.getItem(k) }); } return out; }; return { origin: location.origin, localStorage: dump(localStorage), sessionStorage: dump(sessionStorage) }; })()";

impl Context {
    /// Captures cookies, and localStorage and sessionStorage of every origin open in a page.
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
        origins.sort_by(|a, b| a.origin.cmp(&b.origin));
        Ok(StorageState { cookies, origins })
    }

    /// Applies a storage state: cookies at once, localStorage through a short-lived page per
    /// origin (served locally, nothing is fetched), sessionStorage through an init script that
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
        let with_local: Vec<&OriginState> = state
            .origins
            .iter()
            .filter(|o| !o.local_storage.is_empty())
            .collect();
        if !with_local.is_empty() {
            let page = self.new_page().await?;
            let result = fill_local_storage(&page, &with_local).await;
            page.close().await?;
            result?;
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
}

async fn fill_local_storage(page: &Page, origins: &[&OriginState]) -> Result<(), BrowserError> {
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
    for origin in origins {
        page.goto(
            &format!("{}/", origin.origin.trim_end_matches('/')),
            GotoOptions::default(),
        )
        .await?;
        let items = serde_json::to_string(&origin.local_storage)
            .map_err(|e| BrowserError::InvalidArgument(e.to_string()))?;
        page.evaluate_value(&format!(
            "(() => {{ for (const {{ name, value }} of {items}) localStorage.setItem(name, value); }})()"
        ))
        .await?;
    }
    Ok(())
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
}
