// `node:process` and the global `process`: what Node code reads of its process, answered by the
// sandbox. `env` holds only the variables the host allows (set when a runtime is sealed, and
// restored when a pooled runtime is reused); the working directory is the sandbox root `/`;
// `exit` ends nothing, it throws where it was called.
(function () {
  const env = {};
  const start = performance.now();
  const ns = () => BigInt(Math.round((performance.now() - start) * 1e6));

  function hrtime(previous) {
    const t = ns();
    let s = Number(t / 1000000000n);
    let n = Number(t % 1000000000n);
    if (Array.isArray(previous)) {
      s -= previous[0];
      n -= previous[1];
      if (n < 0) {
        s -= 1;
        n += 1e9;
      }
    }
    return [s, n];
  }
  hrtime.bigint = ns;

  function nextTick(fn, ...args) {
    if (typeof fn !== "function") {
      throw new TypeError(`The "callback" argument must be of type function. Received ${typeof fn}`);
    }
    queueMicrotask(() => fn(...args));
  }

  function exit(code) {
    const shown = code === undefined ? "" : String(code);
    const err = new Error(
      `process.exit(${shown}) was called: the sandbox ends nothing; fail or skip the test instead`,
    );
    err.code = "ERR_ISOLATE_PROCESS_EXIT";
    throw err;
  }

  const unsupported = (name) => () => {
    const err = new Error(`process.${name}() is not available in the sandbox`);
    err.code = "ERR_ISOLATE_UNSUPPORTED";
    throw err;
  };

  const process = {
    env,
    argv: ["/usr/local/bin/node", "/isolate-browser"],
    argv0: "node",
    execArgv: [],
    execPath: "/usr/local/bin/node",
    platform: "linux",
    arch: "x64",
    pid: 1,
    ppid: 0,
    title: "isolate-browser",
    version: "v22.0.0",
    versions: { node: "22.0.0", v8: "14.0", isolateBrowser: "0.1.0" },
    release: { name: "node" },
    exitCode: undefined,
    cwd: () => "/",
    chdir: unsupported("chdir"),
    kill: unsupported("kill"),
    exit,
    abort: unsupported("abort"),
    nextTick,
    hrtime,
    uptime: () => (performance.now() - start) / 1000,
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
    emitWarning: (warning) => console.warn(typeof warning === "string" ? `Warning: ${warning}` : warning),
    on() {
      return process;
    },
    once() {
      return process;
    },
    off() {
      return process;
    },
    removeListener() {
      return process;
    },
    removeAllListeners() {
      return process;
    },
    listeners: () => [],
    emit: () => false,
    stdout: { isTTY: false, write: (chunk) => (console.log(String(chunk).replace(/\n$/, "")), true) },
    stderr: { isTTY: false, write: (chunk) => (console.error(String(chunk).replace(/\n$/, "")), true) },
  };
  return { ...process, default: process };
})();
