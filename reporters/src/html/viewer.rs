//! Playwright's trace viewer for the report's trace links. The viewer is Playwright's own
//! program: we do not ship it, we use the copy a project already has (`playwright-core`, which
//! `@playwright/test` and `playwright` install), as Playwright's HTML report does with its own.

use std::path::Path;
use std::path::PathBuf;

/// Names a trace viewer folder to use instead of looking in `node_modules`.
pub const TRACE_VIEWER_ENV: &str = "ISOLATE_BROWSER_TRACE_VIEWER";

const IN_PACKAGE: &str = "lib/vite/traceViewer";
const PACKAGES: &[&str] = &[
    "node_modules/playwright-core",
    "node_modules/@playwright/test/node_modules/playwright-core",
    "node_modules/playwright/node_modules/playwright-core",
];

/// The trace viewer folder (`index.html` and its assets) in `$ISOLATE_BROWSER_TRACE_VIEWER`,
/// or in the `playwright-core` package of `start` or the nearest folder above it.
pub fn find_trace_viewer(start: &Path) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(TRACE_VIEWER_ENV) {
        let dir = PathBuf::from(dir);
        return dir.join("index.html").is_file().then_some(dir);
    }
    start.ancestors().find_map(|dir| {
        PACKAGES
            .iter()
            .map(|p| dir.join(p).join(IN_PACKAGE))
            .find(|v| v.join("index.html").is_file())
    })
}

/// Copies the viewer folder `from` to `to` (files only; what a link inside points at is copied
/// as the file it names).
pub(crate) fn copy_viewer(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if std::fs::metadata(&path)?.is_dir() {
            copy_viewer(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_viewer_is_found_in_the_nearest_node_modules_above() {
        if std::env::var_os(TRACE_VIEWER_ENV).is_some() {
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let viewer = dir
            .path()
            .join("node_modules/playwright-core/lib/vite/traceViewer");
        std::fs::create_dir_all(viewer.join("assets")).expect("mkdir");
        std::fs::write(viewer.join("index.html"), "viewer").expect("write");
        std::fs::write(viewer.join("assets/a.js"), "js").expect("write");
        let nested = dir.path().join("packages/app/tests");
        std::fs::create_dir_all(&nested).expect("mkdir");
        assert_eq!(find_trace_viewer(&nested), Some(viewer.clone()));
        let other = tempfile::tempdir().expect("tempdir");
        assert_eq!(find_trace_viewer(other.path()), None);
        let to = other.path().join("trace");
        copy_viewer(&viewer, &to).expect("copy");
        assert_eq!(
            std::fs::read(to.join("assets/a.js")).expect("copied"),
            b"js"
        );
    }
}
