// The client-side checks of a form definition: the same rules the server
// applies (docs/sync.md, "Form definitions"), so a carer learns what to fix
// before saving, not days later when the phone finds a signal.

// The text limits and photo types are the server's (questionnaires/types.py).
import { EMAIL_PATTERN, IMAGE_TYPES, TEXT_LIMITS } from "/field/registry.js";
import { context, evaluate, parse, text, truth } from "./expressions.js";
import { formatNumber, t } from "../i18n.js";
import { addChoiceProblems, addOtherAnswers } from "./choices.js";

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const SHA256 = /^[0-9a-f]{64}$/;
const EMAIL = new RegExp(`^(?:${EMAIL_PATTERN})$`, "u");
const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
// A price as people type it, as the server reads it (questionnaires/types.py PRICE_POUNDS, PRICE_PENCE).
const PRICE_POUNDS = /^£?\s*(?:([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{0,2}))?|\.([0-9]{1,2}))$/;
const PRICE_PENCE = /^([0-9]+)\s*[pP]$/;
export const PRICE_WORDS = "Enter a price in pounds and pence, like £1.20, 1.2 or 120p.";

/** Return {pence} for a price as people type it ("£1.20", "1.2", "120p"), or {problem}: what to type instead. */
export function parsePrice(typed) {
  const text = typed.trim();
  let pence;
  const inPence = PRICE_PENCE.exec(text);
  if (inPence) {
    pence = Number(inPence[1]);
  } else {
    const match = PRICE_POUNDS.exec(text);
    if (!match) return { problem: PRICE_WORDS };
    const pounds = Number((match[1] || "0").replaceAll(",", ""));
    pence = pounds * 100 + Number((match[2] || match[3] || "").padEnd(2, "0"));
  }
  return pence > SAFE_INTEGER ? { problem: "Enter a smaller price." } : { pence };
}

/** Return a price in pence as people read it: £1.20, £1,200.00 (the server's price_text). */
export function priceText(pence) {
  const pounds = String(Math.floor(pence / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `£${pounds}.${String(pence % 100).padStart(2, "0")}`;
}

/** Return whether an answer counts as given (null, "", [] and undefined do not). */
export function isAnswered(value) {
  if (value === undefined || value === null) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

const FLAT = new WeakMap();

/**
 * Return the questions whose answers are the record's own: sections opened
 * (each question inside one carries `within`, its sections' conditions), a
 * repeat as one question (questionnaires/structure.py record_questions).
 */
export function recordFields(definition) {
  const fields = definition.fields || [];
  if (FLAT.has(fields)) return FLAT.get(fields);
  const flat = [];
  const open = (list, within) => {
    for (const field of list || []) {
      if (field.type === "section") {
        open(field.fields, field.relevant ? [...within, field.relevant] : within);
      } else {
        flat.push(within.length ? { ...field, within } : field);
      }
    }
  };
  open(fields, []);
  FLAT.set(fields, flat);
  return flat;
}

/** Return the definition of one item of a repeat: its questions as a form's. */
export function itemDefinition(repeat) {
  return { fields: repeat.fields || [] };
}

/** Return whether a section is asked, given the answers (inside a repeat: the item's over the record's). */
export function sectionShown(section, answers) {
  return !section.relevant || holds(section.relevant, answers);
}

/** Return the fields of a definition keyed by name. */
export function fieldsByName(definition) {
  return new Map(recordFields(definition).map((field) => [field.name, field]));
}

const TREES = new Map();

/** Return the parsed tree of an expression, parsing each text once (the definition was checked). */
function treeOf(expression) {
  if (!TREES.has(expression)) TREES.set(expression, parse(expression));
  return TREES.get(expression);
}

/** Return whether an expression is true over the answers (`.` is `current`). */
function holds(expression, answers, current = null) {
  return truth(evaluate(treeOf(expression), context(answers, {current})));
}

/** Return whether `field` is shown, given the answers (a hidden field counts as absent). */
export function isShown(field, answers, byName, seen = new Set()) {
  if (field.within && !field.within.every((relevant) => holds(relevant, answers))) return false;
  if (field.relevant) return holds(field.relevant, answers);
  const rule = field.show_if;
  if (!rule) return true;
  const parent = byName.get(rule.field);
  // A rule about an unknown field, or a loop of rules, never shows the field.
  if (!parent || seen.has(field.name)) return false;
  seen.add(field.name);
  if (!isShown(parent, answers, byName, seen)) return false;
  const value = answers[rule.field];
  if (!isAnswered(value)) return false;
  const targets = "equals" in rule ? [rule.equals] : Array.isArray(rule.in) ? rule.in : [];
  // Against a multiple choice question a rule means "any of these values is chosen".
  if (parent.type === "multiple_choice") {
    return Array.isArray(value) && value.some((chosen) => targets.some((t) => sameValue(chosen, t)));
  }
  return targets.some((target) => sameValue(value, target));
}

/**
 * Return the names of the fields shown for these answers. A condition reads
 * the answers as they would be sent, without those of hidden questions (as
 * the server reads them), so hiding is repeated until nothing changes.
 */
export function shownFields(definition, answers, outer = {}) {
  const byName = fieldsByName(definition);
  const fields = recordFields(definition);
  const sent = Object.fromEntries(Object.entries(answers).map(([name, value]) => [
    name, typeof value === "string" && byName.get(name)?.type !== "textarea" ? value.trim() : value,
  ]));
  // Outside a repeat there is no outer record: no copies then (a big form re-checks on every answer).
  const inItem = Object.keys(outer).length > 0;
  let visible = inItem ? { ...outer, ...sent } : sent;
  let shown = new Set();
  for (let round = 0; round <= fields.length; round += 1) {
    const next = new Set(fields.filter((f) => isShown(f, visible, byName)).map((f) => f.name));
    if (next.size === shown.size && [...next].every((name) => shown.has(name))) break;
    shown = next;
    const kept = Object.fromEntries(Object.entries(sent).filter(([name]) => shown.has(name)));
    visible = inItem ? { ...outer, ...kept } : kept;
  }
  return shown;
}

/**
 * Return the answers to send: shown, answered fields of the definition only,
 * calculations worked out; a repeat as its list of items, each sent the same
 * way with the record's answers (`outer`) read after the item's own.
 */
export function answersToSend(definition, answers, outer = {}) {
  let result = {};
  const inItem = Object.keys(outer).length > 0;
  let shown = shownFields(definition, answers, outer);
  // A calculation may change what is shown, and what is shown what it gives: settle both.
  for (let round = 0; round < 3; round += 1) {
    result = {};
    for (const field of recordFields(definition)) {
      if (field.type === "note" || !shown.has(field.name)) continue;
      let value = answers[field.name];
      if (field.type === "calculate") {
        value = text(evaluate(treeOf(field.calculation), context(inItem ? { ...outer, ...result } : result)));
      } else if (field.type === "repeat") {
        const items = Array.isArray(value) ? value : [];
        value = items.map((item) => answersToSend(itemDefinition(field), item || {}, { ...outer, ...result }));
      }
      if (isAnswered(value)) result[field.name] = typeof value === "string" && field.type !== "textarea"
        ? value.trim() : value;
    }
    const next = shownFields(definition, {...answers, ...result}, outer);
    if (next.size === shown.size && [...next].every((name) => shown.has(name))) break;
    shown = next;
  }
  return addOtherAnswers(definition, answers, result);
}

function choiceValues(field) {
  return (field.choices || []).map((choice) => (typeof choice === "object" ? choice.value : choice));
}

function isNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}

function rangeProblem(field, value) {
  const hasMin = isNumber(field.min);
  const hasMax = isNumber(field.max);
  if (hasMin && hasMax && (value < field.min || value > field.max)) {
    return t("Enter a number from {min} to {max}.", { min: formatNumber(field.min), max: formatNumber(field.max) });
  }
  if (hasMin && value < field.min) return t("Enter {min} or more.", { min: formatNumber(field.min) });
  if (hasMax && value > field.max) return t("Enter {max} or less.", { max: formatNumber(field.max) });
  if (Math.abs(value) > SAFE_INTEGER) return t("Enter a smaller number.");
  return null;
}

function isRealDate(text) {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Return what is wrong with one answer of a field (a sentence), or null. */
export function answerProblem(field, value) {
  switch (field.type) {
    case "text":
    case "textarea":
    case "email":
    {
      if (typeof value !== "string") return t("Enter text.");
      const limit = isNumber(field.max_length) ? field.max_length : TEXT_LIMITS[field.type];
      // Count characters as the server does (code points, not UTF-16 units).
      const length = [...value].length;
      if (length > limit) return t("Use {limit} characters or fewer (now {length}).", { limit: formatNumber(limit), length: formatNumber(length) });
      if (value.includes("\u0000")) return t("Remove the hidden NUL character from the text.");
      return field.type === "email" && !EMAIL.test(value.trim())
        ? t("Enter an email address, like name@example.org.") : null;
    }
    case "integer":
      if (!Number.isInteger(value)) return t("Enter a whole number, like 12.");
      return rangeProblem(field, value);
    case "decimal":
      if (!isNumber(value)) return t("Enter a number, like 2.50.");
      return rangeProblem(field, value);
    case "date":
      return typeof value === "string" && isRealDate(value) ? null : t("Enter a real date.");
    case "time":
      return typeof value === "string" && TIME.test(value) ? null : t("Enter a time, like 09:30.");
    case "datetime":
      return typeof value === "string" && DATETIME.test(value) && isRealDate(value.slice(0, 10))
        ? null : t("Enter a date and a time.");
    case "boolean":
      return typeof value === "boolean" ? null : t("Choose yes or no.");
    case "choice":
      return choiceValues(field).some((c) => sameValue(c, value)) ? null : t("Choose one of the options.");
    case "multiple_choice": {
      if (!Array.isArray(value)) return t("Choose from the options.");
      const values = choiceValues(field);
      if (!value.every((v) => values.some((c) => sameValue(c, v)))) return t("Choose from the options.");
      return new Set(value.map((v) => JSON.stringify(v))).size === value.length
        ? null : t("Choose each option once.");
    }
    case "scale":
      if (!Number.isInteger(value)) return t("Choose a number on the scale.");
      return rangeProblem(field, value);
    case "counter":
      return Number.isInteger(value) && value >= 0 && value <= SAFE_INTEGER ? null : t("Count 0 or more.");
    case "price":
      // Typed text the app could not read stays text, so that this says what to type.
      if (typeof value === "string") return parsePrice(value).problem || PRICE_WORDS;
      return Number.isInteger(value) && value >= 0 && value <= SAFE_INTEGER ? null : PRICE_WORDS;
    case "geopoint":
      if (!value || typeof value !== "object" || Object.keys(value).sort().join() !== "accuracy,lat,lon"
        || !isNumber(value.lat) || !isNumber(value.lon)
        || Math.abs(value.lat) > 90 || Math.abs(value.lon) > 180
        || (value.accuracy != null && !(isNumber(value.accuracy) && value.accuracy >= 0))) {
        return t("Get the position again.");
      }
      return null;
    case "photo":
      if (!value || typeof value !== "object" || !SHA256.test(value.sha256 || "")
        || !IMAGE_TYPES.includes(value.content_type) || !Number.isInteger(value.size) || value.size <= 0) {
        return t("Take the photo again.");
      }
      return null;
    case "note":
      return t("This is text to read, not a question.");
    case "calculate":
      return typeof value === "string" ? null : t("Work the calculation out again.");
    case "section":
      return t("This is a section: answer its questions.");
    case "repeat":
      return Array.isArray(value) && value.every((item) => item && typeof item === "object" && !Array.isArray(item))
        ? null : t("Add the items again.");
    default:
      return t("This question has a type this app does not know: update the app.");
  }
}

function requiredMessage(field) {
  switch (field.type) {
    case "boolean":
      return t("Choose yes or no.");
    case "choice":
    case "scale":
      return t("Choose one.");
    case "multiple_choice":
      return t("Choose at least one.");
    case "geopoint":
      return t("Get the position.");
    case "photo":
      return t("Take a photo.");
    default:
      return t("Answer this question.");
  }
}

/** Return the problems of a repeat's count and of its items, keyed "repeat.index.question" as the server's. */
function repeatProblems(field, items, outer, errors) {
  const count = items.length;
  if (Number.isInteger(field.min_count) && count < field.min_count) {
    errors[field.name] = [t("Add at least {count}.", { count: formatNumber(field.min_count) })];
  } else if (Number.isInteger(field.max_count) && count > field.max_count) {
    errors[field.name] = [t("Add at most {count}.", { count: formatNumber(field.max_count) })];
  }
  items.forEach((item, index) => {
    const found = checkAnswers(itemDefinition(field), item || {}, outer);
    for (const [name, messages] of Object.entries(found)) errors[`${field.name}.${index}.${name}`] = messages;
  });
}

/** Return {field_name: [message]} for the answers as they would be sent; {} when all is well. */
export function checkAnswers(definition, answers, outer = {}) {
  const errors = {};
  const shown = shownFields(definition, answers, outer);
  const sent = answersToSend(definition, answers, outer);
  const visible = Object.keys(outer).length ? { ...outer, ...sent } : sent;
  for (const field of recordFields(definition)) {
    if (field.type === "repeat") {
      if (shown.has(field.name)) {
        const items = Array.isArray(answers[field.name]) ? answers[field.name] : [];
        repeatProblems(field, items, visible, errors);
      }
      continue;
    }
    if (field.type === "note" || !shown.has(field.name)) continue;
    // A calculation is checked as the phone sends it: worked out again from the other answers.
    const value = field.type === "calculate" ? visible[field.name] : answers[field.name];
    const sent = typeof value === "string" && field.type !== "textarea" ? value.trim() : value;
    let problem;
    if (!isAnswered(value)) {
      problem = field.required ? field.required_message || requiredMessage(field) : null;
    } else {
      problem = answerProblem(field, sent);
      if (!problem && field.constraint && !holds(field.constraint, visible, sent)) {
        problem = field.constraint_message || t("This answer is not allowed here: check it.");
      }
    }
    if (problem) errors[field.name] = [problem];
  }
  return addChoiceProblems(definition, visible, errors);
}
