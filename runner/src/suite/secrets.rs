//! Secrets never reach a report: the values of the environment variables a config names in
//! `secretEnv`, and the literal `secrets` it lists, are replaced with `***` in console output
//! (as it streams and as it is kept), failures (messages, stacks, code frames, call logs), step
//! titles and errors, and text attachments a test writes.

use std::borrow::Cow;
use std::sync::Arc;

/// The texts to mask, longest first (so a secret containing another is masked whole).
#[derive(Debug, Clone, Default)]
pub(crate) struct Secrets(Arc<Vec<String>>);

/// Shorter values would mask ordinary words; they are not secrets worth the name.
const MIN_LEN: usize = 4;

impl Secrets {
    /// The literal `secrets` and the values of the `secret_env` variables that are set.
    pub(crate) fn new(literal: &[String], secret_env: &[String]) -> Self {
        let mut values: Vec<String> = literal
            .iter()
            .cloned()
            .chain(
                secret_env
                    .iter()
                    .filter_map(|name| std::env::var(name).ok()),
            )
            .filter(|v| v.len() >= MIN_LEN)
            .collect();
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Self(Arc::new(values))
    }

    /// `text` with every secret replaced by `***`.
    pub(crate) fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.0.iter().any(|s| text.contains(s.as_str())) {
            return Cow::Borrowed(text);
        }
        let mut out = text.to_string();
        for s in self.0.iter() {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        Cow::Owned(out)
    }

    /// [`Secrets::mask`] in place.
    pub(crate) fn mask_in_place(&self, text: &mut String) {
        if let Cow::Owned(masked) = self.mask(text) {
            *text = masked;
        }
    }

    /// Whether there is anything to mask.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_whole_and_short_values_left_alone() {
        let s = Secrets::new(&["hunter2-long".into(), "hunter2".into(), "ab".into()], &[]);
        assert_eq!(
            s.mask("pw=hunter2-long, old=hunter2, x=ab"),
            "pw=***, old=***, x=ab"
        );
        assert!(matches!(s.mask("nothing here"), Cow::Borrowed(_)));
        assert!(Secrets::new(&[], &[]).is_empty());
    }
}
