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
    /// Parts spliced into the chain (`internal:chain=`); never sent to the page.
    Chain {
        parts: Vec<Part>,
    },
    /// `css:light=`, `text:light=`, `id:light=`, ...: the engine without piercing shadow roots.
    Light {
        part: Box<Part>,
    },
    /// An engine `selectors.register` added: its `queryAll(root, body)` runs in the page.
    Custom {
        name: String,
        body: String,
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
        description: Option<TextMatch>,
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
            Part::Has { parts, .. }
            | Part::And { parts }
            | Part::Or { parts }
            | Part::Chain { parts } => assign_role_slots(parts, roles),
            _ => {}
        }
    }
}

/// The custom engines (`selectors.register`) `parts` use, nested ones included.
pub(crate) fn custom_engines(parts: &[Part], out: &mut Vec<String>) {
    for part in parts {
        match part {
            Part::Custom { name, .. } if !out.contains(name) => out.push(name.clone()),
            Part::Has { parts, .. }
            | Part::And { parts }
            | Part::Or { parts }
            | Part::Chain { parts } => custom_engines(parts, out),
            _ => {}
        }
    }
}

/// Parses a Playwright string selector into parts (one frame: `internal:control=enter-frame`
/// is refused here; see [`parse_frames`]).
#[cfg(test)]
pub(crate) fn parse(selector: &str) -> Result<Vec<Part>, String> {
    parse_with(selector, &[])
}

/// [`parse`] knowing the custom engines `selectors.register` added.
fn parse_with(selector: &str, custom: &[String]) -> Result<Vec<Part>, String> {
    let mut segments = parse_frames(selector, custom)?;
    if segments.len() > 1 {
        return Err("internal:control=enter-frame is not allowed here".into());
    }
    Ok(segments.pop().unwrap_or_default())
}

/// Parses a Playwright string selector into the parts of each frame it descends through:
/// `iframe >> internal:control=enter-frame >> button` is `[[iframe], [button]]`. A part
/// marked with `*` (`*css=li >> text=x`) is what the selector returns: the rest becomes a
/// condition on it.
pub(crate) fn parse_frames(selector: &str, custom: &[String]) -> Result<Vec<Vec<Part>>, String> {
    let mut segments = vec![Vec::new()];
    let mut capture: Option<(usize, usize)> = None;
    for chunk in split_chain(selector)? {
        let chunk = chunk.trim();
        if chunk.is_empty() {
            return Err("empty selector part".into());
        }
        if chunk == "internal:control=enter-frame" {
            if segments.last().is_some_and(Vec::is_empty) {
                return Err(
                    "Selector cannot start with entering frame, select the iframe first".into(),
                );
            }
            if capture.is_some() {
                return Err(
                    "Can not capture the selector before diving into the frame. Only last part of the selector can be captured."
                        .into(),
                );
            }
            segments.push(Vec::new());
            continue;
        }
        let chunk = match chunk.strip_prefix('*') {
            Some(rest) if rest.starts_with('=') => {
                return Err(format!(
                    "Unknown engine \"\" while parsing selector {selector}"
                ));
            }
            Some(rest) if is_engine_prefix(rest) => {
                if capture.is_some() {
                    return Err("Only one of the selectors can capture using * modifier".into());
                }
                let seg = segments.len() - 1;
                capture = Some((seg, segments[seg].len()));
                rest
            }
            _ => chunk,
        };
        let seg = segments.last_mut().ok_or("empty selector")?;
        match parse_one(chunk, custom)? {
            Part::Chain { parts } => seg.extend(parts),
            part => seg.push(part),
        }
    }
    if let Some((seg, at)) = capture {
        let parts = &mut segments[seg];
        let rest = parts.split_off(at + 1);
        if !rest.is_empty() {
            parts.push(Part::Has {
                parts: rest,
                not: false,
            });
        }
    }
    if segments.last().is_some_and(Vec::is_empty) {
        return Err("Selector cannot end with entering frame".into());
    }
    Ok(segments)
}

/// Whether `s` starts with `engine=` (so a leading `*` marks a capture, not CSS's `*`).
fn is_engine_prefix(s: &str) -> bool {
    s.split_once('=').is_some_and(|(engine, _)| {
        !engine.is_empty()
            && engine
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_:".contains(c))
    })
}

/// The selector inside an `internal:and="…"`-style body (a JSON string).
fn inner_selector(engine: &str, body: &str, custom: &[String]) -> Result<Vec<Part>, String> {
    let inner: String = serde_json::from_str(body.trim())
        .map_err(|_| format!("Malformed selector: {engine}={body}"))?;
    parse_with(&inner, custom)
}

/// `internal:text=` / `internal:has-text=` bodies: `"text"i` (substring, any case), `"text"s`
/// (whole text), or `/regex/flags`.
fn internal_text(body: &str) -> Result<TextQuery, String> {
    let body = body.trim();
    if body.starts_with('"') {
        let (quoted, suffix) = match body.rfind('"') {
            Some(end) if end > 0 => (&body[..=end], &body[end + 1..]),
            _ => return Err(format!("unterminated text {body}")),
        };
        let text: String =
            serde_json::from_str(quoted).map_err(|_| format!("bad quoted text {quoted}"))?;
        return Ok(match suffix {
            "s" | "" => TextQuery::Exact(text),
            _ => TextQuery::Substring(text),
        });
    }
    text_body(body)
}

fn parse_one(s: &str, custom: &[String]) -> Result<Part, String> {
    if s.starts_with("//") || s.starts_with("..") {
        return Ok(Part::Xpath {
            selector: s.to_string(),
        });
    }
    if (s.starts_with('"') && s.ends_with('"') && s.len() >= 2)
        || (s.starts_with('\'') && s.ends_with('\'') && s.len() >= 2)
    {
        return Ok(Part::Text {
            matcher: legacy_text(s)?,
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
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':')
        || engine.is_empty()
    {
        // `input[name=x]` and friends: the `=` belongs to CSS.
        return Ok(Part::Css {
            selector: s.to_string(),
        });
    }
    if let Some(base) = engine.strip_suffix(":light")
        && matches!(
            base,
            "css" | "text" | "id" | "data-testid" | "data-test-id" | "data-test"
        )
    {
        let part = parse_one(&format!("{base}={body}"), custom)?;
        return Ok(Part::Light {
            part: Box::new(part),
        });
    }
    let raw_body = body;
    let body = body.trim();
    match engine {
        "css" => Ok(Part::Css {
            selector: body.to_string(),
        }),
        "xpath" => Ok(Part::Xpath {
            selector: body.to_string(),
        }),
        // `text= "ya"`: a quote after a space is part of the text.
        "text" if raw_body.starts_with(char::is_whitespace) && body.starts_with(['"', '\'']) => {
            Ok(Part::Text {
                matcher: TextQuery::Substring(body.to_string()).wire(),
            })
        }
        "text" => Ok(Part::Text {
            matcher: legacy_text(body)?,
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
        "internal:and" => Ok(Part::And {
            parts: inner_selector(engine, body, custom)?,
        }),
        "internal:or" => Ok(Part::Or {
            parts: inner_selector(engine, body, custom)?,
        }),
        "internal:chain" => Ok(Part::Chain {
            parts: inner_selector(engine, body, custom)?,
        }),
        "internal:has" => Ok(Part::Has {
            parts: inner_selector(engine, body, custom)?,
            not: false,
        }),
        "internal:has-not" => Ok(Part::Has {
            parts: inner_selector(engine, body, custom)?,
            not: true,
        }),
        "internal:has-text" => Ok(Part::HasText {
            matcher: internal_text(body)?.wire(),
            not: false,
        }),
        "internal:has-not-text" => Ok(Part::HasText {
            matcher: internal_text(body)?.wire(),
            not: true,
        }),
        "internal:text" => Ok(Part::Text {
            matcher: internal_text(body)?.wire(),
        }),
        name if custom.iter().any(|c| c == name) => Ok(Part::Custom {
            name: name.to_string(),
            body: body.to_string(),
        }),
        "role" | "internal:role" => {
            let (role, options) = crate::role::parse_selector(body)?;
            Ok(Part::Role {
                slot: 0,
                name: options.name.as_ref().map(TextQuery::wire),
                description: options.description.as_ref().map(TextQuery::wire),
                role,
                include_hidden: options.include_hidden,
                options,
            })
        }
        "visible" => match body {
            "true" => Ok(Part::Visible { value: true }),
            "false" => Ok(Part::Visible { value: false }),
            _ => Err(format!("visible= expects true or false, got \"{body}\"")),
        },
        other => Err(format!(
            "Unknown engine \"{other}\" while parsing selector {s} (known engines: css, text, xpath, id, data-testid, role, their :light forms, nth, visible, internal:and, internal:or, internal:chain, internal:has, internal:has-not, internal:has-text, internal:has-not-text, internal:text, internal:role, internal:control=enter-frame)"
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

/// The `text=` engine's matcher: quoted text is matched against the element's own text nodes
/// (Playwright's legacy text engine), the rest as [`text_body`] says.
fn legacy_text(body: &str) -> Result<TextMatch, String> {
    let q = text_body(body)?;
    Ok(match q {
        TextQuery::Exact(text) => TextMatch {
            kind: "quoted",
            text,
            flags: String::new(),
        },
        other => other.wire(),
    })
}

/// `text=` bodies: `"exact"`, `/regex/flags`, or a substring.
fn text_body(body: &str) -> Result<TextQuery, String> {
    let body = body.trim();
    if body.len() >= 2
        && (body.starts_with('"') && body.ends_with('"')
            || body.starts_with('\'') && body.ends_with('\''))
    {
        // A backslash takes the next character as it is (`\"`, `\\`, `\x`).
        let mut text = String::new();
        let mut chars = body[1..body.len() - 1].chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(next) = chars.next() {
                    text.push(next);
                }
            } else {
                text.push(c);
            }
        }
        return Ok(TextQuery::Exact(text));
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
                // In a `text=` part a quote is one only right after `text=` (Playwright's
                // parser): `text=lo" >> span` is the text `lo"`.
                b'"' | b'\'' if !text_body_started(&s[start..i]) => quote = Some(c),
                b'"' | b'\'' => {}
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
    // An unterminated quote is a character of its part (`text="` is the text `"`).
    out.push(&s[start..]);
    Ok(out)
}

/// Whether `part` is `text=` followed by some of its body already.
fn text_body_started(part: &str) -> bool {
    part.trim_start()
        .strip_prefix("text")
        .map(str::trim_start)
        .and_then(|rest| rest.strip_prefix('='))
        .is_some_and(|body| !body.is_empty())
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
            matches!(&parts[1], Part::Text { matcher } if matcher.kind == "quoted" && matcher.text == "Save")
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
        assert!(
            err.contains("Unknown engine \"foo\" while parsing selector foo=bar"),
            "{err}"
        );
        assert!(parse("a >> ").is_err());
    }
}
