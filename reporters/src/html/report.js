// The isolate-browser HTML report. Everything shown comes from the JSON in #report-data and is
// put on the page with textContent, never as markup, so nothing a test printed can run here.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const root = document.getElementById("root");
  const BATCH = 150;
  const STATUSES = ["passed", "failed", "flaky", "skipped"];
  const ICONS = { passed: "\u2713", failed: "\u2718", flaky: "\u00b1", skipped: "\u2212", timedOut: "\u2718", interrupted: "\u2718" };
  const byId = new Map(data.tests.map((t) => [t.id, t]));
  let lastQuery = "";

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
    return node;
  }

  function duration(ms) {
    if (ms < 1000) return `${ms}ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(1)}s`;
    const m = Math.floor(ms / 60000);
    return `${m}m ${Math.round((ms % 60000) / 1000)}s`;
  }

  // --- the query: Playwright's filter syntax -------------------------------------------
  function tokens(q) {
    const out = [];
    const re = /"([^"]*)"|(\S+)/g;
    let m;
    while ((m = re.exec(q))) out.push(m[1] !== undefined ? m[1] : m[2]);
    return out;
  }

  function parse(q) {
    const f = { statuses: new Set(), projects: new Set(), text: [] };
    for (const t of tokens(q)) {
      const lower = t.toLowerCase();
      if (lower.startsWith("s:")) f.statuses.add(lower.slice(2));
      else if (lower.startsWith("p:")) f.projects.add(lower.slice(2));
      else if (lower) f.text.push(lower);
    }
    return f;
  }

  const haystacks = new Map();
  function haystack(t) {
    let h = haystacks.get(t);
    if (h === undefined) {
      h = [t.file, `${t.file}:${t.line}`, ...t.title, t.project || ""].join(" ").toLowerCase();
      haystacks.set(t, h);
    }
    return h;
  }

  function matches(t, f) {
    if (f.statuses.size && !f.statuses.has(t.status)) return false;
    if (f.projects.size && !f.projects.has((t.project || "").toLowerCase())) return false;
    const h = haystack(t);
    return f.text.every((w) => h.includes(w));
  }

  // `q` with every token of `prefix` replaced by `value` (or removed when it is empty).
  function withToken(q, prefix, value, toggle) {
    const rest = tokens(q).filter((t) => !t.toLowerCase().startsWith(prefix));
    const had = tokens(q).some((t) => t.toLowerCase() === prefix + value.toLowerCase());
    if (value && !(toggle && had)) rest.push(prefix + (/\s/.test(value) ? `"${value}"` : value));
    return rest.map((t) => (/\s/.test(t) && !t.includes('"') ? `"${t}"` : t)).join(" ");
  }

  function listHref(q) {
    return q ? `#?q=${encodeURIComponent(q)}` : "#";
  }

  // --- the list ---------------------------------------------------------------------------
  const files = [];
  {
    const seen = new Map();
    for (const t of data.tests) {
      let group = seen.get(t.file);
      if (!group) {
        group = { file: t.file, tests: [] };
        seen.set(t.file, group);
        files.push(group);
      }
      group.tests.push(t);
    }
  }
  const counts = { all: data.tests.length, passed: 0, failed: data.fileFailures.length, flaky: 0, skipped: 0 };
  for (const t of data.tests) counts[t.status]++;

  let observer = null;

  function renderList(q) {
    lastQuery = q;
    if (observer) observer.disconnect();
    const search = el("input", {
      class: "search",
      type: "search",
      placeholder: "Filter: text, s:failed, p:project",
      "aria-label": "filter",
      value: q,
    });
    const filters = el("nav", { class: "filters" });
    const projects = el("div", { class: "projects" });
    const list = el("div", { class: "list" });
    const shown = el("div", { class: "shown" });
    const sentinel = el("div", { id: "sentinel" });
    root.replaceChildren(
      el("header", { class: "top" }, filters, search),
      projects,
      el("div", { class: "summary", text: data.summary }),
      shown,
      list,
      sentinel,
    );

    const refreshControls = (query) => {
      const f = parse(query);
      filters.replaceChildren(
        ...["all", ...STATUSES].map((s) => {
          const selected = s === "all" ? f.statuses.size === 0 : f.statuses.size === 1 && f.statuses.has(s);
          const label = s[0].toUpperCase() + s.slice(1);
          return el(
            "a",
            { href: listHref(withToken(query, "s:", s === "all" ? "" : s)), class: selected ? "selected" : "", "data-status": s },
            label,
            el("span", { class: "count", text: String(counts[s]) }),
          );
        }),
      );
      projects.replaceChildren(
        ...data.projects.map((p) =>
          el("a", { class: f.projects.has(p.toLowerCase()) ? "chip selected" : "chip", href: listHref(withToken(query, "p:", p, true)), "data-project": p }, p),
        ),
      );
    };

    let items = [];
    let next = 0;
    const more = () => {
      const end = Math.min(items.length, next + BATCH);
      const frag = document.createDocumentFragment();
      for (; next < end; next++) frag.append(items[next]());
      list.append(frag);
    };
    const refreshRows = (query) => {
      const f = parse(query);
      items = [];
      let total = 0;
      if (!f.statuses.size || f.statuses.has("failed")) {
        for (const ff of data.fileFailures) {
          if (!f.text.every((w) => ff.file.toLowerCase().includes(w))) continue;
          items.push(() => fileFailure(ff));
        }
      }
      for (const group of files) {
        const tests = group.tests.filter((t) => matches(t, f));
        if (!tests.length) continue;
        total += tests.length;
        items.push(() => el("div", { class: "file-header", text: group.file }));
        for (const t of tests) items.push(() => row(t));
      }
      shown.textContent = total === data.tests.length ? `${total} tests` : `${total} of ${data.tests.length} tests`;
      list.replaceChildren();
      if (!items.length) list.append(el("div", { class: "empty", text: "No tests match the filter." }));
      next = 0;
      more();
    };

    refreshControls(q);
    refreshRows(q);
    observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && next < items.length) more();
    }, { rootMargin: "600px" });
    observer.observe(sentinel);

    let timer = 0;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const query = search.value.trim();
        lastQuery = query;
        history.replaceState(null, "", listHref(query) === "#" ? location.pathname + location.search : listHref(query));
        refreshControls(query);
        refreshRows(query);
      }, 120);
    });
  }

  function row(t) {
    const title = t.title.join(" \u203a ");
    return el(
      "a",
      { class: `test-row ${t.status}`, href: `#?testId=${encodeURIComponent(t.id)}`, "data-status": t.status },
      el("span", { class: "icon", text: ICONS[t.status] }),
      el("span", { class: "title" }, title, t.project ? el("span", { class: "chip", text: t.project }) : null, " ", el("span", { class: "where", text: `${t.file}:${t.line}` })),
      el("span", { class: "dur", text: duration(t.durationMs) }),
    );
  }

  function fileFailure(ff) {
    return el(
      "div",
      { class: "file-failure" },
      el("div", { class: "file-header" }, el("span", { class: "icon failed", text: ICONS.failed }), ` ${ff.file}: could not load the file`),
      errorBlock(ff.error),
    );
  }

  // --- one test ---------------------------------------------------------------------------
  function renderTest(id) {
    if (observer) observer.disconnect();
    const t = byId.get(id);
    const back = el("a", { class: "back", href: listHref(lastQuery) }, "\u2190 All tests");
    if (!t) {
      root.replaceChildren(back, el("div", { class: "empty", text: "No such test in this report." }));
      return;
    }
    const attempts = t.attempts;
    const body = el("div", { class: "attempt" });
    const tabs = el("div", { class: "tabs attempts", role: "tablist" });
    const show = (i) => {
      for (const [j, b] of [...tabs.children].entries()) b.className = j === i ? "selected" : "";
      body.replaceChildren(attemptView(t, attempts[i]));
    };
    attempts.forEach((a, i) => {
      tabs.append(
        el("button", { type: "button", role: "tab", onclick: () => show(i) }, el("span", { class: `icon ${statusClass(a.outcome)}`, text: ICONS[a.outcome] || "" }), " ", a.retry ? `Retry #${a.retry}` : "Run"),
      );
    });
    root.replaceChildren(
      ...[
      back,
      el("h1", { class: "test-title" }, el("span", { class: `icon ${t.status}`, text: ICONS[t.status] }), " ", t.title.join(" \u203a ")),
      el("div", { class: "test-meta" }, `${t.file}:${t.line}:${t.column}`, t.project ? el("span", { class: "chip", text: t.project }) : null, ` \u00b7 ${t.status} \u00b7 ${duration(t.durationMs)}`),
      attempts.length > 1 ? tabs : null,
      body,
      ].filter(Boolean),
    );
    show(attempts.length - 1);
    window.scrollTo(0, 0);
  }

  function statusClass(outcome) {
    return outcome === "passed" ? "passed" : outcome === "skipped" ? "skipped" : "failed";
  }

  function block(title, ...children) {
    return el("section", { class: "block" }, el("h3", { text: title }), ...children);
  }

  function codeFrame(text) {
    const pre = el("pre", { class: "code-frame" });
    for (const line of text.split("\n")) {
      pre.append(/^\s*>/.test(line) ? el("span", { class: "hl", text: line }) : line, "\n");
    }
    return pre;
  }

  function errorBlock(e) {
    let message = e.message;
    if (e.callLog && e.callLog.length) message += `\n\nCall log:\n${e.callLog.map((l) => `  - ${l}`).join("\n")}`;
    return el(
      "div",
      { class: "error" },
      el("pre", { class: "message", text: message }),
      e.codeFrame ? codeFrame(e.codeFrame) : null,
      e.stack ? el("details", {}, el("summary", { text: "Stack" }), el("pre", { class: "stack", text: e.stack })) : null,
    );
  }

  function attemptView(t, a) {
    const out = el("div", { "data-retry": a.retry });
    if (t.attempts.length > 1) out.append(el("div", { class: "test-meta", text: `${a.outcome} \u00b7 ${duration(a.durationMs)}` }));
    if (a.skipReason !== null && a.skipReason !== undefined) out.append(block("Skipped", el("p", { text: a.skipReason || "skipped" })));
    if (a.outcome === "timedOut" && !a.errors.length) out.append(block("Errors", el("div", { class: "error" }, el("pre", { class: "message", text: "Test timeout exceeded." }))));
    if (a.errors.length) out.append(block("Errors", ...a.errors.map(errorBlock)));
    const { diffs, rest } = imageDiffs(a.attachments);
    for (const d of diffs) out.append(imageDiff(d));
    if (a.steps.length) out.append(block("Test Steps", el("div", { class: "steps" }, stepList(a.steps))));
    const images = rest.filter((x) => x.path && x.contentType.startsWith("image/"));
    const videos = rest.filter((x) => x.path && x.contentType.startsWith("video/"));
    const traces = rest.filter((x) => x.path && x.contentType === "application/zip" && x.name.startsWith("trace"));
    const others = rest.filter((x) => !images.includes(x) && !videos.includes(x) && !traces.includes(x));
    if (images.length) out.append(block("Screenshots", ...images.map((x) => el("div", { class: "attachment" }, el("a", { href: x.path, text: x.name }), el("img", { src: x.path, alt: x.name, loading: "lazy" })))));
    if (videos.length) out.append(block("Videos", ...videos.map((x) => el("div", { class: "attachment" }, el("video", { src: x.path, controls: true, preload: "metadata" }), el("a", { href: x.path, download: "", text: x.name })))));
    if (traces.length) out.append(block("Traces", ...traces.map(traceLink)));
    if (others.length) out.append(block("Attachments", ...others.map(attachment)));
    if (a.stdout.length) out.append(block("stdout", el("pre", { class: "stdout", text: a.stdout.join("\n") })));
    if (a.stderr.length) out.append(block("stderr", el("pre", { class: "stderr", text: a.stderr.join("\n") })));
    return out;
  }

  function stepList(steps) {
    return el(
      "ul",
      {},
      steps.map((s) => {
        const line = [
          el("span", { class: `icon ${s.error ? "failed" : s.skipped ? "skipped" : "passed"}`, text: s.error ? ICONS.failed : s.skipped ? ICONS.skipped : ICONS.passed }),
          el("span", { class: "step-title", text: s.title }),
          el("span", { class: "dur", text: duration(s.durationMs) }),
        ];
        const error = s.error ? el("div", { class: "step-error", text: s.error }) : null;
        if (!s.steps.length) return el("li", { class: "step" }, el("div", { class: "leaf" }, line), error);
        return el("li", { class: "step" }, el("details", { open: Boolean(s.error) }, el("summary", {}, line), error, stepList(s.steps)));
      }),
    );
  }

  // Screenshot comparisons: `<name>-expected.png`, `-actual`, `-diff` (and `-previous`).
  function imageDiffs(attachments) {
    const groups = new Map();
    const rest = [];
    for (const x of attachments) {
      const m = /^(.*)-(expected|actual|diff|previous)(\.[^.]*)?$/.exec(x.name);
      if (!m || !x.path || !x.contentType.startsWith("image/")) {
        rest.push(x);
        continue;
      }
      const base = m[1] + (m[3] || "");
      if (!groups.has(base)) groups.set(base, { name: base });
      groups.get(base)[m[2]] = x;
    }
    const diffs = [];
    for (const g of groups.values()) {
      if (g.actual || g.diff) diffs.push(g);
      else rest.push(...["expected", "previous"].map((k) => g[k]).filter(Boolean));
    }
    return { diffs, rest };
  }

  function imageDiff(g) {
    const views = [];
    if (g.diff) views.push(["Diff", () => figure(g.diff, "Diff")]);
    if (g.actual) views.push(["Actual", () => figure(g.actual, "Actual")]);
    if (g.expected) views.push(["Expected", () => figure(g.expected, "Expected")]);
    if (g.previous) views.push(["Previous", () => figure(g.previous, "Previous")]);
    if (g.actual && g.expected) views.push(["Side by side", () => el("div", { class: "views" }, figure(g.expected, "Expected"), figure(g.actual, "Actual"))]);
    const tabs = el("div", { class: "tabs", role: "tablist" });
    const pane = el("div", { class: "pane" });
    const show = (i) => {
      for (const [j, b] of [...tabs.children].entries()) b.className = j === i ? "selected" : "";
      pane.replaceChildren(views[i][1]());
    };
    views.forEach(([label], i) => tabs.append(el("button", { type: "button", role: "tab", onclick: () => show(i) }, label)));
    const section = block(`Image mismatch: ${g.name}`, tabs, pane);
    section.classList.add("image-diff");
    show(0);
    return section;
  }

  function figure(x, caption) {
    return el("figure", { "data-kind": caption.toLowerCase() }, el("img", { src: x.path, alt: x.name }), el("figcaption", {}, el("a", { href: x.path, text: `${caption}: ${x.name}` })));
  }

  function traceLink(x) {
    const zip = new URL(x.path, location.href).href;
    const viewer = `trace/index.html?trace=${encodeURIComponent(zip)}`;
    const served = location.protocol === "http:" || location.protocol === "https:";
    return el(
      "div",
      { class: "attachment trace" },
      el("a", { href: viewer, class: "trace-link", target: "_blank", rel: "noopener" }, `View ${x.name}`),
      " \u00b7 ",
      el("a", { href: x.path, download: "", text: "download" }),
      served ? null : el("div", { class: "hint", text: "The trace viewer needs the report served: isolate-browser show-report <this folder>." }),
      data.traceViewer ? null : el("div", { class: "hint", text: `No trace viewer was bundled (install playwright or @playwright/test in the project). Or: npx playwright show-trace ${x.path}` }),
    );
  }

  function attachment(x) {
    if (!x.path) return el("div", { class: "attachment" }, el("span", { text: `${x.name} (file no longer exists)` }));
    const link = el("a", { href: x.path, download: "", text: x.name });
    if (x.text !== null && x.text !== undefined) return el("div", { class: "attachment" }, link, el("pre", { text: x.text }));
    return el("div", { class: "attachment" }, link, el("span", { class: "hint", text: ` ${x.contentType}` }));
  }

  // --- routing ----------------------------------------------------------------------------
  function route() {
    const params = new URLSearchParams(location.hash.replace(/^#\??/, ""));
    const id = params.get("testId");
    if (id !== null) renderTest(id);
    else renderList(params.get("q") || "");
  }
  window.addEventListener("hashchange", route);
  route();
})();
