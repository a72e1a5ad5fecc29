// Small helpers to build DOM without innerHTML: every text from a form
// definition or a record goes in as a text node, never as markup.

/** Return a new element with attributes (class, for, on<event> handlers, booleans) and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

/** Append children (nodes, strings, numbers, nested lists; null is skipped) to an element. */
export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replace the children of an element. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** Return text for people from a data key: "what_matters" becomes "What matters". */
export function humanise(key) {
  const words = String(key).replace(/[_-]+/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").trim();
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

let counter = 0;

/** Return an id unique in this page, starting with `prefix`. */
export function uniqueId(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
