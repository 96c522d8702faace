//! `bench-serve`: requests per second and p99 latency of a JSON hello-world handler served by
//! `isolate-browser serve`, beside the same handler in Node's `http` module, both measured
//! with `wrk` (2 threads, 32 connections, 10 s after a 2 s warm-up), median of 3 rounds
//! that alternate the two servers,
//! [goal: at least Node's throughput].
//!
//! Run with `scripts/bench` (release build). Usage: `bench-serve <path to isolate-browser>`.
//! Needs `wrk` and `node` on PATH (the script installs wrk from Debian).

use std::io::BufRead as _;
use std::process::Child;
use std::process::Command;
use std::process::Stdio;

const ROUNDS: usize = 3;

const APP: &str = r#"export default {
  fetch(request) {
    return Response.json({ message: "hello, world" });
  },
};
"#;

const NODE_APP: &str = r#"const http = require("http");
const server = http.createServer((req, res) => {
  const body = JSON.stringify({ message: "hello, world" });
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}/`));
"#;

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts a server that prints `listening on <url>` first.
fn start(mut cmd: Command) -> Server {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("reads");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    Server { child, url }
}

struct Wrk {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: bool,
}

fn wrk(url: &str, seconds: u32) -> Wrk {
    let out = Command::new("wrk")
        .args(["-t2", "-c32", &format!("-d{seconds}s"), "--latency", url])
        .output()
        .expect("wrk runs (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let number = |prefix: &str| -> f64 {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix).map(str::trim))
            .and_then(|v| {
                let v = v.split_whitespace().next().unwrap_or(v);
                let (n, scale) = if let Some(n) = v.strip_suffix("ms") {
                    (n, 1.0)
                } else if let Some(n) = v.strip_suffix("us") {
                    (n, 0.001)
                } else if let Some(n) = v.strip_suffix('s') {
                    (n, 1000.0)
                } else {
                    (v, 1.0)
                };
                n.parse::<f64>().ok().map(|n| n * scale)
            })
            .unwrap_or_else(|| panic!("no `{prefix}` in wrk's output:\n{text}"))
    };
    Wrk {
        rps: number("Requests/sec:"),
        p50_ms: number("50%"),
        p99_ms: number("99%"),
        errors: text.contains("Non-2xx") || text.contains("Socket errors"),
    }
}

fn main() {
    let binary = std::env::args()
        .nth(1)
        .expect("usage: bench-serve <path to isolate-browser>");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("server.js"), APP).expect("write");
    std::fs::write(dir.path().join("node-server.js"), NODE_APP).expect("write");

    let ours = || {
        let mut cmd = Command::new(&binary);
        cmd.args(["serve", "server.js", "--port", "0", "--quiet"])
            .current_dir(dir.path());
        start(cmd)
    };
    let node = || {
        let mut cmd = Command::new("node");
        cmd.arg("node-server.js").current_dir(dir.path());
        start(cmd)
    };
    // Alternating rounds, so neither side always gets the quieter machine; medians reported.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for (side, out) in [(&ours as &dyn Fn() -> Server, &mut a), (&node, &mut b)] {
            let server = side();
            wrk(&server.url, 2);
            out.push(wrk(&server.url, 10));
        }
    }
    // With a line per request written to stderr (the default).
    let logged = {
        let mut cmd = Command::new(&binary);
        cmd.args(["serve", "server.js", "--port", "0"])
            .current_dir(dir.path());
        let server = start(cmd);
        wrk(&server.url, 2);
        wrk(&server.url, 10)
    };

    println!(
        "bench-serve: JSON hello world, wrk -t2 -c32 -d10s over loopback, median of {ROUNDS} alternating rounds"
    );
    let ours = median(a);
    let node = median(b);
    for (name, r) in [
        ("isolate-browser serve --quiet", &ours),
        ("node http", &node),
        ("isolate-browser serve (request log, 1 run)", &logged),
    ] {
        println!(
            "  {name:<44} {:>9.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms{}",
            r.rps,
            r.p50_ms,
            r.p99_ms,
            if r.errors { "   (errors!)" } else { "" }
        );
    }
    println!("  ratio to node: {:.2} (goal >= 1.0)", ours.rps / node.rps);
}

/// The run with the median throughput.
fn median(mut runs: Vec<Wrk>) -> Wrk {
    runs.sort_by(|x, y| x.rps.total_cmp(&y.rps));
    runs.swap_remove(runs.len() / 2)
}
