//! The timings file, `<outputDir>/.timings.json`: each test's recent durations, written by
//! every run (merged into what was there, so a shard keeps the others' history) for
//! `--shard-balance duration` to split by, and for CI to cache and restore between runs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde::Serialize;

/// The file's name in the output directory.
pub(crate) const FILE: &str = ".timings.json";

/// Durations kept per test.
const KEEP: usize = 5;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(crate) struct Timings {
    /// The format's version.
    pub version: u32,
    /// Test id → its recent durations in milliseconds, oldest first.
    pub tests: BTreeMap<String, Vec<u64>>,
}

impl Timings {
    /// What the output directory holds; empty when there is nothing (or nothing readable:
    /// a timings file only steers the split, so a bad one warns and is replaced).
    pub(crate) fn read(output_dir: &Path) -> Self {
        let path = output_dir.join(FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                crate::stdio::err!(
                    "warning: {} is not a timings file ({e}); splitting by count",
                    path.display()
                );
                Self::default()
            }),
            Err(_) => Self::default(),
        }
    }

    /// The duration to expect of test `id`: the mean of its recent runs.
    pub(crate) fn expected(&self, id: &str) -> Option<u64> {
        let runs = self.tests.get(id).filter(|r| !r.is_empty())?;
        Some(runs.iter().sum::<u64>() / runs.len() as u64)
    }

    /// Adds a run's durations.
    pub(crate) fn record(&mut self, durations: impl IntoIterator<Item = (String, u64)>) {
        self.version = 1;
        for (id, ms) in durations {
            let runs = self.tests.entry(id).or_default();
            runs.push(ms);
            if runs.len() > KEEP {
                runs.drain(..runs.len() - KEEP);
            }
        }
    }

    pub(crate) fn write(&self, output_dir: &Path) {
        super::last_run::write_record(output_dir, FILE, self, "write the timings");
    }
}

/// Each test's expected duration: its own history, or the median of the tests that have one
/// (1 ms when none has, which makes the split a count split).
pub(crate) fn expected_durations(timings: &Timings, ids: &[&str]) -> Vec<u64> {
    let known: Vec<Option<u64>> = ids.iter().map(|id| timings.expected(id)).collect();
    let mut sorted: Vec<u64> = known.iter().flatten().copied().collect();
    sorted.sort_unstable();
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(1);
    known
        .into_iter()
        .map(|k| k.unwrap_or(median).max(1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_is_kept_short_and_unknown_tests_get_the_median() {
        let mut t = Timings::default();
        for ms in [10, 20, 30, 40, 50, 60, 70] {
            t.record([("a".to_string(), ms)]);
        }
        assert_eq!(t.tests["a"], [30, 40, 50, 60, 70]);
        assert_eq!(t.expected("a"), Some(50));
        t.record([("b".to_string(), 1000), ("c".to_string(), 2)]);
        assert_eq!(
            expected_durations(&t, &["a", "b", "c", "new"]),
            [50, 1000, 2, 50]
        );
        assert_eq!(expected_durations(&Timings::default(), &["x", "y"]), [1, 1]);
    }

    #[test]
    fn a_timings_file_round_trips_and_a_bad_one_is_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut t = Timings::default();
        t.record([("a".to_string(), 5)]);
        t.write(dir.path());
        assert_eq!(Timings::read(dir.path()).tests["a"], [5]);
        std::fs::write(dir.path().join(FILE), "not json").expect("write");
        assert!(Timings::read(dir.path()).tests.is_empty());
    }
}
