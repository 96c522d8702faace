//! The profile store's errors: each names the profile (or path) and says what to do.

use std::path::PathBuf;

/// Everything that can go wrong with profiles.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// The id is not a valid profile name.
    #[error(
        "invalid profile id \"{id}\": {reason} (use names like `auth/main`: segments of letters, digits, `.`, `_` and `-` joined by `/`)"
    )]
    InvalidId {
        /// The id as given.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Another process or context has the profile open.
    #[error(
        "profile \"{id}\" is already open elsewhere (another test, context or run holds its lock); wait for it to close or use another profile id"
    )]
    Busy {
        /// The profile.
        id: String,
    },
    /// The profile's files are unreadable or inconsistent.
    #[error(
        "profile \"{id}\" is corrupt: {reason} (inspect it with `isolate-browser profiles show {id}`, or delete it with `isolate-browser profiles rm {id}` so its setup runs again)"
    )]
    Corrupt {
        /// The profile.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// The profile does not exist.
    #[error("profile \"{id}\" not found (list profiles with `isolate-browser profiles list`)")]
    NotFound {
        /// The profile.
        id: String,
    },
    /// The store's own file is unreadable.
    #[error(
        "profile store {path} is corrupt: {reason} (restore store.json, or delete it and isolate-browser writes a new one; the profiles themselves are kept)"
    )]
    CorruptStore {
        /// The store root.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The store was written by a newer isolate-browser.
    #[error(
        "profile store {path} has format version {found}, this isolate-browser reads version {supported}; upgrade isolate-browser or use another profilesDir"
    )]
    Version {
        /// The store root.
        path: PathBuf,
        /// The version on disk.
        found: u32,
        /// The version this build understands.
        supported: u32,
    },
    /// An archive to import is not a profile export.
    #[error("{path} is not a profile export: {reason}")]
    BadArchive {
        /// The archive.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ProfileError {
    let path = path.into();
    move |source| ProfileError::Io { path, source }
}
