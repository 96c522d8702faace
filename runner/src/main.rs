//! The `isolate-browser` binary; everything lives in the library's `cli` module.

// The app server and the runner allocate many small, short-lived buffers per request and per
// CDP message; mimalloc serves those faster than glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    isolate_browser::cli::main()
}
