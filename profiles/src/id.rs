//! [`ProfileId`]: a relative name such as `auth/main`, checked so it can never become a path
//! outside the store.

use std::fmt;
use std::path::PathBuf;

use crate::error::ProfileError;

/// A validated profile id: segments of `[A-Za-z0-9._-]` joined by `/`, none of them `.` or
/// `..`, at most 200 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileId(String);

impl ProfileId {
    /// Checks `id`.
    pub fn parse(id: &str) -> Result<Self, ProfileError> {
        let invalid = |reason: &str| ProfileError::InvalidId {
            id: id.escape_debug().to_string(),
            reason: reason.into(),
        };
        if id.is_empty() {
            return Err(invalid("it is empty"));
        }
        if id.len() > 200 {
            return Err(invalid("it is longer than 200 bytes"));
        }
        if id.contains('\0') {
            return Err(invalid("it contains a NUL byte"));
        }
        if id.contains('\\') {
            return Err(invalid("it contains a backslash"));
        }
        if id.starts_with('/') {
            return Err(invalid("it is an absolute path"));
        }
        for segment in id.split('/') {
            match segment {
                "" => return Err(invalid("it has an empty segment")),
                "." | ".." => return Err(invalid("`.` and `..` segments are not allowed")),
                s if !s
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) =>
                {
                    return Err(invalid(
                        "segments may only hold letters, digits, `.`, `_` and `-`",
                    ));
                }
                _ => {}
            }
        }
        Ok(Self(id.to_string()))
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its directory relative to the store root.
    pub(crate) fn rel_path(&self) -> PathBuf {
        self.0.split('/').collect()
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_ids_parse() {
        for ok in ["auth/main", "a", "team-1/user_2/v1.0", "A.B"] {
            assert_eq!(ProfileId::parse(ok).expect(ok).as_str(), ok);
        }
    }

    #[test]
    fn escaping_ids_are_refused_with_the_reason() {
        for (bad, why) in [
            ("../x", "`..`"),
            ("/abs", "absolute"),
            ("a//b", "empty segment"),
            ("a/", "empty segment"),
            ("a\\b", "backslash"),
            ("a\0b", "NUL"),
            ("a/./b", "`.`"),
            ("sp ace", "letters"),
            ("", "empty"),
        ] {
            let err = ProfileId::parse(bad).expect_err(bad).to_string();
            assert!(err.contains(why), "{bad:?}: {err}");
        }
    }
}
