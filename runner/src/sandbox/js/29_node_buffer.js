// `node:buffer` and the global `Buffer`: a Uint8Array subclass with Node's encodings (utf8,
// hex, base64, base64url, latin1/binary, ascii, utf16le) and the methods packages use.
(function () {
  const { core } = __bootstrap;
  const { TextEncoder, TextDecoder } = core.loadExtScript("ext:deno_web/08_text_encoding.js");
  const { atob, btoa } = core.loadExtScript("ext:deno_web/05_base64.js");
  const encoder = new TextEncoder();
  const utf8Decoder = new TextDecoder();
  const U8 = Uint8Array;

  function normalize(encoding) {
    const e = String(encoding ?? "utf8").toLowerCase();
    switch (e) {
      case "utf8": case "utf-8": return "utf8";
      case "hex": return "hex";
      case "base64": return "base64";
      case "base64url": return "base64url";
      case "latin1": case "binary": return "latin1";
      case "ascii": return "ascii";
      case "utf16le": case "utf-16le": case "ucs2": case "ucs-2": return "utf16le";
      default: {
        const err = new TypeError(`Unknown encoding: ${encoding}`);
        err.code = "ERR_UNKNOWN_ENCODING";
        throw err;
      }
    }
  }

  function encode(string, encoding) {
    switch (normalize(encoding)) {
      case "utf8": return encoder.encode(string);
      case "hex": {
        const n = string.length >>> 1;
        const out = new U8(n);
        for (let i = 0; i < n; i++) {
          const b = parseInt(string.substr(i * 2, 2), 16);
          if (Number.isNaN(b)) return out.subarray(0, i);
          out[i] = b;
        }
        return out;
      }
      case "base64":
      case "base64url": {
        let s = string.replace(/[^A-Za-z0-9+/\-_]/g, "").replace(/-/g, "+").replace(/_/g, "/");
        while (s.length % 4) s += "=";
        const bin = atob(s);
        const out = new U8(bin.length);
        for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
        return out;
      }
      case "latin1":
      case "ascii": {
        const out = new U8(string.length);
        for (let i = 0; i < string.length; i++) out[i] = string.charCodeAt(i) & 0xff;
        return out;
      }
      case "utf16le": {
        const out = new U8(string.length * 2);
        for (let i = 0; i < string.length; i++) {
          const c = string.charCodeAt(i);
          out[i * 2] = c & 0xff;
          out[i * 2 + 1] = c >>> 8;
        }
        return out;
      }
    }
  }

  function decode(bytes, encoding) {
    switch (normalize(encoding)) {
      case "utf8": return utf8Decoder.decode(bytes);
      case "hex": {
        let s = "";
        for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
        return s;
      }
      case "base64":
      case "base64url": {
        let bin = "";
        for (let i = 0; i < bytes.length; i += 0x8000) {
          bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
        }
        const s = btoa(bin);
        return normalize(encoding) === "base64"
          ? s
          : s.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      }
      case "latin1": {
        let s = "";
        for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
        return s;
      }
      case "ascii": {
        let s = "";
        for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i] & 0x7f);
        return s;
      }
      case "utf16le": {
        let s = "";
        for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
        return s;
      }
    }
  }

  class Buffer extends U8 {
    static from(value, encodingOrOffset = undefined, length = undefined) {
      if (typeof value === "string") return fromBytes(encode(value, encodingOrOffset));
      if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
        const offset = encodingOrOffset ?? 0;
        return new Buffer(value, offset, length ?? value.byteLength - offset);
      }
      if (ArrayBuffer.isView(value)) {
        return fromBytes(new U8(value.buffer, value.byteOffset, value.byteLength).slice());
      }
      if (value?.type === "Buffer" && Array.isArray(value.data)) return fromBytes(U8.from(value.data));
      if (value != null && typeof value === "object" && typeof value.length === "number") {
        return fromBytes(U8.from(value));
      }
      const err = new TypeError(
        "The first argument must be of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object.",
      );
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
    static alloc(size, fill = undefined, encoding = undefined) {
      const buf = new Buffer(size);
      if (fill !== undefined && fill !== 0) buf.fill(fill, 0, size, encoding);
      return buf;
    }
    static allocUnsafe(size) {
      return new Buffer(size);
    }
    static allocUnsafeSlow(size) {
      return new Buffer(size);
    }
    static isBuffer(value) {
      return value instanceof Buffer;
    }
    static isEncoding(encoding) {
      try {
        normalize(encoding);
        return typeof encoding === "string";
      } catch {
        return false;
      }
    }
    static byteLength(value, encoding = undefined) {
      if (typeof value === "string") return encode(value, encoding).length;
      return value.byteLength;
    }
    static concat(list, totalLength = undefined) {
      const total = totalLength ?? list.reduce((n, b) => n + b.length, 0);
      const out = Buffer.alloc(total);
      let offset = 0;
      for (const b of list) {
        if (offset >= total) break;
        out.set(b.subarray(0, total - offset), offset);
        offset += b.length;
      }
      return out;
    }
    static compare(a, b) {
      return a.compare(b);
    }

    toString(encoding = "utf8", start = 0, end = this.length) {
      return decode(U8.prototype.subarray.call(this, start, end), encoding);
    }
    toJSON() {
      return { type: "Buffer", data: Array.from(this) };
    }
    equals(other) {
      return this.compare(other) === 0;
    }
    compare(other) {
      const n = Math.min(this.length, other.length);
      for (let i = 0; i < n; i++) {
        if (this[i] !== other[i]) return this[i] < other[i] ? -1 : 1;
      }
      return this.length === other.length ? 0 : this.length < other.length ? -1 : 1;
    }
    subarray(start, end) {
      const view = U8.prototype.subarray.call(this, start, end);
      return new Buffer(view.buffer, view.byteOffset, view.byteLength);
    }
    slice(start, end) {
      return this.subarray(start, end);
    }
    write(string, offset = 0, length = undefined, encoding = "utf8") {
      if (typeof offset === "string") {
        encoding = offset;
        offset = 0;
      } else if (typeof length === "string") {
        encoding = length;
        length = undefined;
      }
      const bytes = encode(string, encoding);
      const n = Math.min(bytes.length, length ?? Infinity, this.length - offset);
      this.set(bytes.subarray(0, n), offset);
      return n;
    }
    fill(value, start = 0, end = this.length, encoding = undefined) {
      if (typeof start === "string") {
        encoding = start;
        start = 0;
        end = this.length;
      }
      if (typeof value === "string") {
        const bytes = encode(value, encoding);
        if (bytes.length === 0) return this;
        for (let i = start, j = 0; i < end; i++, j = (j + 1) % bytes.length) this[i] = bytes[j];
        return this;
      }
      return U8.prototype.fill.call(this, typeof value === "number" ? value & 0xff : value, start, end);
    }
    indexOf(value, byteOffset = 0, encoding = undefined) {
      if (typeof value === "number") return U8.prototype.indexOf.call(this, value, byteOffset);
      const needle = typeof value === "string" ? encode(value, encoding) : value;
      outer: for (let i = byteOffset; i <= this.length - needle.length; i++) {
        for (let j = 0; j < needle.length; j++) if (this[i + j] !== needle[j]) continue outer;
        return i;
      }
      return -1;
    }
    includes(value, byteOffset = 0, encoding = undefined) {
      return this.indexOf(value, byteOffset, encoding) !== -1;
    }
    copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
      const part = U8.prototype.subarray.call(this, sourceStart, sourceEnd);
      const n = Math.min(part.length, target.length - targetStart);
      target.set(part.subarray(0, n), targetStart);
      return n;
    }
    #view() {
      return new DataView(this.buffer, this.byteOffset, this.byteLength);
    }
    readUInt8(o = 0) { return this.#view().getUint8(o); }
    readInt8(o = 0) { return this.#view().getInt8(o); }
    readUInt16LE(o = 0) { return this.#view().getUint16(o, true); }
    readUInt16BE(o = 0) { return this.#view().getUint16(o, false); }
    readInt16LE(o = 0) { return this.#view().getInt16(o, true); }
    readInt16BE(o = 0) { return this.#view().getInt16(o, false); }
    readUInt32LE(o = 0) { return this.#view().getUint32(o, true); }
    readUInt32BE(o = 0) { return this.#view().getUint32(o, false); }
    readInt32LE(o = 0) { return this.#view().getInt32(o, true); }
    readInt32BE(o = 0) { return this.#view().getInt32(o, false); }
    readFloatLE(o = 0) { return this.#view().getFloat32(o, true); }
    readDoubleLE(o = 0) { return this.#view().getFloat64(o, true); }
    readBigUInt64LE(o = 0) { return this.#view().getBigUint64(o, true); }
    writeUInt8(v, o = 0) { this.#view().setUint8(o, v); return o + 1; }
    writeInt8(v, o = 0) { this.#view().setInt8(o, v); return o + 1; }
    writeUInt16LE(v, o = 0) { this.#view().setUint16(o, v, true); return o + 2; }
    writeUInt16BE(v, o = 0) { this.#view().setUint16(o, v, false); return o + 2; }
    writeUInt32LE(v, o = 0) { this.#view().setUint32(o, v, true); return o + 4; }
    writeUInt32BE(v, o = 0) { this.#view().setUint32(o, v, false); return o + 4; }
    writeInt32LE(v, o = 0) { this.#view().setInt32(o, v, true); return o + 4; }
    writeInt32BE(v, o = 0) { this.#view().setInt32(o, v, false); return o + 4; }
    writeDoubleLE(v, o = 0) { this.#view().setFloat64(o, v, true); return o + 8; }
  }
  for (const [alias, name] of [
    ["readUint8", "readUInt8"], ["readUint16LE", "readUInt16LE"], ["readUint16BE", "readUInt16BE"],
    ["readUint32LE", "readUInt32LE"], ["readUint32BE", "readUInt32BE"],
    ["writeUint8", "writeUInt8"], ["writeUint32LE", "writeUInt32LE"], ["writeUint32BE", "writeUInt32BE"],
  ]) {
    Buffer.prototype[alias] = Buffer.prototype[name];
  }

  function fromBytes(bytes) {
    return new Buffer(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  const kMaxLength = 2 ** 32;
  const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: 2 ** 29 - 24 };
  const mod = { Buffer, kMaxLength, constants, atob, btoa, encode, decode };
  return { ...mod, default: mod };
})();
