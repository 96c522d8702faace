//! What the loader needs to know of a JavaScript source before it runs: whether it is an ES
//! module or CommonJS, which of Node's module-scope names (`require`, `__dirname`, …) it uses
//! without declaring them, and which names a CommonJS module exports (so `import { a } from`
//! a CommonJS package works as in Node, which finds them the same way: statically).

use std::path::Path;

use oxc::allocator::Allocator;
use oxc::ast::ast::Argument;
use oxc::ast::ast::AssignmentExpression;
use oxc::ast::ast::AssignmentTarget;
use oxc::ast::ast::CallExpression;
use oxc::ast::ast::Expression;
use oxc::ast::ast::ObjectPropertyKind;
use oxc::ast::ast::PropertyKey;
use oxc::ast_visit::Visit;
use oxc::ast_visit::walk;
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;

/// Whether the source (named `path`, which tells TypeScript) has `import`/`export`
/// declarations (or `import.meta`, top-level await).
pub(crate) fn has_module_syntax(path: &Path, source: &str) -> bool {
    if !source.contains("import") && !source.contains("export") {
        return false;
    }
    let allocator = Allocator::default();
    let source_type = SourceType::from_path(path)
        .unwrap_or_default()
        .with_unambiguous(true);
    let parsed = Parser::new(&allocator, source, source_type).parse();
    parsed.module_record.has_module_syntax
}

/// Which of `names` an ES module uses without declaring them (free references).
pub(crate) fn free_names<'n>(source: &str, names: &[&'n str]) -> Vec<&'n str> {
    if !names.iter().any(|n| source.contains(n)) {
        return Vec::new();
    }
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::mjs()).parse();
    if !parsed.diagnostics.is_empty() {
        // V8 reports the syntax error itself, with its position.
        return Vec::new();
    }
    let semantic = SemanticBuilder::new().build(&parsed.program);
    let unresolved = semantic.semantic.scoping().root_unresolved_references();
    names
        .iter()
        .copied()
        .filter(|n| unresolved.contains_key(*n))
        .collect()
}

/// The first syntax error of a CommonJS source, with its byte offset (V8's own message for a
/// script compiled by `evalContext` names no position).
pub(crate) fn commonjs_syntax_error(source: &str) -> Option<(String, usize)> {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::cjs()).parse();
    let err = parsed.diagnostics.first()?;
    let offset = err.labels.first().map_or(0, |l| l.offset() as usize);
    Some((err.message.to_string(), offset))
}

/// The names a CommonJS module exports, and the specifiers it re-exports wholesale
/// (`module.exports = require('./x')`, `__exportStar(require('./x'), exports)`).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct CjsExports {
    pub names: Vec<String>,
    pub reexports: Vec<String>,
}

/// Finds the exports of a CommonJS source: `exports.a =`, `module.exports.a =`,
/// `Object.defineProperty(exports, "a", …)`, `module.exports = { a, b }`, and the export maps of
/// TypeScript and esbuild output.
pub(crate) fn cjs_exports(source: &str) -> CjsExports {
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, SourceType::cjs()).parse();
    let mut finder = Finder::default();
    if parsed.panicked {
        return CjsExports::default();
    }
    finder.visit_program(&parsed.program);
    let mut names = finder.names;
    names.sort();
    names.dedup();
    names.retain(|n| n != "default" && n != "__esModule" && is_identifier(n));
    CjsExports {
        names,
        reexports: finder.reexports,
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        && !RESERVED.contains(&name)
}

const RESERVED: &[&str] = &[
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "new",
    "null",
    "return",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "let",
    "static",
    "implements",
    "interface",
    "package",
    "private",
    "protected",
    "public",
    "await",
    "arguments",
    "eval",
];

#[derive(Default)]
struct Finder {
    names: Vec<String>,
    reexports: Vec<String>,
}

/// `exports` or `module.exports`.
fn is_exports(e: &Expression) -> bool {
    match e {
        Expression::Identifier(id) => id.name == "exports",
        Expression::StaticMemberExpression(m) => {
            m.property.name == "exports"
                && matches!(&m.object, Expression::Identifier(id) if id.name == "module")
        }
        _ => false,
    }
}

fn is_module_exports(e: &AssignmentTarget) -> bool {
    match e {
        AssignmentTarget::StaticMemberExpression(m) => {
            m.property.name == "exports"
                && matches!(&m.object, Expression::Identifier(id) if id.name == "module")
        }
        _ => false,
    }
}

/// `require("x")` → `x`.
fn required(e: &Expression) -> Option<String> {
    let Expression::CallExpression(call) = e.without_parentheses() else {
        return None;
    };
    let Expression::Identifier(callee) = &call.callee else {
        return None;
    };
    if callee.name != "require" || call.arguments.len() != 1 {
        return None;
    }
    match &call.arguments[0] {
        Argument::StringLiteral(s) => Some(s.value.to_string()),
        _ => None,
    }
}

fn string_arg(arg: &Argument) -> Option<String> {
    match arg {
        Argument::StringLiteral(s) => Some(s.value.to_string()),
        _ => None,
    }
}

fn key_name(key: &PropertyKey) -> Option<String> {
    match key {
        PropertyKey::StaticIdentifier(id) => Some(id.name.to_string()),
        PropertyKey::StringLiteral(s) => Some(s.value.to_string()),
        _ => None,
    }
}

impl Finder {
    fn object_keys(&mut self, e: &Expression) {
        if let Expression::ObjectExpression(obj) = e.without_parentheses() {
            for prop in &obj.properties {
                match prop {
                    ObjectPropertyKind::ObjectProperty(p) => {
                        if let Some(name) = key_name(&p.key) {
                            self.names.push(name);
                        }
                    }
                    ObjectPropertyKind::SpreadProperty(s) => {
                        if let Some(spec) = required(&s.argument) {
                            self.reexports.push(spec);
                        }
                    }
                }
            }
        }
    }
}

impl<'a> Visit<'a> for Finder {
    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        match &it.left {
            AssignmentTarget::StaticMemberExpression(m) if is_exports(&m.object) => {
                self.names.push(m.property.name.to_string());
            }
            AssignmentTarget::ComputedMemberExpression(m) if is_exports(&m.object) => {
                if let Expression::StringLiteral(s) = &m.expression {
                    self.names.push(s.value.to_string());
                }
            }
            target if is_module_exports(target) => {
                if let Some(spec) = required(&it.right) {
                    self.reexports.push(spec);
                } else {
                    self.object_keys(&it.right);
                }
            }
            _ => {}
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let callee = match &it.callee {
            Expression::Identifier(id) => Some(id.name.as_str()),
            Expression::StaticMemberExpression(m) => Some(m.property.name.as_str()),
            _ => None,
        };
        match callee {
            // Object.defineProperty(exports, "a", { ... })
            Some("defineProperty") if it.arguments.len() >= 2 => {
                if let Some(target) = it.arguments[0].as_expression()
                    && is_exports(target)
                    && let Some(name) = string_arg(&it.arguments[1])
                {
                    self.names.push(name);
                }
            }
            // TypeScript: __exportStar(require("./x"), exports); tslib.__exportStar(...)
            Some("__exportStar") | Some("__export") if !it.arguments.is_empty() => {
                if let Some(spec) = it.arguments[0].as_expression().and_then(required) {
                    self.reexports.push(spec);
                } else if it.arguments.len() == 2
                    && let Some(map) = it.arguments[1].as_expression()
                {
                    // esbuild: __export(src_exports, { a: () => a, ... })
                    self.object_keys(map);
                }
            }
            _ => {}
        }
        walk::walk_call_expression(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_commonjs_export_names_and_reexports() {
        let facts = cjs_exports(
            r#""use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.b = exports.a = void 0;
exports.a = 1;
module.exports.c = function () {};
Object.defineProperty(exports, "d", { enumerable: true, get: function () { return 4; } });
__exportStar(require("./more"), exports);
"#,
        );
        assert_eq!(facts.names, vec!["a", "b", "c", "d"]);
        assert_eq!(facts.reexports, vec!["./more"]);
        let facts = cjs_exports("module.exports = { x, y: 2, 'z': 3, ...require('./w') };");
        assert_eq!(facts.names, vec!["x", "y", "z"]);
        assert_eq!(facts.reexports, vec!["./w"]);
        let facts = cjs_exports("module.exports = require('./lib/index.js');");
        assert_eq!(facts.reexports, vec!["./lib/index.js"]);
    }

    #[test]
    fn tells_modules_from_scripts_and_finds_free_names() {
        let js = Path::new("/a.js");
        assert!(has_module_syntax(js, "import x from 'y'; x();"));
        assert!(has_module_syntax(js, "export const a = 1;"));
        assert!(!has_module_syntax(
            js,
            "const x = require('y'); module.exports = x;"
        ));
        let ts = Path::new("/a.ts");
        assert!(has_module_syntax(
            ts,
            "import { t } from 'y'; const a: number = 1;"
        ));
        assert!(!has_module_syntax(ts, "const a: number = require('y');"));
        assert_eq!(
            free_names(
                "import p from 'path'; p.join(__dirname, 'a');",
                &["__dirname", "__filename", "require"]
            ),
            vec!["__dirname"]
        );
        assert!(
            free_names(
                "const __dirname = '/x'; export const a = __dirname;",
                &["__dirname"]
            )
            .is_empty()
        );
    }
}
