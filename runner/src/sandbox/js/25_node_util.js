// `node:util`: formatting and inspection by the console's own inspector, `promisify`,
// `types` and the text codecs.
(function () {
  const { core } = __bootstrap;
  const consoleMod = core.loadExtScript("ext:deno_web/01_console.js");
  const { TextEncoder, TextDecoder } = core.loadExtScript("ext:deno_web/08_text_encoding.js");

  const format = (...args) => consoleMod.inspectArgs(args, { colors: false });
  const inspect = (value, options = {}) =>
    consoleMod.inspect(value, { colors: false, ...(typeof options === "object" && options ? options : {}) });
  inspect.custom = Symbol.for("nodejs.util.inspect.custom");

  const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");
  function promisify(fn) {
    if (typeof fn !== "function") {
      throw new TypeError(`The "original" argument must be of type function. Received ${typeof fn}`);
    }
    if (typeof fn[kCustomPromisify] === "function") return fn[kCustomPromisify];
    return function (...args) {
      return new Promise((resolve, reject) => {
        fn.call(this, ...args, (err, ...values) => (err ? reject(err) : resolve(values.length > 1 ? values : values[0])));
      });
    };
  }
  promisify.custom = kCustomPromisify;

  function callbackify(fn) {
    return function (...args) {
      const cb = args.pop();
      fn.apply(this, args).then((v) => cb(null, v), (e) => cb(e ?? new Error("Promise was rejected with a falsy value")));
    };
  }

  const tag = (v) => Object.prototype.toString.call(v).slice(8, -1);
  const types = {
    isDate: (v) => v instanceof Date,
    isRegExp: (v) => v instanceof RegExp,
    isPromise: (v) => v instanceof Promise,
    isMap: (v) => v instanceof Map,
    isSet: (v) => v instanceof Set,
    isNativeError: (v) => v instanceof Error,
    isTypedArray: (v) => ArrayBuffer.isView(v) && !(v instanceof DataView),
    isUint8Array: (v) => v instanceof Uint8Array,
    isArrayBuffer: (v) => v instanceof ArrayBuffer,
    isAnyArrayBuffer: (v) => v instanceof ArrayBuffer || tag(v) === "SharedArrayBuffer",
    isAsyncFunction: (v) => typeof v === "function" && tag(v) === "AsyncFunction",
    isGeneratorFunction: (v) => typeof v === "function" && /GeneratorFunction$/.test(tag(v)),
  };

  function deprecate(fn, message) {
    let warned = false;
    return function (...args) {
      if (!warned) {
        warned = true;
        console.warn(`DeprecationWarning: ${message}`);
      }
      return fn.apply(this, args);
    };
  }

  function inherits(ctor, superCtor) {
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
    Object.setPrototypeOf(ctor, superCtor);
    ctor.super_ = superCtor;
  }

  const util = {
    format,
    inspect,
    promisify,
    callbackify,
    deprecate,
    inherits,
    types,
    isDeepStrictEqual: undefined,
    TextEncoder,
    TextDecoder,
    stripVTControlCharacters: consoleMod.stripVTControlCharacters,
  };
  delete util.isDeepStrictEqual;
  return { ...util, default: util };
})();
