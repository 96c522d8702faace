// `node:fs`: Node's synchronous and callback file API over the host's files binding (for test
// runs: the project root, read-only except the output directory and `writableDirs`). Sync
// calls block the isolate on the host's file IO, as they block Node's thread.
(function () {
  const { core } = __bootstrap;
  const {
    op_sandbox_fs_read_sync,
    op_sandbox_fs_write_sync,
    op_sandbox_fs_query_sync,
    op_sandbox_fs_change_sync,
    op_sandbox_random_fill,
  } = core.ops;
  const { callSync, toPath, encodingOf, toBytes, decode, Dirent, Stats } = core.loadExtScript(
    "ext:isolate_sandbox/21_node_fs_shared.js",
  );
  const promises = core.loadExtScript("ext:isolate_sandbox/21_node_fs.js").default;
  const JSONParse = JSON.parse;

  function readFileSync(path, options = undefined) {
    path = toPath(path);
    const bytes = callSync(() => op_sandbox_fs_read_sync(path), "open", path);
    return decode(bytes, encodingOf(options));
  }

  function writeFileSync(path, data, options = undefined) {
    path = toPath(path);
    const append = typeof options === "object" && options?.flag?.[0] === "a";
    const bytes = toBytes(data, encodingOf(options));
    callSync(() => op_sandbox_fs_write_sync(path, bytes, append), "open", path);
  }

  function appendFileSync(path, data, options = undefined) {
    path = toPath(path);
    const bytes = toBytes(data, encodingOf(options));
    callSync(() => op_sandbox_fs_write_sync(path, bytes, true), "open", path);
  }

  function statSync(path, options = undefined) {
    path = toPath(path);
    try {
      return new Stats(JSONParse(callSync(() => op_sandbox_fs_query_sync("stat", path), "stat", path)));
    } catch (err) {
      if (options?.throwIfNoEntry === false && err.code === "ENOENT") return undefined;
      throw err;
    }
  }

  function existsSync(path) {
    try {
      statSync(path);
      return true;
    } catch {
      return false;
    }
  }

  function accessSync(path) {
    statSync(path);
  }

  function readdirSync(path, options = undefined) {
    path = toPath(path);
    const entries = JSONParse(
      callSync(() => op_sandbox_fs_query_sync("readdir", path), "scandir", path),
    );
    if (options?.withFileTypes) return entries.map((e) => new Dirent(e, path));
    return entries.map((e) => e.name);
  }

  function change(kind, path, other, recursive, force, syscall) {
    callSync(() => op_sandbox_fs_change_sync(kind, path, other, recursive, force), syscall, path);
  }

  function mkdirSync(path, options = undefined) {
    path = toPath(path);
    const recursive = !!(typeof options === "object" && options?.recursive);
    change("mkdir", path, "", recursive, false, "mkdir");
    return recursive ? path : undefined;
  }

  function rmSync(path, options = undefined) {
    path = toPath(path);
    change("rm", path, "", !!options?.recursive, !!options?.force, "rm");
  }

  function unlinkSync(path) {
    rmSync(path);
  }

  function rmdirSync(path, options = undefined) {
    rmSync(path, { recursive: true, ...options });
  }

  function renameSync(from, to) {
    from = toPath(from);
    to = toPath(to);
    change("rename", from, to, false, false, "rename");
  }

  function copyFileSync(from, to) {
    writeFileSync(to, readFileSync(from));
  }

  function realpathSync(path) {
    statSync(path);
    return toPath(path);
  }
  realpathSync.native = realpathSync;

  function mkdtempSync(prefix) {
    const bytes = new Uint8Array(6);
    op_sandbox_random_fill(bytes);
    const path = prefix + Array.from(bytes, (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("");
    mkdirSync(path);
    return path;
  }

  // Callback forms: the promise API, with Node's (err, value) callback.
  function callbackify(fn) {
    return function (...args) {
      const cb = args.pop();
      if (typeof cb !== "function") {
        const err = new TypeError('The "cb" argument must be of type function');
        err.code = "ERR_INVALID_ARG_TYPE";
        throw err;
      }
      fn(...args).then((value) => cb(null, value), (err) => cb(err));
    };
  }

  function exists(path, cb) {
    promises.stat(path).then(() => cb(true), () => cb(false));
  }

  // Streams read the whole file at the first read and hand it out in chunks; writes append.
  function createReadStream(path, options = undefined) {
    const { Readable } = core.loadExtScript("ext:isolate_sandbox/2i_node_stream.js");
    const opts = typeof options === "string" ? { encoding: options } : options ?? {};
    const size = opts.highWaterMark ?? 65536;
    let data = null;
    let offset = 0;
    const stream = new Readable({
      encoding: opts.encoding,
      read() {
        try {
          if (data === null) {
            const all = readFileSync(path);
            data = all.subarray(opts.start ?? 0, opts.end === undefined ? all.length : opts.end + 1);
            this.emit("open");
            this.emit("ready");
          }
        } catch (err) {
          this.destroy(err);
          return;
        }
        if (offset >= data.length) {
          this.push(null);
          return;
        }
        this.push(data.subarray(offset, offset + size));
        offset += size;
      },
    });
    stream.path = toPath(path);
    return stream;
  }

  function createWriteStream(path, options = undefined) {
    const { Writable } = core.loadExtScript("ext:isolate_sandbox/2i_node_stream.js");
    const opts = typeof options === "string" ? { encoding: options } : options ?? {};
    let append = String(opts.flags ?? "w").startsWith("a");
    let written = 0;
    const stream = new Writable({
      write(chunk, encoding, callback) {
        try {
          const bytes = toBytes(chunk, typeof chunk === "string" ? encoding : undefined);
          writeFileSync(path, bytes, { flag: append ? "a" : "w" });
          append = true;
          written += bytes.length;
          stream.bytesWritten = written;
          callback();
        } catch (err) {
          callback(err);
        }
      },
      final(callback) {
        try {
          if (!append) writeFileSync(path, new Uint8Array(0));
          callback();
        } catch (err) {
          callback(err);
        }
      },
    });
    stream.path = toPath(path);
    stream.bytesWritten = 0;
    return stream;
  }

  const constants = Object.freeze({ F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, COPYFILE_EXCL: 1 });

  const fs = {
    readFileSync, writeFileSync, appendFileSync, statSync, lstatSync: statSync, existsSync,
    accessSync, readdirSync, mkdirSync, rmSync, unlinkSync, rmdirSync, renameSync, copyFileSync,
    realpathSync, mkdtempSync, createReadStream, createWriteStream,
    readFile: callbackify(promises.readFile),
    writeFile: callbackify(promises.writeFile),
    appendFile: callbackify(promises.appendFile),
    stat: callbackify(promises.stat),
    lstat: callbackify(promises.stat),
    access: callbackify(promises.access),
    readdir: callbackify(promises.readdir),
    mkdir: callbackify(promises.mkdir),
    rm: callbackify(promises.rm),
    unlink: callbackify(promises.unlink),
    rename: callbackify(promises.rename),
    exists,
    constants,
    promises,
    Dirent,
    Stats,
  };
  return { ...fs, default: fs };
})();
