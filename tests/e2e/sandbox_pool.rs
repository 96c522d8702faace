//! Namespaced runtimes: reuse keeps modules and globals but gives fresh bindings, timers and
//! console counters; one live handle per key; LRU eviction; runtimes that hit a limit are
//! discarded.

use std::time::Duration;

use isolate_browser::sandbox::Host;
use isolate_browser::sandbox::NamespaceError;
use isolate_browser::sandbox::RuntimeOptions;
use isolate_browser::sandbox::ScriptError;

use crate::support::Captured;

fn options(dir: &std::path::Path, console: &Captured) -> RuntimeOptions {
    RuntimeOptions {
        cwd: dir.to_path_buf(),
        console: console.binding(),
        ..RuntimeOptions::default()
    }
}

#[tokio::test]
async fn a_reused_runtime_keeps_modules_and_globals_with_fresh_bindings_timers_and_counters() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("counter.js"),
        "console.log('counter evaluated'); let n = 0; export const bump = () => ++n;",
    )
    .expect("write");
    let host = Host::new(4);
    let first_console = Captured::default();
    let first = host
        .namespaced_runtime("tenant/a", options(dir.path(), &first_console))
        .await
        .expect("acquires");
    assert!(!first.reused());
    first
        .run_module_code("one.js", "import { bump } from './counter.js'; console.log('bump', bump()); globalThis.kept = 'from life 1'; console.count('hits');")
        .await
        .expect("runs");
    // Still pending when the runtime goes back to the pool (eval does not wait for timers).
    first
        .eval("setTimeout(() => console.log('late timer'), 300); setInterval(() => console.log('tick'), 50); 1")
        .await
        .expect("evals");
    first.dispose().await;
    assert_eq!(
        first_console.texts(),
        ["counter evaluated", "bump 1", "hits: 1"]
    );

    let second_console = Captured::default();
    let second = host
        .namespaced_runtime("tenant/a", options(dir.path(), &second_console))
        .await
        .expect("acquires again");
    assert!(second.reused());
    second
        .run_module_code("two.js", "import { bump } from './counter.js'; console.log('bump', bump()); console.log(globalThis.kept); console.count('hits'); await new Promise((r) => setTimeout(r, 500));")
        .await
        .expect("runs");
    second.dispose().await;
    // The module was not evaluated again, its state and the global survived; the console is
    // the new one, counters start over, and the first life's timer never fired.
    assert_eq!(second_console.texts(), ["bump 2", "from life 1", "hits: 1"]);
    assert_eq!(
        first_console.texts().len(),
        3,
        "{:?}",
        first_console.texts()
    );
}

#[tokio::test]
async fn one_live_handle_per_key_and_exactly_one_of_concurrent_acquires_wins() {
    let dir = tempfile::tempdir().expect("tmp");
    let host = Host::new(4);
    let console = Captured::default();
    let live = host
        .namespaced_runtime("k", options(dir.path(), &console))
        .await
        .expect("acquires");
    let err = host
        .namespaced_runtime("k", options(dir.path(), &console))
        .await
        .err()
        .expect("refused");
    assert!(matches!(err, NamespaceError::InUse(_)), "{err}");
    assert!(
        err.to_string().contains("namespace \"k\" is in use"),
        "{err}"
    );
    live.dispose().await;

    let attempts: Vec<_> = (0..6)
        .map(|_| {
            let host = host.clone();
            let options = options(dir.path(), &console);
            tokio::spawn(async move { host.namespaced_runtime("k", options).await })
        })
        .collect();
    let mut won = Vec::new();
    let mut refused = 0;
    for a in attempts {
        match a.await.expect("joins") {
            Ok(rt) => won.push(rt),
            Err(NamespaceError::InUse(_)) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((won.len(), refused), (1, 5));
    for rt in won {
        rt.dispose().await;
    }
}

#[tokio::test]
async fn the_least_recently_used_idle_runtime_is_evicted_and_deleted_ones_are_gone() {
    let dir = tempfile::tempdir().expect("tmp");
    let host = Host::new(2);
    let console = Captured::default();
    for key in ["a", "b", "c"] {
        let rt = host
            .namespaced_runtime(key, options(dir.path(), &console))
            .await
            .expect("acquires");
        rt.eval(format!("globalThis.me = '{key}'"))
            .await
            .expect("evals");
        rt.dispose().await;
    }
    assert_eq!(host.len(), 2);
    let c = host
        .namespaced_runtime("c", options(dir.path(), &console))
        .await
        .expect("acquires");
    assert!(c.reused());
    assert_eq!(c.eval("globalThis.me").await.expect("evals"), "c");
    c.dispose().await;
    let a = host
        .namespaced_runtime("a", options(dir.path(), &console))
        .await
        .expect("acquires");
    assert!(!a.reused(), "a was the least recently used");
    a.dispose().await;

    assert!(host.dispose_namespace("c").await);
    let c = host
        .namespaced_runtime("c", options(dir.path(), &console))
        .await
        .expect("acquires");
    assert!(!c.reused(), "deleted namespaces start over");
    // Deleting a live one takes effect when it is disposed.
    assert!(host.dispose_namespace("c").await);
    c.dispose().await;
    assert!(!host.dispose_namespace("c").await);
}

#[tokio::test]
async fn a_runtime_that_hit_a_limit_is_discarded_not_pooled() {
    let dir = tempfile::tempdir().expect("tmp");
    let host = Host::new(4);
    let console = Captured::default();
    let rt = host
        .namespaced_runtime(
            "slow",
            RuntimeOptions {
                execution_timeout: Some(Duration::from_millis(200)),
                ..options(dir.path(), &console)
            },
        )
        .await
        .expect("acquires");
    rt.eval("globalThis.marker = 1").await.expect("evals");
    let err = rt.eval("for (;;) {}").await.expect_err("times out");
    assert!(matches!(err, ScriptError::Timeout(_)), "{err}");
    rt.dispose().await;
    let again = host
        .namespaced_runtime("slow", options(dir.path(), &console))
        .await
        .expect("acquires");
    assert!(!again.reused());
    assert_eq!(
        again.eval("typeof globalThis.marker").await.expect("evals"),
        "undefined"
    );
    again.dispose().await;

    let rt = host
        .namespaced_runtime(
            "hog",
            RuntimeOptions {
                memory_limit_mb: 16,
                ..options(dir.path(), &console)
            },
        )
        .await
        .expect("acquires");
    let err = rt
        .eval("const keep = []; for (;;) keep.push(new Array(100000).fill(1));")
        .await
        .expect_err("runs out");
    assert!(matches!(err, ScriptError::MemoryLimit(_)), "{err}");
    rt.dispose().await;
    let again = host
        .namespaced_runtime("hog", options(dir.path(), &console))
        .await
        .expect("acquires");
    assert!(!again.reused());
    assert_eq!(again.eval("1 + 1").await.expect("evals"), 2);
    again.dispose().await;
}

/// A reused runtime's `process.env` is what its new options allow, whatever the last tenant
/// wrote there or did to `Object`.
#[tokio::test]
async fn a_reused_runtime_gets_the_env_its_new_options_allow() {
    let dir = tempfile::tempdir().expect("tmp");
    let host = Host::new(4);
    let console = Captured::default();
    let mut first_options = options(dir.path(), &console);
    first_options.env = vec![("TENANT".into(), "a".into())];
    let first = host
        .namespaced_runtime("env", first_options)
        .await
        .expect("acquires");
    let seen = first
        .eval("const seen = JSON.stringify(process.env); process.env.LEFT = 'behind'; Object.keys = () => ['TENANT']; seen")
        .await
        .expect("evals");
    assert_eq!(seen, serde_json::json!("{\"TENANT\":\"a\"}"));
    first.dispose().await;
    let mut second_options = options(dir.path(), &console);
    second_options.env = vec![("TENANT".into(), "b".into())];
    let second = host
        .namespaced_runtime("env", second_options)
        .await
        .expect("acquires again");
    assert!(second.reused());
    let seen = second
        .eval("JSON.stringify(process.env)")
        .await
        .expect("evals");
    assert_eq!(seen, serde_json::json!("{\"TENANT\":\"b\"}"));
    second.dispose().await;
}
