//! The virtual browser profile store: validated profile ids ([`ProfileId`]), a versioned
//! on-disk layout ([`ProfileStore`]) holding per profile a storage state (JSON) and,
//! for persistent profiles, a Chromium user-data directory zipped into one archive, written
//! atomically and guarded by OS file locks against concurrent opens ([`ProfileLock`]).
//!
//! It has no internal dependencies and builds without V8 or Chromium: storage state is opaque
//! JSON here; the browser crate gives it meaning.

mod archive;
mod error;
mod id;
mod store;

pub use archive::unzip_dir;
pub use archive::zip_dir;
pub use error::ProfileError;
pub use id::ProfileId;
pub use store::Manifest;
pub use store::ProfileKind;
pub use store::ProfileLock;
pub use store::ProfileStore;
pub use store::write_atomically;

/// The on-disk format version that profiles written by this crate carry.
pub const FORMAT_VERSION: u32 = 1;
