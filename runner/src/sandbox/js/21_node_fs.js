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
  const { TextEncoder, TextDecoder } = core.loadExtScript("ext:deno_web/08_text_encoding.js");
  const { URL } = core.loadExtScript("ext:deno_web/00_url.js");
  const encoder = new TextEncoder();

  // Host errors arrive as "CODE: message"; Node code checks `err.code`.
  async function call(promise, syscall, path) {
    try {
      return await promise;
    } catch (err) {
      const m = /^([A-Z]+): /.exec(err?.message ?? "");
      if (m) {
        err.code = m[1];
        err.syscall = syscall;
        err.path = path;
      }
      throw err;
    }
  }

  function toPath(p) {
    if (p instanceof URL) {
      if (p.protocol !== "file:") throw new TypeError("The URL must be of scheme file");
      return decodeURIComponent(p.pathname);
    }
    if (typeof p !== "string") {
      throw new TypeError(`The "path" argument must be of type string or URL. Received ${typeof p}`);
    }
    return p;
  }

  function encodingOf(options) {
    if (typeof options === "string") return options;
    return options?.encoding ?? null;
  }

  function toBytes(data, encoding) {
    if (typeof data === "string") {
      if (encoding && !["utf8", "utf-8"].includes(String(encoding).toLowerCase())) {
        throw new TypeError(`encoding "${encoding}" is not supported; use utf8 or bytes`);
      }
      return encoder.encode(data);
    }
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) {
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
    throw new TypeError('The "data" argument must be a string or a Uint8Array');
  }

  function decode(bytes, encoding) {
    if (encoding === null) return bytes;
    const e = String(encoding).toLowerCase();
    if (e === "utf8" || e === "utf-8") return new TextDecoder().decode(bytes);
    if (e === "latin1" || e === "binary") return String.fromCharCode(...bytes);
    if (e === "base64") {
      let s = "";
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    }
    if (e === "hex") return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    throw new TypeError(`encoding "${encoding}" is not supported`);
  }

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

  class Dirent {
    #e;
    constructor(e, parentPath) {
      this.#e = e;
      this.name = e.name;
      this.parentPath = parentPath;
      this.path = parentPath;
    }
    isFile() {
      return this.#e.isFile;
    }
    isDirectory() {
      return this.#e.isDirectory;
    }
    isSymbolicLink() {
      return this.#e.isSymbolicLink;
    }
  }

  async function readdir(path, options = undefined) {
    path = toPath(path);
    const entries = JSON.parse(await call(op_sandbox_fs_query("readdir", path), "scandir", path));
    if (options?.withFileTypes) return entries.map((e) => new Dirent(e, path));
    return entries.map((e) => e.name);
  }

  class Stats {
    #s;
    constructor(s) {
      this.#s = s;
      this.size = s.size;
      this.mode = s.mode;
      this.mtimeMs = s.mtimeMs;
      this.birthtimeMs = s.birthtimeMs;
      this.mtime = new Date(s.mtimeMs);
      this.birthtime = new Date(s.birthtimeMs);
    }
    isFile() {
      return this.#s.isFile;
    }
    isDirectory() {
      return this.#s.isDirectory;
    }
    isSymbolicLink() {
      return this.#s.isSymbolicLink;
    }
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
