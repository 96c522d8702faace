// `node:os`: a virtual machine description. Nothing of the host is read: the temp and home
// directories are sandbox paths, the figures are fixed. `tmpdir()` is `TMPDIR` as Node's is:
// a test run sets it to a directory inside its output directory.
(function () {
  const { core } = __bootstrap;
  const processObj = core.loadExtScript("ext:isolate_sandbox/22_node_process.js").default;
  function tmpdir() {
    const env = processObj.env ?? {};
    let dir = env.TMPDIR || env.TMP || env.TEMP || "/tmp";
    if (dir.length > 1 && dir.endsWith("/")) dir = dir.slice(0, -1);
    return dir;
  }
  const os = {
    EOL: "\n",
    devNull: "/dev/null",
    platform: () => "linux",
    type: () => "Linux",
    arch: () => "x64",
    machine: () => "x86_64",
    release: () => "6.0.0",
    version: () => "#1 SMP",
    endianness: () => "LE",
    hostname: () => "sandbox",
    homedir: () => "/home/sandbox",
    tmpdir,
    uptime: () => 0,
    loadavg: () => [0, 0, 0],
    totalmem: () => 0,
    freemem: () => 0,
    availableParallelism: () => 1,
    cpus: () => [],
    networkInterfaces: () => ({}),
    userInfo: () => ({ uid: 1000, gid: 1000, username: "sandbox", homedir: "/home/sandbox", shell: null }),
    constants: { signals: {}, errno: {} },
  };
  return { ...os, default: os };
})();
