// Fixtures: the names a test function destructures, fixture definitions and the pools
// `test.extend` builds, and the scope that sets fixtures up (worker fixtures once per file's
// isolate, test fixtures per test) and tears them down in reverse order.

import { state } from "ext:isolate_suite/harness/10_state.js";

function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
}

/** Names destructured by a function's first parameter: `async ({ page, foo: f }) => ...`. */
export function fixtureParams(fn) {
  if (typeof fn !== "function") return [];
  const src = stripComments(fn.toString());
  const open = src.indexOf("(");
  if (open < 0) return [];
  const head = src.slice(0, open).trim();
  if (head.includes("=>") || head.includes("{")) return [];
  let i = open + 1;
  while (/\s/.test(src[i])) i++;
  if (src[i] !== "{") return [];
  let depth = 0;
  let start = i + 1;
  const parts = [];
  let quote = null;
  for (; i < src.length; i++) {
    const c = src[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "{" || c === "[" || c === "(") {
      depth++;
    } else if (c === "}" || c === "]" || c === ")") {
      depth--;
      if (depth === 0) {
        parts.push(src.slice(start, i));
        break;
      }
    } else if (c === "," && depth === 1) {
      parts.push(src.slice(start, i));
      start = i + 1;
    }
  }
  return parts
    .map((p) => p.trim())
    .filter((p) => p && !p.startsWith("..."))
    .map((p) => p.split(/[:=]/)[0].trim())
    .filter(Boolean);
}

const TEST_SCOPED_IN_ALL_HOOKS = new Set(["page", "context", "request"]);

export class FixtureDef {
  constructor(name, value, parent) {
    this.name = name;
    this.parent = parent;
    let options = {};
    if (Array.isArray(value) && value.length === 2 && value[1] && typeof value[1] === "object" && !Array.isArray(value[1])) {
      options = value[1];
      value = value[0];
    }
    this.scope = options.scope ?? parent?.scope ?? "test";
    this.auto = options.auto ?? false;
    this.option = options.option ?? parent?.option ?? false;
    this.box = options.box ?? false;
    this.timeout = options.timeout;
    if (typeof value === "function") {
      this.fn = value;
    } else {
      this.value = value;
      this._deps = [];
    }
  }
  /** The fixtures it takes, read from its source when first needed (never while the snapshot
   * is made: slicing the source there leaves strings V8 cannot restore; see runner/build.rs). */
  get deps() {
    this._deps ??= fixtureParams(this.fn);
    return this._deps;
  }
  set deps(names) {
    this._deps = names;
  }
}

export function extendPool(pool, defs) {
  const next = { ...pool };
  for (const [name, value] of Object.entries(defs)) next[name] = new FixtureDef(name, value, pool[name]);
  return next;
}

export const workerFixtures = new Map(); // FixtureDef -> { value, teardown }

function isOption(pool, name) {
  return pool[name]?.option;
}

/** The definition that provides `name` for a test: test.use overrides, config use, the pool. */
export function resolveDef(name, pool, suite, configUse) {
  for (let s = suite; s; s = s.parent) {
    if (Object.prototype.hasOwnProperty.call(s.uses, name)) return new FixtureDef(name, s.uses[name], pool[name]);
  }
  if (configUse && Object.prototype.hasOwnProperty.call(configUse, name) && (isOption(pool, name) || !pool[name])) {
    return new FixtureDef(name, configUse[name], pool[name]);
  }
  return pool[name];
}

export class FixtureScope {
  constructor(pool, suite, configUse, info, allowTestScoped, workerCache) {
    this.pool = pool;
    this.suite = suite;
    this.configUse = configUse;
    this.info = info;
    this.allowTestScoped = allowTestScoped;
    this.instances = new Map(); // def -> Promise<value>
    this.teardowns = [];
    this.workerCache = workerCache;
    this.defs = new Map(); // name -> def (resolved once per scope)
  }
  def(name) {
    if (!this.defs.has(name)) this.defs.set(name, resolveDef(name, this.pool, this.suite, this.configUse));
    return this.defs.get(name);
  }
  async values(names) {
    const out = {};
    for (const name of names) out[name] = await this.get(name, this.def(name), []);
    return out;
  }
  async get(name, def, path) {
    if (!def) throw new Error(`Fixture "${name}" is not defined${path.length ? ` (needed by "${path.at(-1)}")` : ""}; define it with test.extend()`);
    if (path.includes(name) && def === this.def(name) && path.at(-1) === name) throw new Error(`Fixtures "${[...path, name].join('" -> "')}" form a dependency cycle`);
    const cache = def.scope === "worker" ? this.workerCache : this.instances;
    if (cache.has(def)) return cache.get(def).value;
    if (def.scope !== "worker" && !this.allowTestScoped) {
      if (TEST_SCOPED_IN_ALL_HOOKS.has(name)) {
        throw new Error(`"${name}" fixture is not supported in beforeAll/afterAll hooks since it is created per test. To reuse a page between tests, create a context yourself with browser.newContext()`);
      }
      throw new Error(`beforeAll/afterAll hooks cannot use the test-scoped fixture "${name}"`);
    }
    const deps = {};
    for (const dep of def.deps) {
      const depDef = dep === name ? def.parent : def.scope === "worker" ? this.workerDef(dep) : this.def(dep);
      if (def.scope === "worker" && depDef && depDef.scope !== "worker") {
        throw new Error(`worker fixture "${name}" cannot depend on the test-scoped fixture "${dep}"`);
      }
      deps[dep] = await this.get(dep, depDef, [...path, name]);
    }
    if (!def.fn) {
      cache.set(def, { value: def.value, teardown: null });
      return def.value;
    }
    const started = Date.now();
    const instance = await setupFixture(name, def, deps, def.scope === "worker" ? null : this.info);
    if (def.scope === "worker") this.onWorkerSetup?.(Date.now() - started);
    cache.set(def, instance);
    if (def.scope !== "worker") this.teardowns.push(instance);
    return instance.value;
  }
  workerDef(name) {
    return this.def(name);
  }
  /** Tears the test's fixtures down; resolves with `{ errors }` in a null-prototype box. */
  async teardown() {
    const errors = [];
    while (this.teardowns.length) {
      const inst = this.teardowns.pop();
      try {
        await inst.teardown();
      } catch (e) {
        errors.push(e);
      }
    }
    return { __proto__: null, errors };
  }
}

function setupFixture(name, def, deps, info) {
  return new Promise((resolveSetup, rejectSetup) => {
    let release;
    const released = new Promise((r) => (release = r));
    let used = false;
    const done = Promise.resolve()
      .then(() =>
        def.fn(
          deps,
          async (value) => {
            if (used) throw new Error(`fixture "${name}" called use() twice`);
            used = true;
            resolveSetup({ value, teardown: async () => { release(); await done; } });
            await released;
          },
          info ?? state.workerInfo,
        ),
      )
      .then(
        () => {
          if (!used) rejectSetup(new Error(`fixture "${name}" finished without calling use()`));
        },
        (e) => {
          if (!used) rejectSetup(e);
          else throw e;
        },
      );
    done.catch(() => {});
  });
}
