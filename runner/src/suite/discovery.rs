//! Finds spec files: every file under a project's `testDir` that matches `testMatch` and not
//! `testIgnore` (globs with Playwright's extglob spellings, or RegExps), narrowed by the CLI's
//! positional filters (`login`, `tests/a.spec.ts:12`). Results are sorted so runs are stable.

use std::path::Path;
use std::path::PathBuf;

use globset::GlobBuilder;
use globset::GlobSet;
use globset::GlobSetBuilder;

use super::config::Pattern;

/// A pattern could not be compiled.
#[derive(Debug, thiserror::Error)]
#[error("invalid {key} pattern {pattern}: {reason}")]
pub struct PatternError {
    /// The config key (`testMatch`, `testIgnore`, `grep`).
    pub key: String,
    /// The pattern as written.
    pub pattern: String,
    /// Why.
    pub reason: String,
}

/// Expands minimatch extglobs (`@(a|b)`, `?(a|b)`, `*(a)`, `+(a)`) into the plain globs they
/// stand for; `?(x)` and `*(x)` also admit the empty string. Good enough for file patterns.
fn expand_extglobs(p: &str) -> Vec<String> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = vec![String::new()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '@' | '?' | '*' | '+')
            && chars.get(i + 1) == Some(&'(')
            && let Some(close) = chars[i + 2..].iter().position(|&x| x == ')')
        {
            let inner: String = chars[i + 2..i + 2 + close].iter().collect();
            let mut alts: Vec<String> = inner.split('|').map(str::to_string).collect();
            if matches!(c, '?' | '*') {
                alts.insert(0, String::new());
            }
            out = out
                .iter()
                .flat_map(|prefix| alts.iter().map(move |a| format!("{prefix}{a}")))
                .collect();
            i += 3 + close;
            continue;
        }
        for s in &mut out {
            s.push(c);
        }
        i += 1;
    }
    out
}

/// A compiled file pattern.
pub(crate) enum Matcher {
    Glob(GlobSet),
    Regex(regress::Regex),
}

impl Matcher {
    pub(crate) fn new(p: &Pattern, key: &str) -> Result<Self, PatternError> {
        match p {
            Pattern::Glob(g) => {
                let g2 = if g.starts_with("**/") || g.starts_with('/') {
                    g.clone()
                } else {
                    format!("**/{g}")
                };
                let mut set = GlobSetBuilder::new();
                for variant in expand_extglobs(&g2) {
                    let glob = GlobBuilder::new(&variant)
                        .literal_separator(true)
                        .build()
                        .map_err(|e| PatternError {
                            key: key.into(),
                            pattern: g.clone(),
                            reason: e.to_string(),
                        })?;
                    set.add(glob);
                }
                let set = set.build().map_err(|e| PatternError {
                    key: key.into(),
                    pattern: g.clone(),
                    reason: e.to_string(),
                })?;
                Ok(Self::Glob(set))
            }
            Pattern::Regex(source, flags) => regress::Regex::with_flags(source, flags.as_str())
                .map(Self::Regex)
                .map_err(|e| PatternError {
                    key: key.into(),
                    pattern: format!("/{source}/{flags}"),
                    reason: e.to_string(),
                }),
        }
    }

    /// Globs match the path relative to the test dir; RegExps the absolute path.
    pub(crate) fn matches(&self, rel: &str, abs: &str) -> bool {
        match self {
            Self::Glob(g) => g.is_match(rel) || g.is_match(abs),
            Self::Regex(r) => r.find(abs).is_some(),
        }
    }

    /// For grep: a title matches.
    pub(crate) fn matches_text(&self, text: &str) -> bool {
        match self {
            Self::Glob(g) => g.is_match(text),
            Self::Regex(r) => r.find(text).is_some(),
        }
    }
}

/// A positional filter: a path fragment (or RegExp source), optionally `:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Matched against the file path relative to the root.
    pub path: String,
    /// Only tests declared on this line.
    pub line: Option<u32>,
}

impl Filter {
    /// Parses `tests/a.spec.ts:12` or `login`.
    pub fn parse(s: &str) -> Self {
        let mut path = s.to_string();
        let mut line = None;
        // `file:line` or `file:line:column`.
        let parts: Vec<&str> = s.rsplitn(3, ':').collect();
        if parts.len() >= 2 && parts[0].chars().all(|c| c.is_ascii_digit()) && !parts[0].is_empty()
        {
            if parts.len() == 3
                && parts[1].chars().all(|c| c.is_ascii_digit())
                && !parts[1].is_empty()
            {
                line = parts[1].parse().ok();
                path = parts[2].to_string();
            } else {
                line = parts[0].parse().ok();
                path = s[..s.len() - parts[0].len() - 1].to_string();
            }
        }
        Self { path, line }
    }

    pub(crate) fn matches_file(&self, rel_to_root: &str) -> bool {
        let want = self.path.trim_start_matches("./");
        rel_to_root.contains(want)
            || regress::Regex::new(want).is_ok_and(|r| r.find(rel_to_root).is_some())
    }
}

/// Every spec file of a project, sorted.
pub(crate) fn find_specs(
    test_dir: &Path,
    test_match: &[Matcher],
    test_ignore: &[Matcher],
) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![test_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if dir == test_dir => return Err(e),
            Err(_) => continue,
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if name != "node_modules" && !name.starts_with('.') {
                    stack.push(path);
                }
                continue;
            }
            let rel = path
                .strip_prefix(test_dir)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let abs = path.to_string_lossy();
            if test_match.iter().any(|m| m.matches(&rel, &abs))
                && !test_ignore.iter().any(|m| m.matches(&rel, &abs))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str) -> Matcher {
        Matcher::new(&Pattern::Glob(p.into()), "testMatch").expect("compiles")
    }

    #[test]
    fn the_default_pattern_matches_playwright_spec_names() {
        let d = m("**/*.@(spec|test).?(c|m)[jt]s?(x)");
        for ok in [
            "a.spec.ts",
            "x/b.test.js",
            "c.spec.mjs",
            "d.test.tsx",
            "e.spec.cts",
        ] {
            assert!(d.matches(ok, ok), "{ok}");
        }
        for no in ["a.ts", "spec.ts", "a.spec.py", "a.specs.ts"] {
            assert!(!d.matches(no, no), "{no}");
        }
    }

    #[test]
    fn bare_globs_match_in_any_directory() {
        assert!(m("*.setup.ts").matches("auth/login.setup.ts", "/p/auth/login.setup.ts"));
    }

    #[test]
    fn filters_take_a_line() {
        assert_eq!(
            Filter::parse("tests/a.spec.ts:12"),
            Filter {
                path: "tests/a.spec.ts".into(),
                line: Some(12)
            }
        );
        assert_eq!(
            Filter::parse("a.spec.ts:12:5"),
            Filter {
                path: "a.spec.ts".into(),
                line: Some(12)
            }
        );
        assert_eq!(
            Filter::parse("login"),
            Filter {
                path: "login".into(),
                line: None
            }
        );
    }
}
