//! How a sandbox evaluation fails, and how a JS exception is shown: message, a stack whose
//! positions point at the original (TypeScript) source, and a code frame at the failing line.

use std::fmt;
use std::time::Duration;

use deno_core::error::CoreError;
use deno_core::error::CoreErrorKind;
use deno_core::error::JsError;

use super::loader::Loader;
use super::loader::display_specifier;

/// Why an evaluation in a sandbox runtime failed.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// User code threw (or a promise rejected unhandled).
    #[error("{0}")]
    Uncaught(Box<JsFailure>),
    /// The evaluation ran past the runtime's execution timeout and was terminated.
    #[error("execution timed out after {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The isolate hit its heap limit and was terminated.
    #[error("memory limit of {0} MB exceeded")]
    MemoryLimit(usize),
    /// The host cancelled the evaluation.
    #[error("execution was cancelled by the host")]
    Cancelled,
    /// The runtime was disposed (by a limit, a cancellation or its owner) and cannot run code.
    #[error("the sandbox runtime is no longer usable: {0}")]
    Disposed(String),
}

impl ScriptError {
    /// Whether this error ended the runtime (a limit or a cancellation).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, Self::Uncaught(_))
    }
}

/// A JS exception as the host reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsFailure {
    /// `Uncaught` or `Uncaught (in promise)` and the error's `name: message`.
    pub headline: String,
    /// The error class (`Error`, `TypeError`, `SyntaxError`, ...).
    pub name: String,
    /// The error message.
    pub message: String,
    /// Stack frames, `    at fn (file:line:col)`, positions in the original source.
    pub stack: Vec<String>,
    /// Where the error was thrown, in user code.
    pub location: Option<SourceLocation>,
    /// The source line with a caret under the column.
    pub code_frame: Option<String>,
}

/// A position in a user module, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// The module, relative to the module root (`specs/a.ts`) or a virtual name.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl fmt::Display for JsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.headline)?;
        for frame in &self.stack {
            write!(f, "\n{frame}")?;
        }
        if let Some(frame) = &self.code_frame {
            write!(f, "\n\n{frame}")?;
        }
        Ok(())
    }
}

/// Converts a deno_core error into a [`JsFailure`], using the loader's sources for code frames.
pub(crate) fn failure_from_core(err: CoreError, loader: &Loader) -> JsFailure {
    match *err.0 {
        CoreErrorKind::Js(js) => failure_from_js(&js, loader),
        CoreErrorKind::JsBox(boxed) => plain_failure(
            &deno_error::JsErrorClass::get_class(&boxed),
            &deno_error::JsErrorClass::get_message(&boxed),
        ),
        CoreErrorKind::CouldNotExecute { error, specifier } => {
            let inner = failure_from_core(CoreError(error), loader);
            JsFailure {
                message: format!(
                    "{} (while executing {})",
                    inner.message,
                    display_specifier(&specifier)
                ),
                ..inner
            }
        }
        other => plain_failure("Error", &other.to_string()),
    }
}

fn plain_failure(name: &str, message: &str) -> JsFailure {
    // Loader errors carry their own location and code frame after the first line.
    let (first, rest) = message.split_once('\n').unwrap_or((message, ""));
    let mut stack = Vec::new();
    let mut frame_lines = Vec::new();
    let mut location = None;
    for line in rest.lines() {
        if let Some(pos) = line.trim_start().strip_prefix("at ") {
            location = location.or_else(|| parse_location(pos));
            stack.push(line.to_string());
        } else if !line.is_empty() || !frame_lines.is_empty() {
            frame_lines.push(line);
        }
    }
    let code_frame = (!frame_lines.is_empty()).then(|| frame_lines.join("\n"));
    JsFailure {
        headline: format!("{name}: {first}"),
        name: name.to_string(),
        message: first.to_string(),
        stack,
        location,
        code_frame,
    }
}

/// Turns a JS exception into a [`JsFailure`].
pub(crate) fn failure_from_js(js: &JsError, loader: &Loader) -> JsFailure {
    let name = js.name.clone().unwrap_or_else(|| "Error".to_string());
    let message = js.message.clone().unwrap_or_default();
    let mut headline = js.exception_message.clone();
    if headline.is_empty() {
        headline = format!("Uncaught {name}: {message}");
    }
    let mut stack = Vec::new();
    let mut location = None;
    for frame in &js.frames {
        let Some(file) = frame.file_name.as_deref() else {
            continue;
        };
        if file.starts_with("ext:") || file.starts_with("node:") {
            continue;
        }
        let (line, col) = (
            frame.line_number.unwrap_or(0) as u32,
            frame.column_number.unwrap_or(0) as u32,
        );
        let display = display_specifier(file);
        let at = format!("{display}:{line}:{col}");
        let func = frame.function_name.as_deref().filter(|f| !f.is_empty());
        stack.push(match func {
            Some(func) if frame.is_async => format!("    at async {func} ({at})"),
            Some(func) => format!("    at {func} ({at})"),
            None => format!("    at {at}"),
        });
        if location.is_none() {
            location = Some((file.to_string(), line, col));
        }
    }
    if location.is_none() {
        // Compile errors have no frames; V8 puts the position into the stack text.
        location = js.stack.as_deref().and_then(|s| {
            s.lines()
                .filter_map(|l| l.trim_start().strip_prefix("at "))
                .find_map(|pos| {
                    let pos = pos.trim_end_matches(')');
                    let pos = pos.rsplit_once('(').map_or(pos, |(_, p)| p);
                    let (rest, col) = pos.rsplit_once(':')?;
                    let (file, line) = rest.rsplit_once(':')?;
                    Some((file.to_string(), line.parse().ok()?, col.parse().ok()?))
                })
        });
        if let Some((file, line, col)) = &location {
            stack.push(format!("    at {}:{line}:{col}", display_specifier(file)));
        }
    }
    let code_frame = location.as_ref().and_then(|(file, line, col)| {
        loader
            .original_source(file)
            .map(|src| code_frame(&src, *line, *col))
    });
    let mut failure = JsFailure {
        headline,
        name,
        message,
        stack,
        location: location.map(|(file, line, column)| SourceLocation {
            file: display_specifier(&file),
            line,
            column,
        }),
        code_frame,
    };
    if let Some(cause) = &js.cause {
        let cause = failure_from_js(cause, loader);
        failure
            .stack
            .push(format!("Caused by: {}: {}", cause.name, cause.message));
    }
    failure
}

fn parse_location(pos: &str) -> Option<SourceLocation> {
    let (rest, col) = pos.rsplit_once(':')?;
    let (file, line) = rest.rsplit_once(':')?;
    Some(SourceLocation {
        file: file.to_string(),
        line: line.parse().ok()?,
        column: col.parse().ok()?,
    })
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(source: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(source.len());
    let before = &source[..source.floor_char_boundary(offset)];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, col)
}

/// A Babel/Playwright-style frame: two lines of context, `>` at the line, `^` at the column.
pub(crate) fn code_frame(source: &str, line: u32, column: u32) -> String {
    let lines: Vec<&str> = source.lines().collect();
    if line == 0 || line as usize > lines.len() {
        return String::new();
    }
    let first = line.saturating_sub(2).max(1);
    let last = (line + 2).min(lines.len() as u32);
    let width = last.to_string().len();
    let mut out = Vec::new();
    for n in first..=last {
        let text = lines[n as usize - 1];
        let marker = if n == line { ">" } else { " " };
        out.push(format!("{marker} {n:>width$} | {text}"));
        if n == line {
            let pad: String = text
                .chars()
                .take(column.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push(format!("  {:>width$} | {pad}^", ""));
        }
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_frame_points_at_the_column() {
        let src = "a\nb\nconst x = boom();\nd\ne\nf";
        let frame = code_frame(src, 3, 11);
        assert_eq!(
            frame,
            "  1 | a\n  2 | b\n> 3 | const x = boom();\n    |           ^\n  4 | d\n  5 | e"
        );
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }
}
