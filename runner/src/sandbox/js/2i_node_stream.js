// `node:stream`: Readable, Writable, Duplex, Transform, PassThrough, pipeline and finished, as
// far as packages and file streams need them (flowing and paused reads, backpressure-free
// writes, async iteration, object mode).
(function () {
  const { core } = __bootstrap;
  const { EventEmitter } = core.loadExtScript("ext:isolate_sandbox/28_node_events.js");
  const { Buffer } = core.loadExtScript("ext:isolate_sandbox/29_node_buffer.js");
  const defer = (fn) => queueMicrotask(fn);

  function toChunk(chunk, encoding, objectMode) {
    if (objectMode || chunk === null) return chunk;
    return typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
  }

  class Stream extends EventEmitter {
    pipe(dest, options = undefined) {
      this.on("data", (chunk) => dest.write(chunk));
      if (options?.end !== false) this.on("end", () => dest.end());
      this.on("error", (err) => dest.destroy?.(err));
      this.resume?.();
      return dest;
    }
  }

  class Readable extends Stream {
    #buffer = [];
    #flowing = null;
    #ended = false;
    #endEmitted = false;
    #reading = false;
    #encoding = null;
    constructor(options = {}) {
      super();
      this.readableObjectMode = !!(options.objectMode || options.readableObjectMode);
      this.readable = true;
      this.destroyed = false;
      if (options.read) this._read = options.read;
      if (options.destroy) this._destroy = options.destroy;
      if (options.encoding) this.#encoding = options.encoding;
    }
    static from(iterable, options = {}) {
      const it = iterable[Symbol.asyncIterator]?.() ?? iterable[Symbol.iterator]();
      const r = new Readable({ objectMode: true, ...options });
      r._read = function () {
        Promise.resolve(it.next()).then(
          ({ value, done }) => (done ? this.push(null) : this.push(value)),
          (err) => this.destroy(err),
        );
      };
      return r;
    }
    _read() {}
    setEncoding(encoding) {
      this.#encoding = encoding;
      return this;
    }
    push(chunk, encoding = undefined) {
      if (chunk === null) {
        this.#ended = true;
      } else {
        this.#buffer.push(toChunk(chunk, encoding, this.readableObjectMode));
      }
      this.#reading = false;
      defer(() => this.#flow());
      return !this.#ended;
    }
    unshift(chunk) {
      this.#buffer.unshift(chunk);
    }
    #out(chunk) {
      return this.#encoding && chunk instanceof Uint8Array ? Buffer.from(chunk).toString(this.#encoding) : chunk;
    }
    #flow() {
      while (this.#flowing && this.#buffer.length) this.emit("data", this.#out(this.#buffer.shift()));
      if (this.#flowing === false && this.#buffer.length) this.emit("readable");
      if (this.#ended && this.#buffer.length === 0 && !this.#endEmitted) {
        this.#endEmitted = true;
        this.readable = false;
        this.emit("end");
        this.emit("close");
        return;
      }
      if (this.#flowing && !this.#ended && !this.#reading && !this.destroyed) {
        this.#reading = true;
        this._read(16384);
      }
    }
    read() {
      if (this.#buffer.length === 0) {
        if (!this.#ended && !this.#reading) {
          this.#reading = true;
          this._read(16384);
        }
        defer(() => this.#flow());
        return null;
      }
      const chunk = this.readableObjectMode ? this.#buffer.shift() : Buffer.concat(this.#buffer.splice(0));
      defer(() => this.#flow());
      return this.#out(chunk);
    }
    on(name, listener) {
      super.on(name, listener);
      if (name === "data" && this.#flowing !== false) this.resume();
      if (name === "readable") {
        this.#flowing = false;
        if (!this.#reading && !this.#ended) {
          this.#reading = true;
          this._read(16384);
        }
      }
      return this;
    }
    resume() {
      this.#flowing = true;
      defer(() => this.#flow());
      return this;
    }
    pause() {
      this.#flowing = false;
      return this;
    }
    isPaused() {
      return this.#flowing === false;
    }
    destroy(err = undefined) {
      if (this.destroyed) return this;
      this.destroyed = true;
      const finish = (e) => {
        if (e) this.emit("error", e);
        this.emit("close");
      };
      if (this._destroy) this._destroy(err ?? null, finish);
      else defer(() => finish(err));
      return this;
    }
    async *[Symbol.asyncIterator]() {
      const queue = [];
      let done = false;
      let failure = null;
      let wake = null;
      this.on("data", (c) => {
        queue.push(c);
        wake?.();
      });
      this.on("end", () => {
        done = true;
        wake?.();
      });
      this.on("error", (e) => {
        failure = e;
        wake?.();
      });
      while (true) {
        if (failure) throw failure;
        if (queue.length) {
          yield queue.shift();
          continue;
        }
        if (done) return;
        await new Promise((r) => (wake = r));
        wake = null;
      }
    }
  }

  class Writable extends Stream {
    #ending = false;
    constructor(options = {}) {
      super();
      this.writableObjectMode = !!(options.objectMode || options.writableObjectMode);
      this.writable = true;
      this.writableFinished = false;
      this.destroyed = false;
      if (options.write) this._write = options.write;
      if (options.final) this._final = options.final;
      if (options.destroy) this._destroy = options.destroy;
    }
    _write(_chunk, _encoding, callback) {
      callback();
    }
    write(chunk, encoding = undefined, callback = undefined) {
      if (typeof encoding === "function") [callback, encoding] = [encoding, undefined];
      if (this.#ending) {
        const err = new Error("write after end");
        err.code = "ERR_STREAM_WRITE_AFTER_END";
        defer(() => this.emit("error", err));
        return false;
      }
      this._write(toChunk(chunk, encoding, this.writableObjectMode), encoding ?? "buffer", (err) => {
        if (err) this.emit("error", err);
        callback?.(err);
      });
      return true;
    }
    end(chunk = undefined, encoding = undefined, callback = undefined) {
      if (typeof chunk === "function") [callback, chunk] = [chunk, undefined];
      if (typeof encoding === "function") [callback, encoding] = [encoding, undefined];
      if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
      if (this.#ending) return this;
      this.#ending = true;
      const done = (err) => {
        if (err) {
          this.emit("error", err);
          return;
        }
        this.writable = false;
        this.writableFinished = true;
        this.emit("finish");
        this.emit("close");
        callback?.();
      };
      defer(() => (this._final ? this._final(done) : done()));
      return this;
    }
    destroy(err = undefined) {
      this.destroyed = true;
      defer(() => {
        if (err) this.emit("error", err);
        this.emit("close");
      });
      return this;
    }
  }

  class Duplex extends Readable {
    #writable;
    constructor(options = {}) {
      super(options);
      const self = this;
      this.#writable = new Writable({
        objectMode: options.objectMode || options.writableObjectMode,
        write: (chunk, enc, cb) => self._write(chunk, enc, cb),
        final: (cb) => (self._final ? self._final(cb) : cb()),
      });
      this.#writable.on("finish", () => this.emit("finish"));
      this.#writable.on("error", (e) => this.emit("error", e));
      if (options.write) this._write = options.write;
      if (options.final) this._final = options.final;
      this.writable = true;
    }
    _write(_chunk, _encoding, callback) {
      callback();
    }
    write(chunk, encoding, callback) {
      return this.#writable.write(chunk, encoding, callback);
    }
    end(chunk, encoding, callback) {
      this.#writable.end(chunk, encoding, callback);
      return this;
    }
  }

  class Transform extends Duplex {
    constructor(options = {}) {
      super(options);
      if (options.transform) this._transform = options.transform;
      if (options.flush) this._flush = options.flush;
    }
    _transform(chunk, _encoding, callback) {
      callback(null, chunk);
    }
    _write(chunk, encoding, callback) {
      this._transform(chunk, encoding, (err, data) => {
        if (data !== undefined && data !== null) this.push(data);
        callback(err);
      });
    }
    _final(callback) {
      const end = (err, data) => {
        if (data !== undefined && data !== null) this.push(data);
        this.push(null);
        callback(err);
      };
      if (this._flush) this._flush(end);
      else end();
    }
  }

  class PassThrough extends Transform {}

  function finished(stream, options, callback) {
    if (typeof options === "function") callback = options;
    let called = false;
    const done = (err) => {
      if (called) return;
      called = true;
      callback(err);
    };
    stream.on("end", () => done());
    stream.on("finish", () => done());
    stream.on("error", (err) => done(err));
    return () => {};
  }

  function pipeline(...streams) {
    const callback = typeof streams[streams.length - 1] === "function" ? streams.pop() : () => {};
    if (Array.isArray(streams[0])) streams = streams[0];
    let failed = false;
    for (let i = 0; i < streams.length - 1; i++) streams[i].pipe(streams[i + 1]);
    for (const s of streams) {
      s.on("error", (err) => {
        if (failed) return;
        failed = true;
        callback(err);
      });
    }
    finished(streams[streams.length - 1], (err) => {
      if (!failed) callback(err);
    });
    return streams[streams.length - 1];
  }

  const promises = {
    pipeline: (...streams) =>
      new Promise((resolve, reject) => pipeline(...streams, (err) => (err ? reject(err) : resolve()))),
    finished: (stream) =>
      new Promise((resolve, reject) => finished(stream, (err) => (err ? reject(err) : resolve()))),
  };

  Stream.Stream = Stream;
  Stream.Readable = Readable;
  Stream.Writable = Writable;
  Stream.Duplex = Duplex;
  Stream.Transform = Transform;
  Stream.PassThrough = PassThrough;
  Stream.pipeline = pipeline;
  Stream.finished = finished;
  Stream.promises = promises;
  const mod = { Stream, Readable, Writable, Duplex, Transform, PassThrough, pipeline, finished, promises };
  return { ...mod, default: Stream };
})();
