//! `page.*`: navigation, evaluation, content, waits, screenshots, events, routes, emulation; and
//! how a page gets its id (popups included) and forwards the events the isolate listens for.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use isolate_browser_browser::ColorScheme;
use isolate_browser_browser::DialogAction;
use isolate_browser_browser::DialogEvent;
use isolate_browser_browser::DialogHandler;
use isolate_browser_browser::EmulateMedia;
use isolate_browser_browser::GotoOptions;
use isolate_browser_browser::LoadState;
use isolate_browser_browser::Page;
use isolate_browser_browser::PageEvent;
use isolate_browser_browser::Polling;
use isolate_browser_browser::RouteOptions;
use isolate_browser_browser::UrlMatch;
use isolate_browser_browser::Viewport;
use isolate_browser_browser::WaitUntil;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::oneshot;

use super::Cx;
use super::default_timeout;
use super::header_entries;
use super::route::route_handler;
use super::route::unroute_on;
use crate::suite::browser::BrowserSide;
use crate::suite::protocol::Base64;
use crate::suite::protocol::BindingResultArgs;
use crate::suite::protocol::CallError;
use crate::suite::protocol::DialogId;
use crate::suite::protocol::EmulateMediaArgs;
use crate::suite::protocol::EvaluateArgs;
use crate::suite::protocol::ExposeArgs;
use crate::suite::protocol::FileChooserInfo;
use crate::suite::protocol::GotoArgs;
use crate::suite::protocol::IsolateEvent;
use crate::suite::protocol::LoadStateArgs;
use crate::suite::protocol::NavArgs;
use crate::suite::protocol::PageArgs;
use crate::suite::protocol::PageErrorData;
use crate::suite::protocol::PageEventName;
use crate::suite::protocol::PageHeadersArgs;
use crate::suite::protocol::PageId;
use crate::suite::protocol::PageRouteArgs;
use crate::suite::protocol::PageScriptArgs;
use crate::suite::protocol::PageTimeoutArgs;
use crate::suite::protocol::PageUnrouteArgs;
use crate::suite::protocol::PdfArgs;
use crate::suite::protocol::ResponseInfo;
use crate::suite::protocol::SetContentArgs;
use crate::suite::protocol::SubscribeArgs;
use crate::suite::protocol::ViewportArgs;
use crate::suite::protocol::WaitForFunctionArgs;
use crate::suite::protocol::WaitForUrlArgs;
use crate::suite::protocol::millis;

/// How long a dialog waits for the isolate's answer before it is dismissed.
const DIALOG_PATIENCE: Duration = Duration::from_secs(30);

/// Gives a page an id in the session and reports the popups it opens to the isolate (each
/// registered the same way, so a popup's popups are too).
pub(crate) fn register_page(
    side: &BrowserSide,
    session: u32,
    page: Page,
) -> Result<PageId, CallError> {
    let id = PageId(side.id());
    let mut popups = page.popups();
    let traced = page.clone();
    // Frame changes always reach the isolate, so `page.frames()` is current between calls.
    ensure_forwarder(side, session, id, &page)?
        .borrow_mut()
        .extend([
            PageEventName::FrameAttached,
            PageEventName::FrameDetached,
            PageEventName::FrameNavigated,
        ]);
    let events = side.with_session(session, |s| {
        if let Ok(mut ids) = s.page_ids.lock() {
            ids.retain(|(p, _)| !p.is_closed());
            ids.push((page.clone(), id));
        }
        if let Some(video) = page.video() {
            s.videos.insert(id, video);
        }
        s.pages.insert(id, page);
        Ok(s.events.clone())
    })?;
    let Some(side) = side.rc() else {
        return Ok(id);
    };
    {
        let side = side.clone();
        tokio::task::spawn_local(async move {
            super::trace::attach(&side, session, id, &traced).await;
        });
    }
    let crashed = page_crashed(&side, session, id);
    let crash_events = events.clone();
    tokio::task::spawn_local(async move {
        crashed.await;
        let _ = crash_events.send(IsolateEvent::Crash { page: id });
    });
    tokio::task::spawn_local(async move {
        loop {
            let popup = match popups.recv().await {
                Ok(popup) => popup,
                Err(RecvError::Lagged(_)) => continue,
                // The opener closed.
                Err(RecvError::Closed) => break,
            };
            // A popup's dialogs reach the isolate from the start (a context may listen for
            // them, or the popup's opener script may alert in it before anyone could
            // subscribe); unanswered, the isolate dismisses them as for any page.
            let Ok(popup_id) = register_page(&side, session, popup.clone()) else {
                break;
            };
            if let Ok(handler) = dialog_handler(&side, session, popup_id) {
                popup.on_dialog(Some(handler));
            }
            let popup = popup_id;
            if events
                .send(IsolateEvent::Popup { page: id, popup })
                .is_err()
            {
                break;
            }
        }
    });
    Ok(id)
}

/// Resolves when page `id` of the session crashes.
fn page_crashed(
    side: &BrowserSide,
    session: u32,
    id: PageId,
) -> impl std::future::Future<Output = ()> + use<> {
    let page = side.page(session, id).ok();
    async move {
        match page {
            Some(page) => page.crashed().await,
            None => std::future::pending().await,
        }
    }
}

/// The event as the isolate receives it, when it is one the isolate can listen for.
fn isolate_event(page: PageId, event: PageEvent) -> Option<(PageEventName, IsolateEvent)> {
    Some(match event {
        PageEvent::Binding(data) => (PageEventName::Binding, IsolateEvent::Binding { page, data }),
        PageEvent::FrameAttached { frame, frames } => (
            PageEventName::FrameAttached,
            IsolateEvent::FrameAttached {
                page,
                frame,
                frames,
            },
        ),
        PageEvent::FrameDetached { frame, frames } => (
            PageEventName::FrameDetached,
            IsolateEvent::FrameDetached {
                page,
                frame,
                frames,
            },
        ),
        PageEvent::FrameNavigated { frame, frames } => (
            PageEventName::FrameNavigated,
            IsolateEvent::FrameNavigated {
                page,
                frame,
                frames,
            },
        ),
        // Console messages get handles of their arguments first (`forward`).
        PageEvent::Console(_) => return None,
        PageEvent::PageError { message, stack } => (
            PageEventName::PageError,
            IsolateEvent::PageError {
                page,
                data: PageErrorData { message, stack },
            },
        ),
        PageEvent::Request(data) => (PageEventName::Request, IsolateEvent::Request { page, data }),
        PageEvent::Response(data) => (
            PageEventName::Response,
            IsolateEvent::Response { page, data },
        ),
        PageEvent::RequestFailed(data) => (
            PageEventName::RequestFailed,
            IsolateEvent::RequestFailed { page, data },
        ),
        PageEvent::Load => (PageEventName::Load, IsolateEvent::Load { page }),
        PageEvent::DomContentLoaded => (
            PageEventName::DomContentLoaded,
            IsolateEvent::DomContentLoaded { page },
        ),
        PageEvent::RequestFinished(data) => (
            PageEventName::RequestFinished,
            IsolateEvent::RequestFinished { page, data },
        ),
        // Dialogs have a handler of their own (`subscribe`); crashes are always reported;
        // file choosers get a handle of their input first (`forward`).
        PageEvent::Dialog(_) | PageEvent::Crash | PageEvent::FileChooser(_) => return None,
    })
}

/// Forwards a page's events that the isolate listens for; the set says which.
fn ensure_forwarder(
    side: &BrowserSide,
    session: u32,
    page_id: PageId,
    page: &Page,
) -> Result<Rc<RefCell<HashSet<PageEventName>>>, CallError> {
    side.with_session(session, |s| {
        if let Some(set) = s.subscriptions.get(&page_id) {
            return Ok(set.clone());
        }
        let set = Rc::new(RefCell::new(HashSet::new()));
        s.subscriptions.insert(page_id, set.clone());
        let mut rx = page.subscribe();
        let events = s.events.clone();
        let wanted = set.clone();
        let side = side.rc().map(|rc| Rc::downgrade(&rc));
        let page = page.clone();
        tokio::task::spawn_local(async move {
            loop {
                let event = match rx.recv().await {
                    Ok(event) => event,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => break,
                };
                let (name, event) = match event {
                    PageEvent::Console(message) => {
                        if !wanted.borrow().contains(&PageEventName::Console) {
                            continue;
                        }
                        let Some(side) = side.as_ref().and_then(std::rc::Weak::upgrade) else {
                            break;
                        };
                        let data = super::console::info(&side, session, &page, message).await;
                        (
                            PageEventName::Console,
                            IsolateEvent::Console {
                                page: page_id,
                                data,
                            },
                        )
                    }
                    PageEvent::FileChooser(chooser) => {
                        if !wanted.borrow().contains(&PageEventName::FileChooser) {
                            continue;
                        }
                        let Some(side) = side.as_ref().and_then(std::rc::Weak::upgrade) else {
                            break;
                        };
                        // An input the page dropped meanwhile leaves nothing to set files on.
                        let Ok(input) = page.file_chooser_input(&chooser).await else {
                            continue;
                        };
                        let Ok(element) = super::handle::keep_in(&side, session, input) else {
                            break;
                        };
                        (
                            PageEventName::FileChooser,
                            IsolateEvent::FileChooser {
                                page: page_id,
                                data: FileChooserInfo {
                                    multiple: chooser.multiple,
                                    element,
                                },
                            },
                        )
                    }
                    other => match isolate_event(page_id, other) {
                        Some(pair) => pair,
                        None => continue,
                    },
                };
                if wanted.borrow().contains(&name) && events.send(event).is_err() {
                    break;
                }
            }
        });
        Ok(set)
    })
}

pub(crate) fn goto_options(
    wait_until: Option<&str>,
    timeout: Option<f64>,
) -> Result<GotoOptions, CallError> {
    let wait_until = match wait_until {
        Some(w) => WaitUntil::parse(w).ok_or_else(|| {
            CallError::new(format!(
                "waitUntil: expected one of load, domcontentloaded, networkidle, commit; got \"{w}\""
            ))
        })?,
        None => WaitUntil::default(),
    };
    Ok(GotoOptions {
        wait_until,
        timeout: millis(timeout),
    })
}

/// A navigation's response, with the record of its request when the page keeps it.
pub(crate) fn response_info(
    page: &Page,
    r: Option<isolate_browser_browser::Response>,
) -> Option<ResponseInfo> {
    r.map(|r| ResponseInfo {
        request: page.navigation_request(&r),
        remote_address: r.remote_address,
        url: r.url,
        status: r.status,
        status_text: r.status_text,
        headers: r.headers,
    })
}

pub(crate) async fn goto(cx: &Cx<'_>, args: GotoArgs) -> Result<Option<ResponseInfo>, CallError> {
    let page = cx.page(args.page)?;
    let options = goto_options(args.wait_until.as_deref(), args.timeout)?;
    Ok(response_info(&page, page.goto(&args.url, options).await?))
}

pub(crate) async fn reload(cx: &Cx<'_>, args: NavArgs) -> Result<Option<ResponseInfo>, CallError> {
    let page = cx.page(args.page)?;
    let options = goto_options(args.wait_until.as_deref(), args.timeout)?;
    Ok(response_info(&page, page.reload(options).await?))
}

pub(crate) async fn go_back(cx: &Cx<'_>, args: NavArgs) -> Result<Option<ResponseInfo>, CallError> {
    let page = cx.page(args.page)?;
    let options = goto_options(args.wait_until.as_deref(), args.timeout)?;
    Ok(response_info(&page, page.go_back(options).await?))
}

pub(crate) async fn go_forward(
    cx: &Cx<'_>,
    args: NavArgs,
) -> Result<Option<ResponseInfo>, CallError> {
    let page = cx.page(args.page)?;
    let options = goto_options(args.wait_until.as_deref(), args.timeout)?;
    Ok(response_info(&page, page.go_forward(options).await?))
}

pub(crate) async fn title(cx: &Cx<'_>, args: PageArgs) -> Result<String, CallError> {
    Ok(cx.page(args.page)?.title().await?)
}

pub(crate) async fn content(cx: &Cx<'_>, args: PageArgs) -> Result<String, CallError> {
    Ok(cx.page(args.page)?.content().await?)
}

pub(crate) async fn set_content(cx: &Cx<'_>, args: SetContentArgs) -> Result<(), CallError> {
    Ok(cx.page(args.page)?.set_content(&args.html).await?)
}

pub(crate) async fn evaluate(
    cx: &Cx<'_>,
    args: EvaluateArgs,
) -> Result<serde_json::Value, CallError> {
    let page = cx.page(args.page)?;
    let (arg, handles) = super::handle::with_handles(cx, args.arg)?;
    Ok(page.evaluate_wire(&args.expression, arg, &handles).await?)
}

pub(crate) async fn wait_for_function(
    cx: &Cx<'_>,
    args: WaitForFunctionArgs,
) -> Result<crate::suite::protocol::HandleInfo, CallError> {
    let page = cx.page(args.page)?;
    let source = super::function_source(args.expression, args.is_function);
    let (arg, handles) = super::handle::with_handles(cx, args.arg)?;
    let polling = match args.polling {
        Some(ms) if ms > 0.0 && ms.is_finite() => {
            Polling::Interval(Duration::from_millis(ms as u64))
        }
        Some(ms) => {
            return Err(CallError::new(format!(
                "Cannot poll with non-positive interval: {ms}"
            )));
        }
        None => Polling::Raf,
    };
    let timeout = args
        .timeout
        .filter(|t| t.is_finite())
        .map(|t| Duration::from_millis(t.max(0.0) as u64));
    let handle = match args.frame {
        Some(id) => {
            let frame = page
                .frame(&id)
                .map_err(|e| super::frame::named("frame.waitForFunction", e))?;
            frame
                .wait_for_function_handle(&source, arg, &handles, polling, timeout)
                .await
                .map_err(|e| super::frame::named("frame.waitForFunction", e))?
        }
        None => {
            page.wait_for_function_handle(&source, arg, &handles, polling, timeout)
                .await?
        }
    };
    super::handle::keep(cx, handle)
}

pub(crate) async fn wait_for_url(cx: &Cx<'_>, args: WaitForUrlArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    let url = match UrlMatch::from(args.url) {
        UrlMatch::Exact(u) => UrlMatch::Exact(page.resolve_url(&u)),
        other => other,
    };
    Ok(page.wait_for_url(&url, millis(args.timeout)).await?)
}

pub(crate) async fn wait_for_load_state(cx: &Cx<'_>, args: LoadStateArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    let state = match args.state.as_str() {
        "load" => LoadState::Load,
        "domcontentloaded" => LoadState::DomContentLoaded,
        "networkidle" => LoadState::NetworkIdle,
        other => {
            return Err(CallError::new(format!(
                "waitForLoadState: unknown state \"{other}\""
            )));
        }
    };
    Ok(page
        .wait_for_load_state(state, millis(args.timeout))
        .await?)
}

pub(crate) async fn pdf(cx: &Cx<'_>, args: PdfArgs) -> Result<Base64, CallError> {
    let bytes = cx.page(args.page)?.pdf().await?;
    if let Some(path) = &args.path {
        cx.write_file(path, &bytes)?;
    }
    Ok(Base64(bytes))
}

pub(crate) async fn set_viewport_size(cx: &Cx<'_>, args: ViewportArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    Ok(page
        .set_viewport_size(Viewport {
            width: args.width,
            height: args.height,
        })
        .await?)
}

pub(crate) async fn bring_to_front(cx: &Cx<'_>, args: PageArgs) -> Result<(), CallError> {
    Ok(cx.page(args.page)?.bring_to_front().await?)
}

pub(crate) async fn close(cx: &Cx<'_>, args: PageArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    cx.side.with_session(cx.session, |s| {
        s.pages.remove(&args.page);
        if let Ok(mut ids) = s.page_ids.lock() {
            ids.retain(|(_, id)| *id != args.page);
        }
        s.subscriptions.remove(&args.page);
        Ok(())
    })?;
    Ok(page.close().await?)
}

/// A dialog handler that reports each dialog to the isolate and waits for its answer.
fn dialog_handler(
    side: &BrowserSide,
    session: u32,
    page_id: PageId,
) -> Result<DialogHandler, CallError> {
    let (events, dialogs) =
        side.with_session(session, |s| Ok((s.events.clone(), s.dialogs.clone())))?;
    let counter = side.counter();
    Ok(Arc::new(move |data: DialogEvent| {
        let dialog = DialogId(counter.fetch_add(1, Ordering::SeqCst));
        let (tx, rx) = oneshot::channel();
        if let Ok(mut d) = dialogs.lock() {
            d.insert(dialog, tx);
        }
        let _ = events.send(IsolateEvent::Dialog {
            page: page_id,
            dialog,
            data,
        });
        Box::pin(async move {
            match tokio::time::timeout(DIALOG_PATIENCE, rx).await {
                Ok(Ok(action)) => action,
                _ => DialogAction::Dismiss,
            }
        })
    }))
}

pub(crate) async fn subscribe(cx: &Cx<'_>, args: SubscribeArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    if args.event == PageEventName::Dialog {
        page.on_dialog(Some(dialog_handler(cx.side, cx.session, args.page)?));
        return Ok(());
    }
    ensure_forwarder(cx.side, cx.session, args.page, &page)?
        .borrow_mut()
        .insert(args.event);
    if args.event == PageEventName::FileChooser {
        page.intercept_file_choosers(true).await?;
    }
    Ok(())
}

pub(crate) async fn unsubscribe(cx: &Cx<'_>, args: SubscribeArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    if args.event == PageEventName::Dialog {
        page.on_dialog(None);
        return Ok(());
    }
    ensure_forwarder(cx.side, cx.session, args.page, &page)?
        .borrow_mut()
        .remove(&args.event);
    if args.event == PageEventName::FileChooser {
        page.intercept_file_choosers(false).await?;
    }
    Ok(())
}

pub(crate) async fn route(cx: &Cx<'_>, args: PageRouteArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    let handler = route_handler(cx, args.route_id)?;
    let options = RouteOptions {
        times: args.times,
        tag: Some(u64::from(args.route_id.0)),
    };
    Ok(page.route_with(args.url.into(), handler, options).await?)
}

pub(crate) async fn unroute(cx: &Cx<'_>, args: PageUnrouteArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    unroute_on(&page, args.url, args.route_ids);
    Ok(())
}

pub(crate) async fn expose_binding(cx: &Cx<'_>, args: ExposeArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    ensure_forwarder(cx.side, cx.session, args.page, &page)?
        .borrow_mut()
        .insert(PageEventName::Binding);
    Ok(page.expose_binding(&args.name).await?)
}

pub(crate) async fn binding_result(cx: &Cx<'_>, args: BindingResultArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    let call = isolate_browser_browser::BindingCall {
        name: String::new(),
        call: args.call,
        context: args.context,
        args: Vec::new(),
    };
    let outcome = if args.ok {
        Ok(args.value.unwrap_or(serde_json::json!({ "t": "u" })))
    } else {
        Err((args.message.unwrap_or_default(), args.stack))
    };
    Ok(page.deliver_binding(&call, outcome).await?)
}

pub(crate) async fn add_init_script(cx: &Cx<'_>, args: PageScriptArgs) -> Result<(), CallError> {
    Ok(cx.page(args.page)?.add_init_script(&args.source).await?)
}

pub(crate) async fn emulate_media(cx: &Cx<'_>, args: EmulateMediaArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    let color_scheme = match args.color_scheme {
        None => None,
        Some(None) => Some(None),
        Some(Some(s)) => Some(Some(match s.as_str() {
            "light" => ColorScheme::Light,
            "dark" => ColorScheme::Dark,
            "no-preference" => ColorScheme::NoPreference,
            other => {
                return Err(CallError::new(format!(
                    "page.emulateMedia: colorScheme must be one of light, dark, no-preference or null, not '{other}'"
                )));
            }
        })),
    };
    Ok(page
        .emulate_media(EmulateMedia {
            media: args.media,
            color_scheme,
            reduced_motion: args.reduced_motion,
            forced_colors: args.forced_colors,
        })
        .await?)
}

pub(crate) async fn set_default_timeout(
    cx: &Cx<'_>,
    args: PageTimeoutArgs,
) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    page.set_default_timeout(default_timeout(&args.timeout, "page", "setDefaultTimeout")?);
    Ok(())
}

pub(crate) async fn set_default_navigation_timeout(
    cx: &Cx<'_>,
    args: PageTimeoutArgs,
) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    page.set_default_navigation_timeout(default_timeout(
        &args.timeout,
        "page",
        "setDefaultNavigationTimeout",
    )?);
    Ok(())
}

pub(crate) async fn set_extra_http_headers(
    cx: &Cx<'_>,
    args: PageHeadersArgs,
) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    Ok(page
        .set_extra_http_headers(header_entries(args.headers, "page")?)
        .await?)
}
