//! Limits are enforced by V8: heap limit, wall-clock timeout, host cancellation. A runtime that
//! hit one is disposed; the process and new runtimes carry on.

use std::time::Duration;
use std::time::Instant;

use isolate_browser::ScriptError;
use serde_json::json;

use crate::support::runtime;

#[tokio::test]
async fn a_memory_bomb_fails_with_the_memory_limit_error_and_the_next_runtime_works() {
    let (rt, _console, _dir) = runtime(|o| o.memory_limit_mb = 32);
    let err = rt
        .eval("const keep = []; while (true) { keep.push(new Array(100000).fill({ a: Math.random() })); }")
        .await
        .expect_err("must hit the heap limit");
    assert!(matches!(err, ScriptError::MemoryLimit(32)), "{err:?}");
    assert_eq!(err.to_string(), "memory limit of 32 MB exceeded");
    assert!(!rt.is_usable());
    let again = rt.eval("1 + 1").await.expect_err("disposed");
    assert!(matches!(again, ScriptError::Disposed(_)), "{again:?}");

    let (next, _console, _dir) = runtime(|o| o.memory_limit_mb = 32);
    assert_eq!(
        next.eval("[1, 2, 3].map((x) => x * 2)")
            .await
            .expect("works"),
        json!([2, 4, 6])
    );
}

#[tokio::test]
async fn an_infinite_loop_is_terminated_by_the_timeout() {
    let (rt, _console, _dir) = runtime(|o| o.execution_timeout = Some(Duration::from_millis(100)));
    let started = Instant::now();
    let err = rt.eval("while (true) {}").await.expect_err("times out");
    let took = started.elapsed();
    assert!(
        matches!(err, ScriptError::Timeout(d) if d == Duration::from_millis(100)),
        "{err:?}"
    );
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(err.to_string(), "execution timed out after 100 ms");
}

#[tokio::test]
async fn a_never_settling_await_is_ended_by_the_timeout() {
    let (rt, _console, _dir) = runtime(|o| o.execution_timeout = Some(Duration::from_millis(150)));
    let started = Instant::now();
    // A pending timer keeps the event loop alive, so only the timeout can end this.
    let err = rt
        .run_module_code(
            "wait.mjs",
            "setInterval(() => {}, 1000); await new Promise(() => {});",
        )
        .await
        .expect_err("times out");
    assert!(matches!(err, ScriptError::Timeout(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_never_settling_await_without_pending_work_fails_at_once() {
    let (rt, _console, _dir) = runtime(|_| {});
    let err = rt
        .run_module_code("stall.mjs", "await new Promise(() => {});")
        .await
        .expect_err("cannot finish");
    assert!(matches!(err, ScriptError::Uncaught(_)), "{err:?}");
}

#[tokio::test]
async fn a_host_cancellation_terminates_a_busy_isolate() {
    let (rt, _console, _dir) = runtime(|_| {});
    let cancel = rt.cancel_handle();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        cancel.cancel();
    });
    let err = rt.eval("for (;;) {}").await.expect_err("cancelled");
    canceller.join().expect("canceller");
    assert!(matches!(err, ScriptError::Cancelled), "{err:?}");
    assert!(!rt.is_usable());
}

#[tokio::test]
async fn runtimes_are_independent_and_can_run_side_by_side() {
    let (a, _ca, _da) = runtime(|_| {});
    let (b, _cb, _db) = runtime(|_| {});
    a.eval("globalThis.x = 1").await.expect("a");
    assert_eq!(
        b.eval("typeof globalThis.x").await.expect("b"),
        json!("undefined")
    );
    let (ra, rb) = tokio::join!(
        a.eval("new Promise((r) => setTimeout(() => r('a'), 30))"),
        b.eval("'b'")
    );
    assert_eq!((ra.expect("a"), rb.expect("b")), (json!("a"), json!("b")));
    a.dispose().await;
    assert_eq!(b.eval("2 * 21").await.expect("b still works"), json!(42));
}
