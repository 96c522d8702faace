// `node:fs/promises`: the subset of Node's promise-based file API that the host's files binding
// grants. Paths are sandbox paths (`/` is the files root); the host confines and checks them.
(function () {
  const { core } = __bootstrap;
  const {
    op_sandbox_fs_read,
    op_sandbox_fs_write,
    op_sandbox_fs_query,
    op_sandbox_fs_change,
  } = core.ops;
  const { call, toPath, encodingOf, toBytes, decode, Dirent, Stats } = core.loadExtScript(
    "ext:isolate_sandbox/21_node_fs_shared.js",
  );

  async function readFile(path, options = undefined) {
    path = toPath(path);
    const bytes = await call(op_sandbox_fs_read(path), "open", path);
    return decode(bytes, encodingOf(options));
  }

  async function writeFile(path, data, options = undefined) {
    path = toPath(path);
    const append = typeof options === "object" && options?.flag === "a";
    await call(op_sandbox_fs_write(path, toBytes(data, encodingOf(options)), append), "open", path);
  }

  async function appendFile(path, data, options = undefined) {
    path = toPath(path);
    await call(op_sandbox_fs_write(path, toBytes(data, encodingOf(options)), true), "open", path);
  }

  async function readdir(path, options = undefined) {
    path = toPath(path);
    const entries = JSON.parse(await call(op_sandbox_fs_query("readdir", path), "scandir", path));
    if (options?.withFileTypes) return entries.map((e) => new Dirent(e, path));
    return entries.map((e) => e.name);
  }

  async function stat(path) {
    path = toPath(path);
    return new Stats(JSON.parse(await call(op_sandbox_fs_query("stat", path), "stat", path)));
  }

  async function access(path) {
    await stat(path);
  }

  async function mkdir(path, options = undefined) {
    path = toPath(path);
    const recursive = !!(typeof options === "object" && options?.recursive);
    await call(op_sandbox_fs_change("mkdir", path, "", recursive, false), "mkdir", path);
    return recursive ? path : undefined;
  }

  async function rm(path, options = undefined) {
    path = toPath(path);
    await call(
      op_sandbox_fs_change("rm", path, "", !!options?.recursive, !!options?.force),
      "rm",
      path,
    );
  }

  async function unlink(path) {
    return await rm(path);
  }

  async function rename(from, to) {
    from = toPath(from);
    to = toPath(to);
    await call(op_sandbox_fs_change("rename", from, to, false, false), "rename", from);
  }

  const fs = {
    readFile, writeFile, appendFile, readdir, stat, lstat: stat, access, mkdir, rm, unlink,
    rename,
  };
  return { ...fs, default: fs };
})();
