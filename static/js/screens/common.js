// Pieces every screen uses: the screen's heading with its way back, lists
// of big rows with a search box, dates in plain words, notices.

import { h, humanise, replace, uniqueId } from "../form/dom.js";
import { locale, t, tn } from "../i18n.js";

export { h, humanise, replace };

/** Return the team's address in the app: "#/t/<slug>" plus more path parts. */
export function teamHash(team, ...parts) {
  return ["#/t", encodeURIComponent(team), ...parts.map((part) => encodeURIComponent(part))].join("/");
}

/** Return the link back to where a screen came from. */
export function backLink(href, label) {
  return h("a", { class: "back", href }, h("span", { "aria-hidden": "true" }, "‹"), label);
}

/** Return a question's label ready to be followed by its answer: "Time in:", "Anything to raise?". */
export function leadIn(label) {
  const text = String(label).trim();
  return /[?:.!]$/.test(text) ? text : `${text}:`;
}

/** Return whenText() for the middle of a sentence: "saved today, 09:41". */
export function whenWords(iso, now = new Date()) {
  return whenText(iso, now, { inSentence: true });
}

/** Return "Tue 25 Nov, 09:41" for an ISO time ("Today, 09:41"), in the phone's time zone. */
export function whenText(iso, now = new Date(), { inSentence = false } = {}) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  const time = when.toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
  if (when.toDateString() === now.toDateString()) {
    return inSentence ? t("today, {time}", { time }) : t("Today, {time}", { time });
  }
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (when.toDateString() === yesterday.toDateString()) {
    return inSentence ? t("yesterday, {time}", { time }) : t("Yesterday, {time}", { time });
  }
  const sameYear = when.getFullYear() === now.getFullYear();
  const day = when.toLocaleDateString(locale(), {
    weekday: "short", day: "numeric", month: "short", year: sameYear ? undefined : "numeric",
  });
  return `${day}, ${time}`;
}


/** Return a notice box (role status, or alert for problems). */
export function notice(kind, ...children) {
  return h("div", { class: `notice notice-${kind}`, role: kind === "problem" ? "alert" : "status" }, ...children);
}

/** Return a big link that looks like a button. */
export function bigLink(href, text, { primary = false, className = "" } = {}) {
  return h("a", { class: `button big ${primary ? "primary" : ""} ${className}`.trim(), href }, text);
}

/**
 * Return a searchable list: a labelled search box over rows. `rows` are
 * {text (what the search matches), node (an <li> child)}; `empty` is shown
 * when there are no rows at all. `update(rows)` swaps the rows, keeping the query.
 */
export function searchList({ label, rows, empty, placeholder }) {
  const id = uniqueId("search");
  const input = h("input", {
    id, type: "search", class: "input search", autocomplete: "off", enterkeyhint: "search",
    placeholder: placeholder || null,
  });
  const list = h("ul", { class: "rows" });
  const status = h("p", { class: "search-status", role: "status" });
  let current = rows;
  const draw = () => {
    const query = input.value.trim().toLocaleLowerCase(locale());
    const shown = current.filter((row) => !query || row.text.toLocaleLowerCase(locale()).includes(query));
    replace(list, shown.map((row) => h("li", {}, row.node)));
    list.hidden = !shown.length;
    if (!current.length) replace(status, empty);
    else if (!shown.length) replace(status, t("Nothing matches “{query}”.", { query: input.value.trim() }));
    else replace(status, query ? tn("{count} match.", "{count} matches.", shown.length) : "");
    status.hidden = !status.textContent;
  };
  input.addEventListener("input", draw);
  draw();
  const element = h("div", { class: "search-list" },
    current.length > 5 ? h("div", { class: "field search-field" }, h("label", { for: id }, label), input) : null,
    status, list);
  return {
    element,
    update(newRows) {
      current = newRows;
      draw();
    },
  };
}

/** Return a row link: a title and, under it, quieter details. */
export function rowLink(href, title, ...details) {
  return h("a", { class: "row", href },
    h("span", { class: "row-title" }, title),
    ...details.filter(Boolean).map((detail) => h("span", { class: "row-detail" }, detail)));
}

/** Return the words for a value of subject data: text, a list, or pairs. */
export function dataValue(value, key = "") {
  if (value === null || value === undefined || value === "") return h("span", { class: "meta" }, t("Not recorded"));
  if (typeof value === "boolean") return value ? t("Yes") : t("No");
  if (Array.isArray(value)) {
    if (!value.length) return h("span", { class: "meta" }, t("None"));
    return h("ul", { class: "plain" }, value.map((item) => h("li", {}, dataValue(item, key))));
  }
  if (typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== null && v !== "");
    const name = value.name || value.label;
    if (name && entries.length <= 4) {
      const rest = entries.filter(([k]) => !["name", "label"].includes(k));
      return h("span", { class: "pair" }, h("strong", {}, String(name)),
        rest.map(([k, v]) => [" · ", contactValue(k, v)]));
    }
    return h("dl", { class: "facts nested" }, entries.map(([k, v]) => [h("dt", {}, humanise(k)), h("dd", {}, dataValue(v, k))]));
  }
  return contactValue(key, value);
}

// A phone number inside any text: "Daughter: Jo Brown, 07700 900123".
const PHONE = /\+?\d[\d ()-]{8,16}\d/g;

function contactValue(key, value) {
  const text = String(value);
  if (/e-?mail/i.test(key) && /^[^@\s]+@[^@\s]+$/.test(text)) {
    return h("a", { href: `mailto:${text}` }, text);
  }
  const parts = [];
  let from = 0;
  for (const found of text.matchAll(PHONE)) {
    const digits = found[0].replace(/[^\d+]/g, "");
    if (digits.replace("+", "").length < 10 || digits.length > 16) continue;
    parts.push(text.slice(from, found.index), h("a", { href: `tel:${digits}`, class: "tel" }, found[0]));
    from = found.index + found[0].length;
  }
  if (!parts.length) return text;
  parts.push(text.slice(from));
  return h("span", {}, parts);
}
