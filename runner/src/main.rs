//! The `isolate-browser` binary; everything lives in the library's `cli` module.

fn main() -> std::process::ExitCode {
    isolate_browser::cli::main()
}
