// `node:string_decoder`: decodes byte chunks to text without splitting multi-byte characters.
(function () {
  const { core } = __bootstrap;
  const { TextDecoder } = core.loadExtScript("ext:deno_web/08_text_encoding.js");
  const { Buffer } = core.loadExtScript("ext:isolate_sandbox/29_node_buffer.js");

  class StringDecoder {
    #utf8;
    #pending = new Uint8Array(0);
    constructor(encoding = "utf8") {
      const e = String(encoding).toLowerCase();
      this.encoding = e === "utf-8" ? "utf8" : e;
      Buffer.isEncoding(this.encoding) || Buffer.from("", this.encoding);
      if (this.encoding === "utf8") this.#utf8 = new TextDecoder("utf-8");
    }
    write(chunk) {
      if (typeof chunk === "string") return chunk;
      if (this.#utf8) return this.#utf8.decode(chunk, { stream: true });
      // Fixed-width encodings: keep what does not fill a whole unit.
      const unit = this.encoding === "utf16le" || this.encoding === "ucs2" ? 2 : this.encoding === "base64" ? 3 : 1;
      const all = Buffer.concat([this.#pending, chunk]);
      const n = all.length - (all.length % unit);
      this.#pending = all.subarray(n);
      return all.subarray(0, n).toString(this.encoding);
    }
    end(chunk = undefined) {
      let out = chunk === undefined ? "" : this.write(chunk);
      if (this.#utf8) out += this.#utf8.decode();
      else if (this.#pending.length) out += Buffer.from(this.#pending).toString(this.encoding);
      this.#pending = new Uint8Array(0);
      return out;
    }
  }
  const mod = { StringDecoder };
  return { ...mod, default: mod };
})();
