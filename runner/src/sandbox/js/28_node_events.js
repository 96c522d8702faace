// `node:events`: EventEmitter and `once`, as Node's behave (an unhandled 'error' throws).
(function () {
  const ArrayPrototypeSlice = (a, s, e) => Array.prototype.slice.call(a, s, e);
  const ReflectApply = Reflect.apply;
  const ReflectOwnKeys = Reflect.ownKeys;
  const kEvents = Symbol("events");
  const kMax = Symbol("maxListeners");

  function listenersOf(emitter) {
    if (!Object.prototype.hasOwnProperty.call(emitter, kEvents)) {
      Object.defineProperty(emitter, kEvents, { value: { __proto__: null }, writable: true });
    }
    return emitter[kEvents];
  }

  function checkListener(listener) {
    if (typeof listener !== "function") {
      const err = new TypeError(
        `The "listener" argument must be of type function. Received ${typeof listener}`,
      );
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
  }

  class EventEmitter {
    static defaultMaxListeners = 10;
    static errorMonitor = Symbol("events.errorMonitor");

    constructor() {
      listenersOf(this);
    }

    setMaxListeners(n) {
      this[kMax] = n;
      return this;
    }
    getMaxListeners() {
      return this[kMax] ?? EventEmitter.defaultMaxListeners;
    }

    #add(name, listener, prepend) {
      checkListener(listener);
      const events = listenersOf(this);
      if (events.newListener) this.emit("newListener", name, listener.listener ?? listener);
      const list = events[name] ?? (events[name] = []);
      if (prepend) list.unshift(listener);
      else list.push(listener);
      return this;
    }
    on(name, listener) {
      return this.#add(name, listener, false);
    }
    addListener(name, listener) {
      return this.#add(name, listener, false);
    }
    prependListener(name, listener) {
      return this.#add(name, listener, true);
    }
    #wrapOnce(name, listener) {
      checkListener(listener);
      const self = this;
      function wrapper(...args) {
        self.removeListener(name, wrapper);
        return ReflectApply(listener, self, args);
      }
      wrapper.listener = listener;
      return wrapper;
    }
    once(name, listener) {
      return this.#add(name, this.#wrapOnce(name, listener), false);
    }
    prependOnceListener(name, listener) {
      return this.#add(name, this.#wrapOnce(name, listener), true);
    }
    removeListener(name, listener) {
      const events = listenersOf(this);
      const list = events[name];
      if (!list) return this;
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] === listener || list[i].listener === listener) {
          list.splice(i, 1);
          if (list.length === 0) delete events[name];
          if (events.removeListener) this.emit("removeListener", name, listener);
          break;
        }
      }
      return this;
    }
    off(name, listener) {
      return this.removeListener(name, listener);
    }
    removeAllListeners(name) {
      const events = listenersOf(this);
      if (name === undefined) {
        for (const key of ReflectOwnKeys(events)) delete events[key];
      } else {
        delete events[name];
      }
      return this;
    }
    emit(name, ...args) {
      const events = listenersOf(this);
      if (name === "error" && events[EventEmitter.errorMonitor]) {
        for (const l of ArrayPrototypeSlice(events[EventEmitter.errorMonitor])) {
          ReflectApply(l, this, args);
        }
      }
      const list = events[name];
      if (!list || list.length === 0) {
        if (name === "error") {
          const err = args[0];
          if (err instanceof Error) throw err;
          const wrapped = new Error(`Unhandled error. (${String(err)})`);
          wrapped.code = "ERR_UNHANDLED_ERROR";
          wrapped.context = err;
          throw wrapped;
        }
        return false;
      }
      for (const listener of ArrayPrototypeSlice(list)) ReflectApply(listener, this, args);
      return true;
    }
    listeners(name) {
      return (listenersOf(this)[name] ?? []).map((l) => l.listener ?? l);
    }
    rawListeners(name) {
      return ArrayPrototypeSlice(listenersOf(this)[name] ?? []);
    }
    listenerCount(name) {
      return listenersOf(this)[name]?.length ?? 0;
    }
    eventNames() {
      return ReflectOwnKeys(listenersOf(this));
    }
  }

  /** Resolves with the arguments of the next `name` event; rejects on 'error'. */
  function once(emitter, name, options = undefined) {
    return new Promise((resolve, reject) => {
      const signal = options?.signal;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onEvent = (...args) => {
        cleanup();
        resolve(args);
      };
      const onError = (err) => {
        cleanup();
        reject(err);
      };
      const onAbort = () => {
        cleanup();
        reject(signal.reason);
      };
      function cleanup() {
        if (typeof emitter.removeListener === "function") {
          emitter.removeListener(name, onEvent);
          if (name !== "error") emitter.removeListener("error", onError);
        } else {
          emitter.removeEventListener(name, onEvent);
        }
        signal?.removeEventListener("abort", onAbort);
      }
      if (typeof emitter.on === "function") {
        emitter.once(name, onEvent);
        if (name !== "error") emitter.once("error", onError);
      } else {
        emitter.addEventListener(name, onEvent, { once: true });
      }
      signal?.addEventListener("abort", onAbort);
    });
  }

  EventEmitter.EventEmitter = EventEmitter;
  EventEmitter.once = once;
  EventEmitter.listenerCount = (emitter, name) => emitter.listenerCount(name);
  const mod = {
    EventEmitter,
    once,
    errorMonitor: EventEmitter.errorMonitor,
    defaultMaxListeners: 10,
  };
  return { ...mod, default: EventEmitter };
})();
