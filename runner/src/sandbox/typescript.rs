//! TypeScript type stripping with oxc: `.ts`/`.mts`/`.cts` sources become plain ES modules plus
//! a source map, so that stack traces and code frames point at the original TypeScript.

use std::path::Path;

use oxc::allocator::Allocator;
use oxc::codegen::Codegen;
use oxc::codegen::CodegenOptions;
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;
use oxc::transformer::TransformOptions;
use oxc::transformer::Transformer;

/// JavaScript produced from a TypeScript module.
#[derive(Debug, Clone)]
pub(crate) struct Transpiled {
    /// The ES module source.
    pub code: String,
    /// Source map (JSON) from `code` back to the TypeScript source.
    pub source_map: Option<String>,
}

/// A TypeScript source that could not be parsed or transformed.
#[derive(Debug, Clone)]
pub(crate) struct TranspileError {
    /// What is wrong.
    pub message: String,
    /// Byte offset of the problem in the source, when oxc points at one.
    pub offset: Option<usize>,
}

/// Whether a module at this path is TypeScript that needs stripping.
pub(crate) fn is_typescript(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [".ts", ".mts", ".cts", ".tsx"]
        .iter()
        .any(|ext| lower.ends_with(ext))
        && !lower.ends_with(".d.ts")
}

/// Strips types from `source` (named `path`, which decides `.ts` versus `.tsx`).
pub(crate) fn strip_types(path: &str, source: &str) -> Result<Transpiled, TranspileError> {
    let allocator = Allocator::default();
    let file = Path::new(path);
    let source_type = SourceType::from_path(file)
        .unwrap_or_else(|_| SourceType::ts())
        .with_module(true);
    let parsed = Parser::new(&allocator, source, source_type).parse();
    if let Some(err) = parsed.diagnostics.first() {
        return Err(diagnostic(err));
    }
    let mut program = parsed.program;
    // Enum evaluation must be on: the transformer relies on it for `enum` declarations.
    let semantic = SemanticBuilder::new().with_enum_eval(true).build(&program);
    let scoping = semantic.semantic.into_scoping();
    let options = TransformOptions::default();
    let transformed =
        Transformer::new(&allocator, file, &options).build_with_scoping(scoping, &mut program);
    if let Some(err) = transformed.diagnostics.first() {
        return Err(diagnostic(err));
    }
    let generated = Codegen::new()
        .with_options(CodegenOptions {
            source_map_path: Some(file.to_path_buf()),
            ..CodegenOptions::default()
        })
        .build(&program);
    Ok(Transpiled {
        code: generated.code,
        source_map: generated.map.map(|m| m.to_json_string()),
    })
}

fn diagnostic(err: &oxc::diagnostics::OxcDiagnostic) -> TranspileError {
    let offset = err.labels.first().map(|label| label.offset() as usize);
    let mut message = err.message.to_string();
    if let Some(help) = &err.help {
        message.push_str(&format!(" ({help})"));
    }
    TranspileError { message, offset }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_types_and_evaluates_enums() {
        let out = strip_types(
            "/a.ts",
            "enum Color { Red = 'red' }\ninterface P { x: number }\nexport const c: string = Color.Red;\n",
        )
        .expect("valid TypeScript");
        assert!(!out.code.contains("interface"));
        assert!(out.code.contains("Color"));
        assert!(out.source_map.is_some());
    }

    #[test]
    fn reports_syntax_errors_with_an_offset() {
        let err = strip_types("/a.ts", "const x: number = ;\n").expect_err("invalid");
        assert!(err.offset.is_some(), "{err:?}");
    }

    #[test]
    fn recognises_typescript_extensions() {
        assert!(is_typescript("/x/a.ts"));
        assert!(is_typescript("/x/a.mts"));
        assert!(!is_typescript("/x/a.d.ts"));
        assert!(!is_typescript("/x/a.js"));
    }
}
