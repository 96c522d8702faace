// `node:path`: the POSIX flavour of Node's path module, pure string manipulation. The sandbox's
// file system is rooted at `/`, which is also the working directory `resolve()` starts from.
(function () {
  function assertPath(p, name = "path") {
    if (typeof p !== "string") {
      throw new TypeError(`The "${name}" argument must be of type string. Received ${typeof p}`);
    }
  }

  function normalizeSegments(path, allowAboveRoot) {
    const out = [];
    for (const seg of path.split("/")) {
      if (seg === "" || seg === ".") continue;
      if (seg === "..") {
        if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
        else if (allowAboveRoot) out.push("..");
      } else {
        out.push(seg);
      }
    }
    return out.join("/");
  }

  function normalize(path) {
    assertPath(path);
    if (path === "") return ".";
    const abs = path.startsWith("/");
    const trailing = path.endsWith("/");
    let p = normalizeSegments(path, !abs);
    if (p === "" && !abs) p = ".";
    if (p !== "" && trailing) p += "/";
    return abs ? `/${p}` : p;
  }

  function isAbsolute(path) {
    assertPath(path);
    return path.startsWith("/");
  }

  function join(...parts) {
    parts.forEach((p) => assertPath(p));
    const joined = parts.filter((p) => p !== "").join("/");
    return joined === "" ? "." : normalize(joined);
  }

  function resolve(...parts) {
    let resolved = "";
    for (let i = parts.length - 1; i >= 0 && !resolved.startsWith("/"); i--) {
      assertPath(parts[i]);
      if (parts[i] === "") continue;
      resolved = resolved === "" ? parts[i] : `${parts[i]}/${resolved}`;
    }
    if (!resolved.startsWith("/")) resolved = `/${resolved}`;
    return `/${normalizeSegments(resolved, false)}`;
  }

  function relative(from, to) {
    assertPath(from, "from");
    assertPath(to, "to");
    const f = resolve(from).split("/").filter(Boolean);
    const t = resolve(to).split("/").filter(Boolean);
    let i = 0;
    while (i < f.length && i < t.length && f[i] === t[i]) i++;
    return [...Array(f.length - i).fill(".."), ...t.slice(i)].join("/");
  }

  function dirname(path) {
    assertPath(path);
    if (path === "") return ".";
    const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
    const i = trimmed.lastIndexOf("/");
    if (i === -1) return ".";
    if (i === 0) return "/";
    return trimmed.slice(0, i);
  }

  function basename(path, ext = undefined) {
    assertPath(path);
    const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
    let base = trimmed.slice(trimmed.lastIndexOf("/") + 1);
    if (ext !== undefined && base.endsWith(ext) && base !== ext) {
      base = base.slice(0, base.length - ext.length);
    }
    return base;
  }

  function extname(path) {
    const base = basename(path);
    const i = base.lastIndexOf(".");
    return i <= 0 ? "" : base.slice(i);
  }

  function parse(path) {
    assertPath(path);
    const root = path.startsWith("/") ? "/" : "";
    const base = basename(path);
    const ext = extname(path);
    let dir = dirname(path);
    if (dir === "." && !path.includes("/")) dir = "";
    return { root, dir, base, ext, name: ext ? base.slice(0, -ext.length) : base };
  }

  function format(obj) {
    const dir = obj.dir || obj.root || "";
    const base = obj.base || `${obj.name || ""}${obj.ext || ""}`;
    if (!dir) return base;
    return dir === obj.root ? `${dir}${base}` : `${dir}/${base}`;
  }

  const toNamespacedPath = (p) => p;
  const posix = {
    sep: "/", delimiter: ":", normalize, isAbsolute, join, resolve, relative, dirname, basename,
    extname, parse, format, toNamespacedPath,
  };
  posix.posix = posix;
  return { ...posix, default: posix };
})();
