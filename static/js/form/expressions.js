// The expression language of questionnaires, on the phone: the same language,
// step for step, as fvfield/questionnaires/expressions.py (read its docstring
// for the rules). tests/expression_vectors.json holds the cases both must
// agree on; the browser tests run them here and pytest runs them there.

const MAX_LENGTH = 2000;
const MAX_DEPTH = 64;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?$/;
const DATETIME = /^([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2}(?:\.[0-9]+)?))?(Z|([+-])([0-9]{2}):([0-9]{2}))?$/;
const NUMBER = /^\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$/;
const TOKEN = /\s*(?:([0-9]+(?:\.[0-9]*)?|\.[0-9]+)|\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}|'([^']*)'|"([^"]*)"|(!=|<=|>=|[=<>+\-*(),])|([A-Za-z_][A-Za-z0-9_.-]*)|(\.))/y;
const WORD_OPERATORS = new Set(["and", "or", "div", "mod"]);
const POWER = {
  or: 1, and: 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5, "*": 6, div: 6, mod: 6,
};
export const FUNCTIONS = {
  if: [3, 3], coalesce: [2, 2], selected: [2, 2], "count-selected": [1, 1], count: [1, 1],
  "string-length": [1, 1], regex: [2, 2], today: [0, 0], now: [0, 0], date: [1, 1],
  round: [1, 2], int: [1, 1], number: [1, 1], string: [1, 1], boolean: [1, 1],
  not: [1, 1], true: [0, 0], false: [0, 0], concat: [1, null], contains: [2, 2],
  "starts-with": [2, 2], "ends-with": [2, 2], substr: [2, 3], pow: [2, 2], abs: [1, 1],
  sum: [1, 1], max: [1, null], min: [1, null], join: [2, 2],
};

/** An expression that cannot be read: `position` is the character where it went wrong. */
export class ExpressionError extends Error {
  constructor(message, position) {
    super(`${message} (at character ${position + 1})`);
    this.name = "ExpressionError";
    this.reason = message;
    this.position = position;
  }
}

function tokens(text) {
  const found = [];
  let at = 0;
  while (at < text.length) {
    if (text.slice(at).trim() === "") break;
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(text);
    if (!match || TOKEN.lastIndex === at) {
      const start = text.length - text.slice(at).trimStart().length;
      throw new ExpressionError(`'${text[start]}' is not part of the language`, start);
    }
    const start = TOKEN.lastIndex - match[0].trimStart().length;
    const [, num, ref, single, double, op, word] = match;
    if (num !== undefined) found.push(["number", parseFloat(num), start]);
    else if (ref !== undefined) found.push(["ref", ref, start]);
    else if (single !== undefined) found.push(["text", single, start]);
    else if (double !== undefined) found.push(["text", double, start]);
    else if (op !== undefined) found.push(["op", op, start]);
    else if (word !== undefined) found.push([WORD_OPERATORS.has(word) ? "op" : "word", word, start]);
    else found.push(["self", null, start]);
    at = TOKEN.lastIndex;
  }
  found.push(["end", null, text.length]);
  return found;
}

class Parser {
  constructor(text, columns = false) {
    this.items = tokens(text);
    this.at = 0;
    this.depth = 0;
    // In a choice filter a bare name is a column of the choice: county = ${county}.
    this.columns = columns;
  }

  peek() { return this.items[this.at]; }

  take() { return this.items[this.at++]; }

  expect(value, what) {
    const [kind, found, position] = this.take();
    if (kind !== "op" || found !== value) throw new ExpressionError(`expected ${what}`, position);
  }

  parse() {
    const tree = this.expression(0);
    const [kind, , position] = this.peek();
    if (kind !== "end") throw new ExpressionError("expected an operator or the end", position);
    return tree;
  }

  expression(power) {
    this.depth += 1;
    if (this.depth > MAX_DEPTH) throw new ExpressionError("the expression is nested too deeply", this.peek()[2]);
    let left = this.operand();
    for (;;) {
      const [kind, op] = this.peek();
      if (kind !== "op" || !(op in POWER) || POWER[op] <= power) break;
      this.take();
      left = ["op", op, left, this.expression(POWER[op])];
    }
    this.depth -= 1;
    return left;
  }

  operand() {
    const [kind, value, position] = this.take();
    if (kind === "number") return ["num", value];
    if (kind === "text") return ["str", value];
    if (kind === "ref") return ["ref", value];
    if (kind === "self") return ["self"];
    if (kind === "op" && value === "-") return ["neg", this.expression(POWER["*"])];
    if (kind === "op" && value === "(") {
      const inner = this.expression(0);
      this.expect(")", "')'");
      return inner;
    }
    if (kind === "word" && this.columns && !(this.peek()[0] === "op" && this.peek()[1] === "(")) {
      return ["col", value];
    }
    if (kind === "word") return this.call(value, position);
    throw new ExpressionError(kind !== "end" ? "expected a value" : "the expression ends too soon", position);
  }

  call(name, position) {
    if (!Object.hasOwn(FUNCTIONS, name)) {
      throw new ExpressionError(`'${name}' is not a function this language has`, position);
    }
    this.expect("(", `'(' after ${name}`);
    const args = [];
    if (!(this.peek()[0] === "op" && this.peek()[1] === ")")) {
      args.push(this.expression(0));
      while (this.peek()[0] === "op" && this.peek()[1] === ",") {
        this.take();
        args.push(this.expression(0));
      }
    }
    this.expect(")", "')' or ','");
    const [least, most] = FUNCTIONS[name];
    if (args.length < least || (most !== null && args.length > most)) {
      const wanted = least === most ? String(least) : most === null ? `${least} or more` : `${least} to ${most}`;
      throw new ExpressionError(`${name}() takes ${wanted} arguments, not ${args.length}`, position);
    }
    return ["call", name, args];
  }
}

/**
 * Return the tree of an expression, or throw ExpressionError saying where it went wrong.
 * With `columns` (a choice filter) a bare name reads that column of the choice being filtered.
 */
export function parse(text, {columns = false} = {}) {
  if (typeof text !== "string" || !text.trim()) throw new ExpressionError("write an expression", 0);
  if (text.length > MAX_LENGTH) {
    throw new ExpressionError(`an expression has at most ${MAX_LENGTH.toLocaleString("en-GB")} characters`, MAX_LENGTH);
  }
  return new Parser(text, columns).parse();
}

/** Return the names a tree refers to, in order, each once. */
export function references(tree, found = []) {
  if (tree[0] === "ref" && !found.includes(tree[1])) found.push(tree[1]);
  for (const part of tree.slice(1)) {
    if (!Array.isArray(part)) continue;
    for (const child of part.length && Array.isArray(part[0]) ? part : [part]) references(child, found);
  }
  return found;
}

// --- Values -------------------------------------------------------------------------------------

function civilDays(text) {
  const [year, month, day] = text.split("-").map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1) return NaN;
  const moment = new Date(0);
  moment.setUTCFullYear(year, month - 1, day);
  if (moment.getUTCFullYear() !== year || moment.getUTCMonth() !== month - 1 || moment.getUTCDate() !== day) {
    return NaN;
  }
  return Math.round(moment.getTime() / 86400000);
}

function daysOfText(text) {
  if (DATE.test(text)) return civilDays(text);
  const time = TIME.exec(text);
  if (time) return (Number(time[1]) * 60 + Number(time[2]) + Number(time[3] || 0) / 60) / 1440;
  const moment = DATETIME.exec(text);
  if (!moment) return NaN;
  const day = civilDays(moment[1]);
  const hours = Number(moment[2]);
  const minutes = Number(moment[3]);
  const seconds = parseFloat(moment[4] || "0");
  if (Number.isNaN(day) || hours > 23 || minutes > 59 || seconds >= 60) return NaN;
  let offset = 0;
  if (moment[6]) offset = (Number(moment[7]) * 60 + Number(moment[8])) * (moment[6] === "+" ? 1 : -1);
  return day + (hours * 3600 + minutes * 60 + seconds - offset * 60) / 86400;
}

/** Return a value as a number (XPath's number()): NaN when it is not one. */
export function number(value) {
  if (value === null || value === undefined) return NaN;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") return NUMBER.test(value) ? parseFloat(value.trim()) : daysOfText(value.trim());
  return NaN;
}

/** Write a number as the server does: NaN, Infinity, a whole number plainly, else up to 10 decimals. */
export function numberText(value) {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === Math.trunc(value)) return BigInt(value).toString();
  const written = value.toFixed(10).replace(/0+$/, "").replace(/\.$/, "");
  return written === "-0" || written === "" ? "0" : written;
}

/** Return a value as text (XPath's string()). */
export function text(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return numberText(value);
  if (Array.isArray(value)) return value.map(text).join(" ");
  if (typeof value === "object") return "";
  return value;
}

/** Return a value as true or false (XPath's boolean()). */
export function truth(value) {
  if (value === null || value === undefined) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return !(value === 0 || Number.isNaN(value));
  if (typeof value === "string" || Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

function items(value) {
  if (Array.isArray(value)) return value.map(text);
  return text(value).split(/\s+/).filter((item) => item !== "");
}

function equal(left, right) {
  if (typeof left === "boolean" || typeof right === "boolean") return truth(left) === truth(right);
  if (typeof left === "number" || typeof right === "number") return number(left) === number(right);
  return text(left) === text(right);
}

function remainder(left, right) {
  if (right === 0 || !Number.isFinite(left) || Number.isNaN(right)) return NaN;
  if (!Number.isFinite(right)) return left;
  return left % right;
}

function rounded(value, digits = 0) {
  if (!Number.isFinite(value)) return value;
  const places = Number.isFinite(digits) ? Math.max(0, Math.min(15, Math.trunc(digits))) : 0;
  const scale = 10 ** places;
  return (Math.sign(value) * Math.floor(Math.abs(value) * scale + 0.5)) / scale;
}

const COMPARE = {
  "<": (a, b) => a < b, "<=": (a, b) => a <= b, ">": (a, b) => a > b, ">=": (a, b) => a >= b,
};
const ARITHMETIC = {
  "+": (a, b) => a + b, "-": (a, b) => a - b, "*": (a, b) => a * b, div: (a, b) => a / b, mod: remainder,
};

function todayText() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** What `${name}` reads inside one item of a repeat: the item's answer, else the record's. */
export function itemAnswers(answers, item) {
  return {...answers, ...item};
}

/**
 * What an expression reads: the answers (inside a repeat, the item's first), the question's own
 * answer, today and now, and a choice's columns (for a choice filter).
 */
export function context(answers, {current = null, today = null, now = null, item = null, choice = null} = {}) {
  const read = item ? itemAnswers(answers || {}, item) : answers || {};
  return {
    answers: read, current, today: today || todayText(), now: now || new Date().toISOString(),
    choice: choice || {},
  };
}

/** Return the value of a parsed expression over a context. */
export function evaluate(tree, ctx) {
  switch (tree[0]) {
    case "num":
    case "str":
      return tree[1];
    case "ref": {
      const value = ctx.answers[tree[1]];
      return value === undefined ? null : value;
    }
    case "self":
      return ctx.current;
    case "col": {
      const value = Object.hasOwn(ctx.choice, tree[1]) ? ctx.choice[tree[1]] : undefined;
      return value === undefined ? null : value;
    }
    case "neg":
      return -number(evaluate(tree[1], ctx));
    case "op":
      return operation(tree[1], tree[2], tree[3], ctx);
    default:
      return call(tree[1], tree[2], ctx);
  }
}

function operation(op, leftTree, rightTree, ctx) {
  const left = evaluate(leftTree, ctx);
  if (op === "and") return truth(left) && truth(evaluate(rightTree, ctx));
  if (op === "or") return truth(left) || truth(evaluate(rightTree, ctx));
  const right = evaluate(rightTree, ctx);
  if (op === "=") return equal(left, right);
  if (op === "!=") return !equal(left, right);
  if (op in COMPARE) return COMPARE[op](number(left), number(right));
  return ARITHMETIC[op](number(left), number(right));
}

function dateText(value) {
  if (typeof value === "string" && DATE.test(value.trim())) return value.trim();
  const days = number(value);
  if (!Number.isFinite(days) || Math.abs(days) > 2000000) return "";
  const moment = new Date(Math.floor(days) * 86400000);
  const year = moment.getUTCFullYear();
  if (year < 1 || year > 9999) return "";
  return `${String(year).padStart(4, "0")}-${String(moment.getUTCMonth() + 1).padStart(2, "0")}-`
    + String(moment.getUTCDate()).padStart(2, "0");
}

function regexMatches(value, pattern) {
  try {
    return new RegExp(text(pattern), "u").test(text(value));
  } catch {
    return false;
  }
}

function substr(value, start, end) {
  const characters = [...text(value)];
  const first = number(start);
  const last = end === undefined ? characters.length : number(end);
  if (Number.isNaN(first) || Number.isNaN(last)) return "";
  const from = Math.max(0, Math.trunc(first));
  const to = Math.min(characters.length, Math.trunc(last));
  return from < to ? characters.slice(from, to).join("") : "";
}

function numbersOf(args) {
  const found = [];
  for (const value of args) {
    if (Array.isArray(value)) found.push(...value.map(number));
    else found.push(number(value));
  }
  return found;
}

function total(values) {
  let result = 0;
  for (const value of values) result += value;
  return result;
}

function extreme(args, pick) {
  const values = numbersOf(args);
  return !values.length || values.some(Number.isNaN) ? NaN : pick(...values);
}

const CALLS = {
  selected: (c, value, choice) => items(value).includes(text(choice)),
  "count-selected": (c, value) => items(value).length,
  count: (c, value) => (Array.isArray(value) ? value.length : Number(text(value) !== "")),
  "string-length": (c, value) => [...text(value)].length,
  regex: (c, value, pattern) => regexMatches(value, pattern),
  today: (c) => c.today,
  now: (c) => c.now,
  date: (c, value) => dateText(value),
  round: (c, value, digits = 0) => rounded(number(value), number(digits)),
  int: (c, value) => (Number.isFinite(number(value)) ? Math.trunc(number(value)) : number(value)),
  number: (c, value) => number(value),
  string: (c, value) => text(value),
  boolean: (c, value) => truth(value),
  not: (c, value) => !truth(value),
  true: () => true,
  false: () => false,
  concat: (c, ...values) => values.map(text).join(""),
  contains: (c, value, part) => text(value).includes(text(part)),
  "starts-with": (c, value, part) => text(value).startsWith(text(part)),
  "ends-with": (c, value, part) => text(value).endsWith(text(part)),
  substr: (c, value, start, end) => substr(value, start, end),
  pow: (c, base, power) => number(base) ** number(power),
  abs: (c, value) => Math.abs(number(value)),
  sum: (c, value) => (Array.isArray(value) ? total(numbersOf([value])) : number(value)),
  max: (c, ...values) => extreme(values, Math.max),
  min: (c, ...values) => extreme(values, Math.min),
  join: (c, separator, value) => items(value).join(text(separator)),
};

function call(name, argTrees, ctx) {
  if (name === "if") {
    const [condition, then, otherwise] = argTrees;
    return evaluate(truth(evaluate(condition, ctx)) ? then : otherwise, ctx);
  }
  if (name === "coalesce") {
    const first = evaluate(argTrees[0], ctx);
    return text(first) !== "" ? first : evaluate(argTrees[1], ctx);
  }
  return CALLS[name](ctx, ...argTrees.map((tree) => evaluate(tree, ctx)));
}

/** Return a value as {type, text}: how the two sides' results are compared. */
export function resultOf(value) {
  if (typeof value === "boolean") return {type: "boolean", text: text(value)};
  if (typeof value === "number") return {type: "number", text: text(value)};
  return {type: "text", text: text(value)};
}
