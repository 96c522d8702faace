//! The virtual browser profile store.
//!
//! This crate will own validated profile ids, the versioned on-disk format (storage state JSON
//! and zipped user-data directories), atomic writes and locking against concurrent opens. It has
//! no internal dependencies and builds without V8 or Chromium.

/// The on-disk format version that profiles written by this crate will carry.
pub const FORMAT_VERSION: u32 = 1;
