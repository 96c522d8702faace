//! `browser.*`: starting Chromium and opening contexts (on a virtual profile when asked).

use isolate_browser_browser::ColorScheme;
use isolate_browser_browser::ContextOptions;
use isolate_browser_browser::StorageState;

use super::Cx;
use crate::suite::browser::profile;
use crate::suite::protocol::CallError;
use crate::suite::protocol::ContextId;
use crate::suite::protocol::ContextOptionsArg;
use crate::suite::protocol::Created;
use crate::suite::protocol::NewContextArgs;
use crate::suite::protocol::NoArgs;
use crate::suite::protocol::RegisterSelectorArgs;
use crate::suite::protocol::StorageStateArg;
use crate::suite::protocol::TestIdAttributeArgs;
use crate::suite::protocol::millis;

pub(crate) async fn launch(cx: &Cx<'_>, _: NoArgs) -> Result<(), CallError> {
    cx.side.browser().await?;
    Ok(())
}

/// `selectors.register(name, script)`: the engine for every context of the test's session,
/// those open now and those opened later.
pub(crate) async fn register_selector(
    cx: &Cx<'_>,
    args: RegisterSelectorArgs,
) -> Result<(), CallError> {
    let source = match (args.source, args.path) {
        (Some(source), _) => source,
        (None, Some(path)) => {
            let file = cx.resolve(&path)?;
            std::fs::read_to_string(&file).map_err(|e| {
                CallError::new(format!("selectors.register: cannot read {path}: {e}"))
            })?
        }
        (None, None) => {
            return Err(CallError::new(
                "selectors.register: the script must be a function, a string, or { content | path }",
            ));
        }
    };
    cx.side.with_session(cx.session, |s| {
        for context in s.contexts.values() {
            context.register_selector_engine(&args.name, &source)?;
        }
        if s.selector_engines.iter().all(|(n, _)| n != &args.name) {
            s.selector_engines.push((args.name.clone(), source.clone()));
        }
        Ok(())
    })
}

pub(crate) async fn set_test_id_attribute(
    cx: &Cx<'_>,
    args: TestIdAttributeArgs,
) -> Result<(), CallError> {
    let Some(name) = args.name else {
        return cx.side.with_session(cx.session, |s| {
            s.test_id_attribute = None;
            Ok(())
        });
    };
    if name.trim().is_empty() {
        return Err(CallError::new(
            "selectors.setTestIdAttribute: the attribute name must not be empty",
        ));
    }
    cx.side.with_session(cx.session, |s| {
        for context in s.contexts.values() {
            context.set_test_id_attribute(&name);
        }
        s.test_id_attribute = Some(name);
        Ok(())
    })
}

pub(crate) async fn version(cx: &Cx<'_>, _: NoArgs) -> Result<String, CallError> {
    let browser = cx.side.browser().await?;
    Ok(browser.version().await?)
}

pub(crate) async fn new_context(
    cx: &Cx<'_>,
    args: NewContextArgs,
) -> Result<Created<ContextId>, CallError> {
    let mut raw = *args.options;
    let profile_id = raw.profile.take();
    let profile_options = std::mem::take(&mut raw.profile_options);
    let options = context_options(cx, raw)?;
    let (context, profile) = match profile_id {
        Some(id) => {
            let (context, profile) =
                profile::open_context(cx.side, cx.session, &id, profile_options, options).await?;
            (context, Some(profile))
        }
        None => {
            let browser = cx.side.browser().await?;
            (browser.new_context(options).await?, None)
        }
    };
    crate::suite::browser::route_apps(cx.side, cx.session, &context).await?;
    let id = ContextId(cx.side.id());
    cx.side.with_session(cx.session, |s| {
        for (name, source) in &s.selector_engines {
            context.register_selector_engine(name, source)?;
        }
        if let Some(name) = &s.test_id_attribute {
            context.set_test_id_attribute(name);
        }
        s.contexts.insert(id, context);
        if let Some(p) = profile {
            s.profiles.insert(id, p);
        }
        Ok(())
    })?;
    Ok(Created { id, frames: None })
}

/// Context options in Playwright's spelling → the browser crate's.
fn context_options(cx: &Cx<'_>, o: ContextOptionsArg) -> Result<ContextOptions, CallError> {
    let default_timeout = cx
        .side
        .with_session(cx.session, |s| Ok(s.defaults.action_timeout))?;
    let mut c = ContextOptions {
        action_timeout: default_timeout,
        navigation_timeout: default_timeout,
        ..ContextOptions::default()
    };
    if let Some(viewport) = o.viewport {
        c.viewport = viewport;
    }
    c.user_agent = o.user_agent;
    c.locale = o.locale;
    c.timezone_id = o.timezone_id;
    c.base_url = o.base_url;
    if let Some(attr) = o.test_id_attribute {
        c.test_id_attribute = attr;
    }
    c.color_scheme = match o.color_scheme.as_deref() {
        Some("dark") => Some(ColorScheme::Dark),
        Some("light") => Some(ColorScheme::Light),
        Some("no-preference") => Some(ColorScheme::NoPreference),
        Some(other) => {
            return Err(CallError::new(format!(
                "colorScheme: unknown value \"{other}\""
            )));
        }
        None => None,
    };
    if let Some(headers) = o.extra_http_headers {
        c.extra_http_headers = headers
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect();
    }
    c.offline = o.offline.unwrap_or(false);
    c.permissions = o.permissions.unwrap_or_default();
    c.geolocation = o.geolocation;
    let (network, output_dir) = cx.side.with_session(cx.session, |s| {
        Ok((
            s.defaults.network.clone(),
            s.defaults.paths.output_dir.clone(),
        ))
    })?;
    c.network = Some(network);
    let downloads = output_dir.join("downloads");
    std::fs::create_dir_all(&downloads).map_err(|e| {
        CallError::new(format!(
            "cannot create the downloads directory {}: {e}",
            downloads.display()
        ))
    })?;
    c.downloads_dir = Some(downloads);
    if let Some(record) = o.record_video {
        let dir = cx
            .side
            .with_session(cx.session, |s| s.defaults.paths.resolve_write(&record.dir))
            .map_err(|e| CallError::new(format!("recordVideo.dir: {}", e.message)))?;
        if let Some(size) = record.size
            && (size.width < 2 || size.height < 2 || size.width > 7680 || size.height > 7680)
        {
            return Err(CallError::new(format!(
                "recordVideo.size: {}x{} is not a video size (2 to 7680 pixels each way)",
                size.width, size.height
            )));
        }
        c.record_video = Some(isolate_browser_browser::RecordVideo {
            dir,
            size: record.size,
        });
    }
    c.java_script_enabled = o.java_script_enabled.unwrap_or(true);
    c.ignore_https_errors = o.ignore_https_errors.unwrap_or(false);
    if let Some(t) = millis(o.action_timeout) {
        c.action_timeout = t;
    }
    if let Some(t) = millis(o.navigation_timeout) {
        c.navigation_timeout = t;
    }
    c.storage_state = match o.storage_state {
        Some(StorageStateArg::Path(path)) => {
            let file = cx.resolve(&path)?;
            let text = std::fs::read_to_string(&file).map_err(|e| {
                CallError::new(format!("storageState: cannot read {path}: {e} (save it first with context.storageState({{ path }}))"))
            })?;
            Some(serde_json::from_str::<StorageState>(&text).map_err(|e| {
                CallError::new(format!(
                    "storageState: {path} is not a storage state file: {e}"
                ))
            })?)
        }
        Some(StorageStateArg::State(state)) => Some(*state),
        None => None,
    };
    Ok(c)
}
