// `node:timers` and `node:timers/promises`: the sandbox's timers under Node's names, and the
// promise forms (`await setTimeout(100)`). Loaded once the timer globals exist, and kept.
(function () {
  const { setTimeout, clearTimeout, setInterval, clearInterval } = globalThis;
  const setImmediate = (fn, ...args) => setTimeout(fn, 0, ...args);
  const clearImmediate = (id) => clearTimeout(id);

  function aborted(signal) {
    const err = new DOMException("The operation was aborted", "AbortError");
    err.code = "ABORT_ERR";
    err.cause = signal.reason;
    return err;
  }

  function delay(ms, value, options) {
    return new Promise((resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted) return reject(aborted(signal));
      const id = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve(value);
      }, ms);
      function onAbort() {
        clearTimeout(id);
        reject(aborted(signal));
      }
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  async function* every(ms = 1, value = undefined, options = undefined) {
    while (true) {
      yield await delay(ms, value, options);
    }
  }

  const promises = {
    setTimeout: (ms = 1, value = undefined, options = undefined) => delay(ms, value, options),
    setImmediate: (value = undefined, options = undefined) => delay(0, value, options),
    setInterval: every,
    scheduler: { wait: (ms, options) => delay(ms, undefined, options), yield: () => delay(0) },
  };
  const timers = {
    setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, promises,
  };
  return { timers, promises };
})();
