//! Which tests a run runs: spec files per project (discovered, or given in memory), each listed
//! in isolates (see `list_files`), narrowed by the positional filters, `grep`/`grepInvert` (run-wide and
//! per project) and `test.only`, with `forbidOnly` and "no tests found" as errors.

use std::sync::Arc;

use isolate_browser_reporters::TestFailure;
use isolate_browser_reporters::TestId;
use isolate_browser_reporters::TestInfo;

use super::Isolation;
use super::RunError;
use super::RunRequest;
use super::browser::BrowserThread;
use super::discovery::Matcher;
use super::discovery::find_specs;
use super::worker::Listed;
use super::worker::ProjectRun;
use super::worker::SpecFile;

/// A selected test and what the coordinator knows of it.
pub(super) struct Entry {
    pub info: TestInfo,
    pub project: usize,
    pub file: Arc<SpecFile>,
    pub listed: Listed,
    pub retries: u32,
}

/// The selected tests, the files that failed to load, and each project's spec files.
pub(super) struct Selection {
    pub entries: Vec<Entry>,
    pub file_errors: Vec<(String, TestFailure)>,
    pub files_by_project: Vec<Vec<Arc<SpecFile>>>,
}

/// Discovers, lists and selects the tests of `selected_projects`.
pub(super) async fn select(
    request: &RunRequest,
    projects: &[Arc<ProjectRun>],
    selected_projects: &[usize],
) -> Result<Selection, RunError> {
    let config = &request.config;
    // ---- discovery and listing --------------------------------------------------------------
    let list_browser = BrowserThread::start(request.browser.clone())
        .map_err(|e| RunError::Worker(e.to_string()))?;
    let mut entries: Vec<Entry> = Vec::new();
    let mut file_errors: Vec<(String, TestFailure)> = Vec::new();
    let mut files_by_project: Vec<Vec<Arc<SpecFile>>> = vec![Vec::new(); projects.len()];
    for &pi in selected_projects {
        let project = &config.projects[pi];
        let files: Vec<Arc<SpecFile>> = match &request.specs {
            Some(specs) => specs
                .iter()
                .map(|s| {
                    Arc::new(SpecFile {
                        rel: s.path.trim_start_matches("./").to_string(),
                        code: Some(s.code.clone()),
                    })
                })
                .collect(),
            None => {
                let test_match = project
                    .test_match
                    .iter()
                    .map(|p| Matcher::new(p, "testMatch"))
                    .collect::<Result<Vec<_>, _>>()?;
                let test_ignore = project
                    .test_ignore
                    .iter()
                    .map(|p| Matcher::new(p, "testIgnore"))
                    .collect::<Result<Vec<_>, _>>()?;
                find_specs(&project.test_dir, &test_match, &test_ignore)
                    .map_err(|source| RunError::TestDir {
                        dir: project.test_dir.clone(),
                        source,
                    })?
                    .into_iter()
                    .filter_map(|abs| {
                        let rel = abs
                            .strip_prefix(&config.root)
                            .ok()?
                            .to_string_lossy()
                            .replace('\\', "/");
                        Some(Arc::new(SpecFile { rel, code: None }))
                    })
                    .collect()
            }
        };
        let files: Vec<_> = files
            .into_iter()
            .filter(|f| {
                request.filters.is_empty()
                    || request.filters.iter().any(|flt| flt.matches_file(&f.rel))
            })
            .collect();
        files_by_project[pi] = files.clone();
        let listed = list_files(&projects[pi], &files, &list_browser, config.workers).await;
        for (file, result) in listed {
            match result {
                Ok(tests) => {
                    for t in tests {
                        let line_ok = request.filters.iter().all(|flt| {
                            flt.line.is_none()
                                || !flt.matches_file(&file.rel)
                                || flt.line == Some(t.line)
                        });
                        if !line_ok {
                            continue;
                        }
                        let mut title_path = t.title_path.clone();
                        let info = TestInfo {
                            id: TestId(match project.repeat_index {
                                0 => format!("{}|{}|{}", project.name, file.rel, t.id),
                                r => format!("{}|{}|{}|repeat{r}", project.name, file.rel, t.id),
                            }),
                            file: file.rel.clone(),
                            line: t.line,
                            column: t.column,
                            title_path: std::mem::take(&mut title_path),
                            project: (!project.name.is_empty()).then(|| project.name.clone()),
                        };
                        entries.push(Entry {
                            retries: t.retries.unwrap_or(project.retries),
                            info,
                            project: pi,
                            file: file.clone(),
                            listed: t,
                        });
                    }
                }
                Err(failure) => file_errors.push((file.rel.clone(), failure)),
            }
        }
    }
    list_browser.shutdown().await;

    // ---- selection: grep, only, forbid-only ----------------------------------------------
    let grep = |p: &Option<super::Pattern>, key: &str| -> Result<Option<Matcher>, RunError> {
        Ok(match p {
            Some(p) => Some(Matcher::new(p, key)?),
            None => None,
        })
    };
    let global_grep = grep(&config.grep, "grep")?;
    let global_invert = grep(&config.grep_invert, "grepInvert")?;
    let mut project_greps = Vec::new();
    for p in &config.projects {
        project_greps.push((grep(&p.grep, "grep")?, grep(&p.grep_invert, "grepInvert")?));
    }
    entries.retain(|e| {
        let title = format!(
            "{} {} {}",
            e.info.file,
            e.info.title_path.join(" "),
            e.listed.tags.join(" ")
        );
        let (pg, pgi) = &project_greps[e.project];
        global_grep.as_ref().is_none_or(|g| g.matches_text(&title))
            && !global_invert
                .as_ref()
                .is_some_and(|g| g.matches_text(&title))
            && pg.as_ref().is_none_or(|g| g.matches_text(&title))
            && !pgi.as_ref().is_some_and(|g| g.matches_text(&title))
    });
    let focused: Vec<String> = entries
        .iter()
        .filter(|e| e.listed.only)
        .map(|e| {
            format!(
                "  {}:{} › {}",
                e.info.file,
                e.info.line,
                e.info.title_path.join(" › ")
            )
        })
        .collect();
    if config.forbid_only && !focused.is_empty() {
        return Err(RunError::ForbidOnly(focused));
    }
    if !focused.is_empty() {
        entries.retain(|e| e.listed.only);
    }
    if entries.is_empty() && file_errors.is_empty() && !request.pass_with_no_tests {
        return Err(RunError::NoTests(if request.filters.is_empty() {
            String::new()
        } else {
            format!(
                " matching {}",
                request
                    .filters
                    .iter()
                    .map(|f| f.path.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }));
    }
    Ok(Selection {
        entries,
        file_errors,
        files_by_project,
    })
}

/// Lists the files of a project in lanes running side by side, each loading its files one after
/// another: into fresh isolates, or (`isolation: "worker"`) into the lane's one isolate, reset
/// between files, so packages the specs import are evaluated once per lane. Results come in the
/// order of `files`.
async fn list_files(
    project: &Arc<ProjectRun>,
    files: &[Arc<SpecFile>],
    browser: &BrowserThread,
    workers: usize,
) -> Vec<(Arc<SpecFile>, Result<Vec<Listed>, TestFailure>)> {
    let count = match project.isolation {
        Isolation::Worker => workers.max(1),
        Isolation::File => workers.max(1) * 2,
    };
    let lanes = (0..count.min(files.len())).map(|lane| async move {
        let mut warm = None;
        let mut out = Vec::new();
        for (i, f) in files.iter().enumerate().skip(lane).step_by(count) {
            let r = super::worker::list_file(project, f, browser, &mut warm).await;
            out.push((i, f.clone(), r));
        }
        if let Some(runtime) = warm {
            runtime.dispose().await;
        }
        out
    });
    let mut listed: Vec<_> = futures::future::join_all(lanes)
        .await
        .into_iter()
        .flatten()
        .collect();
    listed.sort_by_key(|(i, _, _)| *i);
    listed.into_iter().map(|(_, f, r)| (f, r)).collect()
}
