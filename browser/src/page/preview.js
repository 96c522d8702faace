// How Playwright previews a node, for `JSHandle.toString()` and call logs: the tag with its
// attributes (shortest first, `style` left out, valueless ones bare), then its text (newlines as
// a return arrow, cut at 50 characters) unless it has element children.
(node) => {
  const cut = (s) => {
    const cs = [...s.replace(/\n/g, "\u21b5")];
    return cs.length > 50 ? cs.slice(0, 49).join("") + "\u2026" : cs.join("");
  };
  if (node.nodeType === 3) return "#text=" + cut(node.nodeValue || "");
  if (node.nodeType !== 1) return "#" + node.nodeName.toLowerCase().replace(/^#/, "");
  const tag = node.nodeName.toLowerCase();
  const attrs = [];
  for (const a of node.attributes) {
    if (a.name === "style") continue;
    attrs.push(a.value ? ` ${a.name}="${a.value}"` : ` ${a.name}`);
  }
  attrs.sort((x, y) => x.length - y.length);
  const open = `<${tag}${attrs.join("")}`;
  if (["input", "img", "br", "hr", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"].includes(tag)) return `${open}/>`;
  const inner = node.children.length ? "\u2026" : cut(node.textContent || "");
  return `${open}>${inner}</${tag}>`;
}
