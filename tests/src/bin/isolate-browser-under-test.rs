//! The `isolate-browser` CLI, built inside the tests crate so end-to-end tests run a binary that
//! is always up to date with the library.

fn main() -> std::process::ExitCode {
    isolate_browser::cli::main()
}
