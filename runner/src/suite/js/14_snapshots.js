// Snapshot expectations: `expect(value).toMatchSnapshot(name?, options?)` and
// `expect(page | locator).toHaveScreenshot(name?, options?)`, with Playwright's names and paths
// (`snapshotPathTemplate` and its tokens), update modes, messages and attachments. Files are
// read and written through the host (`harness.snapshot*`), which keeps writes to snapshot
// directories and the output directory; images are compared by the host (the matchers crate),
// and screenshots taken until stable by `expect.screenshot`.

import { core, primordials } from "ext:core/mod.js";
import { bufferOf, host, hostSync, Locator, Page, toBase64 } from "ext:isolate_suite/browser/99_index.js";
import { state } from "ext:isolate_suite/harness/10_state.js";

const {
  ArrayIsArray, ArrayPrototypeJoin, ArrayPrototypeMap, ArrayPrototypePush, ArrayPrototypeSlice, ObjectAssign, ObjectPrototypeIsPrototypeOf,
  ObjectPrototypeToString, PromisePrototype, RegExpPrototypeSymbolReplace, StringPrototypeEndsWith, StringPrototypeLastIndexOf, StringPrototypeSlice,
  StringPrototypeSplit, StringPrototypeStartsWith, StringPrototypeToLowerCase, TypedArrayPrototypeGetSymbolToStringTag,
} = primordials;
const { op_sandbox_digest } = core.ops;
const isA = (proto, v) => v !== null && typeof v === "object" && ObjectPrototypeIsPrototypeOf(proto, v);
const isBytes = (v) => TypedArrayPrototypeGetSymbolToStringTag(v) === "Uint8Array";

/** What the run's config says about snapshots (set by the runner before the tests run). */
const settings = {
  testDir: "",
  snapshotDir: "",
  pathTemplate: null,
  screenshotTemplate: null,
  toHaveScreenshot: {},
  toMatchSnapshot: {},
  update: "missing",
  ignore: false,
};

export function setSnapshotSettings(value) {
  ObjectAssign(settings, value ?? {});
}

const LEGACY_TEMPLATE = "{snapshotDir}/{testFileDir}/{testFileName}-snapshots/{arg}{-projectName}{-snapshotSuffix}{ext}";
const MIME = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".txt": "text/plain", ".html": "text/html", ".json": "application/json", ".yml": "text/yaml", ".md": "text/markdown", ".csv": "text/csv", ".svg": "image/svg+xml", ".xml": "text/xml", ".css": "text/css", ".js": "text/javascript" };
const TOKENS = /\{(.)?(testDir|snapshotDir|snapshotSuffix|testFileDir|platform|projectName|testName|testFileBaseName|testFileName|testFilePath|arg|ext)\}/g;
const SAFE = /[\x00-\x2C\x2E-\x2F\x3A-\x40\x5B-\x60\x7B-\x7F]+/g;

// ---- paths ----------------------------------------------------------------------------

function sanitize(s) {
  return RegExpPrototypeSymbolReplace(SAFE, s, "-");
}

function sha1Hex(s) {
  const bytes = op_sandbox_digest("sha1", null, new TextEncoder().encode(s));
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out;
}

function trimLong(s, length = 100) {
  if (s.length <= length) return s;
  const middle = `-${StringPrototypeSlice(sha1Hex(s), 0, 5)}-`;
  const start = Math.floor((length - middle.length) / 2);
  const end = length - middle.length - start;
  return StringPrototypeSlice(s, 0, start) + middle + StringPrototypeSlice(s, s.length - end);
}

function extname(p) {
  const base = basename(p);
  const dot = StringPrototypeLastIndexOf(base, ".");
  return dot > 0 ? StringPrototypeSlice(base, dot) : "";
}

function basename(p) {
  return StringPrototypeSlice(p, StringPrototypeLastIndexOf(p, "/") + 1);
}

function dirname(p) {
  const i = StringPrototypeLastIndexOf(p, "/");
  return i < 0 ? "." : StringPrototypeSlice(p, 0, i);
}

function sanitizeBeforeExt(p, ext) {
  return sanitize(StringPrototypeSlice(p, 0, p.length - ext.length)) + ext;
}

function addSuffix(p, suffix) {
  const ext = extname(p);
  return StringPrototypeSlice(p, 0, p.length - ext.length) + suffix + ext;
}

/** `a/./b/../c` as `a/c`, from the project root; null when it climbs out of it. */
function normalize(p) {
  const out = [];
  const parts = StringPrototypeSplit(p, "/");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (!out.length) return null;
      out.length--;
      continue;
    }
    ArrayPrototypePush(out, part);
  }
  return ArrayPrototypeJoin(out, "/");
}

function relativeToTestDir(file) {
  const dir = normalize(settings.testDir) ?? "";
  if (!dir) return file;
  return StringPrototypeStartsWith(file, dir + "/") ? StringPrototypeSlice(file, dir.length + 1) : file;
}

/** The expected file of a snapshot (root-relative) and its output base name. */
function snapshotPaths(info, kind, name, anonymousExt) {
  const names = (info._snapshotNames ??= { anonymous: 0, named: { __proto__: null } });
  let subPath;
  let ext;
  let output;
  if (name === undefined || name === null || name === "") {
    const index = ++names.anonymous;
    const full = ArrayPrototypeJoin([...ArrayPrototypeSlice(info.titlePath, 1), index], " ");
    ext = anonymousExt ?? (kind === "screenshot" ? ".png" : ".txt");
    subPath = sanitizeBeforeExt(trimLong(full) + ext, ext);
    output = sanitizeBeforeExt(trimLong(full, 60) + ext, ext);
  } else {
    if (ArrayIsArray(name)) {
      // Segments are a path of the test's choosing, but one inside the snapshot directory.
      for (let i = 0; i < name.length; i++) {
        const segment = String(name[i]);
        if (segment === ".." || segment === "" || StringPrototypeStartsWith(segment, "/") || segment.includes("\\") || StringPrototypeSplit(segment, "/").includes("..")) {
          throw new Error(`Snapshot name segment "${segment}" is not allowed: segments may not be empty, absolute or contain ".."`);
        }
      }
      subPath = ArrayPrototypeJoin(ArrayPrototypeMap(name, String), "/");
      output = subPath;
      ext = extname(subPath);
    } else {
      name = String(name);
      ext = extname(name);
      subPath = sanitizeBeforeExt(name, ext);
      output = sanitizeBeforeExt(trimLong(name, 60), ext);
    }
    const index = (names.named[output] ?? 0) + 1;
    names.named[output] = index;
    if (index > 1) output = addSuffix(output, `-${index - 1}`);
  }
  const template = (kind === "screenshot" ? settings.screenshotTemplate : null) || settings.pathTemplate || LEGACY_TEMPLATE;
  const dir = dirname(subPath);
  const arg = (dir === "." ? "" : dir + "/") + StringPrototypeSlice(basename(subPath), 0, basename(subPath).length - ext.length);
  const testFile = relativeToTestDir(info.file);
  const fileDir = dirname(testFile) === "." ? "" : dirname(testFile);
  const fileBase = basename(testFile);
  const fileExt = extname(fileBase);
  const project = sanitize(info.project.name ?? "");
  const tokens = {
    testDir: settings.testDir,
    snapshotDir: settings.snapshotDir,
    snapshotSuffix: info.snapshotSuffix,
    testFileDir: fileDir,
    platform: "linux",
    projectName: project,
    testName: sanitize(trimLong(ArrayPrototypeJoin(ArrayPrototypeSlice(info.titlePath, 1), " "))),
    testFileBaseName: StringPrototypeSlice(fileBase, 0, fileBase.length - fileExt.length),
    testFileName: fileBase,
    testFilePath: testFile,
    arg,
    ext,
  };
  const applied = RegExpPrototypeSymbolReplace(TOKENS, template, (all, prefix, token) => {
    const value = tokens[token];
    // An empty optional value drops its separator too (`{-projectName}` with no project).
    if ((token === "snapshotSuffix" || token === "projectName" || token === "ext") && !value) return "";
    return (prefix ?? "") + value;
  });
  const expected = normalize(applied);
  if (expected === null) throw new Error(`Snapshot path "${applied}" leaves the project (from snapshotPathTemplate "${template}")`);
  const outputDir = StringPrototypeSlice(info.outputDir, 1);
  return { expected, output, outputBase: `${outputDir}/${output}`, name: ArrayIsArray(name) ? ArrayPrototypeJoin(name, "/") : name ?? "" };
}

/** `testInfo.snapshotDir`: where the file's snapshots are by default. */
export function snapshotDirOf(file) {
  return `${settings.snapshotDir}/${relativeToTestDir(file)}-snapshots`;
}

export function snapshotPathOf(info, segments, kind) {
  const name = segments.length <= 1 ? segments[0] : segments;
  const saved = info._snapshotNames;
  info._snapshotNames = { anonymous: saved?.anonymous ?? 0, named: { __proto__: null, ...(saved?.named ?? {}) } };
  try {
    return "/" + snapshotPaths(info, kind, name).expected;
  } finally {
    info._snapshotNames = saved;
  }
}

// ---- files ----------------------------------------------------------------------------

function read(path) {
  const b64 = hostSync("harness.snapshotRead", { path });
  return b64 === null || b64 === undefined ? null : bufferOf(b64);
}

function write(path, data) {
  hostSync("harness.snapshotWrite", { path, data: toBase64(data) });
}

function indent(text, tab) {
  return RegExpPrototypeSymbolReplace(/^(?=.+$)/gm, text, tab);
}

function callLogText(log) {
  if (!log || !log.some((l) => !!l)) return "";
  return `\nCall log:\n${ArrayPrototypeJoin(log, "\n")}\n`;
}

// ---- the helper -----------------------------------------------------------------------

class SnapshotHelper {
  constructor(ctx, info, matcherName, kind, anonymousExt, configOptions, nameOrOptions, optOptions) {
    let name;
    let options;
    if (ArrayIsArray(nameOrOptions) || typeof nameOrOptions === "string") {
      name = nameOrOptions;
      options = { ...optOptions };
    } else {
      const { name: fromOptions, ...rest } = nameOrOptions ?? {};
      name = fromOptions;
      options = rest;
    }
    const config = { ...configOptions };
    for (const key of ["clip", "fullPage", "mask", "maskColor", "omitBackground", "signal"]) delete config[key];
    this.options = { ...config, ...options };
    if (this.options.maxDiffPixels !== undefined && this.options.maxDiffPixels < 0) throw new Error("`maxDiffPixels` option value must be non-negative integer");
    if (this.options.maxDiffPixelRatio !== undefined && (this.options.maxDiffPixelRatio < 0 || this.options.maxDiffPixelRatio > 1)) {
      throw new Error("`maxDiffPixelRatio` option value must be between 0 and 1");
    }
    const paths = snapshotPaths(info, kind, name, anonymousExt);
    this.ctx = ctx;
    this.info = info;
    this.matcherName = matcherName;
    this.name = paths.name;
    this.expectedPath = paths.expected;
    this.base = paths.output;
    this.legacyExpectedPath = addSuffix(paths.outputBase, "-expected");
    this.previousPath = addSuffix(paths.outputBase, "-previous");
    this.actualPath = addSuffix(paths.outputBase, "-actual");
    this.diffPath = addSuffix(paths.outputBase, "-diff");
    this.mimeType = MIME[StringPrototypeToLowerCase(extname(this.expectedPath))] ?? "application/octet-stream";
    this.kind = StringPrototypeStartsWith(this.mimeType, "image/") ? "Screenshot" : "Snapshot";
    this.update = settings.update;
  }

  attach(suffix, path) {
    ArrayPrototypePush(this.info.attachments, { name: addSuffix(this.base, suffix), contentType: this.mimeType, path });
  }

  result(message, pass, extra) {
    return { pass, message: () => message, name: this.matcherName, expected: this.expectedPath, actual: this.actualPath, diff: this.diffPath, ...extra };
  }

  missingNegated() {
    const write = this.update !== "none";
    return this.result(`A snapshot doesn't exist at ${this.expectedPath}${write ? ", matchers using \".not\" won't write them automatically." : "."}`, true);
  }

  differentNegated() {
    return this.result("", false);
  }

  matchingNegated() {
    return this.result(`${this.kind} comparison failed:\n\n${indent("Expected result should be different from the actual one.", "  ")}`, true);
  }

  missing(actual) {
    const writing = this.update !== "none";
    if (writing) {
      write(this.expectedPath, actual);
      this.attach("-expected", this.expectedPath);
    }
    write(this.actualPath, actual);
    this.attach("-actual", this.actualPath);
    const message = `A snapshot doesn't exist at ${this.expectedPath}${writing ? ", writing actual." : "."}`;
    if (this.update === "all" || this.update === "changed") {
      console.log(message);
      return this.result(message, true);
    }
    if (this.update === "missing") return this.result("", true, { softError: message });
    return this.result(message, false);
  }

  different(actual, expected, previous, diff, header, diffError, log) {
    const output = [`${header}${indent(diffError, "  ")}`];
    if (this.name) ArrayPrototypePush(output, "", `  Snapshot: ${this.name}`);
    if (expected !== undefined && expected !== null) {
      write(this.legacyExpectedPath, expected);
      this.attach("-expected", this.expectedPath);
    }
    if (previous) {
      write(this.previousPath, previous);
      this.attach("-previous", this.previousPath);
    }
    if (actual !== undefined && actual !== null) {
      write(this.actualPath, actual);
      this.attach("-actual", this.actualPath);
    }
    if (diff) {
      write(this.diffPath, diff);
      this.attach("-diff", this.diffPath);
    }
    ArrayPrototypePush(output, log?.length ? callLogText(log) : "");
    return this.result(ArrayPrototypeJoin(output, "\n"), false, { log });
  }

  matching() {
    return this.result("", true);
  }
}

function header(ctx, matcherName, receiver, locator, timeout, timedOut) {
  let out = `expect(${receiver})${ctx.promise ? "." + ctx.promise : ""}${ctx.isNot ? ".not" : ""}.${matcherName}(expected) failed\n\n`;
  if (locator) out += `Locator: ${locator}\n`;
  if (timedOut && timeout) out += `Timeout: ${timeout}ms\n`;
  return out;
}

function runningInfo(matcherName) {
  const info = state.running?.info;
  if (!info) throw new Error(`${matcherName}() must be called during the test`);
  return info;
}

function fileExtensionOf(value) {
  if (typeof value === "string") return "txt";
  const b = value;
  const starts = (bytes) => bytes.every((x, i) => b[i] === x);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (starts([0xff, 0xd8, 0xff])) return "jpg";
  if (starts([0x52, 0x49, 0x46, 0x46]) && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50) return "webp";
  return "dat";
}

function sameBytes(a, b) {
  if (typeof a === "string") a = new TextEncoder().encode(a);
  if (typeof b === "string") b = new TextEncoder().encode(b);
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compare(helper, actual, expected) {
  const o = helper.options;
  return hostSync("harness.compare", {
    contentType: helper.mimeType,
    actual: toBase64(actual),
    expected: toBase64(expected),
    threshold: o.threshold,
    maxDiffPixels: o.maxDiffPixels,
    maxDiffPixelRatio: o.maxDiffPixelRatio,
  });
}

function toMatchSnapshot(received, nameOrOptions = {}, optOptions = {}) {
  const info = runningInfo("toMatchSnapshot");
  if (isA(PromisePrototype, received)) {
    throw new Error("An unresolved Promise was passed to toMatchSnapshot(), make sure to resolve it by adding await to it.");
  }
  if (settings.ignore) return { pass: !this.isNot, message: () => "" };
  if (typeof received !== "string" && !isBytes(received)) {
    throw new Error(`toMatchSnapshot() expects a string or a Buffer, got ${ObjectPrototypeToString(received)}`);
  }
  const helper = new SnapshotHelper(this, info, "toMatchSnapshot", "snapshot", "." + fileExtensionOf(received), settings.toMatchSnapshot, nameOrOptions, optOptions);
  const expected = read(helper.expectedPath);
  if (this.isNot) {
    if (expected === null) return helper.missingNegated();
    return (compare(helper, received, expected)) ? helper.differentNegated() : helper.matchingNegated();
  }
  if (expected === null) return helper.missing(received);
  if (helper.update === "all") {
    if (sameBytes(received, expected)) return helper.matching();
    write(helper.expectedPath, received);
    console.log(helper.expectedPath + " is not the same, writing actual.");
    return helper.result(helper.expectedPath + " running with --update-snapshots, writing actual.", true);
  }
  const mismatch = compare(helper, received, expected);
  if (helper.update === "changed") {
    if (!mismatch) return helper.matching();
    write(helper.expectedPath, received);
    console.log(helper.expectedPath + " does not match, writing actual.");
    return helper.result(helper.expectedPath + " running with --update-snapshots, writing actual.", true);
  }
  if (!mismatch) return helper.matching();
  const head = header(this, "toMatchSnapshot", typeof received === "string" ? "string" : "Buffer");
  return helper.different(received, expected, undefined, mismatch.diff ? bufferOf(mismatch.diff) : undefined, head, mismatch.message, undefined);
}

function styleOf(stylePath) {
  if (stylePath === undefined || stylePath === null) return undefined;
  const paths = ArrayIsArray(stylePath) ? stylePath : [stylePath];
  const out = [];
  for (let i = 0; i < paths.length; i++) {
    const text = read(String(paths[i]));
    if (text === null) throw new Error(`stylePath: ${paths[i]} does not exist`);
    ArrayPrototypePush(out, text.toString());
  }
  return ArrayPrototypeJoin(out, "\n");
}

async function toHaveScreenshot(received, nameOrOptions = {}, optOptions = {}) {
  const info = runningInfo("toHaveScreenshot");
  if (settings.ignore) return { pass: !this.isNot, message: () => "" };
  const locator = isA(Locator.prototype, received) ? received : undefined;
  if (!locator && !isA(Page.prototype, received)) {
    throw new Error(`toHaveScreenshot can be only used with Page or Locator objects, was called with ${ObjectPrototypeToString(received)}`);
  }
  const page = locator ? locator.page() : received;
  const helper = new SnapshotHelper(this, info, "toHaveScreenshot", "screenshot", undefined, settings.toHaveScreenshot, nameOrOptions, optOptions);
  const type = { "image/png": "png", "image/webp": "webp" }[helper.mimeType];
  if (!type) throw new Error(`Screenshot name "${basename(helper.expectedPath)}" must have a '.png' or '.webp' extension`);
  const o = helper.options;
  const style = [styleOf(o.stylePath), o.style].filter((s) => s).join("\n") || undefined;
  const timeout = o.timeout ?? this.timeout;
  const receiver = locator ? "locator" : "page";
  const title = `expect(${receiver})${this.isNot ? ".not" : ""}.toHaveScreenshot(${helper.name})`;
  const mask = o.mask ? ArrayPrototypeMap(o.mask, (l) => {
    if (!isA(Locator.prototype, l)) throw new Error("mask: expected an array of locators");
    return l._chain;
  }) : undefined;
  const shoot = (expected) => host("expect.screenshot", {
    page: page._id,
    chain: locator?._chain,
    fullPage: !!o.fullPage,
    clip: o.clip,
    expected: expected ? toBase64(expected) : undefined,
    threshold: o.threshold,
    maxDiffPixels: o.maxDiffPixels,
    maxDiffPixelRatio: o.maxDiffPixelRatio,
    isNot: !!this.isNot,
    timeout,
    title,
    type,
    omitBackground: !!o.omitBackground,
    animations: o.animations ?? "disabled",
    caret: o.caret ?? "hide",
    scale: o.scale ?? "css",
    mask,
    maskColor: o.maskColor,
    style,
  }).then((r) => ({
    actual: r.actual ? bufferOf(r.actual) : undefined,
    previous: r.previous ? bufferOf(r.previous) : undefined,
    diff: r.diff ? bufferOf(r.diff) : undefined,
    errorMessage: r.errorMessage ?? undefined,
    log: r.log,
    timedOut: r.timedOut,
  }));
  const head = (timedOut) => header(this, "toHaveScreenshot", receiver, locator?.toString(), timeout, timedOut);
  const expected = read(helper.expectedPath);
  if (this.isNot) {
    if (expected === null) return helper.missingNegated();
    const r = await shoot(expected);
    return r.errorMessage ? helper.matchingNegated() : helper.differentNegated();
  }
  if (helper.update === "none" && expected === null) {
    return helper.result(`A snapshot doesn't exist at ${helper.expectedPath}.`, false);
  }
  if (expected === null) {
    const r = await shoot(undefined);
    if (r.errorMessage) return helper.different(r.actual, undefined, r.previous, r.diff, head(r.timedOut), r.errorMessage, r.log);
    return helper.missing(r.actual);
  }
  const given = helper.update === "all" ? undefined : expected;
  const r = await shoot(given);
  const rewrite = (actual) => {
    write(helper.expectedPath, actual);
    write(helper.actualPath, actual);
    console.log(helper.expectedPath + " is re-generated, writing actual.");
    return helper.result(helper.expectedPath + " running with --update-snapshots, writing actual.", true);
  };
  if (!r.errorMessage) {
    if (helper.update === "all" && r.actual && !sameBytes(r.actual, expected)) return rewrite(r.actual);
    return helper.matching();
  }
  if (helper.update === "changed" || helper.update === "all") {
    if (r.actual) return rewrite(r.actual);
    return helper.different(r.actual, given, r.previous, r.diff, head(r.timedOut) + "  Failed to re-generate expected.\n", r.errorMessage, r.log);
  }
  return helper.different(r.actual, given, r.previous, r.diff, head(r.timedOut), r.errorMessage, r.log);
}

export const snapshotMatchers = { toMatchSnapshot, toHaveScreenshot };
