// `node:os`: a virtual machine description. Nothing of the host is read: the temp and home
// directories are sandbox paths, the figures are fixed.
(function () {
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
    tmpdir: () => "/tmp",
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
