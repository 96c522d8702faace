//! Snapshot expectations (`toHaveScreenshot`, `toMatchSnapshot`): the config that shapes them
//! (`snapshotDir`, `snapshotPathTemplate`, `updateSnapshots`, `ignoreSnapshots`, the matchers'
//! defaults under `expect`) and the harness calls the snapshot helper makes (read an
//! expectation, write one or an output copy, compare). Naming and deciding (missing, update
//! modes, attachments) is the harness's JS (`js/14_snapshots.js`), as in Playwright's helper.

use std::path::Path;
use std::path::PathBuf;

use isolate_browser_matchers::compare;
use serde_json::Value;

use super::isolate_host::HarnessCx;
use super::protocol::Base64;
use super::protocol::CallError;
use super::protocol::CompareArgs;
use super::protocol::CompareReply;
use super::protocol::SnapshotReadArgs;
use super::protocol::SnapshotWriteArgs;

/// `updateSnapshots` / `--update-snapshots`: which expectations a run writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UpdateSnapshots {
    /// Every snapshot the run takes, matching or not.
    All,
    /// The ones that do not match, and missing ones.
    Changed,
    /// Only missing ones (the default).
    #[default]
    Missing,
    /// None: a missing snapshot fails the test.
    None,
}

impl UpdateSnapshots {
    /// Parses a mode by its name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "all" => Some(Self::All),
            "changed" => Some(Self::Changed),
            "missing" => Some(Self::Missing),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    /// The mode's name, as the config spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Changed => "changed",
            Self::Missing => "missing",
            Self::None => "none",
        }
    }
}

/// What one project's snapshot matchers take from the config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotConfig {
    /// `snapshotDir` (absolute); the project's test directory when unset.
    pub snapshot_dir: Option<PathBuf>,
    /// `snapshotPathTemplate`.
    pub path_template: Option<String>,
    /// `expect.toHaveScreenshot.pathTemplate`.
    pub screenshot_template: Option<String>,
    /// `expect.toHaveScreenshot` defaults (threshold, maxDiffPixels, animations, ...).
    pub to_have_screenshot: serde_json::Map<String, Value>,
    /// `expect.toMatchSnapshot` defaults.
    pub to_match_snapshot: serde_json::Map<String, Value>,
    /// `updateSnapshots` (top level only; `-u` overrides it).
    pub update: UpdateSnapshots,
    /// `ignoreSnapshots`: the matchers pass without looking.
    pub ignore: bool,
}

impl SnapshotConfig {
    /// Reads the keys of one config object (the top level, or a project over `base`).
    pub(crate) fn parse(
        obj: &serde_json::Map<String, Value>,
        root: &Path,
        prefix: &str,
        base: &SnapshotConfig,
    ) -> Result<Self, String> {
        let mut out = base.clone();
        let string = |key: &str| -> Result<Option<String>, String> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(format!("`{prefix}{key}` must be a string, got {other}")),
            }
        };
        if let Some(dir) = string("snapshotDir")? {
            out.snapshot_dir = Some(root.join(dir));
        }
        if let Some(t) = string("snapshotPathTemplate")? {
            out.path_template = Some(t);
        }
        if let Some(mode) = string("updateSnapshots")? {
            out.update = UpdateSnapshots::parse(&mode).ok_or_else(|| {
                format!("`{prefix}updateSnapshots` must be one of all, changed, missing, none; got \"{mode}\"")
            })?;
        }
        match obj.get("ignoreSnapshots") {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => out.ignore = *b,
            Some(other) => {
                return Err(format!(
                    "`{prefix}ignoreSnapshots` must be a boolean, got {other}"
                ));
            }
        }
        let expect = obj.get("expect").and_then(Value::as_object);
        for (key, slot) in [
            ("toHaveScreenshot", &mut out.to_have_screenshot),
            ("toMatchSnapshot", &mut out.to_match_snapshot),
        ] {
            match expect.and_then(|e| e.get(key)) {
                None | Some(Value::Null) => {}
                Some(Value::Object(o)) => slot.extend(o.clone()),
                Some(other) => {
                    return Err(format!(
                        "`{prefix}expect.{key}` must be an object, got {other}"
                    ));
                }
            }
        }
        if let Some(t) = out.to_have_screenshot.remove("pathTemplate") {
            out.screenshot_template = Some(
                t.as_str()
                    .ok_or_else(|| {
                        format!("`{prefix}expect.toHaveScreenshot.pathTemplate` must be a string")
                    })?
                    .to_string(),
            );
        }
        out.to_match_snapshot.remove("pathTemplate");
        Ok(out)
    }

    /// Directories, besides `*-snapshots` ones, where expectations may be written: the
    /// configured `snapshotDir`, and each template's fixed leading directory when it names one
    /// below the test directory (`{testDir}/__screenshots__/...`).
    pub(crate) fn writable_dirs(&self, root: &Path, test_dir: &Path) -> Vec<PathBuf> {
        let snapshot_dir = self.snapshot_dir.as_deref().unwrap_or(test_dir);
        let mut out: Vec<PathBuf> = self.snapshot_dir.iter().cloned().collect();
        for template in [&self.path_template, &self.screenshot_template]
            .into_iter()
            .flatten()
        {
            let expanded = template
                .replace("{testDir}", &test_dir.to_string_lossy())
                .replace("{snapshotDir}", &snapshot_dir.to_string_lossy());
            let fixed = expanded.split('{').next().unwrap_or_default();
            let Some(cut) = fixed.rfind('/') else {
                continue;
            };
            let dir = root.join(&fixed[..cut]);
            // Never the test directory itself or one above it: specs must stay unwritable.
            let inside = dir.starts_with(root) && !test_dir.starts_with(&dir);
            if inside && !dir.components().any(|c| c.as_os_str() == "..") {
                out.push(dir);
            }
        }
        out
    }

    /// What the harness's snapshot helper reads (paths as test code sees them: the project
    /// root is `/`).
    pub(crate) fn for_harness(&self, root: &Path, test_dir: &Path) -> Value {
        let shown = |p: &Path| match p.strip_prefix(root) {
            Ok(rel) if rel.as_os_str().is_empty() => String::new(),
            Ok(rel) => format!("/{}", rel.to_string_lossy()),
            Err(_) => p.to_string_lossy().into_owned(),
        };
        serde_json::json!({
            "testDir": shown(test_dir),
            "snapshotDir": shown(self.snapshot_dir.as_deref().unwrap_or(test_dir)),
            "pathTemplate": self.path_template,
            "screenshotTemplate": self.screenshot_template,
            "toHaveScreenshot": self.to_have_screenshot,
            "toMatchSnapshot": self.to_match_snapshot,
            "update": self.update.name(),
            "ignore": self.ignore,
        })
    }
}

pub(crate) async fn snapshot_read(
    cx: &HarnessCx,
    args: SnapshotReadArgs,
) -> Result<Option<Base64>, CallError> {
    let real = cx.paths().resolve(&args.path)?;
    if !real.is_file() {
        return Ok(None);
    }
    std::fs::read(&real)
        .map(|b| Some(Base64(b)))
        .map_err(|e| CallError::new(format!("{}: {e}", args.path)))
}

pub(crate) async fn snapshot_write(
    cx: &HarnessCx,
    args: SnapshotWriteArgs,
) -> Result<(), CallError> {
    let real = cx.paths().resolve_snapshot_write(&args.path)?;
    if let Some(parent) = real.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| CallError::new(format!("{}: {e}", args.path)))?;
    }
    std::fs::write(&real, &args.data.0).map_err(|e| CallError::new(format!("{}: {e}", args.path)))
}

pub(crate) async fn compare(
    _cx: &HarnessCx,
    args: CompareArgs,
) -> Result<Option<CompareReply>, CallError> {
    let options = compare::ImageOptions {
        threshold: args.threshold,
        max_diff_pixels: args.max_diff_pixels.map(|n| n.max(0.0) as u64),
        max_diff_pixel_ratio: args.max_diff_pixel_ratio,
    };
    let mismatch = compare::compare_snapshot(
        &args.content_type,
        &args.actual.0,
        &args.expected.0,
        &options,
    )
    .map_err(CallError::new)?;
    Ok(mismatch.map(|m| CompareReply {
        message: m.message,
        diff: m.diff.map(Base64),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projects_inherit_and_templates_open_their_directory() {
        let root = Path::new("/p");
        let top: serde_json::Map<String, Value> = serde_json::from_str(
            r#"{"snapshotPathTemplate":"{testDir}/__screenshots__/{testFilePath}/{arg}{ext}","updateSnapshots":"none","expect":{"toHaveScreenshot":{"maxDiffPixels":10,"pathTemplate":"{testDir}/shots/{arg}{ext}"}}}"#,
        )
        .unwrap();
        let base = SnapshotConfig::parse(&top, root, "", &SnapshotConfig::default()).unwrap();
        assert_eq!(base.update, UpdateSnapshots::None);
        assert_eq!(
            base.to_have_screenshot.get("maxDiffPixels"),
            Some(&Value::from(10))
        );
        assert_eq!(
            base.screenshot_template.as_deref(),
            Some("{testDir}/shots/{arg}{ext}")
        );
        let project: serde_json::Map<String, Value> =
            serde_json::from_str(r#"{"ignoreSnapshots":true}"#).unwrap();
        let p = SnapshotConfig::parse(&project, root, "projects[0].", &base).unwrap();
        assert!(p.ignore);
        assert_eq!(p.path_template, base.path_template);
        let dirs = p.writable_dirs(root, Path::new("/p/tests"));
        assert_eq!(
            dirs,
            vec![
                PathBuf::from("/p/tests/__screenshots__"),
                PathBuf::from("/p/tests/shots")
            ]
        );
        let bad: serde_json::Map<String, Value> =
            serde_json::from_str(r#"{"updateSnapshots":"sometimes"}"#).unwrap();
        let err = SnapshotConfig::parse(&bad, root, "", &base).unwrap_err();
        assert!(err.contains("updateSnapshots"), "{err}");
    }
}
