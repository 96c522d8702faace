// How a strict-mode violation names each element it matched: a locator that finds that element
// alone ("aka getByRole('textbox').first()"), as Playwright's messages do. The candidates for
// an element are scored (lower is better): test id, role with its name, placeholder, label, alt
// text, text, title, id, role alone, tag. The best candidate that matches the element alone
// wins; one that matches it among a few is narrowed by the best unique locator of an ancestor,
// or else by its index (`.first()`, `.nth(2)`), which costs much more; a CSS path of
// `:nth-child`s is the last resort. Evaluates to `(helpers) => (element) => string`.
(h) => {
  const NTH = 10000;
  const FALLBACK = 10000000;
  const MAX_INDEX = 5;
  const MAX_TEXT = 80;
  const quote = (s) => "'" + String(s).replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n") + "'";
  const lower = (s) => h.normalize(s).toLowerCase();
  const cssEscape = (s) => (typeof CSS !== "undefined" && CSS.escape ? CSS.escape(s) : String(s).replace(/[^\w-]/g, (c) => "\\" + c));

  /** Elements under `scope` (the document or an element, itself left out), in document order. */
  const under = (scope) => [...(scope.querySelectorAll ? scope.querySelectorAll("*") : [])];

  /** A candidate: its code (a `getBy*` call, or CSS merged with neighbouring CSS), its score,
   * whether it uses the element's text, and the elements it matches under a scope. */
  function candidatesFor(el, allowText) {
    const out = [];
    const add = (token, score, test, text = false) => out.push({ token, score, text, within: (scope) => under(scope).filter(test) });
    const testId = el.getAttribute("data-testid");
    if (testId) add({ code: `getByTestId(${quote(testId)})` }, 1, (e) => e.getAttribute("data-testid") === testId);
    const visible = h.isVisible(el);
    const role = h.implicitRole(el);
    const name = role ? h.normalize(h.fallbackName(el) ?? "") : "";
    const roleTest = (e) => h.implicitRole(e) === role && h.isVisible(e);
    if (visible && role && name && name.length <= MAX_TEXT) {
      const want = name.toLowerCase();
      add({ code: `getByRole(${quote(role)}, { name: ${quote(name)} })` }, 100,
        (e) => roleTest(e) && lower(h.fallbackName(e) ?? "").includes(want), true);
    }
    const placeholder = el.getAttribute("placeholder");
    if (placeholder && (el.tagName === "INPUT" || el.tagName === "TEXTAREA")) {
      const want = lower(placeholder);
      add({ code: `getByPlaceholder(${quote(h.normalize(placeholder))})` }, 120,
        (e) => lower(e.getAttribute("placeholder") ?? "").includes(want));
    }
    const label = el.labels?.length ? h.normalize([...el.labels].map((l) => l.textContent).join(" ")) : "";
    if (label && label.length <= MAX_TEXT) {
      const want = label.toLowerCase();
      add({ code: `getByLabel(${quote(label)})` }, 140,
        (e) => !!e.labels?.length && lower([...e.labels].map((l) => l.textContent).join(" ")).includes(want), true);
    }
    const alt = el.getAttribute("alt");
    if (alt && ["IMG", "AREA", "INPUT"].includes(el.tagName)) {
      const want = lower(alt);
      add({ code: `getByAltText(${quote(h.normalize(alt))})` }, 160, (e) => lower(e.getAttribute("alt") ?? "").includes(want));
    }
    const text = allowText ? h.normalize(h.elementText(el)) : "";
    if (text && text.length <= MAX_TEXT) {
      const want = text.toLowerCase();
      // The text engine's match: the innermost element whose text has it.
      const has = (e) => lower(h.elementText(e)).includes(want);
      add({ code: `getByText(${quote(text)})` }, 180, (e) => has(e) && ![...e.children].some(has), true);
    }
    // The tag narrowed by the text inside (`locator('q\\:template').filter({ hasText })`), for
    // an element that getByText cannot name because its text is a child's.
    if (text && text.length <= MAX_TEXT) {
      const want = text.toLowerCase();
      const tag = el.localName;
      add({ css: cssEscape(tag), filter: `filter({ hasText: ${quote(text)} })` }, 560,
        (e) => e.localName === tag && lower(h.elementText(e)).includes(want), true);
    }
    const title = el.getAttribute("title");
    if (title) {
      const want = lower(title);
      add({ code: `getByTitle(${quote(h.normalize(title))})` }, 200, (e) => lower(e.getAttribute("title") ?? "").includes(want));
    }
    const id = el.getAttribute("id");
    if (id && !/^[a-f0-9-]{16,}$/i.test(id)) add({ css: `#${cssEscape(id)}` }, 500, (e) => e.id === id);
    if (visible && role && role !== "generic" && role !== "presentation" && role !== "none") {
      add({ code: `getByRole(${quote(role)})` }, 510, roleTest);
    }
    const tag = el.localName;
    add({ css: cssEscape(tag) }, 530, (e) => e.localName === tag);
    return out.sort((a, b) => a.score - b.score);
  }

  const nth = (index) => ({ code: index === 0 ? "first()" : `nth(${index})` });
  const score = (tokens) => tokens.reduce((sum, t) => sum + t.score, 0);

  /** Locator code of tokens: neighbouring CSS tokens merge into one `locator('a b')`. */
  function render(tokens) {
    const out = [];
    let css = [];
    const flush = () => {
      if (css.length) out.push(`locator(${quote(css.join(" "))})`);
      css = [];
    };
    for (const t of tokens) {
      if (t.css !== undefined) {
        css.push(t.css);
        if (t.filter !== undefined) {
          flush();
          out.push(t.filter);
        }
      } else {
        flush();
        out.push(t.code);
      }
    }
    flush();
    return out.join(".");
  }

  /** A CSS path from the nearest ancestor that makes it unique: `body > div:nth-child(2)`. */
  function cssPath(el) {
    const steps = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const parent = e.parentElement;
      let step = cssEscape(e.localName);
      if (parent && [...parent.children].filter((c) => c.localName === e.localName).length > 1) {
        step += `:nth-child(${[...parent.children].indexOf(e) + 1})`;
      }
      steps.unshift(step);
      const selector = steps.join(" > ");
      try {
        if (document.querySelectorAll(selector).length === 1) return [{ css: selector, score: FALLBACK }];
      } catch {
        return null;
      }
    }
    return [{ css: steps.join(" > "), score: FALLBACK }];
  }

  /** The best tokens for `el` (`nested`: an ancestor's, which is not narrowed further). */
  function tokensFor(el, allowText, nested) {
    let best = null;
    const consider = (tokens) => {
      if (!best || score(tokens) < score(best)) best = tokens;
    };
    for (const c of candidatesFor(el, allowText)) {
      const own = [{ ...c.token, score: c.score }];
      const found = c.within(document);
      const index = found.indexOf(el);
      if (index === -1) continue;
      if (found.length === 1) {
        consider(own);
        break;
      }
      if (index > MAX_INDEX) continue;
      consider([...own, { ...nth(index), score: NTH }]);
      if (nested) continue;
      // Narrowed by an ancestor: (best locator of the ancestor) then this candidate inside it.
      for (let parent = el.parentElement; parent && parent !== document.documentElement; parent = parent.parentElement) {
        const inside = found.filter((e) => e !== parent && parent.contains(e));
        const at = inside.indexOf(el);
        if (inside.length > MAX_INDEX || at === -1 || (at === index && inside.length > 1)) continue;
        const inner = inside.length === 1 ? own : [...own, { ...nth(at), score: NTH }];
        if (best && 1 + score(inner) >= score(best)) continue;
        const parentTokens = tokensFor(parent, allowText && !c.text, true) ?? cssPath(parent);
        if (parentTokens) consider([...parentTokens, ...inner]);
      }
    }
    return best;
  }

  return (el) => {
    try {
      const tokens = tokensFor(el, true, false) ?? cssPath(el);
      return tokens ? render(tokens) : "";
    } catch {
      return "";
    }
  };
}
