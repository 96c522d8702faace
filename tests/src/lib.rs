//! End-to-end tests of the `isolate-browser` binary and library on fixture projects, against
//! real V8 (and, for browser features, real Chromium) with anything they talk to served on
//! 127.0.0.1 by the test itself. The tests live in `e2e/`; `src/bin` builds the CLI they drive.
