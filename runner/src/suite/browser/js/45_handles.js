// `JSHandle` and `ElementHandle`: values that stay in the page. The isolate holds only the
// host's id of each; every call goes through the host, which keeps the page's object.

import { host } from "ext:isolate_suite/browser/10_wire.js";
import { fnSource, fromWire, toWire } from "ext:isolate_suite/browser/11_values.js";

/** A handle for what the host answered (`{ id, preview, isElement }`). */
export function handleOf(info) {
  return info.isElement ? new ElementHandle(info) : new JSHandle(info);
}

export class JSHandle {
  #id;
  #preview;
  constructor(info) {
    this.#id = info.id;
    this.#preview = info.preview;
  }
  async evaluate(fn, arg) {
    return fromWire(await host("handle.evaluate", { handle: this.#id, ...fnSource(fn), arg: toWire(arg) }));
  }
  async evaluateHandle(fn, arg) {
    return handleOf(await host("handle.evaluateHandle", { handle: this.#id, ...fnSource(fn), arg: toWire(arg) }));
  }
  async jsonValue() {
    return fromWire(await host("handle.jsonValue", { handle: this.#id }));
  }
  async getProperty(name) {
    return handleOf(await host("handle.getProperty", { handle: this.#id, name: String(name) }));
  }
  async getProperties() {
    const out = new Map();
    for (const { name, handle } of await host("handle.getProperties", { handle: this.#id })) out.set(name, handleOf(handle));
    return out;
  }
  asElement() {
    return null;
  }
  async dispose() {
    await host("handle.dispose", { handle: this.#id });
  }
  toString() {
    return this.#preview;
  }
}

/** A handle to a DOM node. Its queries and actions are evaluations of the node. */
export class ElementHandle extends JSHandle {
  asElement() {
    return this;
  }
  textContent() {
    return this.evaluate((el) => el.textContent);
  }
  innerText() {
    return this.evaluate((el) => {
      if (el.nodeType !== 1) throw new Error("Node is not an HTMLElement");
      return el.innerText;
    });
  }
  innerHTML() {
    return this.evaluate((el) => {
      if (el.nodeType !== 1) throw new Error("Node is not an element");
      return el.innerHTML;
    });
  }
  getAttribute(name) {
    return this.evaluate((el, n) => {
      if (el.nodeType !== 1) throw new Error("Node is not an element");
      return el.getAttribute(n);
    }, name);
  }
}
