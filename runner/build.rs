//! Builds the sandbox's startup snapshot: an isolate with deno_web, our bootstrap and the test
//! runner's test and browser API (`@playwright/test`) already evaluated, so creating a runtime
//! only deserialises it. One snapshot serves every runtime: V8 aborts ("Check failed: index <
//! size()", in the shared string table) when an isolate is created from one snapshot while an
//! isolate made from another lives, which a test run with an app server beside its tests does.
//!
//! What runs while a snapshot is made must not slice and internalize strings of the extension
//! sources (as `Function.prototype.toString` and a regexp over it do): V8 then writes strings
//! whose hash points into a forwarding table the next isolate does not have, and aborts the same
//! way when one is created while another lives. Also writes the table of lazily
//! loaded extension scripts the snapshot did not consume, so that they stay loadable at run
//! time without the crate sources on disk.

#[path = "src/sandbox/ext/mod.rs"]
#[allow(dead_code)]
mod ext;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use deno_core::ExtensionFileSourceCode;
use deno_core::snapshot::CreateSnapshotOptions;
use deno_core::snapshot::create_snapshot;

fn extensions() -> Vec<deno_core::Extension> {
    vec![
        deno_webidl::deno_webidl::init(),
        deno_web::deno_web::init(
            Arc::new(deno_web::BlobStore::default()),
            None,
            false,
            deno_web::InMemoryBroadcastChannel::default(),
        ),
        ext::isolate_sandbox::init(),
        ext::isolate_suite::init(),
    ]
}

/// Builds a snapshot of `extensions`; `what` names it when its JS fails to evaluate.
fn snapshot(
    extensions: Vec<deno_core::Extension>,
    what: &str,
) -> deno_core::snapshot::CreateSnapshotOutput {
    let output = create_snapshot(
        CreateSnapshotOptions {
            cargo_manifest_dir: env!("CARGO_MANIFEST_DIR"),
            startup_snapshot: None,
            skip_op_registration: false,
            extensions,
            extension_transpiler: None,
            with_runtime_cb: None,
        },
        None,
    )
    .unwrap_or_else(|e| panic!("{what} must evaluate while building its snapshot: {e}"));
    for path in &output.files_loaded_during_snapshot {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    output
}

fn main() {
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let lazy: Vec<(String, String)> = extensions()
        .iter()
        .flat_map(|e| e.lazy_loaded_js_files.iter())
        .filter_map(|f| match &f.code {
            ExtensionFileSourceCode::LoadedFromFsDuringSnapshot(path) => {
                Some((f.specifier.to_string(), path.to_string()))
            }
            _ => None,
        })
        .collect();

    let output = snapshot(extensions(), "the sandbox bootstrap and the test API");
    std::fs::write(out_dir.join("SANDBOX_SNAPSHOT.bin"), &output.output)
        .expect("write the snapshot to OUT_DIR");
    println!("cargo:rerun-if-changed=src/sandbox/ext");
    println!("cargo:rerun-if-changed=src/sandbox/js");
    println!("cargo:rerun-if-changed=src/suite/js");
    println!("cargo:rerun-if-changed=src/suite/browser/js");
    println!("cargo:rerun-if-changed=../matchers/src/js");

    let mut residual: Vec<&(String, String)> = lazy
        .iter()
        .filter(|(spec, _)| !output.consumed_lazy_specifiers.contains(spec))
        .collect();
    residual.sort();
    let mut table = String::from("&[\n");
    for (spec, path) in residual {
        println!("cargo:rerun-if-changed={path}");
        writeln!(table, "    ({spec:?}, include_str!({path:?})),").expect("write to a String");
    }
    table.push(']');
    std::fs::write(out_dir.join("residual_lazy_js.rs"), table).expect("write the residual table");
}
