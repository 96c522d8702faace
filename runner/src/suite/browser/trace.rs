//! `context.tracing`: what a traced context's pages show and do, recorded on the browser
//! thread as Playwright's library trace events: screencast frames, console messages, page
//! errors, new pages and every network request with its response body (HAR entries). The
//! calls made on the pages are recorded in the isolate (it knows their source lines) and come
//! with `tracing.stop`; the two are written together as one trace.zip.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;
use std::time::Instant;

use isolate_browser_browser::Page;
use isolate_browser_browser::PageEvent;
use isolate_browser_browser::RequestEvent;
use isolate_browser_browser::Viewport;
use serde_json::Value;
use serde_json::json;

use super::calls::Cx;
use crate::suite::protocol::CallError;
use crate::suite::protocol::PageId;
use crate::suite::protocol::TraceSnapshotArgs;
use crate::suite::protocol::TracingStartArgs;
use crate::suite::protocol::TracingStopArgs;
use crate::suite::trace_file::TRACE_VERSION;
use crate::suite::trace_file::lines;
use crate::suite::trace_file::now_ms;
use crate::suite::trace_file::sha1_hex;
use crate::suite::trace_file::write_zip;

/// How long a response body may take to be read for the trace.
const BODY_WAIT: Duration = Duration::from_secs(5);
/// Bodies larger than this are left out of the trace (the entry stays).
const MAX_BODY: usize = 20 << 20;

/// A traced context.
pub(crate) struct ContextTrace {
    context: isolate_browser_browser::Context,
    head: Value,
    screenshots: bool,
    data: Arc<Mutex<TraceData>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// What the recording has so far.
#[derive(Default)]
struct TraceData {
    /// Library events with their time.
    events: Vec<(f64, Value)>,
    /// HAR entries.
    network: Vec<Value>,
    /// `screencast/…` and `resources/…` files.
    files: Vec<(String, Vec<u8>)>,
    names: std::collections::HashSet<String>,
}

impl TraceData {
    fn event(&mut self, time: f64, event: Value) {
        self.events.push((time, event));
    }

    /// Adds a file unless one of that name is there; answers whether it was added.
    fn file(&mut self, name: String, data: Vec<u8>) -> bool {
        if !self.names.insert(name.clone()) {
            return false;
        }
        self.files.push((name, data));
        true
    }
}

impl Drop for ContextTrace {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Milliseconds since the epoch at `at`.
fn ms_at(at: Instant) -> f64 {
    now_ms() - Instant::now().saturating_duration_since(at).as_secs_f64() * 1000.0
}

pub(crate) fn page_ref(id: PageId) -> String {
    format!("page@{}", id.0)
}

/// The size of trace frames: the viewport scaled down to fit 800×800, as videos are.
fn frame_size(viewport: Option<Viewport>) -> Viewport {
    isolate_browser_browser::RecordVideo {
        dir: Default::default(),
        size: None,
    }
    .frame_size(viewport)
}

pub(crate) async fn start(cx: &Cx<'_>, args: TracingStartArgs) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    let already = cx
        .side
        .with_session(cx.session, |s| Ok(s.traces.contains_key(&args.context)))?;
    if already {
        return Err(CallError::new(
            "tracing.start: Tracing has been already started",
        ));
    }
    let o = context.options();
    let mut options = json!({ "isMobile": false });
    if let Some(v) = o.viewport {
        options["viewport"] = json!({ "width": v.width, "height": v.height });
    }
    if let Some(base) = &o.base_url {
        options["baseURL"] = Value::String(base.clone());
    }
    let now = now_ms();
    let mut head = json!({
        "version": TRACE_VERSION,
        "type": "context-options",
        "origin": "library",
        "browserName": "chromium",
        "platform": std::env::consts::OS,
        "wallTime": now,
        "monotonicTime": now,
        "sdkLanguage": "javascript",
        "testIdAttributeName": o.test_id_attribute,
        "options": options,
    });
    if let Some(title) = args.title {
        head["title"] = Value::String(title);
    }
    let trace = ContextTrace {
        context: context.clone(),
        head,
        screenshots: args.screenshots,
        data: Arc::default(),
        tasks: Vec::new(),
    };
    let pages: Vec<(PageId, Page)> = cx.side.with_session(cx.session, |s| {
        s.traces.insert(args.context, trace);
        Ok(s.pages
            .iter()
            .filter(|(_, p)| p.context().same_context(&context))
            .map(|(id, p)| (*id, p.clone()))
            .collect())
    })?;
    let mut pages = pages;
    pages.sort_by_key(|(id, _)| id.0);
    for (id, page) in pages {
        attach(cx.side, cx.session, id, &page).await;
    }
    Ok(())
}

/// Starts recording `page` (`id`) if its context is traced: called for every page the session
/// gets, and for the pages a context has when its tracing starts.
pub(crate) async fn attach(side: &super::BrowserSide, session: u32, id: PageId, page: &Page) {
    let found = side.with_session(session, |s| {
        Ok(s.traces
            .values()
            .find(|t| page.context().same_context(&t.context))
            .map(|t| (t.data.clone(), t.screenshots)))
    });
    let Ok(Some((data, screenshots))) = found else {
        return;
    };
    let page_id = page_ref(id);
    if let Ok(mut d) = data.lock() {
        let time = now_ms();
        d.event(
            time,
            json!({ "type": "event", "time": time, "class": "BrowserContext", "method": "page", "params": { "pageId": page_id } }),
        );
    }
    let mut tasks = Vec::new();
    if screenshots {
        let size = frame_size(page.context().options().viewport);
        if let Ok(frames) = page.screencast(size).await {
            tasks.push(tokio::spawn(record_frames(
                frames,
                data.clone(),
                page_id.clone(),
            )));
        }
    }
    tasks.push(tokio::spawn(record_events(
        page.clone(),
        page.subscribe(),
        data,
        page_id,
    )));
    let _ = side.with_session(session, |s| {
        if let Some(t) = s
            .traces
            .values_mut()
            .find(|t| page.context().same_context(&t.context))
        {
            t.tasks.extend(tasks);
        } else {
            for task in tasks {
                task.abort();
            }
        }
        Ok(())
    });
}

async fn record_frames(
    mut frames: tokio::sync::broadcast::Receiver<Arc<isolate_browser_browser::ScreencastFrame>>,
    data: Arc<Mutex<TraceData>>,
    page_id: String,
) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        let frame = match frames.recv().await {
            Ok(frame) => frame,
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        let time = ms_at(frame.at);
        let Ok(mut d) = data.lock() else { return };
        let mut name = format!("screencast/{page_id}-{}.jpeg", time as u64);
        let mut n = 1;
        while d.names.contains(&name) {
            name = format!("screencast/{page_id}-{}-{n}.jpeg", time as u64);
            n += 1;
        }
        d.file(name.clone(), frame.jpeg.clone());
        d.event(
            time,
            json!({
                "type": "screencast-frame",
                "pageId": page_id,
                "file": name,
                "width": frame.width,
                "height": frame.height,
                "timestamp": time,
                "frameSwapWallTime": time,
            }),
        );
    }
}

/// A request seen so far: when it started, its record, its response.
struct Pending {
    started: f64,
    request: RequestEvent,
    response: Option<RequestEvent>,
}

async fn record_events(
    page: Page,
    mut events: tokio::sync::broadcast::Receiver<PageEvent>,
    data: Arc<Mutex<TraceData>>,
    page_id: String,
) {
    use tokio::sync::broadcast::error::RecvError;
    let mut pending: HashMap<String, Pending> = HashMap::new();
    loop {
        let event = match events.recv().await {
            Ok(e) => e,
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => return,
        };
        let time = now_ms();
        match event {
            PageEvent::Console(m) => {
                let location = m.location.as_ref().map_or_else(
                    || json!({ "url": "", "lineNumber": 0, "columnNumber": 0 }),
                    |l| json!({ "url": l.url, "lineNumber": l.line_number, "columnNumber": l.column_number }),
                );
                if let Ok(mut d) = data.lock() {
                    d.event(
                        time,
                        json!({
                            "type": "console",
                            "messageType": m.kind,
                            "text": m.text,
                            "args": [],
                            "location": location,
                            "time": time,
                            "pageId": page_id,
                        }),
                    );
                }
            }
            PageEvent::PageError { message, stack } => {
                let (name, text) = message
                    .split_once(": ")
                    .map_or(("Error", message.as_str()), |(n, t)| (n, t));
                if let Ok(mut d) = data.lock() {
                    d.event(
                        time,
                        json!({
                            "type": "event",
                            "time": time,
                            "class": "Page",
                            "method": "pageError",
                            "params": { "error": { "error": { "name": name, "message": text, "stack": stack.unwrap_or_default() } } },
                            "pageId": page_id,
                        }),
                    );
                }
            }
            PageEvent::Request(r) => {
                pending.insert(
                    r.id.clone(),
                    Pending {
                        started: time,
                        request: r,
                        response: None,
                    },
                );
            }
            PageEvent::Response(r) => {
                if let Some(p) = pending.get_mut(&r.id) {
                    p.response = Some(r);
                }
            }
            PageEvent::RequestFinished(r) | PageEvent::RequestFailed(r) => {
                let Some(p) = pending.remove(&r.id) else {
                    continue;
                };
                let failed = r.failure.is_some();
                let page = page.clone();
                let data = data.clone();
                let page_id = page_id.clone();
                // The body is read without holding up the next events.
                tokio::spawn(async move {
                    let body = if failed || p.response.is_none() {
                        None
                    } else {
                        page.response_body(&p.request.id, BODY_WAIT).await.ok()
                    };
                    let entry = har_entry(&p, body, time, &page_id, &data);
                    if let Ok(mut d) = data.lock() {
                        d.network.push(entry);
                    }
                });
            }
            _ => {}
        }
    }
}

fn header_list(headers: &[(String, String)]) -> Value {
    Value::Array(
        headers
            .iter()
            .map(|(k, v)| json!({ "name": k, "value": v }))
            .collect(),
    )
}

fn extension_of(mime: &str) -> &'static str {
    match mime.split(';').next().unwrap_or_default().trim() {
        "text/html" => ".html",
        "text/css" => ".css",
        "application/javascript" | "text/javascript" => ".js",
        "application/json" => ".json",
        "image/png" => ".png",
        "image/jpeg" => ".jpeg",
        "image/gif" => ".gif",
        "image/svg+xml" => ".svg",
        "image/webp" => ".webp",
        "text/plain" => ".txt",
        _ => ".dat",
    }
}

/// One request as a HAR entry (Playwright's `resource-snapshot`), its body kept as a resource.
fn har_entry(
    p: &Pending,
    body: Option<Vec<u8>>,
    ended: f64,
    page_id: &str,
    data: &Arc<Mutex<TraceData>>,
) -> Value {
    let r = &p.request;
    let mime = p
        .response
        .as_ref()
        .and_then(|res| {
            res.headers
                .iter()
                .find(|(k, _)| k == "content-type")
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_default();
    let mut content = json!({ "size": body.as_ref().map_or(-1, |b| b.len() as i64), "mimeType": mime, "compression": 0 });
    if let Some(body) = body.filter(|b| b.len() <= MAX_BODY) {
        let name = format!("resources/{}{}", sha1_hex(&body), extension_of(&mime));
        if let Ok(mut d) = data.lock() {
            d.file(name.clone(), body);
        }
        content["_file"] = Value::String(name);
    }
    let started = chrono_iso(p.started);
    let mut request = json!({
        "method": r.method,
        "url": r.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": header_list(&r.headers),
        "queryString": [],
        "headersSize": -1,
        "bodySize": r.post_data.as_ref().map_or(0, |d| d.len() as i64),
    });
    if let Some(post) = &r.post_data {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(post)
            .unwrap_or_default();
        request["postData"] = json!({ "mimeType": "", "text": String::from_utf8_lossy(&bytes) });
    }
    let response = match &p.response {
        Some(res) => json!({
            "status": res.status,
            "statusText": res.status_text,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": header_list(&res.headers),
            "content": content,
            "headersSize": -1,
            "bodySize": content["size"],
            "redirectURL": "",
            "_transferSize": -1,
        }),
        None => json!({
            "status": -1,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [],
            "content": content,
            "headersSize": -1,
            "bodySize": -1,
            "redirectURL": "",
            "_transferSize": -1,
            "_failureText": r.failure.clone().unwrap_or_default(),
        }),
    };
    let mut snapshot = json!({
        "pageref": page_id,
        "startedDateTime": started,
        "time": (ended - p.started).max(0.0),
        "request": request,
        "response": response,
        "cache": {},
        "timings": { "send": 0, "wait": (ended - p.started).max(0.0), "receive": 0 },
        "_monotonicTime": p.started,
        "_resourceType": r.resource_type,
    });
    if let Some(frame) = &r.frame {
        snapshot["_frameref"] = Value::String(format!("frame@{frame}"));
    }
    if let Some(addr) = p
        .response
        .as_ref()
        .and_then(|res| res.remote_address.as_ref())
    {
        snapshot["serverIPAddress"] = Value::String(addr.ip_address.clone());
        snapshot["_serverPort"] = json!(addr.port);
    }
    json!({ "type": "resource-snapshot", "snapshot": snapshot })
}

/// `ms` since the epoch in ISO 8601 (`2026-12-03T11:58:24.064Z`).
fn chrono_iso(ms: f64) -> String {
    let total = ms.max(0.0) as i64;
    let t = crate::civil::utc(total.div_euclid(1000));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        total.rem_euclid(1000)
    )
}

/// The in-page half of a DOM snapshot.
const SNAPSHOT_JS: &str = include_str!("trace_snapshot.js");
/// How long a snapshot may take (a page busy navigating has none to give).
const SNAPSHOT_WAIT: Duration = Duration::from_secs(2);

/// `page.traceSnapshot`: the page's DOM, for the viewer's before / after panes.
pub(crate) async fn snapshot(cx: &Cx<'_>, args: TraceSnapshotArgs) -> Result<(), CallError> {
    let Ok(page) = cx.page(args.page) else {
        return Ok(());
    };
    let data = cx.side.with_session(cx.session, |s| {
        Ok(s.traces
            .values()
            .find(|t| page.context().same_context(&t.context))
            .map(|t| t.data.clone()))
    })?;
    let Some(data) = data else { return Ok(()) };
    let started = Instant::now();
    let Ok(Ok(value)) = tokio::time::timeout(SNAPSHOT_WAIT, page.evaluate(SNAPSHOT_JS, None)).await
    else {
        return Ok(());
    };
    let time = now_ms();
    let mut snapshot = json!({
        "callId": args.call_id,
        "phase": args.phase,
        "pageId": page_ref(args.page),
        "frameId": format!("frame@{}-main", args.page.0),
        "frameUrl": value["url"],
        "html": value["html"],
        "viewport": value["viewport"],
        "timestamp": time,
        "wallTime": time,
        "collectionTime": started.elapsed().as_secs_f64() * 1000.0,
        "resourceOverrides": [],
        "isMainFrame": true,
    });
    if let Some(doctype) = value["doctype"].as_str() {
        snapshot["doctype"] = Value::String(doctype.to_string());
    }
    if let Ok(mut d) = data.lock() {
        d.event(
            time,
            json!({ "type": "frame-snapshot", "snapshot": snapshot }),
        );
    }
    Ok(())
}

pub(crate) async fn stop(cx: &Cx<'_>, args: TracingStopArgs) -> Result<(), CallError> {
    let trace = cx
        .side
        .with_session(cx.session, |s| Ok(s.traces.remove(&args.context)))?
        .ok_or_else(|| CallError::new("tracing.stop: Must start tracing before stopping"))?;
    let Some(path) = args.path else {
        return Ok(());
    };
    let target = cx
        .side
        .with_session(cx.session, |s| s.defaults.paths.resolve_write(&path))?;
    // Bodies still being read get a moment to arrive.
    tokio::time::sleep(Duration::from_millis(20)).await;
    for task in &trace.tasks {
        task.abort();
    }
    let (mut events, network, files) = {
        let mut d = trace
            .data
            .lock()
            .map_err(|_| CallError::new("tracing.stop: the recording was lost"))?;
        (
            std::mem::take(&mut d.events),
            std::mem::take(&mut d.network),
            std::mem::take(&mut d.files),
        )
    };
    let mut calls = args.events;
    cx.side.with_session(cx.session, |s| {
        crate::suite::trace_file::real_stacks(&s.defaults.paths, &mut calls);
        Ok(())
    })?;
    for e in calls {
        let time = ["startTime", "endTime", "time"]
            .iter()
            .find_map(|k| e.get(*k).and_then(Value::as_f64))
            .unwrap_or(0.0);
        events.push((time, e));
    }
    // In time order; a call's `before`, `log` and `after` keep their order among equal times.
    events.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut all = vec![trace.head.clone()];
    all.extend(events.into_iter().map(|(_, e)| e));
    let mut entries = vec![
        ("trace.trace".to_string(), lines(&all)),
        ("trace.network".to_string(), lines(&network)),
    ];
    entries.extend(files);
    write_zip(&target, &entries)
        .map_err(|e| CallError::new(format!("tracing.stop: writing {path}: {e}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_written_as_iso_dates() {
        assert_eq!(super::chrono_iso(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            super::chrono_iso(1_796_299_104_064.0),
            "2026-12-03T11:58:24.064Z"
        );
    }
}
