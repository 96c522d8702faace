//! The browser methods the in-isolate API calls, by name, over the browser crate.

use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine as _;
use isolate_browser_matchers::browser::ClickOptions;
use isolate_browser_matchers::browser::ColorScheme;
use isolate_browser_matchers::browser::ContextOptions;
use isolate_browser_matchers::browser::DialogAction;
use isolate_browser_matchers::browser::DialogEvent;
use isolate_browser_matchers::browser::DragOptions;
use isolate_browser_matchers::browser::EmulateMedia;
use isolate_browser_matchers::browser::FilePayload;
use isolate_browser_matchers::browser::GotoOptions;
use isolate_browser_matchers::browser::LoadState;
use isolate_browser_matchers::browser::MouseButton;
use isolate_browser_matchers::browser::NewCookie;
use isolate_browser_matchers::browser::Page;
use isolate_browser_matchers::browser::PageEvent;
use isolate_browser_matchers::browser::Route;
use isolate_browser_matchers::browser::RouteHandler;
use isolate_browser_matchers::browser::ScreenshotOptions;
use isolate_browser_matchers::browser::SelectBy;
use isolate_browser_matchers::browser::StorageState;
use isolate_browser_matchers::browser::Viewport;
use isolate_browser_matchers::browser::WaitForState;
use isolate_browser_matchers::browser::WaitUntil;
use isolate_browser_matchers::web_first;
use serde_json::Value;
use serde_json::json;
use tokio::sync::oneshot;

use super::BrowserSide;
use super::browser_error;
use super::locator::build;
use super::locator::url_match;
use super::profile;
use crate::sandbox::HostCallError;
use crate::test::json::strings;

type Reply = Result<Value, HostCallError>;

fn bad(what: impl Into<String>) -> HostCallError {
    HostCallError::new(what)
}

fn ms(args: &Value, key: &str) -> Option<Duration> {
    args.get(key)
        .and_then(Value::as_f64)
        .filter(|v| *v > 0.0)
        .map(|v| Duration::from_millis(v as u64))
}

/// `setDefaultTimeout(ms)`: 0 is no limit (the test's own timeout still applies).
fn default_timeout(args: &Value, on: &str, method: &str) -> Result<Duration, HostCallError> {
    match args.get("timeout").and_then(Value::as_f64) {
        Some(0.0) => Ok(Duration::from_secs(24 * 60 * 60)),
        Some(t) if t > 0.0 && t.is_finite() => Ok(Duration::from_millis(t as u64)),
        _ => Err(bad(format!(
            "{on}.{method}(timeout) needs a number of milliseconds (0 for no limit)"
        ))),
    }
}

/// `setExtraHTTPHeaders({ name: value })`, sent as entries; values must be strings.
fn header_entries(args: &Value, on: &str) -> Result<Vec<(String, String)>, HostCallError> {
    let entries = args
        .get("headers")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(format!("{on}.setExtraHTTPHeaders(headers) needs an object")))?;
    entries
        .iter()
        .map(
            |pair| match (pair.get(0).and_then(Value::as_str), pair.get(1)) {
                (Some(k), Some(Value::String(v))) => Ok((k.to_string(), v.clone())),
                (Some(k), _) => Err(bad(format!(
                    "{on}.setExtraHTTPHeaders: expected a string value for header \"{k}\""
                ))),
                _ => Err(bad(format!(
                    "{on}.setExtraHTTPHeaders(headers) needs an object"
                ))),
            },
        )
        .collect()
}

/// `page.emulateMedia({ media, colorScheme, reducedMotion, forcedColors })`: an option left
/// out stays as it is, `null` resets it.
fn emulate_media(args: &Value) -> Result<EmulateMedia, HostCallError> {
    let text = |key: &str| -> Result<Option<Option<String>>, HostCallError> {
        match args.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
            Some(other) => Err(bad(format!(
                "page.emulateMedia: {key} must be a string or null, not {other}"
            ))),
        }
    };
    let color_scheme = match text("colorScheme")? {
        None => None,
        Some(None) => Some(None),
        Some(Some(s)) => Some(Some(match s.as_str() {
            "light" => ColorScheme::Light,
            "dark" => ColorScheme::Dark,
            "no-preference" => ColorScheme::NoPreference,
            other => {
                return Err(bad(format!(
                    "page.emulateMedia: colorScheme must be one of light, dark, no-preference or null, not '{other}'"
                )));
            }
        })),
    };
    Ok(EmulateMedia {
        media: text("media")?,
        color_scheme,
        reduced_motion: text("reducedMotion")?,
        forced_colors: text("forcedColors")?,
    })
}

fn str_of<'a>(args: &'a Value, key: &str) -> Result<&'a str, HostCallError> {
    args.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| bad(format!("missing string argument `{key}`")))
}

fn b64(bytes: &[u8]) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn unb64(v: Option<&Value>) -> Vec<u8> {
    v.and_then(Value::as_str)
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .unwrap_or_default()
}

fn goto_options(args: &Value) -> Result<GotoOptions, HostCallError> {
    let wait_until = match args.get("waitUntil").and_then(Value::as_str) {
        Some(w) => WaitUntil::parse(w).ok_or_else(|| {
            bad(format!(
                "waitUntil: expected one of load, domcontentloaded, networkidle, commit; got \"{w}\""
            ))
        })?,
        None => WaitUntil::default(),
    };
    Ok(GotoOptions {
        wait_until,
        timeout: ms(args, "timeout"),
    })
}

fn click_options(v: &Value) -> Result<ClickOptions, HostCallError> {
    let mut o = ClickOptions::default();
    if let Some(b) = v.get("button").and_then(Value::as_str) {
        o.button = match b {
            "left" => MouseButton::Left,
            "right" => MouseButton::Right,
            "middle" => MouseButton::Middle,
            other => return Err(bad(format!("unknown mouse button \"{other}\""))),
        };
    }
    if let Some(n) = v.get("clickCount").and_then(Value::as_i64) {
        o.click_count = n;
    }
    if let Some(mods) = v.get("modifiers").and_then(Value::as_array) {
        o.modifiers = mods
            .iter()
            .filter_map(|m| m.as_str().map(str::to_string))
            .collect();
    }
    if let Some(p) = v.get("position")
        && let (Some(x), Some(y)) = (
            p.get("x").and_then(Value::as_f64),
            p.get("y").and_then(Value::as_f64),
        )
    {
        o.position = Some((x, y));
    }
    o.force = v.get("force").and_then(Value::as_bool).unwrap_or(false);
    o.trial = v.get("trial").and_then(Value::as_bool).unwrap_or(false);
    o.delay = ms(v, "delay");
    o.timeout = ms(v, "timeout");
    Ok(o)
}

fn response_json(r: Option<isolate_browser_matchers::browser::Response>) -> Value {
    match r {
        Some(r) => json!({
            "url": r.url, "status": r.status, "statusText": r.status_text, "headers": r.headers,
        }),
        None => Value::Null,
    }
}

fn write_file(
    side: &BrowserSide,
    session: u32,
    path: &str,
    bytes: &[u8],
) -> Result<(), HostCallError> {
    let target = side.with_session(session, |s| s.defaults.paths.resolve(path))?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|e| bad(format!("cannot create {path}: {e}")))?;
    }
    std::fs::write(&target, bytes).map_err(|e| bad(format!("cannot write {path}: {e}")))
}

/// Context options in Playwright's spelling → the browser crate's.
fn context_options(
    side: &BrowserSide,
    session: u32,
    o: &Value,
) -> Result<ContextOptions, HostCallError> {
    let default_timeout = side.with_session(session, |s| Ok(s.defaults.action_timeout))?;
    let mut c = ContextOptions {
        action_timeout: default_timeout,
        navigation_timeout: default_timeout,
        ..ContextOptions::default()
    };
    match o.get("viewport") {
        Some(Value::Null) => c.viewport = None,
        Some(v) => {
            if let (Some(w), Some(h)) = (
                v.get("width").and_then(Value::as_u64),
                v.get("height").and_then(Value::as_u64),
            ) {
                c.viewport = Some(Viewport {
                    width: w as u32,
                    height: h as u32,
                });
            }
        }
        None => {}
    }
    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    c.user_agent = s("userAgent");
    c.locale = s("locale");
    c.timezone_id = s("timezoneId");
    c.base_url = s("baseURL");
    if let Some(attr) = s("testIdAttribute") {
        c.test_id_attribute = attr;
    }
    c.color_scheme = match o.get("colorScheme").and_then(Value::as_str) {
        Some("dark") => Some(ColorScheme::Dark),
        Some("light") => Some(ColorScheme::Light),
        Some("no-preference") => Some(ColorScheme::NoPreference),
        Some(other) => return Err(bad(format!("colorScheme: unknown value \"{other}\""))),
        None => None,
    };
    if let Some(h) = o.get("extraHTTPHeaders").and_then(Value::as_object) {
        c.extra_http_headers = h
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect();
    }
    c.offline = o.get("offline").and_then(Value::as_bool).unwrap_or(false);
    c.java_script_enabled = o
        .get("javaScriptEnabled")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    c.ignore_https_errors = o
        .get("ignoreHTTPSErrors")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(t) = ms(o, "actionTimeout") {
        c.action_timeout = t;
    }
    if let Some(t) = ms(o, "navigationTimeout") {
        c.navigation_timeout = t;
    }
    c.storage_state = match o.get("storageState") {
        Some(Value::String(path)) => {
            let file = side.with_session(session, |s| s.defaults.paths.resolve(path))?;
            let text = std::fs::read_to_string(&file).map_err(|e| {
                bad(format!("storageState: cannot read {path}: {e} (save it first with context.storageState({{ path }}))"))
            })?;
            Some(serde_json::from_str::<StorageState>(&text).map_err(|e| {
                bad(format!(
                    "storageState: {path} is not a storage state file: {e}"
                ))
            })?)
        }
        Some(v @ Value::Object(_)) => Some(
            serde_json::from_value::<StorageState>(v.clone())
                .map_err(|e| bad(format!("storageState: {e}")))?,
        ),
        _ => None,
    };
    Ok(c)
}

/// Gives a page an id in the session and reports the popups it opens to the isolate (each
/// registered the same way, so a popup's popups are too).
fn register_page(side: &BrowserSide, session: u32, page: Page) -> Result<u32, HostCallError> {
    let id = side.id();
    let mut popups = page.popups();
    let events = side.with_session(session, |s| {
        s.pages.insert(id, page);
        Ok(s.events.clone())
    })?;
    let Some(side) = side.rc() else {
        return Ok(id);
    };
    tokio::task::spawn_local(async move {
        loop {
            let popup = match popups.recv().await {
                Ok(popup) => popup,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                // The opener closed.
                Err(_) => break,
            };
            let Ok(popup_id) = register_page(&side, session, popup) else {
                break;
            };
            let event = json!({ "type": "popup", "page": id, "data": { "id": popup_id } });
            if events.send(event).is_err() {
                break;
            }
        }
    });
    Ok(id)
}

/// Forwards a page's events that the isolate listens for.
fn ensure_forwarder(
    side: &BrowserSide,
    session: u32,
    page_id: u32,
    page: &Page,
) -> Result<Rc<std::cell::RefCell<HashSet<String>>>, HostCallError> {
    side.with_session(session, |s| {
        if let Some(set) = s.subscriptions.get(&page_id) {
            return Ok(set.clone());
        }
        let set = Rc::new(std::cell::RefCell::new(HashSet::new()));
        s.subscriptions.insert(page_id, set.clone());
        let mut rx = page.subscribe();
        let events = s.events.clone();
        let wanted = set.clone();
        tokio::task::spawn_local(async move {
            loop {
                let ev = match rx.recv().await {
                    Ok(ev) => ev,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => break,
                };
                let (kind, data) = match ev {
                    PageEvent::Console(m) => ("console", json!(m)),
                    PageEvent::PageError { message, stack } => {
                        ("pageerror", json!({ "message": message, "stack": stack }))
                    }
                    PageEvent::Request(r) => ("request", json!(r)),
                    PageEvent::Response(r) => ("response", json!(r)),
                    PageEvent::RequestFailed(r) => ("requestfailed", json!(r)),
                    PageEvent::Dialog(_) => continue,
                };
                if wanted.borrow().contains(kind)
                    && events
                        .send(json!({ "type": kind, "page": page_id, "data": data }))
                        .is_err()
                {
                    break;
                }
            }
        });
        Ok(set)
    })
}

fn route_handler(
    side: &BrowserSide,
    session: u32,
    route_id: u64,
) -> Result<RouteHandler, HostCallError> {
    let (events, routes) =
        side.with_session(session, |s| Ok((s.events.clone(), s.routes.clone())))?;
    let counter = side.counter();
    Ok(Arc::new(move |route: Route| {
        let request_id = counter.fetch_add(1, Ordering::SeqCst);
        let req = route.request().clone();
        let (done, wait) = oneshot::channel();
        if let Ok(mut r) = routes.lock() {
            r.insert(request_id, (route, done));
        }
        let _ = events.send(json!({
            "type": "route",
            "routeId": route_id,
            "requestId": request_id,
            "request": {
                "url": req.url, "method": req.method, "headers": req.headers,
                "postData": req.post_data.map(|b| String::from_utf8_lossy(&b).into_owned()),
                "resourceType": req.resource_type,
            },
        }));
        Box::pin(async move {
            // An unanswered route continues once the handler gives up on it.
            let _ = tokio::time::timeout(Duration::from_secs(60), wait).await;
            Ok(())
        })
    }))
}

/// Calls about a page also report its URL afterwards (`{ "$value", "$pageUrl" }`), which the
/// in-isolate `Page` keeps so that `page.url()` can answer synchronously, as in Playwright.
pub(super) async fn dispatch(side: &BrowserSide, session: u32, method: &str, args: Value) -> Reply {
    let page = args
        .get("page")
        .is_some()
        .then(|| side.page(session, &args).ok())
        .flatten();
    let value = dispatch_inner(side, session, method, args).await?;
    match page {
        Some(page) => Ok(json!({ "$value": value, "$pageUrl": page.last_known_url().await })),
        None => Ok(value),
    }
}

async fn dispatch_inner(side: &BrowserSide, session: u32, method: &str, args: Value) -> Reply {
    match method.split_once('.') {
        Some(("browser", m)) => browser_call(side, session, m, &args).await,
        Some(("context", m)) => context_call(side, session, m, &args).await,
        Some(("page", m)) => page_call(side, session, m, &args).await,
        Some(("keyboard" | "mouse", _)) => input_call(side, session, method, &args).await,
        Some(("locator", "action")) => locator_action(side, session, &args).await,
        Some(("expect", "check")) => expect_check(side, session, &args).await,
        Some(("dialog", "respond")) => {
            let id = args.get("id").and_then(Value::as_u64).unwrap_or(0) as u32;
            let sender = side.with_session(session, |s| {
                Ok(s.dialogs.lock().ok().and_then(|mut d| d.remove(&id)))
            })?;
            let action = if args.get("accept").and_then(Value::as_bool).unwrap_or(false) {
                DialogAction::Accept(args.get("text").and_then(Value::as_str).map(str::to_string))
            } else {
                DialogAction::Dismiss
            };
            match sender {
                Some(tx) => {
                    let _ = tx.send(action);
                    Ok(Value::Null)
                }
                None => Err(bad("the dialog is already handled")),
            }
        }
        Some(("route", "resolve")) => route_resolve(side, session, &args).await,
        _ => Err(bad(format!("unknown browser method {method}"))),
    }
}

async fn browser_call(side: &BrowserSide, session: u32, m: &str, args: &Value) -> Reply {
    match m {
        "launch" => {
            side.browser().await?;
            Ok(Value::Null)
        }
        "version" => {
            let b = side.browser().await?;
            Ok(json!(b.version().await.map_err(browser_error)?))
        }
        "newContext" => {
            let raw = args.get("options").unwrap_or(&Value::Null);
            let options = context_options(side, session, raw)?;
            let (context, profile) = match raw.get("profile").and_then(Value::as_str) {
                Some(id) => {
                    let (context, profile) =
                        profile::open_context(side, session, id, raw, options).await?;
                    (context, Some(profile))
                }
                None => {
                    let b = side.browser().await?;
                    (b.new_context(options).await.map_err(browser_error)?, None)
                }
            };
            super::route_apps(side, session, &context).await?;
            let id = side.id();
            side.with_session(session, |s| {
                s.contexts.insert(id, context);
                if let Some(p) = profile {
                    s.profiles.insert(id, p);
                }
                Ok(())
            })?;
            Ok(json!({ "id": id }))
        }
        other => Err(bad(format!("unknown method browser.{other}"))),
    }
}

async fn context_call(side: &BrowserSide, session: u32, m: &str, args: &Value) -> Reply {
    let context = side.context(session, args)?;
    match m {
        "newPage" => {
            let page = context.new_page().await.map_err(browser_error)?;
            Ok(json!({ "id": register_page(side, session, page)? }))
        }
        "cookies" => {
            let urls: Vec<String> = strings(args.get("urls"));
            let refs: Vec<&str> = urls.iter().map(String::as_str).collect();
            Ok(json!(context.cookies(&refs).await.map_err(browser_error)?))
        }
        "addCookies" => {
            let cookies: Vec<NewCookie> =
                serde_json::from_value(args.get("cookies").cloned().unwrap_or_default())
                    .map_err(|e| bad(format!("addCookies: {e}")))?;
            context.add_cookies(&cookies).await.map_err(browser_error)?;
            Ok(Value::Null)
        }
        "clearCookies" => {
            context.clear_cookies().await.map_err(browser_error)?;
            Ok(Value::Null)
        }
        "storageState" => {
            let state = if args.get("indexedDB").and_then(Value::as_bool) == Some(true) {
                context.storage_state_with_indexed_db().await
            } else {
                context.storage_state().await
            }
            .map_err(browser_error)?;
            let value = json!(state);
            if let Some(path) = args.get("path").and_then(Value::as_str) {
                let text = serde_json::to_vec_pretty(&value).map_err(|e| bad(e.to_string()))?;
                write_file(side, session, path, &text)?;
            }
            Ok(value)
        }
        "setOffline" => {
            let offline = args
                .get("offline")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            for page in context.pages() {
                page.set_offline(offline).await.map_err(browser_error)?;
            }
            Ok(Value::Null)
        }
        "route" => {
            let url = url_match(args.get("url").unwrap_or(&Value::Null))?;
            let route_id = args.get("routeId").and_then(Value::as_u64).unwrap_or(0);
            let handler = route_handler(side, session, route_id)?;
            context.route(url, handler).await.map_err(browser_error)?;
            Ok(Value::Null)
        }
        "unroute" => {
            context.unroute(&url_match(args.get("url").unwrap_or(&Value::Null))?);
            Ok(Value::Null)
        }
        "addInitScript" => {
            context
                .add_init_script(str_of(args, "source")?)
                .await
                .map_err(browser_error)?;
            Ok(Value::Null)
        }
        "close" => {
            let id = args.get("context").and_then(Value::as_u64).unwrap_or(0) as u32;
            let profile = side.with_session(session, |s| {
                s.contexts.remove(&id);
                Ok(s.profiles.remove(&id))
            })?;
            let background = args.get("background").and_then(Value::as_bool) == Some(true);
            match profile {
                Some(p) => profile::close_context(&context, p, background).await?,
                // The test is over: nothing waits for Chromium to tear the renderer down.
                None if background => {
                    tokio::task::spawn_local(async move {
                        let _ = context.close().await;
                    });
                }
                None => context.close().await.map_err(browser_error)?,
            }
            Ok(Value::Null)
        }
        "setDefaultTimeout" => {
            context.set_default_timeout(default_timeout(args, "context", m)?);
            Ok(Value::Null)
        }
        "setDefaultNavigationTimeout" => {
            context.set_default_navigation_timeout(default_timeout(args, "context", m)?);
            Ok(Value::Null)
        }
        "setExtraHTTPHeaders" => {
            context
                .set_extra_http_headers(header_entries(args, "context")?)
                .await
                .map_err(browser_error)?;
            Ok(Value::Null)
        }
        other => Err(bad(format!("unknown method context.{other}"))),
    }
}

async fn page_call(side: &BrowserSide, session: u32, m: &str, args: &Value) -> Reply {
    let page = side.page(session, args)?;
    let page_id = args.get("page").and_then(Value::as_u64).unwrap_or(0) as u32;
    match m {
        "goto" => Ok(response_json(
            page.goto(str_of(args, "url")?, goto_options(args)?)
                .await
                .map_err(browser_error)?,
        )),
        "reload" => Ok(response_json(
            page.reload(goto_options(args)?)
                .await
                .map_err(browser_error)?,
        )),
        "goBack" => Ok(response_json(
            page.go_back(goto_options(args)?)
                .await
                .map_err(browser_error)?,
        )),
        "goForward" => Ok(response_json(
            page.go_forward(goto_options(args)?)
                .await
                .map_err(browser_error)?,
        )),
        "url" => Ok(json!(page.url().await.map_err(browser_error)?)),
        "title" => Ok(json!(page.title().await.map_err(browser_error)?)),
        "content" => Ok(json!(page.content().await.map_err(browser_error)?)),
        "setContent" => {
            page.set_content(str_of(args, "html")?)
                .await
                .map_err(browser_error)?;
            Ok(Value::Null)
        }
        "evaluate" => {
            let arg = args.get("arg").cloned();
            let source = match (args.get("function"), args.get("expression")) {
                (Some(Value::String(f)), _) => f.clone(),
                (_, Some(Value::String(e))) => e.clone(),
                _ => return Err(bad("page.evaluate: expected a function or an expression")),
            };
            page.evaluate(&source, arg).await.map_err(browser_error)
        }
        "waitForFunction" => {
            let source = match (args.get("function"), args.get("expression")) {
                (Some(Value::String(f)), _) => f.clone(),
                (_, Some(Value::String(e))) => format!("() => ({e})"),
                _ => {
                    return Err(bad(
                        "page.waitForFunction: expected a function or an expression",
                    ));
                }
            };
            let polling = ms(args, "polling");
            page.wait_for_function(
                &source,
                args.get("arg").cloned(),
                polling,
                ms(args, "timeout"),
            )
            .await
            .map_err(browser_error)
        }
        "waitForURL" => {
            let url = url_match(args.get("url").unwrap_or(&Value::Null))?;
            let url = match url {
                isolate_browser_matchers::browser::UrlMatch::Exact(u) => {
                    isolate_browser_matchers::browser::UrlMatch::Exact(page.resolve_url(&u))
                }
                other => other,
            };
            page.wait_for_url(&url, ms(args, "timeout"))
                .await
                .map_err(browser_error)?;
            Ok(Value::Null)
        }
        "waitForLoadState" => {
            let state = match args.get("state").and_then(Value::as_str).unwrap_or("load") {
                "load" => LoadState::Load,
                "domcontentloaded" => LoadState::DomContentLoaded,
                "networkidle" => LoadState::NetworkIdle,
                other => return Err(bad(format!("waitForLoadState: unknown state \"{other}\""))),
            };
            page.wait_for_load_state(state, ms(args, "timeout"))
                .await
                .map_err(browser_error)?;
            Ok(Value::Null)
        }
        "screenshot" => {
            let clip = args.get("clip").and_then(|c| {
                Some((
                    c.get("x")?.as_f64()?,
                    c.get("y")?.as_f64()?,
                    c.get("width")?.as_f64()?,
                    c.get("height")?.as_f64()?,
                ))
            });
            let path = args.get("path").and_then(Value::as_str);
            let jpeg = args.get("type").and_then(Value::as_str) == Some("jpeg")
                || path.is_some_and(|p| p.ends_with(".jpg") || p.ends_with(".jpeg"));
            let bytes = page
                .screenshot(ScreenshotOptions {
                    full_page: args
                        .get("fullPage")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    clip,
                    jpeg,
                    quality: args
                        .get("quality")
                        .and_then(Value::as_u64)
                        .map(|q| q.min(100) as u8),
                    omit_background: args
                        .get("omitBackground")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                })
                .await
                .map_err(browser_error)?;
            if let Some(path) = path {
                write_file(side, session, path, &bytes)?;
            }
            Ok(b64(&bytes))
        }
        "pdf" => {
            let bytes = page.pdf().await.map_err(browser_error)?;
            if let Some(path) = args.get("path").and_then(Value::as_str) {
                write_file(side, session, path, &bytes)?;
            }
            Ok(b64(&bytes))
        }
        "setViewportSize" => {
            let w = args
                .get("width")
                .and_then(Value::as_u64)
                .ok_or_else(|| bad("setViewportSize: expected { width, height }"))?;
            let h = args
                .get("height")
                .and_then(Value::as_u64)
                .ok_or_else(|| bad("setViewportSize: expected { width, height }"))?;
            page.set_viewport_size(Viewport {
                width: w as u32,
                height: h as u32,
            })
            .await
            .map_err(browser_error)?;
            Ok(Value::Null)
        }
        "bringToFront" => Ok(Value::Null),
        "close" => {
            side.with_session(session, |s| {
                s.pages.remove(&page_id);
                s.subscriptions.remove(&page_id);
                Ok(())
            })?;
            page.close().await.map_err(browser_error)?;
            Ok(Value::Null)
        }
        "subscribe" | "unsubscribe" => {
            let event = str_of(args, "event")?.to_string();
            if event == "dialog" {
                let handler = if m == "subscribe" {
                    let (events, dialogs) =
                        side.with_session(session, |s| Ok((s.events.clone(), s.dialogs.clone())))?;
                    let counter = side.counter();
                    Some(Arc::new(move |ev: DialogEvent| {
                        let id = counter.fetch_add(1, Ordering::SeqCst);
                        let (tx, rx) = oneshot::channel();
                        if let Ok(mut d) = dialogs.lock() {
                            d.insert(id, tx);
                        }
                        let _ = events.send(json!({ "type": "dialog", "page": page_id, "dialogId": id, "data": ev }));
                        let fut: futures::future::BoxFuture<'static, DialogAction> =
                            Box::pin(async move {
                                match tokio::time::timeout(Duration::from_secs(30), rx).await {
                                    Ok(Ok(action)) => action,
                                    _ => DialogAction::Dismiss,
                                }
                            });
                        fut
                    })
                        as isolate_browser_matchers::browser::DialogHandler)
                } else {
                    None
                };
                page.on_dialog(handler);
                return Ok(Value::Null);
            }
            let set = ensure_forwarder(side, session, page_id, &page)?;
            if m == "subscribe" {
                set.borrow_mut().insert(event);
            } else {
                set.borrow_mut().remove(&event);
            }
            Ok(Value::Null)
        }
        "route" => {
            let url = url_match(args.get("url").unwrap_or(&Value::Null))?;
            let route_id = args.get("routeId").and_then(Value::as_u64).unwrap_or(0);
            let handler = route_handler(side, session, route_id)?;
            page.route(url, handler).await.map_err(browser_error)?;
            Ok(Value::Null)
        }
        "unroute" => {
            page.unroute(&url_match(args.get("url").unwrap_or(&Value::Null))?);
            Ok(Value::Null)
        }
        "addInitScript" => {
            page.add_init_script(str_of(args, "source")?)
                .await
                .map_err(browser_error)?;
            Ok(Value::Null)
        }
        "emulateMedia" => {
            page.emulate_media(emulate_media(args)?)
                .await
                .map_err(browser_error)?;
            Ok(Value::Null)
        }
        "setDefaultTimeout" => {
            page.set_default_timeout(default_timeout(args, "page", m)?);
            Ok(Value::Null)
        }
        "setDefaultNavigationTimeout" => {
            page.set_default_navigation_timeout(default_timeout(args, "page", m)?);
            Ok(Value::Null)
        }
        "setExtraHTTPHeaders" => {
            page.set_extra_http_headers(header_entries(args, "page")?)
                .await
                .map_err(browser_error)?;
            Ok(Value::Null)
        }
        other => Err(bad(format!("unknown method page.{other}"))),
    }
}

async fn input_call(side: &BrowserSide, session: u32, method: &str, args: &Value) -> Reply {
    let page = side.page(session, args)?;
    let page_id = args.get("page").and_then(Value::as_u64).unwrap_or(0) as u32;
    let f = |k: &str| args.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    let button = |args: &Value| match args.get("button").and_then(Value::as_str) {
        Some("right") => MouseButton::Right,
        Some("middle") => MouseButton::Middle,
        _ => MouseButton::Left,
    };
    let last = side.with_session(session, |s| {
        Ok(s.mouse.get(&page_id).copied().unwrap_or((0.0, 0.0)))
    })?;
    let set_last = |x: f64, y: f64| {
        side.with_session(session, |s| {
            s.mouse.insert(page_id, (x, y));
            Ok(())
        })
    };
    match method {
        "keyboard.press" => {
            page.keyboard_press(str_of(args, "key")?, ms(args, "delay"))
                .await
        }
        "keyboard.type" => {
            page.keyboard_type(str_of(args, "text")?, ms(args, "delay"))
                .await
        }
        "keyboard.down" => page.keyboard_down(str_of(args, "key")?).await,
        "keyboard.up" => page.keyboard_up(str_of(args, "key")?).await,
        "keyboard.insertText" => page.keyboard_insert_text(str_of(args, "text")?).await,
        "mouse.move" => {
            set_last(f("x"), f("y"))?;
            page.mouse_move(f("x"), f("y")).await
        }
        "mouse.click" => {
            set_last(f("x"), f("y"))?;
            let o = click_options(args.get("options").unwrap_or(&Value::Null))?;
            page.mouse_click(f("x"), f("y"), &o).await
        }
        "mouse.down" => page.mouse_down(last.0, last.1, button(args)).await,
        "mouse.up" => page.mouse_up(last.0, last.1, button(args)).await,
        "mouse.wheel" => {
            page.mouse_wheel(last.0, last.1, f("deltaX"), f("deltaY"))
                .await
        }
        other => return Err(bad(format!("unknown method {other}"))),
    }
    .map_err(browser_error)?;
    Ok(Value::Null)
}

async fn locator_action(side: &BrowserSide, session: u32, args: &Value) -> Reply {
    let page = side.page(session, args)?;
    let locator = build(&page, args.get("chain").unwrap_or(&Value::Null))?;
    let action = str_of(args, "action")?;
    let timeout = ms(args, "timeout");
    let force = args.get("force").and_then(Value::as_bool).unwrap_or(false);
    let opts = || click_options(args.get("options").unwrap_or(&Value::Null));
    let unit = |r: Result<(), _>| r.map(|()| Value::Null).map_err(browser_error);
    match action {
        "count" => Ok(json!(locator.count().await.map_err(browser_error)?)),
        "click" => unit(locator.click(opts()?).await),
        "dblclick" => unit(locator.dblclick(opts()?).await),
        "check" => unit(locator.check(opts()?).await),
        "uncheck" => unit(locator.uncheck(opts()?).await),
        "hover" => unit(locator.hover(timeout, force).await),
        "fill" => unit(locator.fill(str_of(args, "value")?, timeout, force).await),
        "clear" => unit(locator.clear(timeout).await),
        "press" => unit(locator.press(str_of(args, "key")?, timeout).await),
        "pressSequentially" => unit(
            locator
                .press_sequentially(str_of(args, "text")?, ms(args, "delay"), timeout)
                .await,
        ),
        "focus" => unit(locator.focus(timeout).await),
        "blur" => unit(locator.blur(timeout).await),
        "scrollIntoViewIfNeeded" => unit(locator.scroll_into_view_if_needed(timeout).await),
        "selectOption" => {
            let mut wanted = Vec::new();
            for v in args
                .get("values")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(i) = v.get("index").and_then(Value::as_u64) {
                    wanted.push(SelectBy::Index(i as usize));
                } else if let Some(value) = v.get("value").and_then(Value::as_str) {
                    wanted.push(SelectBy::Value(value.to_string()));
                    if let Some(label) = v.get("label").and_then(Value::as_str) {
                        wanted.push(SelectBy::Label(label.to_string()));
                    }
                } else if let Some(label) = v.get("label").and_then(Value::as_str) {
                    wanted.push(SelectBy::Label(label.to_string()));
                }
            }
            Ok(json!(
                locator
                    .select_option(&wanted, timeout)
                    .await
                    .map_err(browser_error)?
            ))
        }
        "textContent" => Ok(json!(
            locator.text_content(timeout).await.map_err(browser_error)?
        )),
        "innerText" => Ok(json!(
            locator.inner_text(timeout).await.map_err(browser_error)?
        )),
        "innerHTML" => Ok(json!(
            locator.inner_html(timeout).await.map_err(browser_error)?
        )),
        "inputValue" => Ok(json!(
            locator.input_value(timeout).await.map_err(browser_error)?
        )),
        "getAttribute" => Ok(json!(
            locator
                .get_attribute(str_of(args, "name")?, timeout)
                .await
                .map_err(browser_error)?
        )),
        "allTextContents" | "allInnerTexts" => {
            let mut out = Vec::new();
            for l in locator.all().await.map_err(browser_error)? {
                if action == "allTextContents" {
                    out.push(
                        l.text_content(timeout)
                            .await
                            .map_err(browser_error)?
                            .unwrap_or_default(),
                    );
                } else {
                    out.push(l.inner_text(timeout).await.map_err(browser_error)?);
                }
            }
            Ok(json!(out))
        }
        "isVisible" => Ok(json!(locator.is_visible().await.map_err(browser_error)?)),
        "isHidden" => Ok(json!(locator.is_hidden().await.map_err(browser_error)?)),
        "isEnabled" => Ok(json!(locator.is_enabled().await.map_err(browser_error)?)),
        "isDisabled" => Ok(json!(locator.is_disabled().await.map_err(browser_error)?)),
        "isEditable" => Ok(json!(locator.is_editable().await.map_err(browser_error)?)),
        "isChecked" => Ok(json!(locator.is_checked().await.map_err(browser_error)?)),
        "boundingBox" => Ok(json!(
            locator.bounding_box(timeout).await.map_err(browser_error)?
        )),
        "evaluate" => locator
            .evaluate(str_of(args, "source")?, args.get("arg").cloned(), timeout)
            .await
            .map_err(browser_error),
        "waitFor" => {
            let state = match args
                .get("state")
                .and_then(Value::as_str)
                .unwrap_or("visible")
            {
                "attached" => WaitForState::Attached,
                "detached" => WaitForState::Detached,
                "visible" => WaitForState::Visible,
                "hidden" => WaitForState::Hidden,
                other => return Err(bad(format!("waitFor: unknown state \"{other}\""))),
            };
            unit(locator.wait_for(state, timeout).await)
        }
        "setInputFiles" => {
            let mut files = Vec::new();
            for f in args
                .get("files")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(path) = f.get("path").and_then(Value::as_str) {
                    let real = side.with_session(session, |s| s.defaults.paths.resolve(path))?;
                    files.push(FilePayload::from_path(&real).map_err(browser_error)?);
                } else {
                    files.push(FilePayload {
                        name: f
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or("file")
                            .to_string(),
                        mime_type: f
                            .get("mimeType")
                            .and_then(Value::as_str)
                            .unwrap_or("application/octet-stream")
                            .to_string(),
                        buffer: unb64(f.get("buffer")),
                    });
                }
            }
            unit(locator.set_input_files(&files, timeout).await)
        }
        "dragTo" => {
            let target = build(&page, args.get("target").unwrap_or(&Value::Null))?;
            unit(
                locator
                    .drag_to(
                        &target,
                        DragOptions {
                            force,
                            timeout,
                            ..DragOptions::default()
                        },
                    )
                    .await,
            )
        }
        "screenshot" => {
            let bytes = locator.screenshot(timeout).await.map_err(browser_error)?;
            if let Some(path) = args.get("path").and_then(Value::as_str) {
                write_file(side, session, path, &bytes)?;
            }
            Ok(b64(&bytes))
        }
        other => Err(bad(format!("unknown locator method {other}"))),
    }
}

async fn expect_check(side: &BrowserSide, session: u32, args: &Value) -> Reply {
    let page = side.page(session, args)?;
    let matcher = str_of(args, "matcher")?;
    let expected = args.get("expected").cloned().unwrap_or(Value::Null);
    let options = args.get("options").cloned().unwrap_or(Value::Null);
    let is_not = args.get("isNot").and_then(Value::as_bool).unwrap_or(false);
    let timeout = ms(args, "timeout").unwrap_or(Duration::from_secs(5));
    let base_url = page.context().options().base_url.clone();
    let locator;
    let target = match args.get("chain") {
        Some(chain) => {
            locator = build(&page, chain)?;
            web_first::Target::Locator(&locator)
        }
        None => web_first::Target::Page(&page),
    };
    let check = web_first::check(
        target,
        matcher,
        &expected,
        &options,
        is_not,
        timeout,
        base_url.as_deref(),
    )
    .await
    .map_err(|e| match e {
        web_first::MatcherError::Browser(b) => browser_error(b),
        other => bad(other.to_string()),
    })?;
    Ok(json!({ "pass": check.pass != is_not, "message": check.message, "callLog": check.call_log }))
}

async fn route_resolve(side: &BrowserSide, session: u32, args: &Value) -> Reply {
    let id = args.get("requestId").and_then(Value::as_u64).unwrap_or(0) as u32;
    let entry = side.with_session(session, |s| {
        Ok(s.routes.lock().ok().and_then(|mut r| r.remove(&id)))
    })?;
    let Some((route, done)) = entry else {
        return Err(bad("route is already handled"));
    };
    let action = str_of(args, "action")?;
    let result = match action {
        "fulfill" => {
            let headers: Vec<(String, String)> =
                serde_json::from_value(args.get("headers").cloned().unwrap_or(json!([])))
                    .map_err(|e| bad(format!("route.fulfill headers: {e}")))?;
            route
                .fulfill(isolate_browser_matchers::browser::Fulfill {
                    status: args.get("status").and_then(Value::as_u64).map(|s| s as u16),
                    headers,
                    content_type: args
                        .get("contentType")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    body: unb64(args.get("body")),
                })
                .await
        }
        "abort" => {
            route
                .abort(
                    args.get("errorCode")
                        .and_then(Value::as_str)
                        .unwrap_or("failed"),
                )
                .await
        }
        "continue" => {
            let headers = match args.get("headers") {
                Some(h) if !h.is_null() => Some(
                    serde_json::from_value::<Vec<(String, String)>>(h.clone())
                        .map_err(|e| bad(format!("route.continue headers: {e}")))?,
                ),
                _ => None,
            };
            route
                .continue_request(isolate_browser_matchers::browser::ContinueOverrides {
                    url: args.get("url").and_then(Value::as_str).map(str::to_string),
                    method: args
                        .get("method")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    headers,
                    post_data: args
                        .get("postData")
                        .filter(|v| !v.is_null())
                        .map(|v| unb64(Some(v))),
                })
                .await
        }
        // Dropping the route lets the browser crate continue it.
        "fallback" => Ok(()),
        other => return Err(bad(format!("unknown route action {other}"))),
    };
    let _ = done.send(());
    result.map(|()| Value::Null).map_err(browser_error)
}
