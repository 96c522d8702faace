//! Sandbox runtime benchmarks (issue targets in brackets), each printed beside a baseline
//! measured in the same run:
//! 1. create a runtime, evaluate `1 + 1`, dispose: median over 200 runs [< 5 ms]; baseline: a
//!    bare deno_core `JsRuntime` with no extensions and no snapshot.
//! 2. 1,000 sequential create/evaluate/dispose cycles: resident memory growth [< 30 MB].
//! 3. `isolate-browser run hello.ts`, warm: median wall time over 20 runs [< 100 ms]; baseline:
//!    `node hello.js` when Node is installed.
//! 4. acquiring a pooled namespaced runtime (`Host::namespaced_runtime` of a key disposed
//!    before): median over 200 [< 1 ms]; baseline: creating a new runtime.
//!
//! Run with `scripts/bench` (release build). Usage: bench-sandbox <path to isolate-browser>.

use std::process::Command;
use std::time::Duration;
use std::time::Instant;

use isolate_browser::sandbox::ConsoleBinding;
use isolate_browser::sandbox::Runtime;
use isolate_browser::sandbox::RuntimeOptions;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn options() -> RuntimeOptions {
    RuntimeOptions {
        console: ConsoleBinding::discard(),
        ..RuntimeOptions::default()
    }
}

async fn cycle() {
    let rt = Runtime::new(options()).expect("runtime");
    let v = rt.eval("1 + 1").await.expect("eval");
    assert_eq!(v, 2);
    rt.dispose().await;
}

fn bare_deno_core_cycle() {
    let mut js = deno_core::JsRuntime::new(deno_core::RuntimeOptions::default());
    js.execute_script("<bench>", "1 + 1").expect("eval");
}

fn main() {
    let cli = std::env::args().nth(1);
    let tokio_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio");

    // 1. create / eval / dispose.
    tokio_rt.block_on(async {
        for _ in 0..20 {
            cycle().await;
        }
        let mut ours = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            cycle().await;
            ours.push(t.elapsed());
        }
        let mut bare = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            bare_deno_core_cycle();
            bare.push(t.elapsed());
        }
        let (o, b) = (median(ours), median(bare));
        println!(
            "create+eval(1+1)+dispose, median of 200: {:.2} ms (target < 5 ms); bare deno_core JsRuntime (no snapshot, no web APIs): {:.2} ms; ratio {:.2}x",
            ms(o),
            ms(b),
            ms(o) / ms(b)
        );
    });

    // 2. memory growth over 1,000 cycles.
    tokio_rt.block_on(async {
        for _ in 0..50 {
            cycle().await;
        }
        let before = rss_kib();
        let t = Instant::now();
        for _ in 0..1000 {
            cycle().await;
        }
        let after = rss_kib();
        println!(
            "1000 create/eval/dispose cycles: RSS {:.1} MB -> {:.1} MB, growth {:.1} MB (target < 30 MB), {:.2} s",
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            (after as f64 - before as f64) / 1024.0,
            t.elapsed().as_secs_f64()
        );
    });

    // 4. pooled namespaced runtimes.
    tokio_rt.block_on(async {
        let host = isolate_browser::sandbox::Host::new(4);
        let first = host
            .namespaced_runtime("bench", options())
            .await
            .expect("acquires");
        first
            .eval("globalThis.state = { n: 0 }")
            .await
            .expect("evals");
        first.dispose().await;
        let (mut pooled, mut fresh) = (Vec::new(), Vec::new());
        for _ in 0..200 {
            let t = Instant::now();
            let rt = host
                .namespaced_runtime("bench", options())
                .await
                .expect("acquires");
            pooled.push(t.elapsed());
            assert!(rt.reused());
            rt.dispose().await;
            let t = Instant::now();
            let rt = Runtime::new(options()).expect("runtime");
            fresh.push(t.elapsed());
            rt.dispose().await;
        }
        let (p, f) = (median(pooled), median(fresh));
        println!(
            "acquire a pooled namespaced runtime, median of 200: {:.3} ms (target < 1 ms); a new runtime: {:.3} ms",
            ms(p),
            ms(f)
        );
    });

    // 3. CLI hello world.
    let Some(cli) = cli else {
        println!("(no CLI path given: skipping the `run hello.ts` wall-time benchmark)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("ib-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    std::fs::write(
        dir.join("hello.ts"),
        "const who: string = 'world';\nconsole.log(`hello ${who}`);\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("hello.js"),
        "const who = 'world';\nconsole.log(`hello ${who}`);\n",
    )
    .expect("write");
    let time = |program: &str, args: &[&str]| -> Option<Duration> {
        let mut samples = Vec::new();
        for i in 0..23 {
            let t = Instant::now();
            let out = Command::new(program)
                .args(args)
                .current_dir(&dir)
                .output()
                .ok()?;
            let took = t.elapsed();
            if !out.status.success() {
                return None;
            }
            if i >= 3 {
                samples.push(took);
            }
        }
        Some(median(samples))
    };
    let ours = time(&cli, &["run", "hello.ts"]).expect("isolate-browser run hello.ts succeeds");
    match time("node", &["hello.js"]) {
        Some(node) => println!(
            "`isolate-browser run hello.ts`, warm median of 20: {:.1} ms (target < 100 ms); `node hello.js`: {:.1} ms; ratio {:.2}x",
            ms(ours),
            ms(node),
            ms(ours) / ms(node)
        ),
        None => println!(
            "`isolate-browser run hello.ts`, warm median of 20: {:.1} ms (target < 100 ms); node not found for a baseline",
            ms(ours)
        ),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
