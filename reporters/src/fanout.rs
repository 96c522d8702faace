//! [`Reporter`] and [`FanOut`]: every reporter hears every event; one that fails or panics is
//! recorded and left out of later events, and neither stops the run nor the other reporters.

use std::panic::AssertUnwindSafe;

use crate::events::RunEvent;

/// A reporter failed (it could not write its file, ...).
#[derive(Debug, thiserror::Error)]
pub enum ReporterError {
    /// Writing a report file failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The report file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Producing the report failed.
    #[error("{0}")]
    Format(String),
}

/// Something that turns run events into output.
pub trait Reporter: Send {
    /// Its name, for messages (`junit`, `list`, ...).
    fn name(&self) -> &str;
    /// Handles one event.
    fn on_event(&mut self, event: &RunEvent) -> Result<(), ReporterError>;
}

/// Sends each event to every healthy reporter.
pub struct FanOut {
    reporters: Vec<Box<dyn Reporter>>,
    failed: Vec<Option<String>>,
}

impl FanOut {
    /// Fans out to these reporters, in order.
    pub fn new(reporters: Vec<Box<dyn Reporter>>) -> Self {
        let failed = vec![None; reporters.len()];
        Self { reporters, failed }
    }

    /// Delivers `event`; a reporter that errs or panics is disabled and its error kept.
    pub fn on_event(&mut self, event: &RunEvent) {
        for (reporter, failed) in self.reporters.iter_mut().zip(self.failed.iter_mut()) {
            if failed.is_some() {
                continue;
            }
            let result = std::panic::catch_unwind(AssertUnwindSafe(|| reporter.on_event(event)));
            match result {
                Ok(Ok(())) => {}
                Ok(Err(e)) => *failed = Some(format!("reporter {} failed: {e}", reporter.name())),
                Err(panic) => {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "panic".into());
                    *failed = Some(format!("reporter {} crashed: {what}", reporter.name()));
                }
            }
        }
    }

    /// Errors of the reporters that failed, for the end of the run.
    pub fn errors(&self) -> Vec<String> {
        self.failed.iter().flatten().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::Mutex;

    use super::*;
    use crate::events::RunEventKind;
    use crate::events::RunStats;
    use crate::events::RunStatus;

    struct Counting(Arc<Mutex<usize>>);
    impl Reporter for Counting {
        fn name(&self) -> &str {
            "counting"
        }
        fn on_event(&mut self, _: &RunEvent) -> Result<(), ReporterError> {
            *self.0.lock().expect("lock") += 1;
            Ok(())
        }
    }

    struct Failing;
    impl Reporter for Failing {
        fn name(&self) -> &str {
            "failing"
        }
        fn on_event(&mut self, _: &RunEvent) -> Result<(), ReporterError> {
            Err(ReporterError::Format("disk full".into()))
        }
    }

    struct Panicking;
    impl Reporter for Panicking {
        fn name(&self) -> &str {
            "panicking"
        }
        fn on_event(&mut self, _: &RunEvent) -> Result<(), ReporterError> {
            panic!("reporter bug")
        }
    }

    #[test]
    fn one_failing_reporter_does_not_stop_the_others() {
        let count = Arc::new(Mutex::new(0));
        let mut fan = FanOut::new(vec![
            Box::new(Failing),
            Box::new(Panicking),
            Box::new(Counting(count.clone())),
        ]);
        let started = RunEvent::from(RunEventKind::RunStarted {
            total: 1,
            workers: 1,
        });
        let finished = RunEvent::from(RunEventKind::RunFinished {
            status: RunStatus::Passed,
            stats: RunStats::default(),
            duration: Default::default(),
        });
        fan.on_event(&started);
        fan.on_event(&finished);
        assert_eq!(*count.lock().expect("lock"), 2);
        assert_eq!(
            fan.errors(),
            vec![
                "reporter failing failed: disk full".to_string(),
                "reporter panicking crashed: reporter bug".to_string()
            ]
        );
    }
}
