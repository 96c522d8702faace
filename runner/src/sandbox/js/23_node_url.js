// `node:url`: the WHATWG URL classes and Node's file URL helpers. Paths are sandbox paths (`/`
// is the sandbox root, also the working directory relative paths start from).
(function () {
  const { core } = __bootstrap;
  const { URL, URLSearchParams } = core.loadExtScript("ext:deno_web/00_url.js");
  const path = core.loadExtScript("ext:isolate_sandbox/20_node_path.js");

  function fileURLToPath(input) {
    const u = typeof input === "string" ? new URL(input) : input;
    if (!(u instanceof URL)) {
      throw new TypeError(`The "path" argument must be of type string or an instance of URL. Received ${typeof input}`);
    }
    if (u.protocol !== "file:") {
      const err = new TypeError("The URL must be of scheme file");
      err.code = "ERR_INVALID_URL_SCHEME";
      throw err;
    }
    if (u.hostname !== "") {
      const err = new TypeError(`File URL host must be "localhost" or empty on linux`);
      err.code = "ERR_INVALID_FILE_URL_HOST";
      throw err;
    }
    if (/%2f/i.test(u.pathname)) {
      const err = new TypeError("File URL path must not include encoded / characters");
      err.code = "ERR_INVALID_FILE_URL_PATH";
      throw err;
    }
    return decodeURIComponent(u.pathname);
  }

  function pathToFileURL(p) {
    if (typeof p !== "string") {
      throw new TypeError(`The "path" argument must be of type string. Received ${typeof p}`);
    }
    let resolved = path.resolve(p);
    if (p.endsWith("/") && !resolved.endsWith("/")) resolved += "/";
    const encoded = resolved
      .replace(/%/g, "%25")
      .replace(/\\/g, "%5C")
      .replace(/\n/g, "%0A")
      .replace(/\r/g, "%0D")
      .replace(/\t/g, "%09")
      .replace(/#/g, "%23")
      .replace(/\?/g, "%3F");
    return new URL(`file://${encoded}`);
  }

  const url = { URL, URLSearchParams, fileURLToPath, pathToFileURL, domainToASCII: (d) => new URL(`http://${d}`).hostname };
  return { ...url, default: url };
})();
