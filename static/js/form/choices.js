// Choice lists that depend on other answers, on the phone: cascading choices
// (choice_filter over each choice's columns) and "Other, please say"
// (or_other: the choice `other` opens a text box kept as <name>_other).
// The server's side is fvfield/questionnaires/choice_lists.py; both read the
// same expression language (expressions.js with its columns).

import { h } from "./dom.js";
import { context, evaluate, parse, truth } from "./expressions.js";
import { t } from "../i18n.js";

export const OTHER = "other";
const TREES = new Map();

/** Return the name of a question's "other, please say" answer. */
export function otherName(field) {
  return `${field.name}_other`;
}

function filterTree(expression) {
  if (!TREES.has(expression)) TREES.set(expression, parse(expression, { columns: true }));
  return TREES.get(expression);
}

function choiceRow(choice) {
  return { ...(choice.columns || {}), name: choice.value, value: choice.value, label: choice.label ?? "" };
}

/** Return the set of values a filtered question offers for these answers, or null when it has no filter. */
export function offeredValues(field, answers) {
  if (!field.choice_filter) return null;
  const tree = filterTree(field.choice_filter);
  const offered = new Set();
  for (const choice of field.choices || []) {
    if ((field.or_other && choice.value === OTHER)
      || truth(evaluate(tree, context(answers, { choice: choiceRow(choice) })))) {
      offered.add(choice.value);
    }
  }
  return offered;
}

/** Return whether an answer to an or_other question holds the choice `other`. */
export function choseOther(field, value) {
  return Boolean(field.or_other) && [].concat(value ?? []).includes(OTHER);
}

/** Add to `sent` the "other" words of each or_other question whose answer chose other. */
export function addOtherAnswers(definition, answers, sent) {
  for (const field of definition.fields || []) {
    if (!field.or_other || !choseOther(field, sent[field.name])) continue;
    const words = answers[otherName(field)];
    if (typeof words === "string" && words.trim() !== "") sent[otherName(field)] = words.trim();
  }
  return sent;
}

/** Add to `errors` what the server would refuse: a choice not offered, other chosen with no words. */
export function addChoiceProblems(definition, visible, errors) {
  for (const field of definition.fields || []) {
    const value = visible[field.name];
    if (value === undefined || errors[field.name]) continue;
    const offered = offeredValues(field, visible);
    if (offered && [].concat(value).some((v) => !offered.has(v))) {
      errors[field.name] = [t("Choose one of the options shown: the list follows the answers before it.")];
    } else if (choseOther(field, value) && !(otherName(field) in visible)) {
      errors[otherName(field)] = [t("Say what the other is.")];
    }
  }
  return errors;
}

/** Return the text box of an or_other question: {element, input, set(value)}. */
export function otherBox(field, prefix, onInput) {
  const id = `${prefix}-${otherName(field)}`;
  const input = h("input", {
    id, class: "input input-text", type: "text", name: otherName(field), autocomplete: "off",
    "aria-describedby": `${id}-error`,
  });
  const error = h("p", { class: "error", id: `${id}-error`, hidden: true });
  input.addEventListener("input", () => onInput(input.value === "" ? null : input.value));
  const element = h("div", { class: "q q-other", id: `${id}-q`, hidden: true },
    h("label", { class: "q-label", for: id }, t("Other, please say")), error, input);
  element.dataset.field = otherName(field);
  return {
    element, input, error,
    set(value) { input.value = value ?? ""; },
  };
}

/** Show only the options a filtered question offers now; return whether its answer had to be dropped. */
export function showOffered(question, offered, value) {
  for (const input of question.querySelectorAll("input[type=radio], input[type=checkbox]")) {
    const label = input.closest("label.option");
    const shown = offered.has(JSON.parse(input.value));
    if (label) label.hidden = !shown;
    if (!shown) input.checked = false;
  }
  return [].concat(value ?? []).some((v) => !offered.has(v));
}
