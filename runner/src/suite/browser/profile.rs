//! Contexts opened on a virtual profile (`browser.newContext({ profile })`): the profile is
//! locked while the context lives, its storage state is applied on open and saved back on
//! close (autosave). In `mode: 'persistent'` the profile's zipped Chromium user-data
//! directory is unpacked into a temporary directory, a Chromium of its own is launched on it,
//! and on close the directory is zipped back into the profile.

use super::BrowserSide;
use crate::suite::protocol::CallError;
use crate::suite::protocol::ProfileOptionsArg;
use isolate_browser_browser::Browser;
use isolate_browser_browser::Context;
use isolate_browser_browser::ContextOptions;
use isolate_browser_browser::OriginState;
use isolate_browser_browser::StorageState;
use isolate_browser_profiles::ProfileError;
use isolate_browser_profiles::ProfileId;
use isolate_browser_profiles::ProfileLock;
use isolate_browser_profiles::ProfileStore;

/// A profile a context was opened with, held (locked) until the context closes.
pub(crate) struct OpenProfile {
    lock: ProfileLock,
    autosave: bool,
    max_age_seconds: Option<u64>,
    /// Save IndexedDB databases in the storage state too (`indexedDB: true`).
    indexed_db: bool,
    /// The unpacked user-data directory of a persistent profile.
    persistent: Option<tempfile::TempDir>,
}

fn bad(what: impl Into<String>) -> CallError {
    CallError::new(what)
}

fn perr(e: ProfileError) -> CallError {
    e.into()
}

/// Opens a context on profile `id` with the `newContext` options `raw`.
pub(super) async fn open_context(
    side: &BrowserSide,
    session: u32,
    id: &str,
    raw: ProfileOptionsArg,
    mut options: ContextOptions,
) -> Result<(Context, OpenProfile), CallError> {
    let persistent = match raw.mode.as_deref() {
        None | Some("storage") => false,
        Some("persistent") => true,
        Some(other) => {
            return Err(bad(format!(
                "profile mode \"{other}\" is not known; use \"storage\" (the default: cookies and web storage) or \"persistent\" (a full Chromium user-data directory)"
            )));
        }
    };
    let dir = side.with_session(session, |s| Ok(s.defaults.profiles_dir.clone()))?;
    let id = ProfileId::parse(id).map_err(perr)?;
    let store = ProfileStore::open(dir).map_err(perr)?;
    let autosave = raw.autosave.unwrap_or(true);
    let lock = if autosave {
        store.lock(&id)
    } else {
        store.lock_shared(&id)
    }
    .map_err(perr)?;
    if raw.reset == Some(true) {
        if !autosave {
            return Err(bad(
                "profile options: `reset: true` needs autosave (a read-only profile cannot be reset)",
            ));
        }
        lock.reset().map_err(perr)?;
    }
    let state: Option<StorageState> = match lock.storage_state().map_err(perr)? {
        Some(value) => Some(serde_json::from_value(value).map_err(|e| {
            bad(format!(
                "profile \"{id}\" holds a storage state this version cannot read: {e}"
            ))
        })?),
        None => None,
    };
    let mut profile = OpenProfile {
        lock,
        autosave,
        max_age_seconds: raw.max_age_seconds,
        indexed_db: raw.indexed_db == Some(true),
        persistent: None,
    };
    if !persistent {
        options.storage_state = state;
        let context = side.browser().await?.new_context(options).await?;
        return Ok((context, profile));
    }

    let Some(mut launch) = side.launch_options() else {
        return Err(bad(
            "profile mode \"persistent\" needs a browser isolate-browser launches itself; it cannot use one it connected to (--connect)",
        ));
    };
    launch.prewarm = 0;
    let user_data = tempfile::Builder::new()
        .prefix("isolate-browser-profile-")
        .tempdir()
        .map_err(|e| bad(format!("cannot make a directory for profile \"{id}\": {e}")))?;
    let restored = profile
        .lock
        .restore_user_data(user_data.path())
        .map_err(perr)?;
    // Chromium keeps persistent cookies and web storage in the directory itself; session
    // cookies and sessionStorage end with the browser, so those come from the saved state.
    // A profile saved as a storage state only seeds a new directory with all of it.
    options.storage_state = match state {
        Some(state) if restored => Some(StorageState {
            cookies: state
                .cookies
                .into_iter()
                .filter(|c| c.expires < 0.0)
                .collect(),
            origins: state
                .origins
                .into_iter()
                .filter(|o| !o.session_storage.is_empty())
                .map(|o| OriginState {
                    local_storage: Vec::new(),
                    indexed_db: None,
                    ..o
                })
                .collect(),
        }),
        other => other,
    };
    let context = Browser::launch_persistent(launch, user_data.path(), options).await?;
    profile.persistent = Some(user_data);
    Ok((context, profile))
}

/// Closes a context opened on a profile, saving the profile (autosave): a storage profile
/// before the context goes, so the next test that opens it sees this one's sign-in; a
/// persistent one after its browser has written everything to disk.
pub(super) async fn close_context(
    context: &Context,
    profile: OpenProfile,
    background: bool,
) -> Result<(), CallError> {
    // A persistent profile's databases are in its zip already.
    let state = match (
        profile.autosave,
        profile.indexed_db && profile.persistent.is_none(),
    ) {
        (false, _) => None,
        (true, true) => Some(context.storage_state_with_indexed_db().await),
        (true, false) => Some(context.storage_state().await),
    }
    .transpose()?;
    let origins = state.as_ref().map(origins_of).unwrap_or_default();
    let value = state
        .map(|s| serde_json::to_value(&s).map_err(|e| bad(e.to_string())))
        .transpose()?;
    if let Some(user_data) = &profile.persistent {
        context.close().await?;
        if let Some(value) = &value {
            profile
                .lock
                .save_user_data(
                    user_data.path(),
                    Some(value),
                    origins,
                    profile.max_age_seconds,
                )
                .map_err(perr)?;
        }
        return Ok(());
    }
    if let Some(value) = &value {
        profile
            .lock
            .save_storage_state(value, origins, profile.max_age_seconds)
            .map_err(perr)?;
    }
    drop(profile);
    if background {
        // The test is over: nothing waits for Chromium to tear the renderer down.
        let context = context.clone();
        tokio::task::spawn_local(async move {
            let _ = context.close().await;
        });
    } else {
        context.close().await?;
    }
    Ok(())
}

/// The origins a state has cookies or storage for, for the profile's manifest.
fn origins_of(state: &StorageState) -> Vec<String> {
    let mut origins: Vec<String> = state.origins.iter().map(|o| o.origin.clone()).collect();
    for c in &state.cookies {
        let host = c.domain.trim_start_matches('.');
        let scheme = if c.secure { "https" } else { "http" };
        origins.push(format!("{scheme}://{host}"));
    }
    origins.sort();
    origins.dedup();
    origins
}
