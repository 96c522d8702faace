// `node:module` and CommonJS: `require`, `module.exports`, `exports`, `__filename`,
// `__dirname`, `require.resolve` and `require.cache`, as Node's loader gives them. The host
// resolves (Node's algorithm, confined to the module root) and hands over source text; files
// run here inside the usual CommonJS function wrapper. ES modules and built-ins are required
// through deno_core's synchronous import, which returns their namespace as Node 22 does.
(function () {
  const { core } = __bootstrap;
  const {
    op_sandbox_require_resolve,
    op_sandbox_require_source,
    op_sandbox_require_syntax_error,
    op_import_sync,
  } = core.ops;
  const SyntaxErrorCtor = SyntaxError;
  const { evalContext } = core;
  // Own copies: user code may replace the globals, but not what require does.
  const JSONParse = JSON.parse;
  const StringPrototypeSlice = (s, a, b) => String.prototype.slice.call(s, a, b);
  const StringPrototypeStartsWith = (s, p) => String.prototype.startsWith.call(s, p);
  const StringPrototypeEndsWith = (s, p) => String.prototype.endsWith.call(s, p);
  const StringPrototypeLastIndexOf = (s, p) => String.prototype.lastIndexOf.call(s, p);
  const StringPrototypeIndexOf = (s, p) => String.prototype.indexOf.call(s, p);
  const RegExpPrototypeExec = (r, s) => RegExp.prototype.exec.call(r, s);
  const FunctionPrototypeCall = (f, self, ...args) => Function.prototype.call.apply(f, [self, ...args]);
  const ObjectFreeze = Object.freeze;
  const ArrayPrototypePush = (a, v) => Array.prototype.push.call(a, v);
  const TypeErrorCtor = TypeError;

  const BUILTIN_MODULES = ObjectFreeze([
    "assert", "assert/strict", "buffer", "crypto", "events", "fs", "fs/promises", "module",
    "os", "path", "path/posix", "process", "querystring", "stream", "string_decoder", "timers",
    "timers/promises", "url", "util",
  ]);

  // require.cache: by sandbox path, as Node keys it by file name.
  const cache = { __proto__: null };

  function dirname(path) {
    const i = StringPrototypeLastIndexOf(path, "/");
    return i <= 0 ? "/" : StringPrototypeSlice(path, 0, i);
  }

  class Module {
    constructor(id = "", parent = null) {
      this.id = id;
      this.filename = id;
      this.path = dirname(id);
      this.exports = {};
      this.loaded = false;
      this.children = [];
      this.paths = [];
      this.parent = parent;
    }
    require(request) {
      return requireFrom(this, request);
    }
  }
  Module.builtinModules = BUILTIN_MODULES;
  Module._cache = cache;

  // Host errors arrive as "CODE: message".
  function withCode(err) {
    const m = RegExpPrototypeExec(/^([A-Z_]+): /, err?.message ?? "");
    if (m) {
      err.code = m[1];
      err.message = StringPrototypeSlice(err.message, m[0].length);
    }
    return err;
  }

  function resolve(request, parentPath) {
    if (typeof request !== "string" || request === "") {
      const err = new TypeErrorCtor(
        `The "id" argument must be a non-empty string. Received ${request === "" ? "''" : typeof request}`,
      );
      err.code = "ERR_INVALID_ARG_VALUE";
      throw err;
    }
    try {
      return JSONParse(op_sandbox_require_resolve(request, parentPath));
    } catch (err) {
      throw withCode(err);
    }
  }

  function requireFrom(parent, request) {
    const reply = resolve(request, parent.filename);
    switch (reply.format) {
      case "builtin": {
        const ns = op_import_sync(reply.url);
        return ns.default ?? ns;
      }
      case "esm":
        return op_import_sync(reply.url);
      default:
        return loadFile(reply, parent);
    }
  }

  function loadFile(reply, parent) {
    const cached = cache[reply.path];
    if (cached) return cached.exports;
    const module = new Module(reply.path, parent);
    if (parent) ArrayPrototypePush(parent.children, module);
    cache[reply.path] = module;
    try {
      let source;
      try {
        source = op_sandbox_require_source(reply.url);
      } catch (err) {
        throw withCode(err);
      }
      if (reply.format === "json") {
        try {
          module.exports = JSONParse(source);
        } catch (err) {
          err.message = `${reply.path}: ${err.message}`;
          throw err;
        }
      } else {
        if (StringPrototypeStartsWith(source, "#!")) {
          const nl = StringPrototypeIndexOf(source, "\n");
          source = nl < 0 ? "" : "//" + StringPrototypeSlice(source, nl);
        }
        const wrapped = "(function (exports, require, module, __filename, __dirname) { " + source +
          "\n})";
        const { 0: fn, 1: error } = evalContext(wrapped, reply.url);
        if (error) {
          // V8 names no position for a script that did not compile; the host finds it.
          const detail = error.isCompileError ? op_sandbox_require_syntax_error(reply.url) : null;
          if (detail) throw new SyntaxErrorCtor(detail);
          throw error.thrown;
        }
        FunctionPrototypeCall(
          fn,
          module.exports,
          module.exports,
          makeRequire(module),
          module,
          module.filename,
          module.path,
        );
      }
      module.loaded = true;
      return module.exports;
    } catch (err) {
      delete cache[reply.path];
      throw err;
    }
  }

  function makeRequire(module) {
    const require = function require(request) {
      return requireFrom(module, request);
    };
    require.resolve = function resolveFn(request) {
      const reply = resolve(request, module.filename);
      if (reply.format === "builtin") return request;
      return reply.path ?? reply.url;
    };
    require.resolve.paths = () => null;
    require.cache = cache;
    require.main = undefined;
    return require;
  }

  function toPath(filename) {
    if (typeof filename === "object" && filename !== null && typeof filename.href === "string") {
      filename = filename.href;
    }
    if (typeof filename !== "string") {
      const err = new TypeErrorCtor(
        'The argument \'filename\' must be a file URL object, file URL string, or absolute path string.',
      );
      err.code = "ERR_INVALID_ARG_VALUE";
      throw err;
    }
    if (StringPrototypeStartsWith(filename, "file://")) {
      filename = decodeURIComponent(StringPrototypeSlice(filename, 7));
    }
    if (!StringPrototypeStartsWith(filename, "/")) {
      const err = new TypeErrorCtor(
        `The argument 'filename' must be a file URL object, file URL string, or absolute path string. Received '${filename}'`,
      );
      err.code = "ERR_INVALID_ARG_VALUE";
      throw err;
    }
    // A directory stands for a file inside it.
    return StringPrototypeEndsWith(filename, "/") ? filename + "index.js" : filename;
  }

  function createRequire(filename) {
    const path = toPath(filename);
    return makeRequire(new Module(path, null));
  }

  function isBuiltin(name) {
    const bare = StringPrototypeStartsWith(name, "node:") ? StringPrototypeSlice(name, 5) : name;
    for (let i = 0; i < BUILTIN_MODULES.length; i++) {
      if (BUILTIN_MODULES[i] === bare) return true;
    }
    return false;
  }

  Module.createRequire = createRequire;
  Module.isBuiltin = isBuiltin;
  Module.Module = Module;
  const mod = { createRequire, isBuiltin, builtinModules: BUILTIN_MODULES, Module };
  return { ...mod, default: Module };
})();
