"""The expression language of questionnaires: the XLSForm subset that real forms use.

One language for conditions, constraints, calculations, defaults and choice
filters: `${name}` references (`.` for the question's own answer),
`and`/`or`, comparisons, arithmetic (`+ - * div mod`), and the functions in
FUNCTIONS. An expression is parsed into a small tree of lists (never
`eval`), and evaluated over a record's answers. static/js/form/expressions.js
is the same language in the phone, and tests/expression_vectors.json holds
the cases both must agree on, run by pytest and in Chromium.

Values follow XPath 1.0 as ODK uses it: a missing answer is the empty text;
`=` compares as booleans when either side is one, else as numbers when
either is a number, else as text; `<` and the arithmetic compare numbers, where
a date ("2026-12-03"), a time ("09:30") and a date-time count as days since
1970-01-01 (ODK's decimal-date-time); a list of choices reads as its values
joined by spaces. Numbers are written with at most 10 decimals, trailing
zeros left out (FORMAT below), the same on both sides.
"""

import math
import re
from datetime import date, datetime, timedelta

MAX_LENGTH = 2_000
MAX_DEPTH = 64
EPOCH = date(1970, 1, 1)
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))?")
DATETIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2}(?:\.[0-9]+)?))?(Z|([+-])([0-9]{2}):([0-9]{2}))?"
)
NUMBER = re.compile(r"\s*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*")

TOKEN = re.compile(
    r"""\s*(?:
    (?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
    |(?P<ref>\$\{(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\})
    |'(?P<single>[^']*)'
    |"(?P<double>[^"]*)"
    |(?P<op>!=|<=|>=|[=<>+\-*(),])
    |(?P<word>[A-Za-z_][A-Za-z0-9_.-]*)
    |(?P<self>\.)
    )""",
    re.VERBOSE,
)
WORD_OPERATORS = ("and", "or", "div", "mod")
# Binding power of each operator: higher binds tighter.
POWER = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}
# Each function: (fewest arguments, most arguments or None for any number).
FUNCTIONS = {
    "if": (3, 3),
    "coalesce": (2, 2),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "count": (1, 1),
    "string-length": (1, 1),
    "regex": (2, 2),
    "today": (0, 0),
    "now": (0, 0),
    "date": (1, 1),
    "round": (1, 2),
    "int": (1, 1),
    "number": (1, 1),
    "string": (1, 1),
    "boolean": (1, 1),
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "concat": (1, None),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "pow": (2, 2),
    "abs": (1, 1),
    "sum": (1, 1),
    "max": (1, None),
    "min": (1, None),
    "join": (2, 2),
}


class ExpressionError(ValueError):
    """An expression that cannot be read: `position` is the character where it went wrong."""

    def __init__(self, message, position):
        super().__init__(f"{message} (at character {position + 1})")
        self.message, self.position = message, position


def tokens(text):
    """Return [(kind, value, position)] of an expression's text, ending with ("end", None, len)."""
    found, at = [], 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = TOKEN.match(text, at)
        if match is None or match.end() == at:
            start = len(text) - len(text[at:].lstrip())
            raise ExpressionError(f"'{text[start]}' is not part of the language", start)
        start = match.end() - len(match[0].lstrip())
        kind = match.lastgroup
        if kind == "number":
            found.append(("number", float(match["number"]), start))
        elif kind == "ref":
            found.append(("ref", match["name"], start))
        elif kind in ("single", "double"):
            found.append(("text", match[kind], start))
        elif kind == "word" and match["word"] in WORD_OPERATORS:
            found.append(("op", match["word"], start))
        elif kind == "word":
            found.append(("word", match["word"], start))
        elif kind == "self":
            found.append(("self", None, start))
        else:
            found.append(("op", match["op"], start))
        at = match.end()
    found.append(("end", None, len(text)))
    return found


class Parser:
    """A Pratt parser over the tokens; parse() returns the tree."""

    def __init__(self, text, columns=False):
        self.text, self.items, self.at, self.depth = text, tokens(text), 0, 0
        # In a choice filter a bare name is a column of the choice: county = ${county}.
        self.columns = columns

    def peek(self):
        """Return the next token without taking it."""
        return self.items[self.at]

    def take(self):
        """Take the next token."""
        item = self.items[self.at]
        self.at += 1
        return item

    def expect(self, value, what):
        """Take the operator `value`, or say what was expected."""
        kind, found, position = self.take()
        if kind != "op" or found != value:
            raise ExpressionError(f"expected {what}", position)

    def parse(self):
        """Parse the whole text as one expression."""
        tree = self.expression(0)
        kind, _, position = self.peek()
        if kind != "end":
            raise ExpressionError("expected an operator or the end", position)
        return tree

    def expression(self, power):
        """Parse operators that bind tighter than `power`."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("the expression is nested too deeply", self.peek()[2])
        left = self.operand()
        while True:
            kind, op, _ = self.peek()
            if kind != "op" or op not in POWER or POWER[op] <= power:
                break
            self.take()
            left = ["op", op, left, self.expression(POWER[op])]
        self.depth -= 1
        return left

    def operand(self):
        """Parse a number, a text, a reference, a call, a bracket or a minus sign."""
        kind, value, position = self.take()
        if kind == "number":
            return ["num", value]
        if kind == "text":
            return ["str", value]
        if kind == "ref":
            return ["ref", value]
        if kind == "self":
            return ["self"]
        if kind == "op" and value == "-":
            return ["neg", self.expression(POWER["*"])]
        if kind == "op" and value == "(":
            inner = self.expression(0)
            self.expect(")", "')'")
            return inner
        if kind == "word" and self.columns and self.peek()[:2] != ("op", "("):
            return ["col", value]
        if kind == "word":
            return self.call(value, position)
        raise ExpressionError(
            "expected a value" if kind != "end" else "the expression ends too soon", position
        )

    def call(self, name, position):
        """Parse a function call; its name must be one of FUNCTIONS, with the right number of arguments."""
        if name not in FUNCTIONS:
            raise ExpressionError(f"'{name}' is not a function this language has", position)
        self.expect("(", f"'(' after {name}")
        arguments = []
        if not (self.peek()[0] == "op" and self.peek()[1] == ")"):
            arguments.append(self.expression(0))
            while self.peek()[0] == "op" and self.peek()[1] == ",":
                self.take()
                arguments.append(self.expression(0))
        self.expect(")", "')' or ','")
        least, most = FUNCTIONS[name]
        if len(arguments) < least or (most is not None and len(arguments) > most):
            wanted = (
                str(least) if least == most else f"{least} or more" if most is None else f"{least} to {most}"
            )
            raise ExpressionError(f"{name}() takes {wanted} arguments, not {len(arguments)}", position)
        return ["call", name, arguments]


def parse(text, columns=False):
    """Return the tree of an expression, or raise ExpressionError saying where it went wrong.

    With `columns` (a choice filter), a bare name such as `county` reads that
    column of the choice being filtered (["col", name]); `name` and `value` are its value.
    """
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("write an expression", 0)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"an expression has at most {MAX_LENGTH:,} characters", MAX_LENGTH)
    return Parser(text, columns).parse()


def columns(tree):
    """Return the choice columns a choice filter's tree reads, in order, each once."""
    found = [tree[1]] if tree[0] == "col" else []
    for part in tree[1:]:
        if isinstance(part, list) and part:
            for child in part if isinstance(part[0], list) else [part]:
                found += [name for name in columns(child) if name not in found]
    return found


def references(tree):
    """Return the names a tree refers to, in order, each once."""
    found = []
    if tree[0] == "ref" and tree[1] not in found:
        found.append(tree[1])
    for part in tree[1:]:
        if isinstance(part, list) and part:
            children = part if part and isinstance(part[0], list) else [part]
            for child in children:
                found += [name for name in references(child) if name not in found]
    return found


# --- Values ---------------------------------------------------------------------------------------


def civil_days(text):
    """Return the days from 1970-01-01 to a "YYYY-MM-DD" date, or NaN when it is no real date."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return math.nan
    return float((day - EPOCH).days)


def days_of_text(text):
    """Return a date, time or date-time as days since 1970-01-01 (times as a fraction of a day), or NaN.

    Written step by step, in the order expressions.js does it, so both give the same float.
    """
    if DATE.fullmatch(text):
        return civil_days(text)
    time = TIME.fullmatch(text)
    if time:
        return (int(time[1]) * 60 + int(time[2]) + int(time[3] or 0) / 60) / 1440
    moment = DATETIME.fullmatch(text)
    if moment is None:
        return math.nan
    day, hours, minutes = civil_days(moment[1]), int(moment[2]), int(moment[3])
    seconds = float(moment[4] or 0)
    if math.isnan(day) or hours > 23 or minutes > 59 or seconds >= 60:
        return math.nan
    offset = 0
    if moment[6]:
        offset = (int(moment[7]) * 60 + int(moment[8])) * (1 if moment[6] == "+" else -1)
    return day + (hours * 3600 + minutes * 60 + seconds - offset * 60) / 86400


def number(value):
    """Return a value as a number (XPath's number()): NaN when it is not one."""
    if value is None:
        return math.nan
    if value is True or value is False:
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        if NUMBER.fullmatch(value):
            return float(value.strip())
        return days_of_text(value.strip())
    return math.nan


def text(value):
    """Return a value as text (XPath's string()), numbers written as FORMAT says."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(float(value))
    if isinstance(value, list):
        return " ".join(text(item) for item in value)
    if isinstance(value, dict):
        return ""
    return value


def number_text(value):
    """Write a number: NaN, Infinity, a whole number plainly, else up to 10 decimals without trailing zeros."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value):
        return str(int(value))
    written = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if written in ("-0", "") else written


def truth(value):
    """Return a value as true or false (XPath's boolean())."""
    if value is None:
        return False
    if value is True or value is False:
        return value
    if isinstance(value, (int, float)):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, (str, list, dict)):
        return len(value) > 0
    return bool(value)


def items(value):
    """Return the chosen values of a list of choices (or of space-separated text)."""
    if isinstance(value, list):
        return [text(item) for item in value]
    return text(value).split()


def equal(left, right):
    """Compare as XPath's = does: as booleans, else numbers, else text."""
    if isinstance(left, bool) or isinstance(right, bool):
        return truth(left) == truth(right)
    if isinstance(left, (int, float)) or isinstance(right, (int, float)):
        return number(left) == number(right)
    return text(left) == text(right)


def divide(left, right):
    """Divide as IEEE does: by zero gives Infinity or NaN, never an error."""
    if right == 0:
        return (
            math.nan
            if left == 0 or math.isnan(left)
            else math.copysign(math.inf, left) * math.copysign(1, right)
        )
    return left / right


def remainder(left, right):
    """Return XPath's mod: the remainder with the sign of the dividend (NaN for mod 0)."""
    if right == 0 or math.isinf(left) or math.isnan(left) or math.isnan(right):
        return math.nan
    if math.isinf(right):
        return left
    return math.fmod(left, right)


def rounded(value, digits=0.0):
    """Round half away from zero to `digits` decimals, 0 to 15 (the same formula on the phone)."""
    if math.isnan(value) or math.isinf(value):
        return value
    digits = 0 if not math.isfinite(digits) else max(0, min(15, int(digits)))
    scale = 10.0**digits
    return math.copysign(math.floor(abs(value) * scale + 0.5), value) / scale


COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
ARITHMETIC = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "div": divide,
    "mod": remainder,
}


class Context:
    """What an expression reads: the answers, the question's own answer, today and now."""

    __slots__ = ("answers", "current", "_today", "_now", "choice")

    def __init__(self, answers, current=None, today=None, now=None, item=None, choice=None):
        self.answers, self.current = answers or {}, current
        if item is not None:  # inside a repeat: the item's answers first, then the record's
            self.answers = item_answers(self.answers, item)
        self._today, self._now = today, now
        # The columns of the choice a choice filter is looking at (choice_lists.choice_row).
        self.choice = choice or {}

    # Read the clock only for an expression that asks it: most never do, and a
    # record's check builds a context for every condition.
    @property
    def today(self):
        if self._today is None:
            self._today = date.today().isoformat()
        return self._today

    @property
    def now(self):
        if self._now is None:
            self._now = datetime.now().astimezone().isoformat(timespec="seconds")
        return self._now


def item_answers(answers, item):
    """Return what `${name}` reads inside one item of a repeat: the item's answer, else the record's."""
    return {**answers, **item}


def evaluate(tree, context):
    """Return the value of a parsed expression over a context."""
    kind = tree[0]
    if kind in ("num", "str"):
        return tree[1]
    if kind == "ref":
        return context.answers.get(tree[1])
    if kind == "self":
        return context.current
    if kind == "col":
        return context.choice.get(tree[1])
    if kind == "neg":
        return -number(evaluate(tree[1], context))
    if kind == "op":
        return operation(tree[1], tree[2], tree[3], context)
    return call(tree[1], tree[2], context)


def operation(op, left_tree, right_tree, context):
    """Evaluate one operator; `and` and `or` look at their right side only when they must."""
    left = evaluate(left_tree, context)
    if op == "and":
        return truth(left) and truth(evaluate(right_tree, context))
    if op == "or":
        return truth(left) or truth(evaluate(right_tree, context))
    right = evaluate(right_tree, context)
    if op == "=":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op in COMPARE:
        return COMPARE[op](number(left), number(right))
    return ARITHMETIC[op](number(left), number(right))


def compiled(tree):
    """Return a function of a context that gives what evaluate(tree, context) gives, faster.

    The tree is walked once, here, into nested closures over the same helpers
    (operators, functions, conversions): a record's check runs every
    condition and calculation of its form, so the walk is not repeated per
    record. tests/test_expressions.py runs every shared vector through both.
    """
    kind = tree[0]
    if kind in ("num", "str"):
        value = tree[1]
        return lambda context: value
    if kind == "ref":
        name = tree[1]
        return lambda context: context.answers.get(name)
    if kind == "self":
        return lambda context: context.current
    if kind == "col":
        column = tree[1]
        return lambda context: context.choice.get(column)
    if kind == "neg":
        inner = compiled(tree[1])
        return lambda context: -number(inner(context))
    if kind == "op":
        return compiled_operation(tree[1], compiled(tree[2]), compiled(tree[3]))
    return compiled_call(tree[1], [compiled(argument) for argument in tree[2]])


def compiled_operation(op, left, right):
    """Return the closure of one operator over its compiled sides."""
    if op == "and":
        return lambda c: truth(left(c)) and truth(right(c))
    if op == "or":
        return lambda c: truth(left(c)) or truth(right(c))
    if op == "=":
        return lambda c: equal(left(c), right(c))
    if op == "!=":
        return lambda c: not equal(left(c), right(c))
    apply = COMPARE.get(op) or ARITHMETIC[op]
    return lambda c: apply(number(left(c)), number(right(c)))


def compiled_call(name, arguments):
    """Return the closure of a function call; if() and coalesce() still look only at what they need."""
    if name == "if":
        condition, then, otherwise = arguments
        return lambda c: then(c) if truth(condition(c)) else otherwise(c)
    if name == "coalesce":
        first_of, second_of = arguments

        def coalesce(c):
            first = first_of(c)
            return first if text(first) != "" else second_of(c)

        return coalesce
    function = CALLS[name]
    return lambda c: function(c, *[argument(c) for argument in arguments])


def date_text(value):
    """Return a date as "YYYY-MM-DD" from days since 1970-01-01 or from a date text ("" when neither)."""
    if isinstance(value, str) and DATE.fullmatch(value.strip()):
        return value.strip()
    days = number(value)
    if math.isnan(days) or math.isinf(days) or abs(days) > 2_000_000:
        return ""
    try:
        return (EPOCH + timedelta(days=math.floor(days))).isoformat()
    except OverflowError:  # before year 1
        return ""


def call(name, argument_trees, context):
    """Evaluate a function call (if() and coalesce() look only at what they need)."""
    if name == "if":
        condition, then, otherwise = argument_trees
        return evaluate(then if truth(evaluate(condition, context)) else otherwise, context)
    if name == "coalesce":
        first = evaluate(argument_trees[0], context)
        return first if text(first) != "" else evaluate(argument_trees[1], context)
    args = [evaluate(tree, context) for tree in argument_trees]
    return CALLS[name](context, *args)


def regex_matches(value, pattern):
    """Return whether the pattern is found in the text; a pattern that cannot be read matches nothing."""
    try:
        return re.search(text(pattern), text(value)) is not None
    except re.error:
        return False


def substr(value, start, end=None):
    """Return part of a text from `start` (0-based) up to `end` (ODK's substr)."""
    characters = list(text(value))
    first = number(start)
    last = len(characters) if end is None else number(end)
    if math.isnan(first) or math.isnan(last):
        return ""
    first, last = max(0, int(first)), min(len(characters), int(last))
    return "".join(characters[first:last]) if first < last else ""


def numbers_of(args):
    """Return the numbers of the arguments, a list argument giving each of its items."""
    found = []
    for value in args:
        found += [number(item) for item in value] if isinstance(value, list) else [number(value)]
    return found


def total(values):
    """Add numbers left to right, as the phone does (the same float on both sides)."""
    result = 0.0
    for value in values:
        result += value
    return result


def extreme(args, pick):
    """Return the largest or smallest number (NaN when any is not a number, or there is none)."""
    values = numbers_of(args)
    return math.nan if not values or any(math.isnan(v) for v in values) else pick(values)


CALLS = {
    "selected": lambda c, value, choice: text(choice) in items(value),
    "count-selected": lambda c, value: float(len(items(value))),
    "count": lambda c, value: float(len(value)) if isinstance(value, list) else float(text(value) != ""),
    "string-length": lambda c, value: float(len(text(value))),
    "regex": lambda c, value, pattern: regex_matches(value, pattern),
    "today": lambda c: c.today,
    "now": lambda c: c.now,
    "date": lambda c, value: date_text(value),
    "round": lambda c, value, digits=0.0: rounded(number(value), number(digits)),
    "int": lambda c, value: (
        float(math.trunc(number(value))) if math.isfinite(number(value)) else number(value)
    ),
    "number": lambda c, value: number(value),
    "string": lambda c, value: text(value),
    "boolean": lambda c, value: truth(value),
    "not": lambda c, value: not truth(value),
    "true": lambda c: True,
    "false": lambda c: False,
    "concat": lambda c, *values: "".join(text(value) for value in values),
    "contains": lambda c, value, part: text(part) in text(value),
    "starts-with": lambda c, value, part: text(value).startswith(text(part)),
    "ends-with": lambda c, value, part: text(value).endswith(text(part)),
    "substr": lambda c, value, start, end=None: substr(value, start, end),
    "pow": lambda c, base, power: power_of(number(base), number(power)),
    "abs": lambda c, value: abs(number(value)),
    "sum": lambda c, value: total(numbers_of([value])),
    "max": lambda c, *values: extreme(values, max),
    "min": lambda c, *values: extreme(values, min),
    "join": lambda c, separator, value: text(separator).join(items(value)),
}


def power_of(base, power):
    """Return base to the power as JavaScript's Math.pow does: Infinity or NaN, never an error."""
    try:
        return math.pow(base, power)
    except ZeroDivisionError:
        return math.inf
    except OverflowError:
        odd = power == int(power) and int(power) % 2 == 1
        return -math.inf if base < 0 and odd else math.inf
    except ValueError:
        return math.inf if base == 0 else math.nan


def result_of(value):
    """Return a value as {"type", "text"}: how the two sides' results are compared."""
    if value is True or value is False:
        return {"type": "boolean", "text": text(value)}
    if isinstance(value, (int, float)):
        return {"type": "number", "text": text(value)}
    return {"type": "text", "text": text(value)}
