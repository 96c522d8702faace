//! Selectors as data: the parts a locator is made of (sent to the injected engine as JSON), the
//! parser for Playwright's string selectors (`css`, `text=`, `xpath=`, `id=`, `data-testid=`,
//! chained with `>>`), and text matching (substring, exact, regex).

use serde::Serialize;

/// How a text argument matches, as in Playwright: a plain string is a case-insensitive,
/// whitespace-normalised substring; `exact` compares the whole normalised text; a regex tests
/// the normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextQuery {
    /// Case-insensitive substring.
    Substring(String),
    /// Whole text, case-sensitive.
    Exact(String),
    /// A JS regular expression.
    Regex {
        /// The pattern source.
        pattern: String,
        /// Flags such as `i`.
        flags: String,
    },
}

impl TextQuery {
    /// A plain string: substring by default, whole text with `exact`.
    pub fn text(text: impl Into<String>, exact: bool) -> Self {
        if exact {
            Self::Exact(text.into())
        } else {
            Self::Substring(text.into())
        }
    }

    /// A regex.
    pub fn regex(pattern: impl Into<String>, flags: impl Into<String>) -> Self {
        Self::Regex {
            pattern: pattern.into(),
            flags: flags.into(),
        }
    }

    pub(crate) fn wire(&self) -> TextMatch {
        match self {
            Self::Substring(t) => TextMatch {
                kind: "substring",
                text: t.clone(),
                flags: String::new(),
            },
            Self::Exact(t) => TextMatch {
                kind: "exact",
                text: t.clone(),
                flags: String::new(),
            },
            Self::Regex { pattern, flags } => TextMatch {
                kind: "regex",
                text: pattern.clone(),
                flags: flags.clone(),
            },
        }
    }

    /// Playwright's notation: `'Save'`, `/save/i`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Substring(t) | Self::Exact(t) => quote(t),
            Self::Regex { pattern, flags } => format!("/{pattern}/{flags}"),
        }
    }

    pub(crate) fn is_exact(&self) -> bool {
        matches!(self, Self::Exact(_))
    }
}

pub(crate) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct TextMatch {
    kind: &'static str,
    text: String,
    flags: String,
}

/// One step of a locator, evaluated by the injected engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "engine", rename_all = "kebab-case")]
pub(crate) enum Part {
    Css {
        selector: String,
    },
    Xpath {
        selector: String,
    },
    Text {
        matcher: TextMatch,
    },
    Attr {
        name: String,
        matcher: TextMatch,
    },
    Label {
        matcher: TextMatch,
    },
    Nth {
        index: i64,
    },
    HasText {
        matcher: TextMatch,
        not: bool,
    },
    Has {
        parts: Vec<Part>,
        not: bool,
    },
    Visible {
        value: bool,
    },
    And {
        parts: Vec<Part>,
    },
    Or {
        parts: Vec<Part>,
    },
    /// Resolved by the host from the accessibility tree; `slot` indexes the element lists the
    /// host passes in with each call.
    Role {
        slot: usize,
        name: Option<TextMatch>,
        role: String,
        #[serde(rename = "includeHidden")]
        include_hidden: bool,
        #[serde(skip)]
        options: crate::role::RoleOptions,
    },
}

/// Numbers the role parts (nested ones included) and lists what each must match.
pub(crate) fn assign_role_slots(
    parts: &mut [Part],
    roles: &mut Vec<(String, crate::role::RoleOptions)>,
) {
    for part in parts {
        match part {
            Part::Role {
                slot,
                role,
                options,
                ..
            } => {
                *slot = roles.len();
                roles.push((role.clone(), options.clone()));
            }
            Part::Has { parts, .. } | Part::And { parts } | Part::Or { parts } => {
                assign_role_slots(parts, roles)
            }
            _ => {}
        }
    }
}

/// Parses a Playwright string selector into parts.
pub(crate) fn parse(selector: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    for chunk in split_chain(selector)? {
        let chunk = chunk.trim();
        if chunk.is_empty() {
            return Err("empty selector part".into());
        }
        parts.push(parse_one(chunk)?);
    }
    Ok(parts)
}

fn parse_one(s: &str) -> Result<Part, String> {
    if s.starts_with("//") || s.starts_with("..") {
        return Ok(Part::Xpath {
            selector: s.to_string(),
        });
    }
    if (s.starts_with('"') && s.ends_with('"') && s.len() >= 2)
        || (s.starts_with('\'') && s.ends_with('\'') && s.len() >= 2)
    {
        return Ok(Part::Text {
            matcher: text_body(s)?.wire(),
        });
    }
    let Some((engine, body)) = s.split_once('=') else {
        return Ok(Part::Css {
            selector: s.to_string(),
        });
    };
    let engine = engine.trim();
    if !engine
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        || engine.is_empty()
    {
        // `input[name=x]` and friends: the `=` belongs to CSS.
        return Ok(Part::Css {
            selector: s.to_string(),
        });
    }
    let body = body.trim();
    match engine {
        "css" => Ok(Part::Css {
            selector: body.to_string(),
        }),
        "xpath" => Ok(Part::Xpath {
            selector: body.to_string(),
        }),
        "text" => Ok(Part::Text {
            matcher: text_body(body)?.wire(),
        }),
        "id" => Ok(Part::Css {
            selector: format!("[id={}]", css_string(unquote(body))),
        }),
        "data-testid" | "data-test-id" | "data-test" => Ok(Part::Attr {
            name: engine.to_string(),
            matcher: TextQuery::Exact(unquote(body).to_string()).wire(),
        }),
        "nth" => body
            .parse::<i64>()
            .map(|index| Part::Nth { index })
            .map_err(|_| format!("nth= expects an integer, got \"{body}\"")),
        "visible" => match body {
            "true" => Ok(Part::Visible { value: true }),
            "false" => Ok(Part::Visible { value: false }),
            _ => Err(format!("visible= expects true or false, got \"{body}\"")),
        },
        other => Err(format!(
            "unknown selector engine \"{other}\" (known: css, text, xpath, id, data-testid, nth, visible)"
        )),
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    if s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

fn css_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `text=` bodies: `"exact"`, `/regex/flags`, or a substring.
fn text_body(body: &str) -> Result<TextQuery, String> {
    let body = body.trim();
    if body.len() >= 2
        && (body.starts_with('"') && body.ends_with('"')
            || body.starts_with('\'') && body.ends_with('\''))
    {
        return Ok(TextQuery::Exact(
            body[1..body.len() - 1]
                .replace("\\\"", "\"")
                .replace("\\'", "'"),
        ));
    }
    if let Some(rest) = body.strip_prefix('/')
        && let Some(end) = rest.rfind('/')
    {
        let flags = &rest[end + 1..];
        if flags.chars().all(|c| "dgimsuvy".contains(c)) {
            return Ok(TextQuery::regex(&rest[..end], flags));
        }
    }
    Ok(TextQuery::Substring(body.to_string()))
}

/// Splits on `>>` outside quotes, brackets and parentheses.
fn split_chain(s: &str) -> Result<Vec<&str>, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut quote: Option<u8> = None;
    let mut depth = 0i32;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' => quote = Some(c),
                b'[' | b'(' => depth += 1,
                b']' | b')' => depth -= 1,
                b'>' if depth == 0 && bytes.get(i + 1) == Some(&b'>') => {
                    out.push(&s[start..i]);
                    i += 2;
                    start = i;
                    continue;
                }
                _ => {}
            },
        }
        i += 1;
    }
    if quote.is_some() {
        return Err("unterminated string".into());
    }
    out.push(&s[start..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_engines_and_chains() {
        let parts = parse("div.card >> text=\"Save\" >> nth=1").expect("valid");
        assert_eq!(parts.len(), 3);
        assert!(matches!(&parts[0], Part::Css { selector } if selector == "div.card"));
        assert!(
            matches!(&parts[1], Part::Text { matcher } if matcher.kind == "exact" && matcher.text == "Save")
        );
        assert!(matches!(parts[2], Part::Nth { index: 1 }));
        assert!(matches!(
            &parse("//div[@id='x']").expect("xpath")[0],
            Part::Xpath { .. }
        ));
        assert!(
            matches!(&parse("input[name=q]").expect("css")[0], Part::Css { selector } if selector == "input[name=q]")
        );
        assert!(
            matches!(&parse("text=/sa.e/i").expect("regex")[0], Part::Text { matcher } if matcher.kind == "regex" && matcher.flags == "i")
        );
        assert!(
            matches!(&parse("id=main").expect("id")[0], Part::Css { selector } if selector == "[id=\"main\"]")
        );
        assert!(matches!(
            &parse("a:has-text(\"x >> y\")").expect("quoted")[0],
            Part::Css { .. }
        ));
    }

    #[test]
    fn unknown_engines_are_named() {
        let err = parse("foo=bar").expect_err("unknown");
        assert!(err.contains("unknown selector engine \"foo\""), "{err}");
        assert!(parse("a >> ").is_err());
    }
}
