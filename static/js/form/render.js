// Render a form definition into accessible DOM: one question per field,
// labelled, with its hint, its required mark and room for its error, big
// touch targets, and show_if applied live as answers change.

import { FIELD_TYPES } from "/field/registry.js";
import { h, replace, uniqueId } from "./dom.js";
import {
  answersToSend, fieldsByName, parsePrice, priceText, recordFields, sectionShown, shownFields,
} from "./checks.js";
import { text } from "./expressions.js";
import { choseOther, offeredValues, otherBox, otherName, showOffered } from "./choices.js";
import { photoWidget } from "./photo.js";
import { positionWidget } from "./geo.js";
import { formatNumber, locale, t } from "../i18n.js";

// Which types are drawn as a fieldset with a legend: the server's field-type registry says.
const GROUPED = new Set(Object.keys(FIELD_TYPES).filter((name) => FIELD_TYPES[name].grouped));

const PIPED = /\$\{[a-z][a-z0-9_]*\}/;

/**
 * Return a label with each ${name} replaced by that answer as people read it
 * (a choice by its label), or "…" while it is unanswered.
 */
export function piped(label, answers, fields = new Map()) {
  return label.replace(/\$\{([a-z][a-z0-9_]*)\}/g, (whole, name) => {
    const choices = fields.get(name)?.choices;
    const value = answers[name];
    const words = choices
      ? [].concat(value ?? []).map((v) => choices.find((c) => c.value === v)?.label ?? text(v)).join(", ")
      : text(value);
    return words === "" ? "…" : words;
  });
}

function pad(number) {
  return String(number).padStart(2, "0");
}

/** Return the device's offset at `date` as "+01:00". */
export function offsetText(date) {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Return a datetime-local value ("YYYY-MM-DDTHH:MM") as ISO 8601 with the device's offset then. */
export function localToIso(local) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local || "");
  if (!match) return local || null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const date = new Date(year, month - 1, day, hour, minute);
  return `${match[0]}:00${offsetText(date)}`;
}

/** Return an ISO 8601 datetime as the device's local "YYYY-MM-DDTHH:MM". */
export function isoToLocal(iso) {
  const date = new Date(iso);
  if (typeof iso !== "string" || Number.isNaN(date.getTime())) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
    + `T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Return the device's date today as "YYYY-MM-DD". */
export function todayText(date = new Date()) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function choiceList(field) {
  return (field.choices || []).map((choice) => (typeof choice === "object"
    ? { value: choice.value, label: choice.label ?? String(choice.value) }
    : { value: choice, label: String(choice) }));
}

function scaleLabels(field) {
  const { min, max } = field;
  const labels = field.labels;
  const byValue = new Map();
  if (Array.isArray(labels) && labels.length === max - min + 1) {
    labels.forEach((label, i) => label && byValue.set(min + i, label));
  } else if (Array.isArray(labels)) {
    if (labels[0]) byValue.set(min, labels[0]);
    if (labels.length > 1 && labels[labels.length - 1]) byValue.set(max, labels[labels.length - 1]);
  } else if (labels && typeof labels === "object") {
    for (const [key, label] of Object.entries(labels)) {
      const value = key === "min" ? min : key === "max" ? max : Number(key);
      if (Number.isInteger(value) && label) byValue.set(value, label);
    }
  }
  return byValue;
}

function parseWhole(text) {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : text;
}

function parseDecimal(text) {
  const trimmed = text.trim();
  if (trimmed === "") return null;
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(trimmed) ? Number(trimmed) : text;
}

// A price is kept in pence; what cannot be read as one stays text for the check to explain.
function readPrice(typed) {
  if (typed.trim() === "") return null;
  const { pence } = parsePrice(typed);
  return pence === undefined ? typed : pence;
}

function showPrice(value) {
  return Number.isInteger(value) && value >= 0 ? priceText(value) : String(value);
}

function textInput(field, ids, emit, options) {
  const input = h(options.tag || "input", {
    id: ids.input,
    class: `input input-${field.type}`,
    name: field.name,
    type: options.tag ? null : options.type || "text",
    inputmode: options.inputmode,
    autocomplete: "off",
    rows: options.tag === "textarea" ? 5 : null,
    maxlength: Number.isInteger(field.max_length) ? field.max_length : null,
    "aria-describedby": ids.describedBy,
  });
  const read = options.read || ((value) => (value === "" ? null : value));
  input.addEventListener("input", () => emit(read(input.value)));
  const parts = [input];
  if (options.now) {
    parts.push(h("button", {
      type: "button",
      class: "now",
      onclick: () => {
        input.value = options.now();
        emit(read(input.value));
      },
    }, options.nowLabel));
  }
  return {
    body: options.now ? h("div", { class: "with-now" }, parts) : input,
    set(value) {
      input.value = value === null || value === undefined ? "" : options.show ? options.show(value) : String(value);
    },
    focus: () => input.focus(),
  };
}

function optionGroup(field, ids, emit, { multiple, options, layout }) {
  const inputs = options.map((option, index) => h("input", {
    type: multiple ? "checkbox" : "radio",
    name: ids.input,
    id: `${ids.input}-${index}`,
    value: JSON.stringify(option.value),
  }));
  const group = h("div", { class: `options options-${layout}` }, options.map((option, index) => h(
    "label", { class: "option", for: inputs[index].id }, inputs[index],
    h("span", { class: "option-text" }, option.text || option.label),
  )));
  const read = () => {
    const chosen = inputs.filter((input) => input.checked).map((input) => JSON.parse(input.value));
    return multiple ? chosen : chosen.length ? chosen[0] : null;
  };
  for (const input of inputs) input.addEventListener("change", () => emit(read()));
  const parts = [group];
  let clear = null;
  if (!multiple && !field.required) {
    clear = h("button", {
      type: "button", class: "link clear", hidden: true,
      onclick: () => {
        inputs.forEach((input) => { input.checked = false; });
        emit(null);
        inputs[0]?.focus();
      },
    }, t("Clear this answer"));
    parts.push(clear);
  }
  const sync = () => { if (clear) clear.hidden = !inputs.some((input) => input.checked); };
  for (const input of inputs) input.addEventListener("change", sync);
  return {
    body: parts,
    set(value) {
      const chosen = multiple ? (Array.isArray(value) ? value : []) : [value];
      const keys = new Set(chosen.map((v) => JSON.stringify(v)));
      for (const input of inputs) input.checked = keys.has(input.value);
      sync();
    },
    focus: () => (inputs.find((input) => input.checked) || inputs[0])?.focus(),
  };
}

// A short scale with words for every point shows them in its buttons ("1
// Hardly ever or never"); a longer one keeps to numbers and says what its
// ends mean under the row ("0 = Not at all"), since the row may wrap.
function scaleWidget(field, ids, emit) {
  const labels = scaleLabels(field);
  const count = field.max - field.min + 1;
  const worded = count <= 5 && labels.size === count;
  const options = [];
  for (let value = field.min; value <= field.max; value += 1) {
    const label = labels.get(value);
    options.push({
      value,
      text: [h("span", { class: "scale-number" }, String(value)),
        label ? h("span", { class: "visually-hidden" }, ", ") : null,
        label ? h("span", { class: worded ? "scale-word" : "visually-hidden" }, label) : null],
    });
  }
  const widget = optionGroup(field, ids, emit, {
    multiple: false, options, layout: worded ? "scale scale-worded" : "scale",
  });
  if (worded || !labels.size) return widget;
  const end = (value) => (labels.has(value) ? `${value} = ${labels.get(value)}` : "");
  const ends = h("div", { class: "scale-ends", "aria-hidden": "true" },
    h("span", {}, end(field.min)), h("span", {}, end(field.max)));
  const middle = [...labels.entries()].filter(([v]) => v !== field.min && v !== field.max);
  widget.body = [widget.body[0], ends,
    middle.length ? h("p", { class: "hint scale-middle", "aria-hidden": "true" },
      middle.map(([v, l]) => `${v} = ${l}`).join(" · ")) : null,
    ...widget.body.slice(1)];
  return widget;
}

function counterWidget(field, ids, emit) {
  const input = h("input", {
    id: ids.input, class: "input count", type: "text", inputmode: "numeric",
    autocomplete: "off", "aria-describedby": ids.describedBy,
  });
  const current = () => {
    const value = parseWhole(input.value);
    return Number.isInteger(value) ? value : 0;
  };
  const step = (by) => {
    input.value = String(Math.max(0, current() + by));
    emit(Number(input.value));
  };
  input.addEventListener("input", () => emit(parseWhole(input.value)));
  const minus = h("button", {
    type: "button", class: "count-step", "aria-label": t("Take one off: {question}", { question: field.label }),
    onclick: () => step(-1),
  }, "−");
  const plus = h("button", {
    type: "button", class: "count-step", "aria-label": t("Add one: {question}", { question: field.label }),
    onclick: () => step(1),
  }, "+");
  return {
    body: h("div", { class: "counter" }, minus, input, plus),
    set(value) { input.value = value === null || value === undefined ? "0" : String(value); },
    focus: () => input.focus(),
    initial: 0,
  };
}

function noteWidget() {
  return { body: [], set() {}, focus() {} };
}

function calculationWidget(ids) {
  const output = h("output", { id: ids.input, class: "calculated", "aria-live": "polite" });
  return {
    body: output,
    set(value) { output.textContent = value === null || value === undefined || value === "" ? "—" : value; },
    focus() {},
  };
}

function widgetFor(field, ids, emit, context) {
  switch (field.type) {
    case "text":
      return textInput(field, ids, emit, {});
    case "textarea":
      return textInput(field, ids, emit, { tag: "textarea" });
    case "email":
      return textInput(field, ids, emit, { type: "email", inputmode: "email" });
    case "integer":
      return textInput(field, ids, emit, { inputmode: "numeric", read: parseWhole });
    case "decimal":
      return textInput(field, ids, emit, { inputmode: "decimal", read: parseDecimal });
    case "price":
      return textInput(field, ids, emit, { inputmode: "decimal", read: readPrice, show: showPrice });
    case "date":
      return textInput(field, ids, emit, { type: "date", now: () => todayText(), nowLabel: t("Today") });
    case "time":
      return textInput(field, ids, emit, {
        type: "time", nowLabel: t("Now"),
        now: () => { const d = new Date(); return `${pad(d.getHours())}:${pad(d.getMinutes())}`; },
      });
    case "datetime":
      return textInput(field, ids, emit, {
        type: "datetime-local", nowLabel: t("Now"), read: (v) => (v ? localToIso(v) : null),
        show: isoToLocal, now: () => isoToLocal(new Date().toISOString()),
      });
    case "boolean":
      return optionGroup(field, ids, emit, {
        multiple: false, layout: "row",
        options: [{ value: true, label: t("Yes") }, { value: false, label: t("No") }],
      });
    case "choice":
      return optionGroup(field, ids, emit, { multiple: false, options: choiceList(field), layout: "column" });
    case "multiple_choice":
      return optionGroup(field, ids, emit, { multiple: true, options: choiceList(field), layout: "column" });
    case "scale":
      return scaleWidget(field, ids, emit);
    case "counter":
      return counterWidget(field, ids, emit);
    case "geopoint":
      return positionWidget(field, ids, emit);
    case "photo":
      return photoWidget(field, ids, emit, context);
    case "note":
      return noteWidget();
    case "calculate":
      return calculationWidget(ids);
    case "section":
    case "repeat":
      return noteWidget(); // drawn by renderForm (drawFields), never as one question
    default:
      return {
        body: h("p", { class: "error" }, t("This question needs a newer version of the app.")),
        set() {}, focus() {},
      };
  }
}

function questionFor(field, prefix, emit, context) {
  const base = `${prefix}-${field.name}`;
  const ids = {
    question: `${base}-q`, input: base, hint: `${base}-hint`, error: `${base}-error`,
  };
  ids.describedBy = [field.hint ? ids.hint : null, ids.error].filter(Boolean).join(" ");
  const grouped = GROUPED.has(field.type);
  const required = field.required && field.type !== "note"
    ? h("span", { class: "required" }, " " + t("(required)")) : null;
  const hint = field.hint ? h("p", { class: "hint", id: ids.hint }, field.hint) : null;
  const error = h("p", { class: "error", id: ids.error, hidden: true });
  const widget = widgetFor(field, ids, emit, context);
  // A label may name other answers, ${name}, filled in as they change (refresh below).
  const labelText = h("span", { class: "label-text" }, field.label);
  let question;
  if (field.type === "note") {
    question = h("div", { class: "q q-note", id: ids.question },
      h("p", { class: "note-title" }, labelText), hint);
  } else if (grouped) {
    question = h("fieldset", {
      class: `q q-${field.type}`, id: ids.question, "aria-describedby": ids.describedBy,
    }, h("legend", { class: "q-label" }, labelText, required), hint, error, widget.body);
  } else {
    question = h("div", { class: `q q-${field.type}`, id: ids.question },
      h("label", { class: "q-label", for: ids.input }, labelText, required), hint, error, widget.body);
  }
  question.dataset.field = field.name;
  return { field, ids, widget, question, error, labelText };
}

function copyAnswers(answers) {
  const copy = { ...answers };
  for (const [name, value] of Object.entries(copy)) {
    if (Array.isArray(value) && value.some((item) => item && typeof item === "object")) {
      copy[name] = value.map((item) => ({ ...item }));
    }
  }
  return copy;
}

/**
 * Render `definition` with `answers` (raw, as drafts keep them); call onChange(answers)
 * after every change. Return {element, answers(), showErrors(errors), focus(name), label(name),
 * set(name, value), has(name)}. A section is a titled block hidden with its condition; a
 * repeat a list of items with "Add another" and "Remove"; an item's questions are known by
 * "repeat.index.name", as the server names their problems.
 */
export function renderForm(definition, {
  answers = {}, onChange = () => {}, prefix = uniqueId("f"), team = null,
} = {}) {
  const state = copyAnswers(answers);
  const questions = new Map();
  const element = h("div", { class: "questions" });
  // A block is the record's questions or one item's: where its answers live, and what it drew.
  const top = { fields: definition.fields || [], store: () => state, keyOf: (name) => name, items: [] };
  const blocks = [top];

  // Cascading choices and "other, please say" boxes (choices.js).
  const others = new Map();
  const listed = recordFields(definition).filter((field) => field.choice_filter || field.or_other);
  const followChoices = () => {
    if (!listed.length) return;
    const before = answersToSend(definition, state);
    for (const field of listed) {
      const question = questions.get(field.name);
      const offered = offeredValues(field, before);
      if (offered && question && showOffered(question.question, offered, state[field.name])) {
        const kept = [].concat(state[field.name]).filter((v) => offered.has(v));
        if (Array.isArray(state[field.name]) && kept.length) state[field.name] = kept;
        else delete state[field.name];
        question.widget.set(state[field.name]);
      }
      const box = others.get(otherName(field));
      if (box) box.element.hidden = !choseOther(field, state[field.name]);
    }
  };

  const refresh = () => {
    followChoices();
    const sent = answersToSend(definition, state);
    for (const block of blocks) {
      const own = block.sentOf ? block.sentOf(sent) : sent;
      const outer = block === top ? {} : sent;
      const store = block.store();
      const itemDef = { fields: block.fields };
      for (const field of recordFields(itemDef)) {
        if (field.type !== "calculate") continue;
        if (field.name in own) store[field.name] = own[field.name];
        else delete store[field.name];
        questions.get(block.keyOf(field.name))?.widget.set(store[field.name]);
      }
      const shown = shownFields(itemDef, store, outer);
      const read = { ...outer, ...own };
      for (const field of recordFields(itemDef)) {
        const question = questions.get(block.keyOf(field.name));
        if (!question) continue;
        question.question.hidden = !shown.has(field.name);
        if (PIPED.test(question.field.label || "")) {
          question.labelText.textContent = piped(question.field.label, read, block.byName);
        }
      }
      for (const { field, node } of block.sections || []) {
        node.hidden = !sectionShown(field, read);
      }
    }
    markRaised(definition, state, questions);
  };
  const changed = () => {
    refresh();
    onChange(copyAnswers(state));
  };

  function drawFields(fields, block, parent) {
    for (const field of fields) {
      if (field.type === "section") {
        const node = h("section", { class: "form-section", "data-section": field.name },
          h("h2", { class: "section-title" }, field.label),
          field.hint ? h("p", { class: "hint" }, field.hint) : null);
        (block.sections = block.sections || []).push({ field, node });
        drawFields(field.fields || [], block, node);
        parent.append(node);
      } else if (field.type === "repeat") {
        parent.append(drawRepeat(field, block));
      } else {
        parent.append(drawQuestion(field, block));
      }
    }
  }

  function drawQuestion(field, block) {
    const key = block.keyOf(field.name);
    const store = () => block.store();
    const emit = (value) => {
      if (value === null || value === undefined) delete store()[field.name];
      else store()[field.name] = value;
      clearError(questions.get(key));
      changed();
    };
    const question = questionFor(field, `${prefix}${block.idPart || ""}`, emit, { team });
    question.emit = emit;
    question.key = key;
    question.block = block;
    questions.set(key, question);
    const answers = store();
    if (!(field.name in answers) && field.default !== undefined) {
      answers[field.name] = field.default;
    } else if (!(field.name in answers) && question.widget.initial !== undefined) {
      answers[field.name] = question.widget.initial;
    }
    question.widget.set(answers[field.name]);
    if (field.or_other && block === top) {
      // "Other, please say": its words are the record's <name>_other answer (choices.js).
      const box = otherBox(field, prefix, (value) => {
        if (value === null) delete state[otherName(field)];
        else state[otherName(field)] = value;
        clearError({ ...box, question: box.element });
        onChange(copyAnswers(state));
      });
      box.set(state[otherName(field)]);
      others.set(otherName(field), box);
      question.question.append(box.element);
    }
    return question.question;
  }

  function drawRepeat(field, block) {
    const key = block.keyOf(field.name);
    const base = `${prefix}${block.idPart || ""}-${field.name}`;
    const list = h("div", { class: "repeat-items" });
    const error = h("p", { class: "error", id: `${base}-error`, hidden: true });
    const add = h("button", { type: "button", class: "button secondary repeat-add" },
      t("Add another: {item}", { item: field.label }));
    const wrap = h("fieldset", { class: "q q-repeat", id: `${base}-q`, "aria-describedby": `${base}-error` },
      h("legend", { class: "q-label" }, field.label,
        field.required || field.min_count ? h("span", { class: "required" }, ` ${t("(required)")}`) : null),
      field.hint ? h("p", { class: "hint" }, field.hint) : null, error, list, add);
    wrap.dataset.field = field.name;
    const items = () => {
      const answers = block.store();
      if (!Array.isArray(answers[field.name])) answers[field.name] = [];
      return answers[field.name];
    };
    const least = Number.isInteger(field.min_count) ? field.min_count : 0;
    const most = Number.isInteger(field.max_count) ? field.max_count : Infinity;
    while (items().length < least) items().push({});
    let drawn = [];
    const draw = () => {
      for (const item of drawn) {
        blocks.splice(blocks.indexOf(item), 1);
        for (const [name, question] of [...questions]) if (question.block === item) questions.delete(name);
      }
      drawn = [];
      replace(list);
      items().forEach((_, index) => {
        const item = {
          fields: field.fields || [],
          store: () => items()[index],
          keyOf: (name) => `${key}.${index}.${name}`,
          idPart: `${block.idPart || ""}-${field.name}-${index}`,
          sentOf: (sent) => (block.sentOf ? block.sentOf(sent) : sent)[field.name]?.[index] || {},
          byName: new Map(recordFields({ fields: field.fields || [] }).map((f) => [f.name, f])),
        };
        drawn.push(item);
        blocks.push(item);
        const remove = h("button", {
          type: "button", class: "link repeat-remove", hidden: items().length <= least,
          onclick: () => {
            items().splice(index, 1);
            draw();
            changed();
            add.focus();
          },
        }, t("Remove {item} {number}", { item: field.label, number: formatNumber(index + 1) }));
        const node = h("div", { class: "repeat-item", "data-item": String(index) },
          h("h3", { class: "repeat-title" }, `${field.label} ${formatNumber(index + 1)}`));
        drawFields(field.fields || [], item, node);
        node.append(remove);
        list.append(node);
      });
      add.hidden = items().length >= most;
    };
    add.addEventListener("click", () => {
      items().push({});
      draw();
      changed();
      list.lastElementChild?.querySelector("input, textarea, select")?.focus();
    });
    draw();
    questions.set(key, {
      field, key, block, question: wrap, error, labelText: null,
      widget: { set() {}, focus: () => add.focus() },
      emit() {},
    });
    return wrap;
  }

  drawFields(top.fields, top, element);
  top.byName = fieldsByName(definition);
  refresh();

  const itemLabel = (key) => {
    const [repeat, index] = key.split(".");
    const field = questions.get(repeat)?.field;
    return field ? `${field.label} ${formatNumber(Number(index) + 1)}: ` : "";
  };

  return {
    element,
    answers: () => copyAnswers(state),
    showErrors(errors) {
      for (const question of questions.values()) clearError(question);
      for (const box of others.values()) clearError({ ...box, question: box.element });
      for (const [name, messages] of Object.entries(errors || {})) {
        const question = questions.get(name);
        if (question) showError(question, messages);
        const box = others.get(name);
        if (box) showError({ ...box, question: box.element }, messages);
      }
    },
    focus(name) {
      const box = others.get(name);
      if (box) {
        box.element.scrollIntoView({ block: "center" });
        box.input.focus();
        return;
      }
      const question = questions.get(name);
      if (!question) return;
      question.question.scrollIntoView({ block: "center" });
      question.widget.focus();
    },
    label(name) {
      if (others.has(name)) return t("Other, please say");
      const question = questions.get(name);
      if (!question) return undefined;
      // As the question reads now: ${name} filled in (an item's with the item's answer).
      const words = question.labelText?.textContent || question.field.label;
      return name.includes(".") ? `${itemLabel(name)}${words}` : words;
    },
    set(name, value) {
      const question = questions.get(name);
      if (!question) return;
      question.widget.set(value);
      question.emit(value);
    },
    has(name) {
      if (others.has(name)) return !others.get(name).element.closest("[hidden]");
      const question = questions.get(name);
      if (!question || question.question.hidden) return false;
      return !question.question.closest("[hidden]");
    },
  };
}

function showError(question, messages) {
  replace(question.error, ...[].concat(messages).flatMap((m, i) => (i ? [h("br"), m] : [m])));
  question.error.hidden = false;
  question.question.classList.add("has-error");
  question.question.querySelectorAll("input, textarea, select")
    .forEach((input) => input.setAttribute("aria-invalid", "true"));
}

function clearError(question) {
  if (!question || question.error.hidden) return;
  question.error.hidden = true;
  question.question.classList.remove("has-error");
  question.question.querySelectorAll("[aria-invalid]")
    .forEach((input) => input.removeAttribute("aria-invalid"));
}

/**
 * Return the names of the yes/no fields answered yes that open follow-up questions
 * and are about raising something ("Anything to raise?", a field named concern):
 * the answers a coordinator must not miss.
 */
export function raisedFields(definition, answers) {
  const fields = recordFields(definition);
  return fields.filter((field) => field.type === "boolean" && answers[field.name] === true
    && isRaiseQuestion(field, fields)).map((field) => field.name);
}

function isRaiseQuestion(field, fields) {
  return fields.some((other) => other.show_if?.field === field.name && other.show_if.equals === true)
    && (/(^|_)(concerns?|raise|incident|safeguarding)(_|$)/.test(field.name)
      || /\b(raise|safeguarding)\b/i.test(field.label));
}

function markRaised(definition, answers, questions) {
  const raised = new Set(raisedFields(definition, answers));
  for (const question of questions.values()) {
    const parent = question.field.show_if?.field;
    question.question.classList.toggle("raised", raised.has(parent) || raised.has(question.field.name));
  }
}

/**
 * Return an answer as people read it, in the words of its field's form
 * version: a choice by its label, a scale with its label, yes or no, a
 * date and time in the phone's words. The record screens say what was
 * answered with this, the way the questions asked it.
 */
export function answerWords(field, value) {
  if (value === null || value === undefined || value === "") return "";
  const chosen = (v) => choiceList(field).find((choice) => choice.value === v)?.label ?? String(v);
  switch (field.type) {
    case "choice":
      return chosen(value);
    case "multiple_choice":
      return [].concat(value).map(chosen).join(", ");
    case "boolean":
      return value === true ? t("Yes") : value === false ? t("No") : String(value);
    case "scale": {
      const label = scaleLabels(field).get(value);
      const of = t("{value} of {max}", { value: formatNumber(value), max: formatNumber(field.max) });
      return label ? `${of} – ${label}` : of;
    }
    case "date": {
      const date = new Date(`${value}T12:00:00`);
      return Number.isNaN(date.getTime()) ? String(value)
        : date.toLocaleDateString(locale(), { weekday: "short", day: "numeric", month: "short", year: "numeric" });
    }
    case "datetime": {
      const date = new Date(value);
      return Number.isNaN(date.getTime()) ? String(value)
        : date.toLocaleString(locale(), { dateStyle: "medium", timeStyle: "short" });
    }
    case "geopoint":
      return typeof value === "object" && Number.isFinite(value.lat)
        ? `${value.lat.toFixed(5)}, ${value.lon.toFixed(5)}` + (Number.isFinite(value.accuracy) ? " " + t("(within {metres} m)", { metres: formatNumber(Math.round(value.accuracy)) }) : "")
        : String(value);
    case "photo":
      return t("A photo");
    default:
      return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}
