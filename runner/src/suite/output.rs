//! One test's console output, kept up to a limit (`outputLimitMb`): a test that logs without
//! end must not make the runner hold, stream and write into every report all of it. Past the
//! limit, lines are counted and dropped, and a note says so where the output is shown.

use std::sync::Arc;
use std::sync::Mutex;

use crate::sandbox::ConsoleEntry;
use crate::sandbox::ConsoleLevel;

/// The output of the running test (or of the file, before its first test), shared by the
/// console callback and the harness calls.
pub(crate) type SharedOutput = Arc<Mutex<TestOutput>>;

/// What became of a line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Kept {
    /// It fits: show it.
    Yes,
    /// The first line over the limit: show this note instead.
    FirstDropped(ConsoleEntry),
    /// Over the limit, and already said so.
    No,
}

/// Lines kept so far and what was dropped.
#[derive(Debug)]
pub(crate) struct TestOutput {
    entries: Vec<ConsoleEntry>,
    bytes: usize,
    limit: usize,
    dropped_lines: usize,
    dropped_bytes: usize,
}

fn mib(bytes: usize) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

impl TestOutput {
    /// Keeps up to `limit` bytes of text.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            entries: Vec::new(),
            bytes: 0,
            limit,
            dropped_lines: 0,
            dropped_bytes: 0,
        }
    }

    /// A new shared buffer.
    pub(crate) fn shared(limit: usize) -> SharedOutput {
        Arc::new(Mutex::new(Self::new(limit)))
    }

    /// Keeps `entry` if it fits.
    pub(crate) fn push(&mut self, entry: ConsoleEntry) -> Kept {
        let size = entry.text.len() + 1;
        if self.dropped_lines == 0 && self.bytes + size <= self.limit {
            self.bytes += size;
            self.entries.push(entry);
            return Kept::Yes;
        }
        self.dropped_lines += 1;
        self.dropped_bytes += size;
        if self.dropped_lines > 1 {
            return Kept::No;
        }
        Kept::FirstDropped(ConsoleEntry {
            level: ConsoleLevel::Warn,
            text: format!(
                "[isolate-browser] this test's console output is over its limit of {} (`outputLimitMb`); the rest is dropped",
                mib(self.limit)
            ),
        })
    }

    /// Starts over (a new test begins).
    pub(crate) fn clear(&mut self) {
        *self = Self::new(self.limit);
    }

    /// The kept lines, ending with a note of what was dropped, if anything was; starts over.
    pub(crate) fn take(&mut self) -> Vec<ConsoleEntry> {
        let mut entries = std::mem::take(&mut self.entries);
        if self.dropped_lines > 0 {
            entries.push(ConsoleEntry {
                level: ConsoleLevel::Log,
                text: format!(
                    "[isolate-browser] {} lines ({}) of console output were dropped: a test keeps {} (`outputLimitMb`)",
                    self.dropped_lines,
                    mib(self.dropped_bytes),
                    mib(self.limit)
                ),
            });
        }
        self.clear();
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> ConsoleEntry {
        ConsoleEntry {
            level: ConsoleLevel::Log,
            text: text.into(),
        }
    }

    #[test]
    fn output_is_kept_up_to_the_limit_and_the_rest_is_counted() {
        let mut out = TestOutput::new(10);
        assert_eq!(out.push(line("abcd")), Kept::Yes);
        assert_eq!(out.push(line("efgh")), Kept::Yes);
        assert!(matches!(out.push(line("ij")), Kept::FirstDropped(_)));
        assert_eq!(out.push(line("k")), Kept::No, "said once");
        let kept = out.take();
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[1].text, "efgh");
        assert!(
            kept[2].text.contains("2 lines") && kept[2].text.contains("outputLimitMb"),
            "{}",
            kept[2].text
        );
        assert_eq!(
            out.push(line("fresh")),
            Kept::Yes,
            "the next test starts over"
        );
    }
}
