// `node:querystring`: parse and stringify of `a=1&b=2` strings, as Node's legacy module.
(function () {
  function unescape(s) {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "));
    } catch {
      return s;
    }
  }
  function escape(s) {
    return encodeURIComponent(s);
  }
  function parse(str, sep = "&", eq = "=", options = undefined) {
    const out = { __proto__: null };
    if (typeof str !== "string" || str.length === 0) return out;
    const max = options?.maxKeys ?? 1000;
    let parts = str.split(sep);
    if (max > 0) parts = parts.slice(0, max);
    for (const part of parts) {
      if (part === "") continue;
      const i = part.indexOf(eq);
      const k = unescape(i >= 0 ? part.slice(0, i) : part);
      const v = i >= 0 ? unescape(part.slice(i + eq.length)) : "";
      if (k in out) {
        if (Array.isArray(out[k])) out[k].push(v);
        else out[k] = [out[k], v];
      } else {
        out[k] = v;
      }
    }
    return out;
  }
  function value(v) {
    if (typeof v === "string") return v;
    if ((typeof v === "number" && Number.isFinite(v)) || typeof v === "bigint" || typeof v === "boolean") return String(v);
    return "";
  }
  function stringify(obj, sep = "&", eq = "=", options = undefined) {
    const enc = options?.encodeURIComponent ?? escape;
    if (obj === null || typeof obj !== "object") return "";
    const parts = [];
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      const key = enc(value(k));
      if (Array.isArray(v)) for (const item of v) parts.push(key + eq + enc(value(item)));
      else parts.push(key + eq + enc(value(v)));
    }
    return parts.join(sep);
  }
  const qs = { parse, stringify, escape, unescape, decode: parse, encode: stringify };
  return { ...qs, default: qs };
})();
