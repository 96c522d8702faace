//! Routes and dialogs: a request a route matches pauses until the isolate's handler answers it
//! (`route.fulfill` / `abort` / `continue` / `fallback`); a dialog waits for `dialog.respond`.

use base64::Engine as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use isolate_browser_browser::ContinueOverrides;
use isolate_browser_browser::DialogAction;
use isolate_browser_browser::FilePayload;
use isolate_browser_browser::Fulfill;
use isolate_browser_browser::Route;
use isolate_browser_browser::RouteHandler;
use isolate_browser_browser::UrlMatch;
use tokio::sync::oneshot;

use super::Cx;
use crate::suite::protocol::AbortArgs;
use crate::suite::protocol::CallError;
use crate::suite::protocol::ContinueArgs;
use crate::suite::protocol::DialogArgs;
use crate::suite::protocol::FallbackArgs;
use crate::suite::protocol::FulfillArgs;
use crate::suite::protocol::IsolateEvent;
use crate::suite::protocol::RouteId;
use crate::suite::protocol::RouteRequestId;
use crate::suite::protocol::RouteRequestInfo;
use crate::suite::protocol::UrlArg;

/// How long a paused request waits for the isolate's handler before it continues.
const ROUTE_PATIENCE: Duration = Duration::from_secs(60);

/// The browser-crate handler of isolate route `route_id`: each request it matches is paused,
/// reported to the isolate, and waits for the handler's answer.
pub(crate) fn route_handler(cx: &Cx<'_>, route_id: RouteId) -> Result<RouteHandler, CallError> {
    let (events, routes, page_ids) = cx.side.with_session(cx.session, |s| {
        Ok((s.events.clone(), s.routes.clone(), s.page_ids.clone()))
    })?;
    let counter = cx.side.counter();
    Ok(Arc::new(move |route: Route| {
        let request = RouteRequestId(counter.fetch_add(1, Ordering::SeqCst));
        let req = route.request().clone();
        let page = page_ids.lock().ok().and_then(|ids| {
            ids.iter()
                .find(|(p, _)| p.same_page(route.page()))
                .map(|(_, id)| *id)
        });
        let (done, wait) = oneshot::channel();
        if let Ok(mut r) = routes.lock() {
            r.insert(request, (route, done));
        }
        let _ = events.send(IsolateEvent::Route {
            route: route_id,
            request,
            data: RouteRequestInfo {
                url: req.url,
                method: req.method,
                headers: req.headers,
                post_data: req
                    .post_data
                    .map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
                resource_type: req.resource_type,
                id: req.id,
                frame: req.frame,
                is_navigation: req.is_navigation,
                page,
            },
        });
        Box::pin(async move {
            // An unanswered route continues once the handler gives up on it.
            let _ = tokio::time::timeout(ROUTE_PATIENCE, wait).await;
            Ok(())
        })
    }))
}

/// What has routes: a page or a context.
pub(crate) trait Routes {
    fn unroute(&self, url: &UrlMatch);
    fn unroute_tagged(&self, url: &UrlMatch, tag: u64);
    fn unroute_all(&self);
}

macro_rules! routes_of {
    ($($t:ty),*) => {$(
        impl Routes for $t {
            fn unroute(&self, url: &UrlMatch) {
                <$t>::unroute(self, url);
            }
            fn unroute_tagged(&self, url: &UrlMatch, tag: u64) {
                <$t>::unroute_tagged(self, url, tag);
            }
            fn unroute_all(&self) {
                <$t>::unroute_all(self);
            }
        }
    )*};
}
routes_of!(
    isolate_browser_browser::Page,
    isolate_browser_browser::Context
);

/// `unroute(url)`, `unroute(url, handler)` (the ids it was registered under) or, without a
/// URL, `unrouteAll()`.
pub(crate) fn unroute_on(target: &impl Routes, url: Option<UrlArg>, ids: Option<Vec<RouteId>>) {
    match (url, ids) {
        (None, _) => target.unroute_all(),
        (Some(url), None) => target.unroute(&url.into()),
        (Some(url), Some(ids)) => {
            let url = url.into();
            for id in ids {
                target.unroute_tagged(&url, u64::from(id.0));
            }
        }
    }
}

/// Takes a paused request out of the session (it can be answered once).
fn take(cx: &Cx<'_>, id: RouteRequestId) -> Result<(Route, oneshot::Sender<()>), CallError> {
    let entry = cx.side.with_session(cx.session, |s| {
        Ok(s.routes.lock().ok().and_then(|mut r| r.remove(&id)))
    })?;
    entry.ok_or_else(|| CallError::new("Route is already handled!"))
}

/// Answers a paused request once with `f`; the request's handler stops waiting either way.
async fn answer<F, Fut>(cx: &Cx<'_>, id: RouteRequestId, f: F) -> Result<(), CallError>
where
    F: FnOnce(Route) -> Fut,
    Fut: std::future::Future<Output = Result<(), isolate_browser_browser::BrowserError>>,
{
    let (route, done) = take(cx, id)?;
    let result = f(route).await;
    let _ = done.send(());
    Ok(result?)
}

pub(crate) async fn fulfill(cx: &Cx<'_>, args: FulfillArgs) -> Result<(), CallError> {
    let mut content_type = args.content_type;
    let body = match (&args.path, args.body) {
        // The path is resolved as every path test code names: inside the project or the
        // output directory, symlinks followed and checked.
        (Some(path), _) => {
            let file = FilePayload::from_path(&cx.resolve(path)?)?;
            if !args
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                content_type.get_or_insert(file.mime_type);
            }
            file.buffer
        }
        (None, body) => body.map(|b| b.0).unwrap_or_default(),
    };
    let fulfill = Fulfill {
        status: args.status,
        headers: args.headers,
        content_type,
        body,
    };
    answer(cx, args.request, |route| async move {
        route.fulfill(fulfill).await
    })
    .await
}

pub(crate) async fn abort(cx: &Cx<'_>, args: AbortArgs) -> Result<(), CallError> {
    let code = args.error_code;
    answer(
        cx,
        args.request,
        |route| async move { route.abort(&code).await },
    )
    .await
}

pub(crate) async fn continue_request(cx: &Cx<'_>, args: ContinueArgs) -> Result<(), CallError> {
    let overrides = ContinueOverrides {
        url: args.url,
        method: args.method,
        headers: args.headers,
        post_data: args.post_data.map(|b| b.0),
    };
    answer(cx, args.request, |route| async move {
        route.continue_request(overrides).await
    })
    .await
}

pub(crate) async fn fallback(cx: &Cx<'_>, args: FallbackArgs) -> Result<(), CallError> {
    let overrides = ContinueOverrides {
        url: args.url,
        method: args.method,
        headers: args.headers,
        post_data: args.post_data.map(|b| b.0),
    };
    answer(cx, args.request, |route| async move {
        route.fallback(overrides)
    })
    .await
}

pub(crate) async fn respond_to_dialog(cx: &Cx<'_>, args: DialogArgs) -> Result<(), CallError> {
    let sender = cx.side.with_session(cx.session, |s| {
        Ok(s.dialogs.lock().ok().and_then(|mut d| d.remove(&args.id)))
    })?;
    let action = if args.accept {
        DialogAction::Accept(args.text)
    } else {
        DialogAction::Dismiss
    };
    match sender {
        Some(tx) => {
            let _ = tx.send(action);
            Ok(())
        }
        None => Err(CallError::new("the dialog is already handled")),
    }
}
