//! Values printed as Jest's pretty-format prints them (`Array [`, `Object {`, one item a line),
//! and the line diff Playwright's failures show between two such printings:
//!
//! ```text
//! - Expected  - 1
//! + Received  + 0
//!
//!   Array [
//!     "Text 1",
//! -   "Extra",
//!   ]
//! ```

use serde_json::Value;

/// A string as pretty-format quotes it.
pub fn string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `value`'s printed lines.
pub fn lines(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![string(s)],
        Value::Array(items) => array(items.iter().map(lines).collect()),
        Value::Object(map) => {
            if map.is_empty() {
                return vec!["Object {}".into()];
            }
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let entries = keys
                .into_iter()
                .map(|k| {
                    let mut item = lines(&map[k]);
                    item[0] = format!("{}: {}", string(k), item[0]);
                    item
                })
                .collect();
            wrap("Object {", "}", entries)
        }
        other => vec![other.to_string()],
    }
}

/// An array of already printed items.
pub fn array(items: Vec<Vec<String>>) -> Vec<String> {
    if items.is_empty() {
        return vec!["Array []".into()];
    }
    wrap("Array [", "]", items)
}

fn wrap(open: &str, close: &str, items: Vec<Vec<String>>) -> Vec<String> {
    let mut out = vec![open.to_string()];
    for item in items {
        let last = item.len() - 1;
        for (i, line) in item.into_iter().enumerate() {
            out.push(format!("  {line}{}", if i == last { "," } else { "" }));
        }
    }
    out.push(close.to_string());
    out
}

/// The diff of two printings, longest common subsequence of lines, with Jest's header.
pub fn diff(expected: &[String], received: &[String]) -> String {
    let (a, b) = (expected, received);
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut removed, mut added) = (0, 0);
    let mut body = Vec::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            body.push(format!("  {}", a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j >= b.len() || common[i + 1][j] >= common[i][j + 1]) {
            body.push(format!("- {}", a[i]));
            removed += 1;
            i += 1;
        } else {
            body.push(format!("+ {}", b[j]));
            added += 1;
            j += 1;
        }
    }
    format!(
        "- Expected  - {removed}\n+ Received  + {added}\n\n{}",
        body.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arrays_diff_as_playwright_prints_them() {
        let expected = lines(&json!(["Text 1", "Text 3", "Extra"]));
        let received = lines(&json!(["Text 1", "Text 3"]));
        assert_eq!(
            diff(&expected, &received),
            "- Expected  - 1\n+ Received  + 0\n\n  Array [\n    \"Text 1\",\n    \"Text 3\",\n-   \"Extra\",\n  ]"
        );
    }

    #[test]
    fn objects_print_sorted_and_nested() {
        assert_eq!(
            lines(&json!({"b": [1], "a": {}})),
            vec![
                "Object {",
                "  \"a\": Object {},",
                "  \"b\": Array [",
                "    1,",
                "  ],",
                "}"
            ]
        );
    }
}
