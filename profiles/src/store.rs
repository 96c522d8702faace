//! [`ProfileStore`]: the directory of profiles, and [`ProfileLock`], an open profile.
//!
//! Layout (versioned by `store.json` at the root and `format_version` in each manifest):
//!
//! ```text
//! <root>/store.json                         {"format_version": 1}
//! <root>/<id>/manifest.json                 id, kind, times, origins, expiry
//! <root>/<id>/storage-state.json            cookies and web storage (opaque JSON here)
//! <root>/<id>/user-data.zip                 a persistent profile's Chromium user-data dir
//! <root>/<id>/.lock                         flock()ed while the profile is open
//! ```
//!
//! Every file is written to a temporary file in the same directory, synced and renamed, and
//! the manifest is written last: a writer killed at any point leaves the previous version
//! readable. Opening takes an exclusive `flock`, which the OS drops when the holder exits,
//! crash included, so a dead run never leaves a profile locked.

use std::fs::File;
use std::io::Write as _;
use std::os::fd::AsRawFd as _;
use std::path::Path;
use std::path::PathBuf;
use std::time::SystemTime;
use std::time::UNIX_EPOCH;

use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;

use crate::FORMAT_VERSION;
use crate::archive;
use crate::error::ProfileError;
use crate::error::io;
use crate::id::ProfileId;

const MANIFEST: &str = "manifest.json";
const STATE: &str = "storage-state.json";
const USER_DATA: &str = "user-data.zip";
const LOCK: &str = ".lock";

/// What a profile holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ProfileKind {
    /// Cookies and web storage, applied to a fresh context.
    StorageState,
    /// A whole Chromium user-data directory (plus its storage state).
    Persistent,
}

/// A profile's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// The format of this profile's files.
    pub format_version: u32,
    /// The profile.
    pub id: String,
    /// What it holds.
    pub kind: ProfileKind,
    /// First saved, milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// Last saved, milliseconds since the Unix epoch.
    pub updated_ms: u64,
    /// Origins it has cookies or storage for.
    #[serde(default)]
    pub origins: Vec<String>,
    /// After this many seconds from `updated_ms` the profile counts as missing.
    #[serde(default)]
    pub max_age_seconds: Option<u64>,
}

impl Manifest {
    /// Whether it is past its `max_age_seconds`.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.max_age_seconds
            .is_some_and(|age| now_ms.saturating_sub(self.updated_ms) > age.saturating_mul(1000))
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Makes a rename durable: syncs the directory that holds it (best effort).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same directory, synced, then
/// renamed over `path`.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ProfileError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(dir))?;
    tmp.write_all(bytes).map_err(io(path))?;
    tmp.as_file().sync_all().map_err(io(path))?;
    tmp.persist(path).map_err(|e| ProfileError::Io {
        path: path.to_path_buf(),
        source: e.error,
    })?;
    sync_dir(dir);
    Ok(())
}

/// The profile directory.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    root: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct StoreFile {
    format_version: u32,
}

impl ProfileStore {
    /// Opens (creating if needed) the store at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, ProfileError> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(io(&root))?;
        let file = root.join("store.json");
        match std::fs::read_to_string(&file) {
            Ok(text) => {
                let found = serde_json::from_str::<StoreFile>(&text)
                    .map(|s| s.format_version)
                    .map_err(|e| ProfileError::CorruptStore {
                        path: root.clone(),
                        reason: format!("store.json is not valid ({e})"),
                    })?;
                if found > FORMAT_VERSION {
                    return Err(ProfileError::Version {
                        path: root,
                        found,
                        supported: FORMAT_VERSION,
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let text = serde_json::to_vec(&StoreFile {
                    format_version: FORMAT_VERSION,
                })
                .map_err(|e| ProfileError::Io {
                    path: file.clone(),
                    source: std::io::Error::other(e),
                })?;
                write_atomically(&file, &text)?;
            }
            Err(e) => {
                return Err(ProfileError::Io {
                    path: file,
                    source: e,
                });
            }
        }
        Ok(Self { root })
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn dir(&self, id: &ProfileId) -> PathBuf {
        self.root.join(id.rel_path())
    }

    /// Opens a profile for exclusive use (it need not exist yet). Fails with
    /// [`ProfileError::Busy`] while another process or handle has it open.
    pub fn lock(&self, id: &ProfileId) -> Result<ProfileLock, ProfileError> {
        self.open_locked(id, true)
    }

    /// Opens a profile for reading only: any number of readers may share it, but not with a
    /// writer ([`ProfileError::Busy`] either way round). Saving through it is refused.
    pub fn lock_shared(&self, id: &ProfileId) -> Result<ProfileLock, ProfileError> {
        self.open_locked(id, false)
    }

    fn open_locked(&self, id: &ProfileId, exclusive: bool) -> Result<ProfileLock, ProfileError> {
        let dir = self.dir(id);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(LOCK);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        // SAFETY: flock on a file descriptor we own; it is released when the file closes.
        let mode = if exclusive {
            libc::LOCK_EX
        } else {
            libc::LOCK_SH
        };
        let rc = unsafe { libc::flock(file.as_raw_fd(), mode | libc::LOCK_NB) };
        if rc != 0 {
            let err = std::io::Error::last_os_error();
            return Err(if err.kind() == std::io::ErrorKind::WouldBlock {
                ProfileError::Busy { id: id.to_string() }
            } else {
                ProfileError::Io { path, source: err }
            });
        }
        Ok(ProfileLock {
            id: id.clone(),
            dir,
            exclusive,
            _file: file,
        })
    }

    /// The manifest of `id`, if it has been saved.
    pub fn manifest(&self, id: &ProfileId) -> Result<Option<Manifest>, ProfileError> {
        read_manifest(id, &self.dir(id))
    }

    /// Every saved profile, sorted by id; a broken one fails the listing (see
    /// [`ProfileStore::list_all`]).
    pub fn list(&self) -> Result<Vec<Manifest>, ProfileError> {
        self.list_all()
            .into_iter()
            .map(|(_, manifest)| manifest)
            .collect()
    }

    /// Every profile in the store with its manifest, or why it cannot be read (a missing or
    /// corrupt file), sorted by id: broken profiles are listed, not hidden.
    pub fn list_all(&self) -> Vec<(ProfileId, Result<Manifest, ProfileError>)> {
        let mut out = Vec::new();
        let mut stack = vec![self.root.clone()];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut is_profile = false;
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(entry.path());
                } else if [MANIFEST, STATE, USER_DATA]
                    .iter()
                    .any(|name| entry.file_name() == *name)
                {
                    is_profile = true;
                }
            }
            if !is_profile {
                continue;
            }
            let rel = dir
                .strip_prefix(&self.root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let Ok(id) = ProfileId::parse(&rel) else {
                continue;
            };
            let manifest = read_manifest(&id, &dir)
                .and_then(|m| m.ok_or_else(|| ProfileError::NotFound { id: id.to_string() }));
            out.push((id, manifest));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The storage state of `id` (for `profiles show`).
    pub fn storage_state(&self, id: &ProfileId) -> Result<Option<Value>, ProfileError> {
        read_state(id, &self.dir(id))
    }

    /// Deletes a profile; fails while it is open.
    pub fn remove(&self, id: &ProfileId) -> Result<(), ProfileError> {
        // A broken profile can be removed too: that is how one starts over.
        match self.manifest(id) {
            Ok(Some(_)) | Err(ProfileError::Corrupt { .. }) => {}
            Ok(None) => return Err(ProfileError::NotFound { id: id.to_string() }),
            Err(e) => return Err(e),
        }
        let lock = self.lock(id)?;
        for name in [MANIFEST, STATE, USER_DATA] {
            let path = lock.dir.join(name);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ProfileError::Io { path, source: e }),
            }
        }
        let dir = lock.dir.clone();
        drop(lock);
        let _ = std::fs::remove_file(dir.join(LOCK));
        // Empty parent directories of a nested id go too.
        let mut d = dir;
        while d != self.root && std::fs::remove_dir(&d).is_ok() {
            match d.parent() {
                Some(p) => d = p.to_path_buf(),
                None => break,
            }
        }
        Ok(())
    }

    /// Writes `id` as one zip archive (manifest, storage state, user data) to `dest`.
    pub fn export(&self, id: &ProfileId, dest: &Path) -> Result<(), ProfileError> {
        let lock = self.lock(id)?;
        if lock.manifest()?.is_none() {
            return Err(ProfileError::NotFound { id: id.to_string() });
        }
        let staging = tempfile::tempdir().map_err(io(dest))?;
        for name in [MANIFEST, STATE, USER_DATA] {
            let from = lock.dir.join(name);
            if from.is_file() {
                std::fs::copy(&from, staging.path().join(name)).map_err(io(&from))?;
            }
        }
        archive::zip_dir(staging.path(), dest)
    }

    /// Reads an export into the store, as `id` or as the id it was exported under.
    pub fn import(
        &self,
        archive_path: &Path,
        id: Option<&ProfileId>,
    ) -> Result<ProfileId, ProfileError> {
        let bad = |reason: &str| ProfileError::BadArchive {
            path: archive_path.to_path_buf(),
            reason: reason.into(),
        };
        let staging = tempfile::tempdir().map_err(io(archive_path))?;
        archive::unzip_dir(archive_path, staging.path())?;
        let text = std::fs::read_to_string(staging.path().join(MANIFEST))
            .map_err(|_| bad("it has no manifest.json"))?;
        let mut manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| bad(&format!("its manifest is invalid: {e}")))?;
        if manifest.format_version > FORMAT_VERSION {
            return Err(bad(&format!(
                "it has format version {}, this isolate-browser reads version {FORMAT_VERSION}",
                manifest.format_version
            )));
        }
        let id = match id {
            Some(id) => id.clone(),
            None => ProfileId::parse(&manifest.id)?,
        };
        if let Ok(state) = std::fs::read_to_string(staging.path().join(STATE)) {
            serde_json::from_str::<Value>(&state)
                .map_err(|e| bad(&format!("its storage state is invalid: {e}")))?;
        }
        let lock = self.lock(&id)?;
        for name in [STATE, USER_DATA] {
            let from = staging.path().join(name);
            if from.is_file() {
                let bytes = std::fs::read(&from).map_err(io(&from))?;
                write_atomically(&lock.dir.join(name), &bytes)?;
            }
        }
        manifest.id = id.to_string();
        lock.write_manifest(&manifest)?;
        Ok(id)
    }
}

fn read_manifest(id: &ProfileId, dir: &Path) -> Result<Option<Manifest>, ProfileError> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Saved data without its manifest is a damaged profile, not a missing one: opening
            // it empty would overwrite the data at the end of the run.
            let orphans: Vec<&str> = [STATE, USER_DATA]
                .into_iter()
                .filter(|name| dir.join(name).exists())
                .collect();
            if orphans.is_empty() {
                return Ok(None);
            }
            return Err(ProfileError::Corrupt {
                id: id.to_string(),
                reason: format!(
                    "manifest.json is missing although {} is there; restore manifest.json from a backup or an export",
                    orphans.join(" and ")
                ),
            });
        }
        Err(e) => return Err(ProfileError::Io { path, source: e }),
    };
    let m: Manifest = serde_json::from_str(&text).map_err(|e| ProfileError::Corrupt {
        id: id.to_string(),
        reason: format!("manifest.json is not valid: {e}"),
    })?;
    if m.format_version > FORMAT_VERSION {
        return Err(ProfileError::Corrupt {
            id: id.to_string(),
            reason: format!(
                "it has format version {}, this isolate-browser reads version {FORMAT_VERSION}",
                m.format_version
            ),
        });
    }
    Ok(Some(m))
}

fn read_state(id: &ProfileId, dir: &Path) -> Result<Option<Value>, ProfileError> {
    let path = dir.join(STATE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ProfileError::Io { path, source: e }),
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| ProfileError::Corrupt {
        id: id.to_string(),
        reason: format!("storage-state.json is not valid JSON ({e}); it may have been truncated"),
    })?;
    if !value.is_object() {
        return Err(ProfileError::Corrupt {
            id: id.to_string(),
            reason: "storage-state.json is not an object".into(),
        });
    }
    Ok(Some(value))
}

/// An open profile: exclusive until dropped.
#[derive(Debug)]
pub struct ProfileLock {
    id: ProfileId,
    dir: PathBuf,
    exclusive: bool,
    _file: File,
}

impl ProfileLock {
    /// The profile.
    pub fn id(&self) -> &ProfileId {
        &self.id
    }

    /// Its manifest, if it has been saved.
    pub fn manifest(&self) -> Result<Option<Manifest>, ProfileError> {
        read_manifest(&self.id, &self.dir)
    }

    /// The manifest, unless the profile is missing or expired (then its setup should run).
    pub fn current(&self) -> Result<Option<Manifest>, ProfileError> {
        Ok(self.manifest()?.filter(|m| !m.is_expired(now_ms())))
    }

    /// The saved storage state, unless the profile is missing or expired.
    pub fn storage_state(&self) -> Result<Option<Value>, ProfileError> {
        let Some(manifest) = self.current()? else {
            return Ok(None);
        };
        let state = read_state(&self.id, &self.dir)?;
        if state.is_none() && manifest.kind == ProfileKind::StorageState {
            return Err(ProfileError::Corrupt {
                id: self.id.to_string(),
                reason: "storage-state.json is missing although manifest.json says it was saved; restore it from a backup or an export".into(),
            });
        }
        Ok(state)
    }

    /// Saves a storage state: the state file first, the manifest last.
    pub fn save_storage_state(
        &self,
        state: &Value,
        origins: Vec<String>,
        max_age_seconds: Option<u64>,
    ) -> Result<(), ProfileError> {
        self.writable()?;
        self.write_state(state)?;
        let kind = self
            .manifest()
            .ok()
            .flatten()
            .map(|m| m.kind)
            .unwrap_or(ProfileKind::StorageState);
        self.commit(kind, origins, max_age_seconds)
    }

    /// Zips a Chromium user-data directory into the profile (and marks it persistent), with
    /// the storage state read from it when given (what `profiles show` lists, and the session
    /// cookies Chromium itself does not keep).
    pub fn save_user_data(
        &self,
        user_data_dir: &Path,
        state: Option<&Value>,
        origins: Vec<String>,
        max_age_seconds: Option<u64>,
    ) -> Result<(), ProfileError> {
        self.writable()?;
        if let Some(state) = state {
            self.write_state(state)?;
        }
        archive::zip_dir(user_data_dir, &self.dir.join(USER_DATA))?;
        self.commit(ProfileKind::Persistent, origins, max_age_seconds)
    }

    /// Unpacks the saved user-data directory into `dest`; `false` when there is none (or the
    /// profile expired).
    pub fn restore_user_data(&self, dest: &Path) -> Result<bool, ProfileError> {
        let zip = self.dir.join(USER_DATA);
        let Some(manifest) = self.current()? else {
            return Ok(false);
        };
        if !zip.is_file() {
            if manifest.kind == ProfileKind::Persistent {
                return Err(ProfileError::Corrupt {
                    id: self.id.to_string(),
                    reason: "user-data.zip is missing although manifest.json says the profile is persistent; restore it from a backup or an export".into(),
                });
            }
            return Ok(false);
        }
        archive::unzip_dir(&zip, dest).map_err(|e| ProfileError::Corrupt {
            id: self.id.to_string(),
            reason: format!("user-data.zip cannot be read: {e}"),
        })?;
        Ok(true)
    }

    /// Forgets everything saved (the profile starts empty).
    pub fn reset(&self) -> Result<(), ProfileError> {
        self.writable()?;
        for name in [MANIFEST, STATE, USER_DATA] {
            let path = self.dir.join(name);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ProfileError::Io { path, source: e }),
            }
        }
        Ok(())
    }

    fn write_state(&self, state: &Value) -> Result<(), ProfileError> {
        let bytes = serde_json::to_vec_pretty(state).map_err(|e| ProfileError::Io {
            path: self.dir.join(STATE),
            source: std::io::Error::other(e),
        })?;
        write_atomically(&self.dir.join(STATE), &bytes)
    }

    fn writable(&self) -> Result<(), ProfileError> {
        if self.exclusive {
            Ok(())
        } else {
            Err(ProfileError::Io {
                path: self.dir.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    format!("profile \"{}\" is open read-only (autosave off)", self.id),
                ),
            })
        }
    }

    fn commit(
        &self,
        kind: ProfileKind,
        origins: Vec<String>,
        max_age_seconds: Option<u64>,
    ) -> Result<(), ProfileError> {
        let now = now_ms();
        let created = self
            .manifest()
            .ok()
            .flatten()
            .map(|m| m.created_ms)
            .unwrap_or(now);
        self.write_manifest(&Manifest {
            format_version: FORMAT_VERSION,
            id: self.id.to_string(),
            kind,
            created_ms: created,
            updated_ms: now,
            origins,
            max_age_seconds,
        })
    }

    fn write_manifest(&self, m: &Manifest) -> Result<(), ProfileError> {
        let bytes = serde_json::to_vec_pretty(m).map_err(|e| ProfileError::Io {
            path: self.dir.join(MANIFEST),
            source: std::io::Error::other(e),
        })?;
        write_atomically(&self.dir.join(MANIFEST), &bytes)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn id(s: &str) -> ProfileId {
        ProfileId::parse(s).expect("valid id")
    }

    #[test]
    fn storage_state_round_trips_with_metadata() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = ProfileStore::open(dir.path()).expect("store");
        let lock = store.lock(&id("auth/main")).expect("lock");
        assert_eq!(lock.storage_state().expect("read"), None);
        let state = json!({ "cookies": [{ "name": "sid", "value": "x" }], "origins": [] });
        lock.save_storage_state(&state, vec!["http://127.0.0.1:1".into()], Some(3600))
            .expect("save");
        assert_eq!(lock.storage_state().expect("read"), Some(state));
        drop(lock);
        let list = store.list().expect("list");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].id, "auth/main");
        assert_eq!(list[0].origins, ["http://127.0.0.1:1"]);
        assert_eq!(list[0].max_age_seconds, Some(3600));
        let json = std::fs::read_to_string(dir.path().join("store.json")).expect("store.json");
        assert!(json.contains("\"format_version\":1"), "{json}");
    }

    #[test]
    fn a_second_open_is_busy_until_the_first_closes() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = ProfileStore::open(dir.path()).expect("store");
        let first = store.lock(&id("p")).expect("lock");
        let err = store.lock(&id("p")).expect_err("busy");
        assert!(matches!(err, ProfileError::Busy { .. }), "{err}");
        assert!(err.to_string().contains("\"p\" is already open"), "{err}");
        drop(first);
        let reader = store.lock_shared(&id("p")).expect("shared");
        let another = store.lock_shared(&id("p")).expect("readers share");
        assert!(matches!(
            store.lock(&id("p")),
            Err(ProfileError::Busy { .. })
        ));
        assert!(
            reader
                .save_storage_state(&json!({}), Vec::new(), None)
                .is_err()
        );
        drop((reader, another));
        store.lock(&id("p")).expect("free again");
    }

    #[test]
    fn expired_profiles_count_as_missing() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = ProfileStore::open(dir.path()).expect("store");
        let lock = store.lock(&id("old")).expect("lock");
        lock.save_storage_state(&json!({}), Vec::new(), Some(0))
            .expect("save");
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(lock.storage_state().expect("read"), None);
    }

    #[test]
    fn a_corrupt_state_is_reported_by_id_not_replaced() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = ProfileStore::open(dir.path()).expect("store");
        let lock = store.lock(&id("broken")).expect("lock");
        lock.save_storage_state(&json!({ "cookies": [] }), Vec::new(), None)
            .expect("save");
        std::fs::write(dir.path().join("broken/storage-state.json"), b"{\"cook").expect("truncate");
        let err = lock.storage_state().expect_err("corrupt");
        assert!(
            err.to_string().contains("profile \"broken\" is corrupt"),
            "{err}"
        );
        assert!(err.to_string().contains("profiles rm broken"), "{err}");
        assert_eq!(
            std::fs::read(dir.path().join("broken/storage-state.json")).expect("still there"),
            b"{\"cook"
        );
    }

    #[test]
    fn export_import_and_remove() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = ProfileStore::open(dir.path().join("a")).expect("store");
        let lock = store.lock(&id("team/one")).expect("lock");
        lock.save_storage_state(
            &json!({ "cookies": [{ "name": "n" }] }),
            vec!["http://x".into()],
            None,
        )
        .expect("save");
        drop(lock);
        let zip = dir.path().join("one.zip");
        store.export(&id("team/one"), &zip).expect("export");
        let other = ProfileStore::open(dir.path().join("b")).expect("store");
        let imported = other.import(&zip, None).expect("import");
        assert_eq!(imported.as_str(), "team/one");
        let renamed = other.import(&zip, Some(&id("copy"))).expect("import as");
        assert_eq!(
            other.manifest(&renamed).expect("m").expect("some").id,
            "copy"
        );
        assert_eq!(
            other.storage_state(&renamed).expect("state"),
            Some(json!({ "cookies": [{ "name": "n" }] }))
        );
        other.remove(&renamed).expect("rm");
        assert!(other.manifest(&renamed).expect("m").is_none());
        assert!(matches!(
            other.remove(&renamed),
            Err(ProfileError::NotFound { .. })
        ));
        let garbage = dir.path().join("garbage.zip");
        std::fs::write(&garbage, b"nope").expect("write");
        assert!(matches!(
            other.import(&garbage, None),
            Err(ProfileError::BadArchive { .. })
        ));
    }

    #[test]
    fn missing_files_are_reported_never_replaced_with_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = ProfileStore::open(dir.path()).expect("open");
        let state = serde_json::json!({ "cookies": [{ "name": "sid" }], "origins": [] });
        {
            let lock = store.lock(&id("a/state")).expect("lock");
            lock.save_storage_state(&state, vec![], None).expect("save");
        }
        // The manifest goes: the data is still there, so the profile is broken, not new.
        std::fs::remove_file(dir.path().join("a/state/manifest.json")).expect("rm");
        let lock = store.lock(&id("a/state")).expect("lock");
        let err = lock.storage_state().expect_err("broken");
        assert!(
            err.to_string().contains("manifest.json is missing"),
            "{err}"
        );
        drop(lock);
        let listed = store.list_all();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].1.is_err(), "listed as broken, not hidden");
        assert!(
            std::fs::read_to_string(dir.path().join("a/state/storage-state.json"))
                .expect("kept")
                .contains("sid")
        );
        store
            .remove(&id("a/state"))
            .expect("a broken profile can be removed");
        // The state file goes while the manifest stays.
        {
            let lock = store.lock(&id("b")).expect("lock");
            lock.save_storage_state(&state, vec![], None).expect("save");
        }
        std::fs::remove_file(dir.path().join("b/storage-state.json")).expect("rm");
        let err = store
            .lock(&id("b"))
            .expect("lock")
            .storage_state()
            .expect_err("broken");
        assert!(
            err.to_string().contains("storage-state.json is missing"),
            "{err}"
        );
        // A garbage store.json is corrupt, not a version from the future.
        std::fs::write(dir.path().join("store.json"), b"{ not json").expect("write");
        let err = ProfileStore::open(dir.path()).expect_err("garbage");
        assert!(matches!(err, ProfileError::CorruptStore { .. }), "{err}");
        assert!(err.to_string().contains("store.json is not valid"), "{err}");
    }

    #[test]
    fn a_newer_store_is_refused() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("store.json"), br#"{"format_version": 99}"#).expect("write");
        let err = ProfileStore::open(dir.path()).expect_err("newer");
        assert!(err.to_string().contains("format version 99"), "{err}");
    }
}
