//! `context.*`: pages, cookies, storage state, routes, init scripts, defaults, closing.

use isolate_browser_browser::RouteOptions;

use super::Cx;
use super::default_timeout;
use super::header_entries;
use super::page::register_page;
use super::route::route_handler;
use super::route::unroute_on;
use crate::suite::browser::profile;
use crate::suite::protocol::AddCookiesArgs;
use crate::suite::protocol::CallError;
use crate::suite::protocol::CloseContextArgs;
use crate::suite::protocol::ContextArgs;
use crate::suite::protocol::ContextHeadersArgs;
use crate::suite::protocol::ContextRouteArgs;
use crate::suite::protocol::ContextScriptArgs;
use crate::suite::protocol::ContextTimeoutArgs;
use crate::suite::protocol::ContextUnrouteArgs;
use crate::suite::protocol::CookiesArgs;
use crate::suite::protocol::Created;
use crate::suite::protocol::GeolocationArgs;
use crate::suite::protocol::GrantPermissionsArgs;
use crate::suite::protocol::PageId;
use crate::suite::protocol::SetOfflineArgs;
use crate::suite::protocol::StorageStateArgs;

pub(crate) async fn new_page(cx: &Cx<'_>, args: ContextArgs) -> Result<Created<PageId>, CallError> {
    let context = cx.context(args.context)?;
    let page = context.new_page().await?;
    let frames = Some(page.frames());
    Ok(Created {
        id: register_page(cx.side, cx.session, page)?,
        frames,
    })
}

pub(crate) async fn cookies(
    cx: &Cx<'_>,
    args: CookiesArgs,
) -> Result<Vec<isolate_browser_browser::Cookie>, CallError> {
    let context = cx.context(args.context)?;
    let refs: Vec<&str> = args.urls.iter().map(String::as_str).collect();
    Ok(context.cookies(&refs).await?)
}

pub(crate) async fn add_cookies(cx: &Cx<'_>, args: AddCookiesArgs) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    Ok(context.add_cookies(&args.cookies).await?)
}

pub(crate) async fn clear_cookies(cx: &Cx<'_>, args: ContextArgs) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    Ok(context.clear_cookies().await?)
}

pub(crate) async fn storage_state(
    cx: &Cx<'_>,
    args: StorageStateArgs,
) -> Result<isolate_browser_browser::StorageState, CallError> {
    let context = cx.context(args.context)?;
    let state = if args.indexed_db {
        context.storage_state_with_indexed_db().await
    } else {
        context.storage_state().await
    }?;
    if let Some(path) = &args.path {
        let text = serde_json::to_vec_pretty(&state)
            .map_err(|e| CallError::new(format!("context.storageState: {e}")))?;
        cx.write_file(path, &text)?;
    }
    Ok(state)
}

pub(crate) async fn set_offline(cx: &Cx<'_>, args: SetOfflineArgs) -> Result<(), CallError> {
    Ok(cx.context(args.context)?.set_offline(args.offline).await?)
}

pub(crate) async fn route(cx: &Cx<'_>, args: ContextRouteArgs) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    let handler = route_handler(cx, args.route_id)?;
    let options = RouteOptions {
        times: args.times,
        tag: Some(u64::from(args.route_id.0)),
    };
    Ok(context
        .route_with(args.url.into(), handler, options)
        .await?)
}

pub(crate) async fn unroute(cx: &Cx<'_>, args: ContextUnrouteArgs) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    unroute_on(&context, args.url, args.route_ids);
    Ok(())
}

pub(crate) async fn add_init_script(cx: &Cx<'_>, args: ContextScriptArgs) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    Ok(context.add_init_script(&args.source).await?)
}

pub(crate) async fn grant_permissions(
    cx: &Cx<'_>,
    args: GrantPermissionsArgs,
) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    Ok(context
        .grant_permissions(&args.permissions, args.origin.as_deref())
        .await?)
}

pub(crate) async fn clear_permissions(cx: &Cx<'_>, args: ContextArgs) -> Result<(), CallError> {
    Ok(cx.context(args.context)?.clear_permissions().await?)
}

pub(crate) async fn set_geolocation(cx: &Cx<'_>, args: GeolocationArgs) -> Result<(), CallError> {
    Ok(cx
        .context(args.context)?
        .set_geolocation(args.geolocation)
        .await?)
}

pub(crate) async fn close(cx: &Cx<'_>, args: CloseContextArgs) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    let profile = cx.side.with_session(cx.session, |s| {
        s.contexts.remove(&args.context);
        Ok(s.profiles.remove(&args.context))
    })?;
    match profile {
        Some(p) => profile::close_context(&context, p, args.background).await?,
        // The test is over: nothing waits for Chromium to tear the renderer down.
        None if args.background => {
            tokio::task::spawn_local(async move {
                let _ = context.close().await;
            });
        }
        None => context.close().await?,
    }
    Ok(())
}

pub(crate) async fn set_default_timeout(
    cx: &Cx<'_>,
    args: ContextTimeoutArgs,
) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    context.set_default_timeout(default_timeout(
        &args.timeout,
        "context",
        "setDefaultTimeout",
    )?);
    Ok(())
}

pub(crate) async fn set_default_navigation_timeout(
    cx: &Cx<'_>,
    args: ContextTimeoutArgs,
) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    context.set_default_navigation_timeout(default_timeout(
        &args.timeout,
        "context",
        "setDefaultNavigationTimeout",
    )?);
    Ok(())
}

pub(crate) async fn set_extra_http_headers(
    cx: &Cx<'_>,
    args: ContextHeadersArgs,
) -> Result<(), CallError> {
    let context = cx.context(args.context)?;
    Ok(context
        .set_extra_http_headers(header_entries(args.headers, "context")?)
        .await?)
}
