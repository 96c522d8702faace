// `node:crypto`: random values and UUIDs from the host's CSPRNG, and hashes and HMACs (md5,
// sha1, sha256, sha384, sha512) computed by the host. `webcrypto` is the global `crypto`.
(function () {
  const { core } = __bootstrap;
  const { op_sandbox_random_fill, op_sandbox_digest } = core.ops;
  const { Buffer } = core.loadExtScript("ext:isolate_sandbox/29_node_buffer.js");
  // Loaded once the globals exist: this is the sandbox's Web Crypto object, kept from the start.
  const webcrypto = globalThis.crypto;
  const HASHES = ["md5", "sha1", "sha256", "sha384", "sha512"];

  function algorithm(name) {
    const a = String(name).toLowerCase().replace(/^sha-/, "sha");
    if (!HASHES.includes(a)) {
      const err = new Error(`Digest method not supported: ${name} (available: ${HASHES.join(", ")})`);
      err.code = "ERR_CRYPTO_INVALID_DIGEST";
      throw err;
    }
    return a;
  }

  function bytesOf(data, encoding) {
    if (typeof data === "string") return Buffer.from(data, encoding ?? "utf8");
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (data instanceof ArrayBuffer) return new Uint8Array(data);
    const err = new TypeError(
      'The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView.',
    );
    err.code = "ERR_INVALID_ARG_TYPE";
    throw err;
  }

  class Hash {
    #alg;
    #key;
    #chunks = [];
    #done = false;
    constructor(alg, key) {
      this.#alg = algorithm(alg);
      this.#key = key;
    }
    update(data, encoding = undefined) {
      if (this.#done) {
        const err = new Error("Digest already called");
        err.code = "ERR_CRYPTO_HASH_FINALIZED";
        throw err;
      }
      this.#chunks.push(Buffer.from(bytesOf(data, encoding)));
      return this;
    }
    digest(encoding = undefined) {
      if (this.#done) {
        const err = new Error("Digest already called");
        err.code = "ERR_CRYPTO_HASH_FINALIZED";
        throw err;
      }
      this.#done = true;
      const out = Buffer.from(op_sandbox_digest(this.#alg, this.#key, Buffer.concat(this.#chunks)));
      return encoding === undefined || encoding === "buffer" ? out : out.toString(encoding);
    }
    copy() {
      const h = new Hash(this.#alg, this.#key);
      for (const c of this.#chunks) h.update(c);
      return h;
    }
  }

  function createHash(alg) {
    return new Hash(alg, null);
  }

  function createHmac(alg, key) {
    return new Hash(alg, Buffer.from(bytesOf(key?.export ? key.export() : key)));
  }

  function hash(alg, data, encoding = "hex") {
    return createHash(alg).update(data).digest(encoding);
  }

  function randomFillSync(buf, offset = 0, size = undefined) {
    const view = ArrayBuffer.isView(buf)
      ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength)
      : new Uint8Array(buf);
    const end = size === undefined ? view.length : offset + size;
    for (let i = offset; i < end; i += 65536) {
      op_sandbox_random_fill(view.subarray(i, Math.min(end, i + 65536)));
    }
    return buf;
  }

  function randomBytes(size, callback = undefined) {
    const buf = randomFillSync(Buffer.alloc(size));
    if (typeof callback === "function") {
      queueMicrotask(() => callback(null, buf));
      return undefined;
    }
    return buf;
  }

  function randomFill(buf, offset, size, callback) {
    const cb = [offset, size, callback].find((f) => typeof f === "function");
    randomFillSync(buf, typeof offset === "number" ? offset : 0, typeof size === "number" ? size : undefined);
    queueMicrotask(() => cb(null, buf));
  }

  function randomInt(min, max = undefined, callback = undefined) {
    if (max === undefined || typeof max === "function") {
      callback = max;
      max = min;
      min = 0;
    }
    const range = max - min;
    if (!(range > 0) || !Number.isSafeInteger(min) || !Number.isSafeInteger(max)) {
      const err = new RangeError(`The value of "max" is out of range. It must be greater than the value of "min" (${min}). Received ${max}`);
      err.code = "ERR_OUT_OF_RANGE";
      throw err;
    }
    // Rejection sampling over 48 random bits keeps the result uniform.
    const limit = 2 ** 48 - (2 ** 48 % range);
    let x;
    do {
      const b = randomFillSync(new Uint8Array(6));
      x = b[0] * 2 ** 40 + b[1] * 2 ** 32 + b[2] * 2 ** 24 + b[3] * 2 ** 16 + b[4] * 2 ** 8 + b[5];
    } while (x >= limit);
    const value = min + (x % range);
    if (typeof callback === "function") {
      queueMicrotask(() => callback(null, value));
      return undefined;
    }
    return value;
  }

  function randomUUID() {
    const b = randomFillSync(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Buffer.from(b).toString("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function timingSafeEqual(a, b) {
    if (a.byteLength !== b.byteLength) {
      const err = new RangeError("Input buffers must have the same byte length");
      err.code = "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH";
      throw err;
    }
    const x = bytesOf(a);
    const y = bytesOf(b);
    let diff = 0;
    for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
    return diff === 0;
  }

  function getRandomValues(array) {
    return webcrypto.getRandomValues(array);
  }

  const getHashes = () => [...HASHES];
  const mod = {
    createHash, createHmac, hash, randomBytes, randomFill, randomFillSync, randomInt,
    randomUUID, timingSafeEqual, getRandomValues, getHashes, webcrypto,
  };
  return { ...mod, default: mod };
})();
