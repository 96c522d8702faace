//! `globalSetup` and `globalTeardown`: files that run once, before the first test and after the
//! last, in a test sandbox of the first project (the same modules, `node:fs` view and browser
//! API as a test: `chromium.launch()` gets a browser of its own). Variables the setup puts in
//! `process.env` reach every test, as Playwright's workers inherit them; a function the setup
//! returns is its teardown, called after the last test as in Playwright.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use super::BrowserSource;
use super::browser::BrowserThread;
use super::isolate_host;
use super::isolate_host::IsolateMsg;
use super::output::TestOutput;
use super::results::failure_of_script;
use super::worker::ProjectRun;
use super::worker::runtime_options;
use super::worker::session_defaults;
use crate::sandbox::Runtime;

/// How long a global setup or teardown may take (there is no `globalTimeout` key yet).
const LIMIT: Duration = Duration::from_secs(600);

/// A setup whose returned teardown function waits in its sandbox for the end of the run.
pub(crate) struct Held {
    name: String,
    runtime: Runtime,
    browser: BrowserThread,
    session: Option<u32>,
    rx: mpsc::UnboundedReceiver<IsolateMsg>,
}

/// Which of the two a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Setup,
    Teardown,
}

impl Phase {
    fn key(self) -> &'static str {
        match self {
            Self::Setup => "globalSetup",
            Self::Teardown => "globalTeardown",
        }
    }
}

/// What a global setup left: variables it set, and its teardown function if it returned one.
pub(crate) struct Ran {
    pub env: Vec<(String, String)>,
    pub held: Option<Held>,
}

/// Runs one `globalSetup`/`globalTeardown` file with the config Playwright passes it.
pub(crate) async fn run(
    phase: Phase,
    file: &Path,
    project: std::sync::Arc<ProjectRun>,
    source: &BrowserSource,
    config: &Value,
) -> Result<Ran, String> {
    let key = phase.key();
    let rel = file
        .strip_prefix(
            project
                .root
                .canonicalize()
                .unwrap_or_else(|_| project.root.clone()),
        )
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/");
    let browser = BrowserThread::start(source.clone())
        .map_err(|e| format!("{key} {rel}: cannot start a browser thread: {e}"))?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let console = TestOutput::shared(project.output_limit);
    let defaults = session_defaults(&project);
    let binding = isolate_host::binding(browser.clone(), defaults, tx.clone(), console.clone());
    let runtime = Runtime::new(runtime_options(&project, console, Some(tx), binding))
        .map_err(|e| format!("{key} {rel}: {e}"))?;
    let spec = serde_json::to_string(&format!("./{rel}")).map_err(|e| e.to_string())?;
    let code = format!(
        "import * as m from {spec};\n\
         const fn = typeof m.default === 'function' ? m.default : m.default?.default;\n\
         if (typeof fn !== 'function') throw new TypeError({message});\n\
         const result = await fn({config});\n\
         Object.defineProperty(globalThis, '__ib_global_teardown', {{ value: typeof result === 'function' ? result : null, configurable: true }});\n",
        message = serde_json::to_string(&format!(
            "{key} file {rel} must export a function: `export default async function {key}(config) {{ … }}` (or `module.exports = async (config) => {{ … }}`)"
        ))
        .map_err(|e| e.to_string())?,
    );
    let name = format!("__isolate_browser_{key}.mjs");
    let mut session = None;
    let outcome = drive(
        runtime.run_module_code(&name, code),
        &mut rx,
        &mut session,
        key,
    )
    .await;
    let env = match outcome {
        Ok(()) => runtime
            .eval("JSON.stringify(process.env)")
            .await
            .map_err(|e| e.to_string()),
        Err(message) => Err(message),
    };
    let env = match env {
        Ok(v) => v
            .as_str()
            .and_then(|t| serde_json::from_str::<serde_json::Map<String, Value>>(t).ok())
            .unwrap_or_default(),
        Err(message) => {
            finish(&browser, session, runtime).await;
            return Err(format!("{key} {rel}: {message}"));
        }
    };
    let env: Vec<(String, String)> = env
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.as_str()?.to_string())))
        .filter(|(k, v)| k != "TMPDIR" && !project.env.iter().any(|(pk, pv)| pk == k && pv == v))
        .collect();
    let has_teardown = runtime
        .eval("typeof globalThis.__ib_global_teardown === 'function'")
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if phase == Phase::Setup && has_teardown {
        return Ok(Ran {
            env,
            held: Some(Held {
                name: rel,
                runtime,
                browser,
                session,
                rx,
            }),
        });
    }
    finish(&browser, session, runtime).await;
    Ok(Ran { env, held: None })
}

impl Held {
    /// Calls the teardown function the setup returned.
    pub(crate) async fn teardown(self) -> Result<(), String> {
        let Held {
            name,
            runtime,
            browser,
            mut session,
            mut rx,
        } = self;
        let result = drive(
            runtime.run_module_code(
                "__isolate_browser_globalSetup_teardown.mjs",
                "await globalThis.__ib_global_teardown();\n".to_string(),
            ),
            &mut rx,
            &mut session,
            "globalSetup",
        )
        .await;
        finish(&browser, session, runtime).await;
        result.map_err(|e| format!("the teardown returned by globalSetup {name}: {e}"))
    }
}

/// Runs the work while passing on the sandbox's console and noting its browser session.
async fn drive(
    work: impl std::future::Future<Output = Result<(), crate::sandbox::ScriptError>>,
    rx: &mut mpsc::UnboundedReceiver<IsolateMsg>,
    session: &mut Option<u32>,
    key: &str,
) -> Result<(), String> {
    let deadline = tokio::time::sleep(LIMIT);
    tokio::pin!(work);
    tokio::pin!(deadline);
    let mut open = true;
    loop {
        tokio::select! {
            biased;
            msg = rx.recv(), if open => match msg {
                Some(IsolateMsg::Output(entry)) => crate::stdio::err!("[{key}] {}", entry.text),
                Some(IsolateMsg::Session(s)) => *session = Some(s),
                Some(_) => {}
                None => open = false,
            },
            result = &mut work => {
                while let Ok(msg) = rx.try_recv() {
                    match msg {
                        IsolateMsg::Output(entry) => crate::stdio::err!("[{key}] {}", entry.text),
                        IsolateMsg::Session(s) => *session = Some(s),
                        _ => {}
                    }
                }
                return result.map_err(|e| {
                    let failure = failure_of_script(&e);
                    match failure.stack {
                        Some(stack) => format!("{}\n{stack}", failure.message),
                        None => failure.message,
                    }
                });
            }
            () = &mut deadline => {
                return Err(format!("timed out after {}s (global setup and teardown may take at most that)", LIMIT.as_secs()));
            }
        }
    }
}

async fn finish(browser: &BrowserThread, session: Option<u32>, runtime: Runtime) {
    if let Some(s) = session {
        browser.end_session(s).await;
    }
    runtime.dispose().await;
}
