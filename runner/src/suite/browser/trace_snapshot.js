// A DOM snapshot for the trace viewer, taken in the page: the document as nested
// `[TAG, attributes, ...children]` arrays and text strings, with what attributes do not say
// kept in the viewer's own attributes (form values, scroll offsets, the image shown). Scripts
// are left out and event handlers emptied, so the snapshot is inert when the viewer shows it.
() => {
  const LIMIT = 50000;
  let count = 0;
  const visit = (node) => {
    if (++count > LIMIT) return null;
    if (node.nodeType === Node.TEXT_NODE) return node.nodeValue;
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    const tag = node.nodeName;
    if (tag === "SCRIPT" || tag === "NOSCRIPT") return null;
    const attrs = {};
    for (const a of node.attributes) attrs[a.name] = a.name.startsWith("on") ? "" : a.value;
    if (tag === "INPUT" || tag === "TEXTAREA") {
      attrs.__playwright_value_ = String(node.value);
      if (node.type === "checkbox" || node.type === "radio") {
        if (node.checked) attrs.__playwright_checked_ = "true";
      }
    }
    if (tag === "OPTION" && node.selected) attrs.__playwright_selected_ = "true";
    if (tag === "IMG" && node.currentSrc) attrs.__playwright_current_src__ = node.currentSrc;
    if (tag === "DIALOG" && node.open) attrs.__playwright_dialog_open_ = "true";
    if (node.scrollTop) attrs.__playwright_scroll_top_ = String(node.scrollTop);
    if (node.scrollLeft) attrs.__playwright_scroll_left_ = String(node.scrollLeft);
    const out = [tag, attrs];
    if (tag === "HEAD") out.push(["BASE", { href: document.baseURI }]);
    if (tag === "STYLE" && node.sheet) {
      let text = "";
      try {
        for (const rule of node.sheet.cssRules) text += rule.cssText + "\n";
      } catch {
        text = node.textContent;
      }
      out.push(text);
      return out;
    }
    for (const child of node.childNodes) {
      const v = visit(child);
      if (v !== null) out.push(v);
    }
    return out;
  };
  return {
    html: document.documentElement ? visit(document.documentElement) : ["HTML", {}],
    doctype: document.doctype ? document.doctype.name : undefined,
    url: location.href,
    viewport: { width: innerWidth, height: innerHeight },
  };
}
