//! The `isolate-browser` command line: argument parsing, dispatch, and exit codes
//! (0 success, 1 the script or tests failed, 2 usage, configuration or environment errors).

mod merge_reports;
mod profiles;
mod run;
mod serve;
mod show_report;
mod test;

use std::process::ExitCode;

use clap::Parser;
use clap::Subcommand;

/// Runs Playwright-style browser tests, scripts and app servers in sandboxed V8 isolates.
#[derive(Debug, Parser)]
#[command(name = "isolate-browser", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a JavaScript or TypeScript module in the sandbox.
    Run(run::RunArgs),
    /// Run Playwright-style tests in sandboxed isolates against Chromium.
    Test(Box<test::TestArgs>),
    /// Serve a sandboxed `serve({ fetch })` app over HTTP.
    Serve(serve::ServeArgs),
    /// Manage virtual browser profiles (saved sign-ins and user-data directories).
    Profiles(profiles::ProfilesArgs),
    /// Serve an HTML report on loopback (its trace links open the trace viewer).
    ShowReport(show_report::ShowReportArgs),
    /// Merge the blob reports of a sharded run into one run's reports.
    MergeReports(merge_reports::MergeReportsArgs),
}

/// A user-facing failure that is not the script's fault: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct UsageError {
    message: String,
    hint: Option<String>,
}

impl UsageError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Test(args) => test::run(*args),
        Command::Profiles(args) => profiles::run(args),
        Command::Serve(args) => serve::run(args),
        Command::ShowReport(args) => show_report::run(args),
        Command::MergeReports(args) => merge_reports::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            crate::stdio::err!("error: {err}");
            if let Some(hint) = &err.hint {
                crate::stdio::err!("hint: {hint}");
            }
            ExitCode::from(2)
        }
    }
}
