// IndexedDB in a storage state: `dump()` reads every database of the document's origin,
// `restore(dbs)` writes saved databases into an origin that does not have them yet. An
// expression that evaluates to `{ dump, restore }`.
//
// Format (Playwright's): [{ name, version, stores: [{ name, keyPath, autoIncrement,
// indexes: [{ name, keyPath, unique, multiEntry }], records: [{ key | keyEncoded,
// value | valueEncoded }] }] }]. Plain JSON values go in `key`/`value`; anything else
// (Date, Map, Set, binary, undefined, NaN, BigInt, RegExp) in `keyEncoded`/`valueEncoded`
// with `{ $d: ms }`-style tags.
(() => {
  const toB64 = (bytes) => {
    let s = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
  };
  const fromB64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  // Values JSON keeps as they are.
  const isPlain = (v) => {
    if (v === null || typeof v === "boolean" || typeof v === "string") return true;
    if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0);
    if (Array.isArray(v)) return v.every(isPlain);
    if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0].startsWith("$")) return false;
      return keys.every((k) => isPlain(v[k]));
    }
    return false;
  };
  const tag = (v) => {
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (v === undefined) return { $u: 1 };
    if (typeof v === "number") {
      return Number.isFinite(v) && !Object.is(v, -0) ? v : { $n: Object.is(v, -0) ? "-0" : String(v) };
    }
    if (typeof v === "bigint") return { $b: String(v) };
    if (v instanceof Date) return { $d: v.getTime() };
    if (v instanceof RegExp) return { $r: [v.source, v.flags] };
    if (v instanceof Map) return { $m: [...v].map(([k, x]) => [tag(k), tag(x)]) };
    if (v instanceof Set) return { $s: [...v].map(tag) };
    if (v instanceof ArrayBuffer) return { $a: toB64(new Uint8Array(v)) };
    if (ArrayBuffer.isView(v)) {
      return { $t: [v.constructor.name, toB64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))] };
    }
    if (Array.isArray(v)) return v.map(tag);
    const o = {};
    for (const k of Object.keys(v)) o[k] = tag(v[k]);
    const keys = Object.keys(o);
    return keys.length === 1 && keys[0].startsWith("$") ? { $o: o } : o;
  };
  const encode = (v) => (isPlain(v) ? { plain: true, value: v } : { plain: false, value: tag(v) });
  const decode = (v) => {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(decode);
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys;
      const x = v[k];
      switch (k) {
        case "$u": return undefined;
        case "$n": return Number(x);
        case "$b": return BigInt(x);
        case "$d": return new Date(x);
        case "$r": return new RegExp(x[0], x[1]);
        case "$m": return new Map(x.map(([a, b]) => [decode(a), decode(b)]));
        case "$s": return new Set(x.map(decode));
        case "$a": return fromB64(x).buffer;
        case "$t": {
          const bytes = fromB64(x[1]);
          const Ctor = globalThis[x[0]] ?? Uint8Array;
          return new Ctor(bytes.buffer, 0, bytes.byteLength / (Ctor.BYTES_PER_ELEMENT ?? 1));
        }
        case "$o": {
          const o = {};
          for (const [a, b] of Object.entries(x)) o[a] = decode(b);
          return o;
        }
      }
    }
    const o = {};
    for (const [a, b] of Object.entries(v)) o[a] = decode(b);
    return o;
  };
  const done = (req) => new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const dump = async () => {
    if (typeof indexedDB === "undefined" || !indexedDB.databases) return [];
    const out = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await done(indexedDB.open(name));
      const stores = [];
      for (const storeName of db.objectStoreNames) {
        const store = db.transaction(storeName, "readonly").objectStore(storeName);
        const indexes = [...store.indexNames].map((n) => {
          const i = store.index(n);
          return { name: n, keyPath: i.keyPath, unique: i.unique, multiEntry: i.multiEntry };
        });
        const records = await new Promise((resolve, reject) => {
          const list = [];
          const cursor = store.openCursor();
          cursor.onerror = () => reject(cursor.error);
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (!c) return resolve(list);
            const record = {};
            if (store.keyPath === null) {
              const key = encode(c.primaryKey);
              record[key.plain ? "key" : "keyEncoded"] = key.value;
            }
            const value = encode(c.value);
            record[value.plain ? "value" : "valueEncoded"] = value.value;
            list.push(record);
            c.continue();
          };
        });
        stores.push({ name: storeName, keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes, records });
      }
      out.push({ name, version: db.version, stores });
      db.close();
    }
    return out;
  };
  // Runs before the page's own scripts: the version-change transaction that creates the
  // stores also writes the records, and the page's own `open` of the same database waits
  // for it. A database that exists already is left alone.
  const restore = (dbs) => {
    for (const saved of dbs) {
      const req = indexedDB.open(saved.name, saved.version);
      req.onupgradeneeded = (event) => {
        if (event.oldVersion !== 0) {
          req.transaction.abort();
          return;
        }
        const db = req.result;
        for (const s of saved.stores) {
          const store = db.createObjectStore(s.name, { keyPath: s.keyPath ?? undefined, autoIncrement: !!s.autoIncrement });
          for (const i of s.indexes ?? []) {
            store.createIndex(i.name, i.keyPath, { unique: !!i.unique, multiEntry: !!i.multiEntry });
          }
          for (const r of s.records ?? []) {
            const value = "valueEncoded" in r ? decode(r.valueEncoded) : r.value;
            if (s.keyPath == null) {
              store.put(value, "keyEncoded" in r ? decode(r.keyEncoded) : r.key);
            } else {
              store.put(value);
            }
          }
        }
      };
      req.onsuccess = () => req.result.close();
      req.onerror = (event) => event.preventDefault();
    }
  };
  return { dump, restore };
})()
