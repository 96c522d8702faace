// isolate-browser's selector engines and element checks. Installed lazily into an isolated
// world of each document, so page scripts can neither see nor tamper with it. Locators are
// lazy: every call re-resolves its selector parts from the document.
//
// `make(roleSets, root)` binds one call's role matches: Chromium's accessibility tree is read by
// the host (CDP `Accessibility.queryAXTree`) and handed in as element lists with their names.
// `root` is where queries start: the document, or the element of an element handle (which must
// still be in its document).
(() => {
// `selectors.register` engines made from their sources, per installation (never a global:
// in the page's main world the engine must leave no trace).
const madeEngines = new Map();
return { make: (roleSets, root = document, strictMode = true, engines = []) => {
  if (root !== document && !root.isConnected) throw new Error("Element is not attached to the DOM");
  // A text node's actions are its element's, as in Playwright.
  if (root.nodeType === 3 && root.parentElement) root = root.parentElement;
  const normalize = (s) => String(s ?? "").replace(/[\u200b\u00ad]/g, "").replace(/\s+/g, " ").trim();

  /** A text matcher: { kind: "substring" | "exact" | "regex", text, flags }. */
  function matcher(m) {
    if (m.kind === "regex") {
      const re = new RegExp(m.text, m.flags || "");
      return (s) => {
        re.lastIndex = 0;
        return re.test(normalize(s));
      };
    }
    const want = normalize(m.text);
    if (m.kind === "exact" || m.kind === "quoted") return (s) => normalize(s) === want;
    const lower = want.toLowerCase();
    return (s) => normalize(s).toLowerCase().includes(lower);
  }

  const SKIP_TEXT = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "TITLE"]);

  /** Whether the document has open shadow roots (then text must be read across them). */
  let shadows = false;
  /** Whether engines pierce open shadow roots (false inside a `:light` engine). */
  let pierce = true;
  /** How deep in nested queries we are (the document is only scanned for shadow roots at 0). */
  let nesting = 0;

  /** Elements' rendered text for the current query, with and without shadow trees. */
  let texts = [new Map(), new Map()];

  /** The text a node renders: script and style skipped, shadow trees in place (when piercing). */
  function composedText(node) {
    if (node.nodeType === Node.TEXT_NODE) return node.data;
    const cache = texts[pierce ? 1 : 0];
    if (node.nodeType === Node.ELEMENT_NODE) {
      const known = cache.get(node);
      if (known !== undefined) return known;
      if (SKIP_TEXT.has(node.tagName)) return "";
      if (pierce && node.tagName === "SLOT") {
        const assigned = node.assignedNodes();
        if (assigned.length) return assigned.map(composedText).join("");
      }
    } else if (node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) {
      return "";
    }
    let out = "";
    for (const child of ((pierce && node.shadowRoot) || node).childNodes) out += composedText(child);
    if (node.nodeType === Node.ELEMENT_NODE) cache.set(node, out);
    return out;
  }

  function elementText(el) {
    if (el instanceof HTMLInputElement && ["button", "submit", "reset"].includes(el.type)) {
      return el.value;
    }
    return composedText(el);
  }

  /** Element children across a shadow boundary (a host's rendered children are its shadow's). */
  const composedChildren = (el) => pierce && el.shadowRoot ? [...el.shadowRoot.children] : [...el.children];

  /** Descendants of `root`, open shadow trees included (as Playwright's engines pierce them). */
  function allElements(root, composed = pierce) {
    const out = [];
    const visit = (node) => {
      for (let child = node.firstElementChild; child; child = child.nextElementSibling) {
        out.push(child);
        visit(child);
      }
      if (composed && node.shadowRoot) visit(node.shadowRoot);
    };
    visit(root);
    return out;
  }

  /** The parent across shadow boundaries. */
  const composedParent = (node) => pierce && node.parentNode instanceof ShadowRoot ? node.parentNode.host : node.parentElement;

  /** Whether `node` is inside `ancestor` (an element, shadow root or document), across shadow boundaries. */
  function composedContains(ancestor, node) {
    for (let n = node; n; n = n instanceof ShadowRoot ? (pierce ? n.host : null) : n.parentNode) {
      if (n === ancestor) return true;
    }
    return false;
  }

  /** Elements whose text matches, without ancestors of a match (the smallest element wins). */
  function byText(root, m) {
    const test = matcher(m);
    // `text="…"` (quoted, the legacy engine): one of the element's own text nodes is the text.
    const candidates = root.nodeType === 1 ? [root, ...allElements(root)] : allElements(root);
    if (m.kind === "quoted") {
      if (!normalize(m.text)) return candidates.filter((el) => !SKIP_TEXT.has(el.tagName) && !normalize(elementText(el)));
      return candidates.filter((el) => !SKIP_TEXT.has(el.tagName) && [...el.childNodes].some((n) => n.nodeType === 3 && test(n.nodeValue)));
    }
    // A <slot> only renders its host's light children, which match on their own.
    const matches = candidates.filter((el) => !SKIP_TEXT.has(el.tagName) && el.tagName !== "SLOT" && test(elementText(el)));
    const set = new Set(matches);
    return matches.filter((el) => {
      for (const child of composedChildren(el)) if (set.has(child)) return false;
      return true;
    });
  }

  /** Elements with attribute `name` (or any of several, comma-separated) matching `m`. */
  function byAttr(root, name, m) {
    const test = matcher(m);
    const names = String(name).split(",").map((n) => n.trim()).filter(Boolean);
    return allElements(root).filter((el) => names.some((n) => el.hasAttribute(n) && test(el.getAttribute(n))));
  }

  function labelText(el) {
    return normalize(el.textContent);
  }

  /** Form controls labelled by matching text: <label for>, wrapping <label>, aria-labelledby, aria-label. */
  function byLabel(root, m) {
    const test = matcher(m);
    const found = new Set();
    for (const label of allElements(document).filter((e) => e.tagName === "LABEL")) {
      if (test(labelText(label)) && label.control) found.add(label.control);
    }
    for (const el of allElements(document).filter((e) => e.hasAttribute("aria-labelledby"))) {
      const text = el
        .getAttribute("aria-labelledby")
        .split(/\s+/)
        .map((id) => el.getRootNode().getElementById(id))
        .filter(Boolean)
        .map(labelText)
        .join(" ");
      if (test(text)) found.add(el);
    }
    for (const el of allElements(document).filter((e) => e.hasAttribute("aria-label"))) {
      if (test(el.getAttribute("aria-label"))) found.add(el);
    }
    return allElements(root).filter((el) => found.has(el));
  }

  // ---- CSS with Playwright's extensions ----------------------------------------------------
  // Native CSS where it can answer (`querySelectorAll`), and otherwise our own evaluator: it
  // pierces open shadow roots at every combinator, starts matching at the scope (as jQuery
  // does: `body.$$('* > *')` does not count body's own children's parents outside it), knows
  // relative selectors (`~ div`, `:scope + p`) and Playwright's pseudo-classes (:has-text,
  // :text, :text-is, :text-matches, :visible, :nth-match, :right-of, :left-of, :above, :below,
  // :near), also inside :is, :where, :not and :has.

  const CUSTOM_RE = /:(has-text|text|text-is|text-matches|visible|scope|nth-match|right-of|left-of|above|below|near)(?![-\w])/;
  const LAYOUT = new Set(["right-of", "left-of", "above", "below", "near"]);
  const cssCache = new Map();

  /** `s` split at top-level characters `isSep` accepts (outside quotes, brackets, parens). */
  function splitTop(s, isSep) {
    const out = [];
    let depth = 0, quote = null, start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (quote) {
        if (c === "\\") i++;
        else if (c === quote) quote = null;
        continue;
      }
      if (c === "\\") { i++; continue; }
      if (c === '"' || c === "'") quote = c;
      else if (c === "(" || c === "[") depth++;
      else if (c === ")" || c === "]") depth--;
      else if (depth === 0 && isSep(c)) { out.push(s.slice(start, i)); start = i + 1; }
    }
    out.push(s.slice(start));
    return out;
  }

  /** A selector list as `[{ compounds: [{ comb, native, customs }] }]`. */
  function parseCss(selector) {
    if (cssCache.has(selector)) return cssCache.get(selector);
    const list = splitTop(selector, (c) => c === ",").map((complex) => parseComplex(complex.trim(), selector));
    if (cssCache.size > 500) cssCache.clear();
    cssCache.set(selector, list);
    return list;
  }

  function parseComplex(text, whole) {
    if (!text) throw new Error(`Unexpected token in selector "${whole}"`);
    const compounds = [];
    let comb = "", cur = "", depth = 0, quote = null;
    const flush = () => {
      if (cur.trim()) {
        compounds.push({ comb, ...parseCompound(cur.trim(), whole) });
        comb = " ";
      }
      cur = "";
    };
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quote) {
        cur += c;
        if (c === "\\") cur += text[++i] ?? "";
        else if (c === quote) quote = null;
        continue;
      }
      if (c === "\\") { cur += c + (text[++i] ?? ""); continue; }
      if (c === '"' || c === "'") { quote = c; cur += c; continue; }
      if (c === "(" || c === "[") depth++;
      if (c === ")" || c === "]") depth--;
      if (depth === 0 && (c === ">" || c === "+" || c === "~" || /\s/.test(c))) {
        flush();
        if (c !== " " && !/\s/.test(c)) {
          if (comb !== " " && compounds.length) throw new Error(`Unexpected token "${c}" in selector "${whole}"`);
          comb = c;
        }
        continue;
      }
      cur += c;
    }
    flush();
    if (!compounds.length) throw new Error(`Unexpected end of selector "${whole}"`);
    return { compounds, relative: compounds[0].comb !== "", scoped: compounds.some((c) => c.scope) };
  }

  function parseCompound(text, whole) {
    let native = "";
    const customs = [];
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === "\\") { native += c + (text[i + 1] ?? ""); i += 2; continue; }
      if (c === '"' || c === "'") {
        let j = i + 1;
        while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
        native += text.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      if (c === "[") {
        let j = i, depth = 0, q = null;
        for (; j < text.length; j++) {
          const d = text[j];
          if (q) { if (d === "\\") j++; else if (d === q) q = null; continue; }
          if (d === '"' || d === "'") q = d;
          else if (d === "[") depth++;
          else if (d === "]" && --depth === 0) break;
        }
        native += text.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      if (c === ":" && text[i + 1] !== ":") {
        const m = /^:([-\w]+)/.exec(text.slice(i));
        const name = m ? m[1] : "";
        let j = i + 1 + name.length;
        let args = null;
        if (text[j] === "(") {
          let depth = 0, q = null, k = j;
          for (; k < text.length; k++) {
            const d = text[k];
            if (q) { if (d === "\\") k++; else if (d === q) q = null; continue; }
            if (d === '"' || d === "'") q = d;
            else if (d === "(") depth++;
            else if (d === ")" && --depth === 0) break;
          }
          if (k >= text.length) throw new Error(`Unexpected end of selector "${whole}"`);
          args = text.slice(j + 1, k);
          j = k + 1;
        }
        // :is, :where, :not and :has are ours too: their selectors pierce shadow roots.
        const structural = ["is", "where", "not", "has"].includes(name);
        if (CUSTOM_RE.test(":" + name + "(") || structural) {
          checkArgs(name, args ?? "");
          customs.push({ name, args: args ?? "" });
        } else {
          native += text.slice(i, j);
        }
        i = j;
        continue;
      }
      native += c;
      i++;
    }
    return { native: native.trim(), customs, scope: customs.some((x) => x.name === "scope") };
  }

  /** Playwright's errors for malformed arguments of its pseudo-classes. */
  function checkArgs(name, args) {
    const list = splitTop(args, (x) => x === ",").map((x) => x.trim());
    const single = /^("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,>+~()"']+)$/;
    if (["text", "has-text", "text-is"].includes(name) && (list.length !== 1 || !single.test(list[0]))) {
      throw new Error(`"${name}" engine expects a single string`);
    }
    if (name === "nth-match") {
      if (list.length < 2 || !list[0]) throw new Error(`"nth-match" engine expects non-empty selector list and an index argument`);
      const n = list[list.length - 1];
      if (!/^\d+$/.test(n) || Number(n) < 1) throw new Error(`"nth-match" engine expects a one-based index as the last argument`);
    }
    if (LAYOUT.has(name)) {
      const rest = /^\d+(\.\d+)?$/.test(list[list.length - 1] ?? "") ? list.slice(0, -1) : list;
      if (!rest.length || rest.some((x) => !x)) {
        throw new Error(`"${name}" engine expects a selector list and optional maximum distance in pixels`);
      }
    }
  }

  /** A pseudo-class argument: a CSS string (escapes such as `\\a ` decoded) or a bare word. */
  function unquoteArg(a) {
    const t = a.trim();
    if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) {
      return t.slice(1, -1).replace(/\\([0-9a-fA-F]{1,6} ?|[\s\S])/g, (_, e) =>
        /^[0-9a-fA-F]/.test(e) ? String.fromCodePoint(parseInt(e, 16)) : e);
    }
    return t;
  }

  function textMatches(el, test, smallest) {
    if (!test(elementText(el))) return false;
    if (!smallest) return true;
    for (const child of composedChildren(el)) if (test(elementText(child))) return false;
    return true;
  }

  /** How far `box` is from `anchor` in the layout relation `name` (`undefined`: not in it). */
  function layoutScore(name, box, anchor, max) {
    let d, off;
    switch (name) {
      case "right-of":
        d = box.left - anchor.right;
        off = Math.max(anchor.bottom - box.bottom, 0) + Math.max(box.top - anchor.top, 0);
        break;
      case "left-of":
        d = anchor.left - box.right;
        off = Math.max(anchor.bottom - box.bottom, 0) + Math.max(box.top - anchor.top, 0);
        break;
      case "above":
        d = anchor.top - box.bottom;
        off = Math.max(box.left - anchor.left, 0) + Math.max(anchor.right - box.right, 0);
        break;
      case "below":
        d = box.top - anchor.bottom;
        off = Math.max(box.left - anchor.left, 0) + Math.max(anchor.right - box.right, 0);
        break;
      case "near": {
        let score = 0;
        if (box.left - anchor.right >= 0) score += box.left - anchor.right;
        if (anchor.left - box.right >= 0) score += anchor.left - box.right;
        if (anchor.top - box.bottom >= 0) score += anchor.top - box.bottom;
        if (box.top - anchor.bottom >= 0) score += box.top - anchor.bottom;
        return score > (max ?? 50) ? undefined : score;
      }
    }
    if (d < 0 || (max !== undefined && d > max)) return undefined;
    return d + off;
  }

  function customMatches(el, c, ctx) {
    switch (c.name) {
      case "scope":
        return el === ctx.scope || (ctx.scope === document && el === document.documentElement);
      case "visible":
        return isVisible(el);
      case "has-text":
        return textMatches(el, matcher({ kind: "substring", text: unquoteArg(c.args) }), false);
      case "text":
        return textMatches(el, matcher({ kind: "substring", text: unquoteArg(c.args) }), true);
      case "text-is":
        return textMatches(el, matcher({ kind: "exact", text: unquoteArg(c.args) }), true);
      case "text-matches": {
        const [re, flags] = splitTop(c.args, (x) => x === ",").map(unquoteArg);
        return textMatches(el, matcher({ kind: "regex", text: re, flags: flags ?? "" }), true);
      }
      case "is":
      case "where":
        return parseCss(c.args).some((cx) => matchesComplex(el, cx, ctx));
      case "not":
        return !parseCss(c.args).some((cx) => matchesComplex(el, cx, ctx));
      case "has":
        return cssQuery(el, c.args, { scope: el, cache: ctx.cache }).length > 0;
      case "nth-match": {
        const parts = splitTop(c.args, (x) => x === ",");
        const n = Number(parts.pop());
        const key = "nth:" + c.args;
        if (!ctx.cache.has(key)) ctx.cache.set(key, cssQuery(ctx.scope, parts.join(","), ctx));
        return ctx.cache.get(key)[n - 1] === el;
      }
      default: {
        if (!LAYOUT.has(c.name)) throw new Error(`Unknown pseudo-class :${c.name}`);
        return layoutOf(el, c, ctx) !== undefined;
      }
    }
  }

  function layoutOf(el, c, ctx) {
    const parts = splitTop(c.args, (x) => x === ",");
    const max = parts.length > 1 && /^\s*\d+(\.\d+)?\s*$/.test(parts[parts.length - 1]) ? Number(parts.pop()) : undefined;
    const key = "layout:" + parts.join(",");
    if (!ctx.cache.has(key)) ctx.cache.set(key, cssQuery(document, parts.join(","), { scope: document, cache: ctx.cache }));
    const box = el.getBoundingClientRect();
    if (!box.width && !box.height) return undefined;
    let best;
    for (const anchor of ctx.cache.get(key)) {
      if (anchor === el || composedContains(el, anchor)) continue;
      const score = layoutScore(c.name, box, anchor.getBoundingClientRect(), max);
      if (score !== undefined && (best === undefined || score < best)) best = score;
    }
    return best;
  }

  function matchesCompound(el, compound, ctx) {
    // A shadow root can be where a query starts, never what it matches.
    if (el.nodeType !== 1) return false;
    if (compound.native) {
      try {
        if (!el.matches(compound.native)) return false;
      } catch (e) {
        throw new Error(`Failed to parse selector "${compound.native}": ${e.message}`);
      }
    }
    for (const c of compound.customs) if (!customMatches(el, c, ctx)) return false;
    return true;
  }

  function relates(el, comb, scope) {
    switch (comb) {
      case ">": return composedParent(el) === scope;
      case "+": return el.previousElementSibling === scope;
      case "~": for (let s = el.previousElementSibling; s; s = s.previousElementSibling) if (s === scope) return true; return false;
      default: return el !== scope && (scope === document || composedContains(scope, el));
    }
  }

  function matchFrom(el, cs, i, ctx) {
    if (!matchesCompound(el, cs[i], ctx)) return false;
    if (i === 0) {
      if (cs[0].comb) return relates(el, cs[0].comb, ctx.scope);
      if (ctx.scoped || ctx.scope === document) return true;
      return el !== ctx.scope && composedContains(ctx.scope, el);
    }
    switch (cs[i].comb) {
      case ">": {
        const p = composedParent(el);
        return !!p && matchFrom(p, cs, i - 1, ctx);
      }
      case "+": {
        const p = el.previousElementSibling;
        return !!p && matchFrom(p, cs, i - 1, ctx);
      }
      case "~":
        for (let p = el.previousElementSibling; p; p = p.previousElementSibling) if (matchFrom(p, cs, i - 1, ctx)) return true;
        return false;
      default:
        for (let p = composedParent(el); p; p = composedParent(p)) if (matchFrom(p, cs, i - 1, ctx)) return true;
        return false;
    }
  }

  function matchesComplex(el, complex, ctx) {
    return matchFrom(el, complex.compounds, complex.compounds.length - 1, { ...ctx, scoped: complex.scoped });
  }

  /** The elements `selector` matches from `scope`, in document order (layout ones by distance). */
  /** Playwright's words for CSS the browser cannot parse: the first token out of place. */
  function cssSyntaxError(selector) {
    const closers = [];
    let bad = null;
    for (let i = 0; i < selector.length && bad === null; i++) {
      const c = selector[i];
      if (c === "\\") {
        i++;
      } else if (c === '"' || c === "'") {
        const end = selector.indexOf(c, i + 1);
        if (end < 0) bad = c;
        else i = end;
      } else if (c === "[" || c === "(") {
        closers.push(c === "[" ? "]" : ")");
      } else if (c === "]" || c === ")") {
        if (closers.pop() !== c) bad = c;
      } else if (c === "#" || c === ".") {
        if (!/[-\w\u0080-\uffff\\]/.test(selector[i + 1] ?? "")) bad = c;
      }
    }
    if (bad === null && closers.length) bad = "EOF";
    return bad === null ? null : `Unexpected token "${bad}" while parsing css selector "${selector}". Did you mean to CSS.escape it?`;
  }

  /** `querySelectorAll`, its syntax errors worded as Playwright's. */
  function selectAll(scope, selector) {
    try {
      return [...scope.querySelectorAll(selector)];
    } catch (e) {
      const message = e instanceof DOMException && e.name === "SyntaxError" ? cssSyntaxError(selector) : null;
      if (message) throw new Error(message);
      throw e;
    }
  }

  function cssQuery(scope, selector, ctx) {
    const list = parseCss(selector);
    const custom = CUSTOM_RE.test(selector);
    const relative = list.some((cx) => cx.relative);
    if (!custom && !relative && (!shadows || !pierce)) {
      if (scope === document || scope.nodeType === 11) return selectAll(scope, selector);
      try {
        return [...scope.querySelectorAll(list.length === 1 ? `:scope ${selector}` : splitTop(selector, (c) => c === ",").map((x) => `:scope ${x}`).join(","))];
      } catch (e) {
        // The selector's own error, worded as Playwright's, when it is the selector's fault.
        selectAll(scope.ownerDocument, selector);
        throw e;
      }
    }
    const inner = { scope, cache: ctx?.cache ?? new Map() };
    // Relative selectors and :scope may match the scope, its siblings and theirs.
    const wide = relative || /:scope(?![-\w])/.test(selector);
    const space = wide && scope !== document
      ? [scope, ...allElements(scope.getRootNode())]
      : allElements(scope);
    let found = space.filter((el) => list.some((cx) => matchesComplex(el, cx, inner)));
    // Layout pseudo-classes of the last compound order the matches: nearest first, by the sum
    // of their distances.
    const last = list.length === 1 ? list[0].compounds[list[0].compounds.length - 1] : null;
    const layouts = last?.customs.filter((c) => LAYOUT.has(c.name)) ?? [];
    if (layouts.length) {
      const scored = found.map((el) => [el, layouts.reduce((sum, c) => sum + (layoutOf(el, c, inner) ?? Infinity), 0)]);
      scored.sort((a, b) => a[1] - b[1]);
      found = scored.map(([el]) => el);
    }
    return found;
  }

  function byCss(root, selector) {
    const found = cssQuery(root, selector);
    return found;
  }

  function byXPath(root, xpath) {
    // Inside an element, an absolute path starts at that element (as in Playwright).
    if (xpath.startsWith("/") && root.nodeType !== 9) xpath = "." + xpath;
    const result = document.evaluate(xpath, root, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
    const out = [];
    for (let i = 0; i < result.snapshotLength; i++) {
      const n = result.snapshotItem(i);
      if (n.nodeType === Node.ELEMENT_NODE) out.push(n);
    }
    return out;
  }

  /** Composed tree order (light and shadow trees interleaved as rendered). */
  function documentOrder(list) {
    const unique = [...new Set(list)];
    if (unique.length < 2) return unique;
    const index = new Map(allElements(document, true).map((e, i) => [e, i]));
    return unique.sort((a, b) => (index.get(a) ?? -1) - (index.get(b) ?? -1));
  }

  /** A `selectors.register` engine, made from its source once per document and source. */
  function customEngine(name) {
    const entry = engines.find(([n]) => n === name);
    if (!entry) throw new Error(`unknown selector engine "${name}"`);
    const made = madeEngines;
    const key = name + "\u0000" + entry[1];
    if (!made.has(key)) {
      const engine = (0, eval)(`(${entry[1]})`);
      if (!engine || typeof engine.queryAll !== "function") {
        throw new Error(`selector engine "${name}" must have a queryAll(root, selector) method`);
      }
      made.set(key, engine);
    }
    return made.get(key);
  }

  function step(scope, part) {
    switch (part.engine) {
      case "css": {
        const found = scope.flatMap((s) => byCss(s, part.selector));
        // Layout pseudo-classes order matches by distance; everything else is in document order.
        return /:(right-of|left-of|above|below|near)\(/.test(part.selector) && scope.length === 1 ? [...new Set(found)] : documentOrder(found);
      }
      case "xpath":
        return documentOrder(scope.flatMap((s) => byXPath(s, part.selector)));
      case "text":
        return documentOrder(scope.flatMap((s) => byText(s, part.matcher)));
      case "attr":
        return documentOrder(scope.flatMap((s) => byAttr(s, part.name, part.matcher)));
      case "label":
        return documentOrder(scope.flatMap((s) => byLabel(s, part.matcher)));
      case "nth": {
        const el = part.index < 0 ? scope[scope.length + part.index] : scope[part.index];
        return el ? [el] : [];
      }
      case "has-text": {
        const test = matcher(part.matcher);
        return scope.filter((el) => test(elementText(el)) !== !!part.not);
      }
      case "has":
        return scope.filter((el) => (query(part.parts, el).length > 0) !== !!part.not);
      case "visible":
        return scope.filter((el) => isVisible(el) === part.value);
      case "and": {
        const other = new Set(query(part.parts, document));
        return scope.filter((el) => other.has(el));
      }
      case "or":
        return documentOrder([...scope, ...query(part.parts, document)]);
      case "light": {
        const outer = pierce;
        pierce = false;
        try {
          return step(scope, part.part);
        } finally {
          pierce = outer;
        }
      }
      case "custom": {
        const engine = customEngine(part.name);
        return documentOrder(scope.flatMap((s) => [...engine.queryAll(s, part.body)]));
      }
      case "role": {
        const set = roleSets[part.slot] ?? { elements: [], names: [], descriptions: [] };
        const test = part.name ? matcher(part.name) : null;
        const described = part.description ? matcher(part.description) : null;
        const found = set.elements.filter((el, i) =>
          (!test || test(set.names[i] ?? "")) && (!described || described(set.descriptions[i] ?? "")));
        if (part.includeHidden) {
          // Elements without layout are not in Chromium's accessibility tree at all.
          const known = new Set(found);
          for (const el of allElements(document)) {
            if (!known.has(el) && !isVisible(el) && implicitRole(el) === part.role && (!test || test(fallbackName(el))) &&
                (!described || described(el.getAttribute("aria-description") ?? el.getAttribute("title") ?? ""))) {
              found.push(el);
            }
          }
        }
        return documentOrder(scope.flatMap((s) => found.filter((el) => s === document || (s !== el && composedContains(s, el)))));
      }
      default:
        throw new Error(`unknown selector engine "${part.engine}"`);
    }
  }

  function query(parts, from) {
    if (nesting === 0) {
      shadows = allElements(document, true).some((e) => e.shadowRoot);
      texts = [new Map(), new Map()];
    }
    nesting++;
    try {
      let scope = [from];
      for (const part of parts) scope = step(scope, part);
      return scope.filter((el) => el !== from || from !== document);
    } finally {
      nesting--;
    }
  }

  /** The ARIA role of an element that has no layout (so no accessibility node). */
  function implicitRole(el) {
    const explicit = el.getAttribute("role");
    if (explicit) return explicit.split(/\s+/)[0];
    const tag = el.tagName;
    const type = (el.getAttribute("type") || "").toLowerCase();
    if ((tag === "A" || tag === "AREA") && el.hasAttribute("href")) return "link";
    if (tag === "BUTTON" || (tag === "INPUT" && ["button", "submit", "reset", "image"].includes(type))) return "button";
    if (tag === "INPUT") {
      if (type === "checkbox") return "checkbox";
      if (type === "radio") return "radio";
      if (type === "range") return "slider";
      if (type === "number") return "spinbutton";
      if (type === "search") return "searchbox";
      if (["", "text", "email", "tel", "url"].includes(type)) return "textbox";
      return null;
    }
    if (tag === "TEXTAREA") return "textbox";
    if (tag === "SELECT") return el.multiple || el.size > 1 ? "listbox" : "combobox";
    if (/^H[1-6]$/.test(tag)) return "heading";
    if (tag === "IMG") return el.getAttribute("alt") === "" ? "presentation" : "img";
    const simple = { UL: "list", OL: "list", LI: "listitem", NAV: "navigation", MAIN: "main", TABLE: "table",
      TR: "row", TD: "cell", TH: "columnheader", OPTION: "option", DIALOG: "dialog", PROGRESS: "progressbar" };
    return simple[tag] ?? null;
  }

  function fallbackName(el) {
    const label = el.getAttribute("aria-label");
    if (label) return label;
    const by = el.getAttribute("aria-labelledby");
    if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" ");
    if (el.labels?.length) return [...el.labels].map((l) => l.textContent).join(" ");
    return el.getAttribute("alt") ?? el.getAttribute("title") ?? elementText(el);
  }

  // ---- element states ------------------------------------------------------------------
  function isVisible(el) {
    if (!el.isConnected) return false;
    const style = getComputedStyle(el);
    // No box of its own: visible when a child element or text node renders.
    if (style.display === "contents") {
      for (const child of el.childNodes) {
        if (child.nodeType === 1 && isVisible(child)) return true;
        if (child.nodeType === 3 && textVisible(child)) return true;
      }
      return false;
    }
    if (typeof el.checkVisibility === "function" && !el.checkVisibility({ visibilityProperty: true })) {
      return false;
    }
    if (style.visibility !== "visible") return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0;
  }

  function textVisible(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    return [...range.getClientRects()].some((r) => r.width > 0 && r.height > 0);
  }

  const DISABLEABLE = new Set(["BUTTON", "INPUT", "SELECT", "TEXTAREA", "OPTION", "OPTGROUP", "FIELDSET"]);

  /** Roles `aria-disabled` applies to, which also take it from an ancestor. */
  const ARIA_DISABLED_ROLES = new Set(["application", "button", "composite", "gridcell", "group", "input", "link",
    "menuitem", "scrollbar", "separator", "tab", "checkbox", "columnheader", "combobox", "grid", "listbox", "menu",
    "menubar", "menuitemcheckbox", "menuitemradio", "option", "radio", "radiogroup", "row", "rowheader", "searchbox",
    "select", "slider", "spinbutton", "switch", "tablist", "textbox", "toolbar", "tree", "treegrid", "treeitem"]);

  function isDisabled(el) {
    // `:disabled` knows the fieldset rule: controls in a disabled fieldset are disabled, except
    // those in its first legend.
    if (DISABLEABLE.has(el.tagName) && el.matches(":disabled")) return true;
    if (el.getAttribute("aria-disabled") === "true") return true;
    return ARIA_DISABLED_ROLES.has(implicitRole(el)) && !!el.parentElement?.closest('[aria-disabled="true"]');
  }

  const TEXT_INPUTS = new Set([
    "", "text", "search", "url", "tel", "email", "password", "number", "date", "datetime-local",
    "month", "time", "week", "color", "range",
  ]);

  /** Roles that take `aria-readonly` (Playwright's list). */
  const READONLY_ROLES = new Set(["checkbox", "combobox", "grid", "gridcell", "listbox", "radiogroup", "slider",
    "spinbutton", "textbox", "columnheader", "rowheader", "searchbox", "switch", "treegrid"]);

  function isEditable(el) {
    el = followLabel(el);
    if (isDisabled(el)) return false;
    if (el instanceof HTMLInputElement) return TEXT_INPUTS.has(el.type) && !el.readOnly;
    if (el instanceof HTMLTextAreaElement) return !el.readOnly;
    if (el instanceof HTMLSelectElement) return true;
    if (el.isContentEditable) return true;
    const role = (el.getAttribute("role") ?? "").trim().split(/\s+/)[0];
    if (READONLY_ROLES.has(role)) return el.getAttribute("aria-readonly") !== "true";
    throw new Error("Element is not an <input>, <textarea>, <select> or [contenteditable] and does not have a role allowing [aria-readonly]");
  }

  const CHECKED_ROLES = new Set(["checkbox", "menuitemcheckbox", "option", "radio", "switch", "menuitemradio", "treeitem"]);

  function isChecked(el) {
    el = followLabel(el);
    if (el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio")) return el.checked;
    const role = (el.getAttribute("role") ?? "").trim().split(/\s+/)[0];
    if (CHECKED_ROLES.has(role)) return el.getAttribute("aria-checked") === "true";
    const pressed = el.getAttribute("aria-pressed");
    if (pressed !== null) return pressed === "true";
    throw new Error("Not a checkbox or radio button");
  }

  /** Whether `el` (or the control its label stands for) is a radio button. */
  function isRadio(el) {
    el = followLabel(el);
    return el instanceof HTMLInputElement && el.type === "radio";
  }

  /** An element as Playwright previews it (the browser crate's page/preview.js). */
  const describe = __PREVIEW__;
  /** A locator that finds the element alone (locator/aka.js). */
  const aka = (__AKA__)({ implicitRole, fallbackName, isVisible, elementText, normalize });
  /** What a strict-mode violation lists: each match's preview and a locator for it alone. */
  const strictMatches = (found) => found.slice(0, 10).map((el) => {
    const other = aka(el);
    return other ? `${describe(el)} aka ${other}` : describe(el);
  });

  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));

  /** Same box now and one animation frame later (two consecutive frames). */
  /** The same box over two animation frames (one frame can land on an unchanged tick). */
  async function isStable(el) {
    const same = (a, b) => a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;
    const a = el.getBoundingClientRect();
    await nextFrame();
    const b = el.getBoundingClientRect();
    if (!same(a, b)) return false;
    await nextFrame();
    return same(b, el.getBoundingClientRect());
  }

  function resolveOne(parts, strict) {
    const found = query(parts, root);
    if (found.length === 0) return { status: "retry", reason: null, count: 0 };
    if (strict && found.length > 1) {
      return { status: "strict", count: found.length, matches: strictMatches(found) };
    }
    return { status: "ok", el: found[0], count: found.length };
  }

  /**
   * Checks an element for an action: `checks` lists visible, stable, enabled, editable,
   * hit. Returns the point to act at (viewport CSS pixels) or why it must wait.
   */
  async function actionable(parts, checks, options) {
    const r = resolveOne(parts, strictMode);
    if (r.status !== "ok") return r;
    const el = r.el;
    // Not strict (page.click(selector)): the first of several, as Playwright says in its log.
    const desc = r.count > 1 ? `${r.count} elements. Proceeding with the first one: ${describe(el)}` : describe(el);
    if (checks.includes("visible") && !isVisible(el)) return { status: "retry", reason: "element is not visible", element: desc };
    // A layout box, visible or not (scrolling needs one; display: contents lends its children's).
    const contents = getComputedStyle(el).display === "contents";
    if (checks.includes("box") && !contents && el.getClientRects().length === 0) {
      return { status: "retry", reason: "element is not visible", element: desc };
    }
    if (checks.includes("enabled") && isDisabled(followLabel(el))) return { status: "retry", reason: "element is not enabled", element: desc };
    const editable = () => {
      try {
        return isEditable(el);
      } catch {
        return false;
      }
    };
    if (checks.includes("editable") && !editable()) {
      if (!isDisabled(el) && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) && el.readOnly) {
        return { status: "retry", reason: "element is not editable", element: desc };
      }
      if (isDisabled(el)) return { status: "retry", reason: "element is not enabled", element: desc };
      if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement || el.isContentEditable)) {
        return { status: "error", message: `Element is not an <input>, <textarea>, <select> or [contenteditable] element: ${desc}` };
      }
      return { status: "error", message: `Input of type "${el.type}" cannot be filled: ${desc}` };
    }
    if (checks.includes("stable") && !(await isStable(el))) return { status: "retry", reason: "element is not stable", element: desc };
    if (checks.includes("scroll") || checks.includes("hit")) {
      const rect = el.getBoundingClientRect();
      const inView = rect.top >= 0 && rect.left >= 0 && rect.bottom <= innerHeight && rect.right <= innerWidth;
      // A retry after something covered the element scrolls it elsewhere (a sticky header
      // covers the top, a footer the bottom), as Playwright alternates its scroll alignment.
      const attempt = options?.attempt ?? 0;
      const align = ["center", "end", "center", "start"][attempt % 4];
      if (!inView || attempt > 0) (contents ? el.firstElementChild ?? el : el).scrollIntoView({ block: align, inline: align, behavior: "instant" });
    }
    const rect = el.getBoundingClientRect();
    // Forced past the checks, a box-less element still has nowhere to be clicked.
    if (!checks.includes("visible") && !checks.includes("box") && checks.includes("scroll") && (rect.width === 0 || rect.height === 0)) {
      const boxless = el.getClientRects().length === 0;
      return { status: "error", message: boxless ? "Element is not visible" : "Element is outside of the viewport" };
    }
    // A position is from the padding box's corner; without one, the middle of the first box
    // (a link wrapped over two lines is clicked on its first line, not between them).
    const first = [...el.getClientRects()].find((r) => r.width > 0 && r.height > 0) ?? rect;
    const x = options?.position ? rect.left + el.clientLeft + options.position.x : first.left + first.width / 2;
    const y = options?.position ? rect.top + el.clientTop + options.position.y : first.top + first.height / 2;
    if (checks.includes("hit")) {
      let hit = document.elementFromPoint(x, y);
      // Descend into shadow trees: the document only reports their host. (A shadow root's
      // elementFromPoint retargets slotted text to the host; the top of elementsFromPoint is
      // the element that renders it.)
      while (hit?.shadowRoot) {
        const inner = hit.shadowRoot.elementsFromPoint(x, y)[0];
        if (!inner || inner === hit) break;
        hit = inner;
      }
      // A click inside a button or link reaches it even through `pointer-events: none` children.
      const receiver = el.closest("button, [role=button], a, [role=link]") ?? el;
      if (hit && !composedContains(receiver, hit)) {
        let target = hit;
        // Report the outermost element of the covering subtree that is not an ancestor of ours.
        for (let up = composedParent(target); up && !composedContains(up, el) && up !== document.body; up = composedParent(up)) {
          target = up;
        }
        // An element inside the covering subtree is named with the subtree it belongs to.
        const who = target === hit ? describe(hit) : `${describe(hit)} from ${describe(target)} subtree`;
        return { status: "retry", reason: `${who} intercepts pointer events`, element: desc };
      }
      if (!hit) return { status: "retry", reason: "element is outside of the viewport", element: desc };
    }
    return { status: "ok", x, y, element: desc, count: r.count };
  }

  /** Runs `fn(el)` on the single element, or reports why not (for queries and DOM actions). */
  function withElement(parts, strict, fn) {
    const r = resolveOne(parts, strict);
    if (r.status !== "ok") return r;
    return { status: "ok", value: fn(r.el), element: describe(r.el) };
  }

  /** The element an action or state is about, as Playwright retargets: text inside a button
   * (or a checkbox, radio) is about that control; a label, or an element inside one, is about
   * the control it labels. */
  function followLabel(el) {
    if (!el.matches("input, textarea, select") && !el.isContentEditable) {
      el = el.closest("button, [role=button], [role=checkbox], [role=radio]") ?? el;
    }
    if (!el.matches("a, input, textarea, button, select, [role=link], [role=button], [role=checkbox], [role=switch], [role=radio]") && !el.isContentEditable) {
      const label = el.closest("label");
      if (label?.control) return label.control;
    }
    return el;
  }

  function fillElement(el, value) {
    el = followLabel(el);
    el.focus();
    if (el instanceof HTMLInputElement && el.type === "number" && value !== "" && !/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) {
      throw new Error("Cannot type text into input[type=number]");
    }
    if (el instanceof HTMLInputElement && ["date", "datetime-local", "month", "time", "week", "color", "range"].includes(el.type)) {
      const want = el.type === "color" ? value.toLowerCase() : value;
      el.value = want;
      if (el.value !== want) throw new Error(`Malformed value "${value}" for input of type "${el.type}"`);
      el.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
      return "done";
    }
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
      el.select();
      if (value === "") {
        el.value = "";
        el.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true, inputType: "deleteContentBackward" }));
        return "done";
      }
      return "insert";
    }
    if (el.isContentEditable) {
      const range = document.createRange();
      range.selectNodeContents(el);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      if (value === "") {
        document.execCommand("delete");
        return "done";
      }
      return "insert";
    }
    throw new Error("Element is not an <input>, <textarea> or [contenteditable] element");
  }

  /** Sets an <input type=file>'s files from { name, mimeType, base64 } payloads. */
  function setFiles(el, files) {
    el = followLabel(el);
    if (!(el instanceof HTMLInputElement) || el.type !== "file") throw new Error("Node is not an HTMLInputElement of type file");
    if (files.length > 1 && !el.multiple) throw new Error("Non-multiple file input can only accept single file");
    const dt = new DataTransfer();
    for (const f of files) {
      const bin = atob(f.base64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: f.mimeType }));
    }
    el.files = dt.files;
    el.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
    return el.files.length;
  }

  /** Selects the options `wanted` picks ({ value, label, index, valueOrLabel }: every key
   * given must match). `null`: some option is missing (retry); `false`: a picked option is
   * disabled (retry); else the values now selected. */
  function selectOptions(el, wanted) {
    el = followLabel(el);
    if (!(el instanceof HTMLSelectElement)) throw new Error("Element is not a <select> element");
    const options = [...el.options];
    const labelOf = (o) => normalize(o.label || o.textContent);
    const matches = (o, w) =>
      (w.value === undefined || o.value === w.value) &&
      (w.label === undefined || labelOf(o) === normalize(w.label)) &&
      (w.index === undefined || o.index === w.index) &&
      (w.valueOrLabel === undefined || o.value === w.valueOrLabel || labelOf(o) === normalize(w.valueOrLabel));
    const picked = [];
    if (el.multiple) {
      for (const w of wanted) {
        const found = options.filter((o) => matches(o, w));
        if (!found.length) return null;
        for (const o of found) if (!picked.includes(o)) picked.push(o);
      }
    } else if (wanted.length) {
      const found = wanted.map((w) => options.find((o) => matches(o, w))).find(Boolean);
      if (!found) return null;
      picked.push(found);
    }
    const disabled = (o) => o.disabled || (o.parentElement instanceof HTMLOptGroupElement && o.parentElement.disabled);
    if (picked.some(disabled)) return false;
    for (const o of options) o.selected = picked.includes(o);
    if (!picked.length) el.selectedIndex = -1;
    el.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
    return options.filter((o) => o.selected).map((o) => o.value);
  }

  /** One state of the single match (or of all matches for count/texts), for expect_state. */
  function stateOf(parts, name, arg) {
    const found = query(parts, root);
    const count = found.length;
    if (name === "count") return { status: "ok", value: count, count };
    if (name === "texts") {
      return { status: "ok", value: found.map((el) => normalizeText(arg?.useInnerText ? el.innerText : elementText(el), arg)), count };
    }
    if (name === "classes") {
      return { status: "ok", value: found.map((el) => el.getAttribute("class") ?? ""), count };
    }
    if (found.length > 1 && name !== "attached") {
      return { status: "strict", count: found.length, matches: strictMatches(found) };
    }
    const el = found[0];
    if (!el) {
      const absent = { attached: false, visible: false, hidden: true, inViewport: false };
      return { status: "ok", value: name in absent ? absent[name] : null, missing: true };
    }
    const element = describe(el);
    const ok = (value) => ({ status: "ok", value, element });
    switch (name) {
      case "attached": return ok(true);
      case "visible": return ok(isVisible(el));
      case "hidden": return ok(!isVisible(el));
      case "enabled": return ok(!isDisabled(followLabel(el)));
      case "disabled": return ok(isDisabled(followLabel(el)));
      case "editable": return ok(isEditable(el));
      case "checked": return ok(isChecked(el));
      case "indeterminate": {
        const control = followLabel(el);
        if (control instanceof HTMLInputElement && control.type === "checkbox") return ok(control.indeterminate);
        return ok(control.getAttribute("aria-checked") === "mixed");
      }
      case "focused": {
        // Focused: the active element of its own tree (a shadow host is focused while focus
        // is inside its shadow root, as document.activeElement says).
        const root = el.getRootNode();
        return ok((root.activeElement ?? document.activeElement) === el);
      }
      case "empty":
        if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) return ok(el.value === "");
        return ok(normalize(el.textContent) === "" && el.children.length === 0 || normalize(el.textContent) === "");
      case "inViewport": {
        const r = el.getBoundingClientRect();
        const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
        const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
        const ratio = r.width * r.height > 0 ? (w * h) / (r.width * r.height) : 0;
        // Playwright's threshold: any part for 0, at least `ratio` otherwise.
        return ok(ratio > 0 && ratio > (arg?.ratio ?? 0) - 1e-9);
      }
      case "text": return ok(normalizeText(arg?.useInnerText ? el.innerText : elementText(el), arg));
      case "value": {
        const control = followLabel(el);
        if (!(control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement || control instanceof HTMLSelectElement)) {
          throw new Error("Node is not an <input>, <textarea> or <select> element");
        }
        return ok(control.value);
      }
      case "values": {
        const select = followLabel(el);
        if (!(select instanceof HTMLSelectElement) || !select.multiple) throw new Error("Not a select element with a multiple attribute");
        return ok([...select.selectedOptions].map((o) => o.value));
      }
      case "attribute": return ok(el.getAttribute(arg.name));
      case "class": return ok(el.getAttribute("class") ?? "");
      case "css": {
        // Playwright names the pseudo-element bare (`before`); CSSOM wants `::before`.
        const pseudo = arg.pseudo == null ? undefined : arg.pseudo.startsWith(":") ? arg.pseudo : "::" + arg.pseudo;
        return ok(getComputedStyle(el, pseudo).getPropertyValue(arg.name));
      }
      case "id": return ok(el.id);
      case "accessibleName": return ok(normalizeText(fallbackName(el) ?? "", {}));
      case "accessibleDescription": {
        const by = el.getAttribute("aria-describedby");
        const text = by
          ? by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? "").join(" ")
          : el.getAttribute("aria-description") ?? (el.getAttribute("aria-label") || el.labels?.length ? el.getAttribute("title") ?? "" : "");
        return ok(normalizeText(text, {}));
      }
      case "accessibleErrorMessage": {
        // Shown while the control is invalid: `aria-invalid` other than "false" (or empty), or
        // a failed constraint (`validity`); the text of the elements `aria-errormessage` names.
        const invalidAttr = el.getAttribute("aria-invalid");
        const invalid = (invalidAttr !== null && invalidAttr !== "" && invalidAttr.toLowerCase() !== "false")
          || (el.validity !== undefined && el.validity.valid === false);
        const ids = (el.getAttribute("aria-errormessage") ?? "").split(/\s+/).filter(Boolean);
        if (!invalid || !ids.length) return ok("");
        const text = ids.map((id) => el.ownerDocument.getElementById(id)?.textContent ?? "").filter(Boolean).join(" ");
        return ok(normalizeText(text, {}));
      }
      case "role": return ok(implicitRole(el) ?? "generic");
      case "property": {
        // `foo.nested.a` walks into the value.
        let v = el;
        for (const key of String(arg.name).split(".")) v = v == null ? undefined : v[key];
        try { return ok(JSON.parse(JSON.stringify(v ?? null))); } catch { return ok(String(v)); }
      }
      default: throw new Error(`unknown state "${name}"`);
    }
  }

  /** Text as matchers compare it: whitespace-normalised unless asked for raw. */
  function normalizeText(text, arg) {
    return arg?.raw ? String(text ?? "") : normalize(text);
  }

  return {
    strict: strictMode,
    stateOf,
    query,
    root,
    count: (parts) => query(parts, root).length,
    describeAll: (parts) => query(parts, root).map(describe),
    strictMatches,
    actionable,
    withElement,
    isVisible,
    isDisabled,
    isEditable,
    isChecked,
    isRadio,
    fillElement,
    setFiles,
    selectOptions,
    elementText,
    normalize,
    describe,
  };
} };
})()
