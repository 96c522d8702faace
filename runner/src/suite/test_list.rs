//! `--test-list` / `--test-list-invert`: a file naming tests as `--list` prints them, one a
//! line (`[project] › file:line:col › describe › title`, `>` as the separator also, line and
//! column ignored, `#` comments); a line names every test whose title path it starts.

/// One line of a test list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Described {
    project: Option<String>,
    file: String,
    titles: Vec<String>,
}

/// A parsed test list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TestList {
    lines: Vec<Described>,
}

impl TestList {
    /// Parses the text of a test list file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut lines = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let sep = if line.contains('›') { '›' } else { '>' };
            let mut tokens: Vec<&str> = line.split(sep).map(str::trim).collect();
            let project = match tokens.first() {
                Some(t) if t.starts_with('[') => {
                    let name = t
                        .strip_prefix('[')
                        .and_then(|t| t.strip_suffix(']'))
                        .ok_or_else(|| {
                            format!("line {}: malformed test description: {line}", n + 1)
                        })?;
                    tokens.remove(0);
                    Some(name.to_string())
                }
                _ => None,
            };
            let file = tokens
                .first()
                .filter(|f| !f.is_empty())
                .ok_or_else(|| format!("line {}: no file in {line}", n + 1))?;
            lines.push(Described {
                project,
                file: without_location(file)
                    .replace('\\', "/")
                    .trim_start_matches("./")
                    .to_string(),
                titles: tokens[1..].iter().map(|t| t.to_string()).collect(),
            });
        }
        Ok(Self { lines })
    }

    /// Whether a line names the test of `project` in the file spelled one of `files` (relative
    /// to the test directory, or to the config's folder) with `titles` (describes, then title).
    pub(crate) fn names(&self, project: &str, files: &[&str], titles: &[String]) -> bool {
        self.lines.iter().any(|d| {
            d.project.as_deref().is_none_or(|p| p == project)
                && files.contains(&d.file.as_str())
                && d.titles.len() <= titles.len()
                && d.titles.iter().zip(titles).all(|(a, b)| a == b)
        })
    }
}

/// `file:12:5` → `file`; a name with no location stays.
fn without_location(token: &str) -> &str {
    let mut rest = token;
    for _ in 0..2 {
        match rest.rsplit_once(':') {
            Some((head, tail)) if !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) => {
                rest = head;
            }
            _ => break,
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lines_name_files_groups_and_tests_as_playwright_reads_them() {
        let list = TestList::parse(
            "# a comment\n\n\
             a.spec.ts\n\
             [chromium] › b.spec.ts:3:9 › outer › inner › one\n\
             [firefox] > c.spec.ts > group\n\
             d.spec.ts:15 › only this\n",
        )
        .expect("parsed");
        assert!(list.names("", &["a.spec.ts"], &titles(&["anything"])));
        assert!(list.names(
            "chromium",
            &["b.spec.ts"],
            &titles(&["outer", "inner", "one"])
        ));
        assert!(!list.names(
            "webkit",
            &["b.spec.ts"],
            &titles(&["outer", "inner", "one"])
        ));
        assert!(!list.names(
            "chromium",
            &["b.spec.ts"],
            &titles(&["outer", "inner", "two"])
        ));
        assert!(list.names("firefox", &["c.spec.ts"], &titles(&["group", "x"])));
        assert!(list.names(
            "any",
            &["tests/d.spec.ts", "d.spec.ts"],
            &titles(&["only this"])
        ));
        assert!(!list.names("any", &["d.spec.ts"], &titles(&["another"])));
        assert!(TestList::parse("[broken › a.spec.ts").is_err());
    }
}
