//! Writing to the process's stdout and stderr without ever panicking: `println!` panics when the
//! reading end is gone (a crashed log collector, a killed `tee`), and a panic in the signal
//! task or a console callback used to leave a run that no longer reacts to SIGTERM. Output that
//! cannot be written is dropped; the run, its signals and its report files go on.

/// Like `println!`, but a closed or failing stdout is ignored.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// Like `eprintln!`, but a closed or failing stderr is ignored.
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub(crate) use err;
pub(crate) use out;
