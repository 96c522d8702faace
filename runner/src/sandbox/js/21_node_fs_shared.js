// What `node:fs` and `node:fs/promises` share: path and data conversions, Node's error codes
// on host errors, and the Dirent and Stats classes.
(function () {
  const { core } = __bootstrap;
  const { Buffer } = core.loadExtScript("ext:isolate_sandbox/29_node_buffer.js");
  const { URL } = core.loadExtScript("ext:deno_web/00_url.js");

  // Host errors arrive as "CODE: message"; Node code checks `err.code`.
  function withCode(err, syscall, path) {
    const m = /^([A-Z_]+): /.exec(err?.message ?? "");
    if (m) {
      err.code = m[1];
      err.errno = ERRNO[m[1]];
      err.syscall = syscall;
      err.path = path;
    }
    return err;
  }
  const ERRNO = { ENOENT: -2, EACCES: -13, EEXIST: -17, ENOTDIR: -20, EISDIR: -21, ENOTEMPTY: -39, EPERM: -1, EIO: -5 };

  async function call(promise, syscall, path) {
    try {
      return await promise;
    } catch (err) {
      throw withCode(err, syscall, path);
    }
  }

  function callSync(fn, syscall, path) {
    try {
      return fn();
    } catch (err) {
      throw withCode(err, syscall, path);
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
    if (typeof data === "string") return Buffer.from(data, encoding ?? "utf8");
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    if (ArrayBuffer.isView(data)) {
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    }
    throw new TypeError('The "data" argument must be a string or a Uint8Array');
  }

  // No encoding: a Buffer, as Node returns.
  function decode(bytes, encoding) {
    const buf = new Buffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (encoding === null || encoding === "buffer") return buf;
    return buf.toString(encoding);
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

  return { call, callSync, withCode, toPath, encodingOf, toBytes, decode, Dirent, Stats };
})();
