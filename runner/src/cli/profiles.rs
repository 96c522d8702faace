//! `isolate-browser profiles`: list, inspect, delete, export and import virtual browser
//! profiles. `show` prints origins, cookie names and expiry; cookie values only with
//! `--values`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use clap::Subcommand;
use isolate_browser_profiles::ProfileError;
use isolate_browser_profiles::ProfileId;
use isolate_browser_profiles::ProfileStore;
use serde_json::Value;

use super::UsageError;
use crate::suite::config;

#[derive(Debug, Args)]
pub(crate) struct ProfilesArgs {
    #[command(subcommand)]
    command: ProfilesCommand,
    /// The profile store (default: profilesDir of the config, or .isolate-browser/profiles).
    #[arg(long = "profiles-dir", value_name = "DIR", global = true)]
    profiles_dir: Option<PathBuf>,
    /// The config file whose profilesDir to use.
    #[arg(short = 'c', long = "config", value_name = "FILE", global = true)]
    config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum ProfilesCommand {
    /// List saved profiles.
    List,
    /// Show a profile's origins, cookies (names and expiry) and storage keys.
    Show {
        /// The profile id, e.g. auth/main.
        id: String,
        /// Also print cookie and storage values.
        #[arg(long)]
        values: bool,
    },
    /// Delete a profile.
    Rm {
        /// The profile id.
        id: String,
    },
    /// Write a profile to a zip archive.
    Export {
        /// The profile id.
        id: String,
        /// The archive to write.
        file: PathBuf,
    },
    /// Read a profile from an archive made by `export`.
    Import {
        /// The archive.
        file: PathBuf,
        /// Store it under this id instead of the one it was exported with.
        id: Option<String>,
    },
}

/// `2024-05-01 12:00:00 UTC` for milliseconds since the epoch.
fn utc(ms: u64) -> String {
    let t = crate::civil::utc((ms / 1000) as i64);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

fn profile_error(e: ProfileError) -> UsageError {
    UsageError::new(e.to_string())
}

fn parse_id(id: &str) -> Result<ProfileId, UsageError> {
    ProfileId::parse(id).map_err(profile_error)
}

pub(crate) fn run(args: ProfilesArgs) -> Result<ExitCode, UsageError> {
    let cwd = std::env::current_dir()
        .map_err(|e| UsageError::new(format!("cannot read the current directory: {e}")))?;
    let root = match &args.profiles_dir {
        Some(dir) => cwd.join(dir),
        None => {
            let file = match &args.config {
                Some(c) => Some(cwd.join(c)),
                None => config::find_config(&cwd),
            };
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| UsageError::new(format!("cannot start the runtime: {e}")))?;
            let config = rt
                .block_on(config::load(file.as_deref(), &cwd))
                .map_err(|e| UsageError::new(e.to_string()))?;
            config.profiles_dir
        }
    };
    let store = ProfileStore::open(&root).map_err(profile_error)?;
    match args.command {
        ProfilesCommand::List => {
            let list = store.list_all();
            if list.is_empty() {
                crate::stdio::out!("no profiles in {}", root.display());
            }
            for (id, m) in list {
                let m = match m {
                    Ok(m) => m,
                    Err(e) => {
                        crate::stdio::out!("{id}  (BROKEN: {e})");
                        continue;
                    }
                };
                let expiry = m
                    .max_age_seconds
                    .map(|a| format!(", expires {}", utc(m.updated_ms + a * 1000)))
                    .unwrap_or_default();
                crate::stdio::out!(
                    "{}  ({:?}, {} origins, updated {}{expiry})",
                    m.id,
                    m.kind,
                    m.origins.len(),
                    utc(m.updated_ms)
                );
            }
        }
        ProfilesCommand::Show { id, values } => {
            let id = parse_id(&id)?;
            let m = store
                .manifest(&id)
                .map_err(profile_error)?
                .ok_or_else(|| profile_error(ProfileError::NotFound { id: id.to_string() }))?;
            crate::stdio::out!("profile {}", m.id);
            crate::stdio::out!("  kind: {:?}", m.kind);
            crate::stdio::out!("  created: {}", utc(m.created_ms));
            crate::stdio::out!("  updated: {}", utc(m.updated_ms));
            match m.max_age_seconds {
                Some(a) => crate::stdio::out!("  expires: {}", utc(m.updated_ms + a * 1000)),
                None => crate::stdio::out!("  expires: never"),
            }
            crate::stdio::out!("  origins: {}", m.origins.join(", "));
            let state = store
                .storage_state(&id)
                .map_err(profile_error)?
                .unwrap_or(Value::Null);
            let cookies = state["cookies"].as_array().cloned().unwrap_or_default();
            crate::stdio::out!("  cookies ({}):", cookies.len());
            for c in cookies {
                let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
                let expires = match c["expires"].as_f64() {
                    Some(e) if e > 0.0 => utc((e * 1000.0) as u64),
                    _ => "session".into(),
                };
                let value = if values {
                    format!(" = {}", s("value"))
                } else {
                    String::new()
                };
                crate::stdio::out!(
                    "    {}{value}  (domain {}, path {}, expires {expires})",
                    s("name"),
                    s("domain"),
                    s("path")
                );
            }
            for origin in state["origins"].as_array().cloned().unwrap_or_default() {
                for (key, label) in [
                    ("localStorage", "localStorage"),
                    ("sessionStorage", "sessionStorage"),
                ] {
                    let items = origin[key].as_array().cloned().unwrap_or_default();
                    if items.is_empty() {
                        continue;
                    }
                    crate::stdio::out!(
                        "  {label} of {}:",
                        origin["origin"].as_str().unwrap_or_default()
                    );
                    for item in items {
                        let name = item["name"].as_str().unwrap_or_default();
                        if values {
                            crate::stdio::out!(
                                "    {name} = {}",
                                item["value"].as_str().unwrap_or_default()
                            );
                        } else {
                            crate::stdio::out!("    {name}");
                        }
                    }
                }
            }
        }
        ProfilesCommand::Rm { id } => {
            let id = parse_id(&id)?;
            store.remove(&id).map_err(profile_error)?;
            crate::stdio::out!("removed profile {id}");
        }
        ProfilesCommand::Export { id, file } => {
            let id = parse_id(&id)?;
            store.export(&id, &cwd.join(&file)).map_err(profile_error)?;
            crate::stdio::out!("exported profile {id} to {}", file.display());
        }
        ProfilesCommand::Import { file, id } => {
            let id = id.as_deref().map(parse_id).transpose()?;
            let id = store
                .import(&cwd.join(&file), id.as_ref())
                .map_err(profile_error)?;
            crate::stdio::out!("imported profile {id} from {}", file.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_formats_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000_000), "2023-11-14 22:13:20 UTC");
    }
}
