"""A form's answer check as one Python function, built from ast nodes, for pushes of big forms.

answers.py's AnswerValidator checks a record step by step, each condition and
calculation a tree of closures (expressions.compiled). On a form of 300
questions and 100 calculations that is some 3,000 Python calls a record. Here
the same steps become the statements of one function, and each expression an
inline Python expression over local variables: a reference to an earlier
question reads the local holding its answer, the conversions (number, text,
truth) are left out where the kind of a value is known (the sum of two numbers
is a number) and take a short inline path for the common kinds otherwise.

Nothing a person wrote is ever compiled as text: the function is built as
`ast` nodes from the parsed trees (expressions.parse), question names and
literals becoming ast.Constant values, and the local variable names are made
here (v0, t1, ...). What this module does not know (a field type, a key of a
question or of the form, an expression's function such as today()) is not
guessed at: an expression it cannot translate runs through its closures, as
before, and a form with a type or key it does not know gets no function at all
(answers.py then checks it step by step). tests/test_fast_check.py checks that
both give the same errors and the same values on random forms and answers.
"""

import ast
import math

from fvfield.questionnaires import types
from fvfield.questionnaires.expressions import (
    CALLS,
    NUMBER,
    Context,
    compiled,
    days_of_text,
    divide,
    equal,
    number,
    number_text,
    parse,
    references,
    remainder,
    text,
    truth,
)
from fvfield.questionnaires.rules import UNSURE
from fvfield.questionnaires.types import TYPES

# What the translation knows today; anything else keeps the step-by-step check.
KNOWN_TYPES = frozenset(
    {
        "text",
        "textarea",
        "email",
        "integer",
        "decimal",
        "date",
        "time",
        "datetime",
        "boolean",
        "choice",
        "multiple_choice",
        "scale",
        "counter",
        "price",
        "geopoint",
        "photo",
        "note",
        "calculate",
    }
)
KNOWN_KEYS = frozenset(
    {
        "name",
        "type",
        "label",
        "required",
        "hint",
        "show_if",
        "relevant",
        "constraint",
        "constraint_message",
        "required_message",
        "default",
        "calculation",
        "choices",
        "labels",
        "max",
        "max_length",
        "min",
    }
)
EXPRESSION_KEYS = ("relevant", "calculation", "constraint")
KNOWN_FORM_KEYS = frozenset({"id", "version", "title", "subject_kind", "fields"})

# A kind is the set of Python classes a value may have: float, int, bool, str, none, other.
NUM, BOOL, TEXT = frozenset({"float"}), frozenset({"bool"}), frozenset({"str"})
ANY = frozenset({"float", "int", "bool", "str", "none", "other"})
NUMBERS = frozenset({"float", "int"})
# What an earlier question's answer is once its own check passed (or it has none): None or these.
ANSWER_KINDS = {
    "integer": {"int"},
    "scale": {"int"},
    "counter": {"int"},
    "price": {"int"},
    "decimal": {"int", "float"},
    "boolean": {"bool"},
    "text": {"str"},
    "textarea": {"str"},
    "email": {"str"},
    "date": {"str"},
    "time": {"str"},
    "datetime": {"str"},
    "choice": {"str"},
    "calculate": {"str"},
}
# The kind of value each function gives; functions not listed are not translated.
CALL_KINDS = {
    "selected": BOOL,
    "count-selected": NUM,
    "count": NUM,
    "string-length": NUM,
    "regex": BOOL,
    "date": TEXT,
    "round": NUM,
    "int": NUM,
    "number": NUM,
    "string": TEXT,
    "boolean": BOOL,
    "not": BOOL,
    "true": BOOL,
    "false": BOOL,
    "concat": TEXT,
    "contains": BOOL,
    "starts-with": BOOL,
    "ends-with": BOOL,
    "substr": TEXT,
    "pow": NUM,
    "abs": NUM,
    "sum": NUM,
    "max": NUM,
    "min": NUM,
    "join": TEXT,
}
COMPARE_NODES = {"<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE}
ARITHMETIC_NODES = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult}

# The names the generated code reads; nothing else is in its globals (no builtins either).
HELPERS = {
    "UNSURE": UNSURE,
    "Context": Context,
    "number": number,
    "number_match": NUMBER.fullmatch,
    "days_of_text": days_of_text,
    "number_text": number_text,
    "text": text,
    "truth": truth,
    "equal": equal,
    "divide": divide,
    "remainder": remainder,
    "copysign": math.copysign,
    "floor": math.floor,
    "isfinite": math.isfinite,
    "fabs": abs,
    "float": float,
    "int": int,
    "str": str,
    "len": len,
    "repr": repr,
    "nan": math.nan,
}


# One context object for every name, as Python's own parser does.
LOAD, STORE = ast.Load(), ast.Store()


class Unsupported(Exception):
    """An expression the translation does not handle: it keeps its closures."""


def load(name):
    return ast.Name(name, LOAD)


def store(name):
    return ast.Name(name, STORE)


def const(value):
    return ast.Constant(value)


def call(function, *arguments):
    return ast.Call(load(function), list(arguments), [])


def is_(left, right):
    return ast.Compare(left, [ast.Is()], [right])


def is_not(left, right):
    return ast.Compare(left, [ast.IsNot()], [right])


def compare(left, op, right):
    return ast.Compare(left, [op()], [right])


def assign(name, value):
    return ast.Assign([store(name)], value)


def class_of(node):
    return ast.Attribute(node, "__class__", LOAD)


def method(node, name, *arguments):
    return ast.Call(ast.Attribute(node, name, LOAD), list(arguments), [])


def held(name, node):
    """(name := node)."""
    return ast.NamedExpr(store(name), node)


class Builder:
    """Names, constants and temporaries of one generated function."""

    def __init__(self):
        self.namespace = dict(HELPERS)
        self.count = 0
        self.read = set()  # the questions some expression of the form reads

    def temp(self):
        """Return a new local variable name."""
        self.count += 1
        return f"t{self.count}"

    def constant(self, value, stem="k"):
        """Put a value into the function's globals and return a load of it."""
        self.count += 1
        name = f"{stem}{self.count}"
        self.namespace[name] = value
        return load(name)


class KnownNumber(ast.Name):
    """A calculated question's answer whose number() the question's own step already worked out."""

    def __init__(self, local, number_local):
        super().__init__(local, LOAD)
        self.number = number_local


def same_name(node):
    """A new load of the same local (with what it knows)."""
    if isinstance(node, KnownNumber):
        return KnownNumber(node.id, node.number)
    return load(node.id)


class Scope:
    """How an expression reads its answers: earlier questions' locals (and their kinds), or answers.get.

    An expression of a form's check runs only when none of the earlier questions it reads has an
    error, so each of those answers is None or one its question's check took.
    """

    def __init__(self, builder, locals_by_name, current, kinds=None, numbers=None):
        self.builder, self.locals_by_name, self.current = builder, locals_by_name, current
        self.kinds, self.numbers = kinds or {}, numbers or {}

    def ref(self, name):
        local = self.locals_by_name.get(name)
        if local is not None and name in self.numbers:
            return KnownNumber(local, self.numbers[name]), self.kinds.get(name, ANY)
        if local is not None:
            return load(local), self.kinds.get(name, ANY)
        return ast.Call(load("get"), [const(name)], []), ANY


class Branches(ast.IfExp):
    """The node of if() or coalesce(), knowing each branch's kind: a conversion of it is made in each."""

    def __init__(self, test, then, otherwise):
        super().__init__(test, then[0], otherwise[0])
        self.kinds = (then[1], otherwise[1])


def distributed(convert, node, scope):
    """convert() applied in each branch of an if() or coalesce() rather than to its value."""
    then, otherwise = node.kinds
    return ast.IfExp(node.test, convert(node.body, then, scope), convert(node.orelse, otherwise, scope))


def translate(tree, scope):
    """Return (ast expression, kind) giving what evaluate(tree) gives."""
    kind = tree[0]
    if kind == "num":
        return const(tree[1]), NUM
    if kind == "str":
        return const(tree[1]), TEXT
    if kind == "ref":
        return scope.ref(tree[1])
    if kind == "self":
        return scope.current, ANY
    if kind == "neg":
        inner = as_number(*translate(tree[1], scope), scope)
        return ast.UnaryOp(ast.USub(), inner), NUM
    if kind == "op":
        return operation(tree[1], tree[2], tree[3], scope)
    if kind == "call":
        return function_call(tree[1], tree[2], scope)
    raise Unsupported(kind)


def text_number(value):
    """number() of a value known to be a str, held in the local `value`."""
    stripped = method(load(value), "strip")
    return ast.IfExp(
        call("number_match", load(value)), call("float", stripped), call("days_of_text", stripped)
    )


def as_number(node, kind, scope):
    """number(value): left out for numbers, worked out now for literal texts, inline for the usual kinds."""
    if isinstance(node, Branches) and kind != NUM:
        return distributed(as_number, node, scope)
    if isinstance(node, KnownNumber):
        known = load(node.number)
        return ast.IfExp(is_not(known, const(None)), load(node.number), as_number(load(node.id), kind, scope))
    if kind == NUM:
        return node
    if kind == BOOL:
        return ast.IfExp(node, const(1.0), const(0.0))
    if kind <= NUMBERS:
        return call("float", node)
    value = scope.builder.temp()
    if kind == TEXT:
        if isinstance(node, ast.Constant):
            return const(number(node.value))
        return _text_number(value, node)
    if kind <= NUMBERS | {"none"}:
        return ast.IfExp(is_(held(value, node), const(None)), load("nan"), call("float", load(value)))
    if kind <= {"str", "none"}:
        return ast.IfExp(is_(held(value, node), const(None)), load("nan"), text_number(value))
    klass = scope.builder.temp()
    # t if a float, float(t) if an int (true/false are bools, not ints), the text path for a str, else number(t)
    return ast.IfExp(
        is_(held(klass, class_of(held(value, node))), load("float")),
        load(value),
        ast.IfExp(
            is_(load(klass), load("int")),
            call("float", load(value)),
            ast.IfExp(is_(load(klass), load("str")), text_number(value), call("number", load(value))),
        ),
    )


def _text_number(value, node):
    """number() of a str expression: held in `value`, then the text path."""
    stripped = method(load(value), "strip")
    return ast.IfExp(
        call("number_match", held(value, node)), call("float", stripped), call("days_of_text", stripped)
    )


def as_truth(node, kind, scope):
    """truth(value): a number is true when neither 0 nor NaN, a text when not empty, None never."""
    if isinstance(node, Branches) and kind != BOOL:
        return distributed(as_truth, node, scope)
    if kind == BOOL:
        return node
    if kind == TEXT:
        return compare(node, ast.NotEq, const(""))
    value = scope.builder.temp()
    if kind == NUM:
        return ast.BoolOp(
            ast.And(),
            [compare(held(value, node), ast.NotEq, const(0.0)), compare(load(value), ast.Eq, load(value))],
        )
    if kind <= {"int", "none"}:
        return ast.BoolOp(
            ast.And(), [is_not(held(value, node), const(None)), compare(load(value), ast.NotEq, const(0))]
        )
    if kind <= {"str", "none"}:
        return ast.BoolOp(
            ast.And(), [is_not(held(value, node), const(None)), compare(load(value), ast.NotEq, const(""))]
        )
    if kind <= {"bool", "none"}:
        return is_(node, const(True))
    return call("truth", node)


def as_text(node, kind, scope):
    """text(value): whole numbers written inline, texts as they are."""
    if isinstance(node, Branches) and kind != TEXT:
        return distributed(as_text, node, scope)
    if kind == TEXT:
        return node
    if kind == NUM:
        # number_text inline: whole numbers plainly, else 10 decimals without trailing zeros; NaN and
        # the infinities by number_text itself.
        value, whole, written = scope.builder.temp(), scope.builder.temp(), scope.builder.temp()
        decimals = ast.JoinedStr([ast.FormattedValue(load(value), -1, ast.JoinedStr([const(".10f")]))])
        trimmed = method(method(decimals, "rstrip", const("0")), "rstrip", const("."))
        formatted = ast.IfExp(
            ast.BoolOp(
                ast.And(),
                [
                    compare(held(written, trimmed), ast.NotEq, const("-0")),
                    compare(load(written), ast.NotEq, const("")),
                ],
            ),
            load(written),
            const("0"),
        )
        # Below 2**17 a double's shortest repr with at most 10 decimals is what 10 decimals without
        # trailing zeros write: the repr is within half an ulp (under 1e-11) of the double, so
        # rounding the double to 10 decimals gives it back. The repr is quicker than the format.
        short = scope.builder.temp()
        fraction = ast.IfExp(
            ast.BoolOp(
                ast.And(),
                [
                    compare(call("fabs", load(value)), ast.Lt, const(131072.0)),
                    compare(const("e"), ast.NotIn, held(short, call("repr", load(value)))),
                    compare(
                        ast.BinOp(
                            call("len", load(short)), ast.Sub(), method(load(short), "index", const("."))
                        ),
                        ast.LtE,
                        const(11),
                    ),
                ],
            ),
            load(short),
            formatted,
        )
        finite = ast.IfExp(
            compare(held(whole, call("int", load(value))), ast.Eq, load(value)),
            call("str", load(whole)),
            fraction,
        )
        return ast.IfExp(call("isfinite", held(value, node)), finite, call("number_text", load(value)))
    if kind == BOOL:
        return ast.IfExp(node, const("true"), const("false"))
    if kind <= {"str", "none"}:
        value = scope.builder.temp()
        return ast.IfExp(is_(held(value, node), const(None)), const(""), load(value))
    return call("text", node)


def operation(op, left_tree, right_tree, scope):
    """Translate one operator, evaluating the left side first as evaluate() does."""
    left, left_kind = translate(left_tree, scope)
    right, right_kind = translate(right_tree, scope)
    if op in ("and", "or"):
        joined = ast.And() if op == "and" else ast.Or()
        return ast.BoolOp(
            joined, [as_truth(left, left_kind, scope), as_truth(right, right_kind, scope)]
        ), BOOL
    if op in ("=", "!="):
        same = equality(left, left_kind, right, right_kind, scope)
        return (same if op == "=" else ast.UnaryOp(ast.Not(), same)), BOOL
    left, right = as_number(left, left_kind, scope), as_number(right, right_kind, scope)
    if op in COMPARE_NODES:
        return compare(left, COMPARE_NODES[op], right), BOOL
    if op in ARITHMETIC_NODES:
        return ast.BinOp(left, ARITHMETIC_NODES[op](), right), NUM
    if op == "div":
        if isinstance(right, ast.Constant) and right.value != 0:
            return ast.BinOp(left, ast.Div(), right), NUM  # divide() is plain division then
        return call("divide", left, right), NUM
    if op == "mod":
        return call("remainder", left, right), NUM
    raise Unsupported(op)


def equality(left, left_kind, right, right_kind, scope):
    """equal(left, right): as booleans when either is one, else numbers, else texts."""
    if left_kind == BOOL or right_kind == BOOL:
        return compare(as_truth(left, left_kind, scope), ast.Eq, as_truth(right, right_kind, scope))
    if left_kind <= NUMBERS and right_kind <= NUMBERS:
        return compare(as_number(left, left_kind, scope), ast.Eq, as_number(right, right_kind, scope))
    if left_kind == TEXT and right_kind == TEXT:
        return compare(left, ast.Eq, right)
    if right_kind == TEXT and isinstance(right, ast.Constant):
        value = scope.builder.temp()
        if left_kind <= {"str", "none"}:
            # None reads as the empty text
            return ast.IfExp(
                is_(held(value, left), const(None)),
                const(right.value == ""),
                compare(load(value), ast.Eq, right),
            )
        # An answer against a literal text: a text answer compares as text, anything else as equal() does.
        return ast.IfExp(
            is_(class_of(held(value, left)), load("str")),
            compare(load(value), ast.Eq, right),
            call("equal", load(value), right),
        )
    return call("equal", left, right)


def filled(node, kind, scope):
    """Return (test that text(value) != "", the value again for the branch), or (None, None) when always."""
    if kind <= NUMBERS | BOOL:
        return None, None
    if isinstance(node, ast.Name):  # a local: read it again rather than hold it
        first, again, body = node, same_name(node), same_name(node)
    else:
        value = scope.builder.temp()
        first, again, body = held(value, node), load(value), load(value)
    if kind == TEXT:
        return compare(first, ast.NotEq, const("")), body
    if kind <= NUMBERS | BOOL | {"none"}:
        return is_not(first, const(None)), body
    if kind <= {"str", "none"}:
        return ast.BoolOp(ast.And(), [is_not(first, const(None)), compare(again, ast.NotEq, const(""))]), body
    klass = scope.builder.temp()
    test = ast.BoolOp(
        ast.Or(),
        [
            is_(held(klass, class_of(first)), load("int")),
            ast.IfExp(
                is_(load(klass), load("str")),
                compare(again, ast.NotEq, const("")),
                compare(call("text", same_name(again)), ast.NotEq, const("")),
            ),
        ],
    )
    return test, body


def function_call(name, argument_trees, scope):
    """Translate a call; if() and coalesce() still evaluate only what they need."""
    if name == "if":
        condition, then, otherwise = (translate(tree, scope) for tree in argument_trees)
        return Branches(as_truth(*condition, scope), then, otherwise), then[1] | otherwise[1]
    if name == "coalesce":
        (first, first_kind), (second, second_kind) = (translate(tree, scope) for tree in argument_trees)
        test, body = filled(first, first_kind, scope)
        if test is None:
            return first, first_kind  # never the empty text
        kept = first_kind - {"none"}
        return Branches(test, (body, kept), (second, second_kind)), kept | second_kind
    if name not in CALL_KINDS:
        raise Unsupported(name)
    arguments = [translate(tree, scope) for tree in argument_trees]
    if name == "true" or name == "false":
        return const(name == "true"), BOOL
    if name == "not":
        return ast.UnaryOp(ast.Not(), as_truth(*arguments[0], scope)), BOOL
    if name == "boolean":
        return as_truth(*arguments[0], scope), BOOL
    if name == "number":
        return as_number(*arguments[0], scope), NUM
    if name == "string":
        return as_text(*arguments[0], scope), TEXT
    if name == "round" and (len(arguments) == 1 or isinstance(arguments[1][0], ast.Constant)):
        return rounding(arguments, scope), NUM
    function = scope.builder.constant(CALLS[name], "f")
    return ast.Call(function, [const(None)] + [node for node, _ in arguments], []), CALL_KINDS[name]


def rounding(arguments, scope):
    """rounded(number(value), digits) with digits known: the same formula, inline."""
    value = as_number(*arguments[0], scope)
    digits = 0.0 if len(arguments) == 1 else number(arguments[1][0].value)
    digits = 0 if not math.isfinite(digits) else max(0, min(15, int(digits)))
    scale = const(10.0**digits)
    held = scope.builder.temp()
    formula = ast.BinOp(
        call(
            "copysign",
            call(
                "floor",
                ast.BinOp(ast.BinOp(call("fabs", load(held)), ast.Mult(), scale), ast.Add(), const(0.5)),
            ),
            load(held),
        ),
        ast.Div(),
        scale,
    )
    return ast.IfExp(call("isfinite", ast.NamedExpr(store(held), value)), formula, load(held))


def expression(tree, scope, current_name=None):
    """Return (ast expression, kind) of an expression, or its closure's call when it cannot be translated."""
    try:
        return translate(tree, scope)
    except Unsupported:
        run = scope.builder.constant(compiled(tree), "run")
        context = [load("answers")] + ([load(current_name)] if current_name else [])
        return ast.Call(run, [ast.Call(load("Context"), context, [])], []), ANY


def expression_function(tree):
    """Return function(answers, current) giving what evaluate(tree, Context(answers, current)) gives.

    For tests and for other callers; a form's check builds its expressions inline instead.
    """
    builder = Builder()
    scope = Scope(builder, {}, load("current"))
    node, _ = expression(tree, scope, "current")
    body = [assign("get", ast.Attribute(load("answers"), "get", LOAD)), ast.Return(node)]
    return build(builder, "value", ["answers", "current"], body)


def located(tree):
    """Give every node the one line 1 (ast.fix_missing_locations' work, without its generator per node)."""
    stack = [tree]
    AST = ast.AST
    while stack:
        node = stack.pop()
        if "lineno" in node._attributes:
            node.lineno = node.end_lineno = 1
            node.col_offset = node.end_col_offset = 0
        for field in node._fields:
            child = getattr(node, field, None)
            if isinstance(child, list):
                stack.extend(item for item in child if isinstance(item, AST))
            elif isinstance(child, AST):
                stack.append(child)


def build(builder, name, parameters, body):
    """Compile a function from its statements (ast nodes only) and return it."""
    arguments = ast.arguments(
        posonlyargs=[], args=[ast.arg(p) for p in parameters], kwonlyargs=[], kw_defaults=[], defaults=[]
    )
    function = ast.FunctionDef(name, arguments, body, [], None, None)
    module = ast.Module([function], [])
    located(module)
    namespace = builder.namespace
    namespace["__builtins__"] = {}
    exec(compile(module, "<form check>", "exec"), namespace)  # ast nodes built above, never text
    return namespace[name]


def translatable(definition):
    """Return whether every part of a definition is one this module knows."""
    if not set(definition) <= KNOWN_FORM_KEYS:
        return False
    return all(field["type"] in KNOWN_TYPES and set(field) <= KNOWN_KEYS for field in definition["fields"])


def form_function(definition, steps, report_unknown, names):
    """Return the check of a form as one function(answers) -> errors, or None when it is not translatable.

    `steps` are AnswerValidator's (name, check, required, blank, shown, hidden, allowed), one per
    field, whose checks and messages it reuses; the conditions, calculations and constraints are
    translated from the fields' own expressions. `answers` must already be a dict.
    """
    fields = definition["fields"]
    if not translatable(definition) or len(fields) != len(steps):
        return None
    builder = Builder()
    builder.read = {
        name
        for field in fields
        for key in EXPRESSION_KEYS
        if key in field
        for name in references(parse(field[key]))
    }
    by_name = {field["name"]: field for field in fields}
    sources = {field["show_if"]["field"] for field in fields if field.get("show_if") is not None}
    position = {field["name"]: index for index, field in enumerate(fields)}
    locals_by_name, kinds, numbers = {}, {}, {}
    body = [
        assign("errors", ast.Dict([], [])),
        assign("get", ast.Attribute(load("answers"), "get", LOAD)),
    ]
    body += [assign(f"s{position[name]}", const(None)) for name in sorted(sources, key=position.get)]
    for index, (field, step) in enumerate(zip(fields, steps)):
        if step[0] != field["name"]:
            return None
        value = f"v{index}"
        body.append(assign(value, ast.Call(load("get"), [const(field["name"])], [])))
        locals_by_name[field["name"]] = value
        try:
            body += field_statements(
                field, step, index, builder, locals_by_name, kinds, numbers, position, sources, by_name
            )
        except Unsupported:
            return None
        if field["type"] in ANSWER_KINDS:  # for the questions after it
            kinds[field["name"]] = frozenset(ANSWER_KINDS[field["type"]] | {"none"})
    body.append(
        ast.If(
            ast.UnaryOp(
                ast.Not(),
                compare(
                    ast.Call(ast.Attribute(load("answers"), "keys", LOAD), [], []),
                    ast.LtE,
                    builder.constant(names, "names"),
                ),
            ),
            [
                ast.Expr(
                    ast.Call(
                        builder.constant(report_unknown, "report"), [load("answers"), load("errors")], []
                    )
                )
            ],
            [],
        )
    )
    body.append(ast.Return(load("errors")))
    return build(builder, "check_answers", ["answers"], body)


def refused(field, message_node):
    """errors[name] = [message]."""
    target = ast.Subscript(load("errors"), const(field["name"]), STORE)
    return ast.Assign([target], ast.List([message_node], LOAD))


def unsure(names, index, position):
    """The test that one of the earlier questions an expression reads already has an error."""
    earlier = [name for name in names if name in position and position[name] < index]
    if not earlier:
        return None
    tests = [compare(const(name), ast.In, load("errors")) for name in earlier]
    return ast.BoolOp(
        ast.And(), [load("errors"), tests[0] if len(tests) == 1 else ast.BoolOp(ast.Or(), tests)]
    )


def field_statements(field, step, index, builder, locals_by_name, kinds, numbers, position, sources, by_name):
    """The statements of one question: what AnswerValidator.validate does for its step."""
    name, check, required, blank, shown, hidden, allowed = step
    value, visible, problem = load(f"v{index}"), f"w{index}", f"p{index}"
    scope = Scope(builder, locals_by_name, const(None), kinds, numbers)
    seen = f"s{index}" if name in sources else None
    statements = []

    # Whether it is asked: True, False or None (unsure).
    if shown is None:
        condition = None
    elif "relevant" in field:
        tree = parse(field["relevant"])
        node, kind = expression(tree, scope)
        asked = as_truth(node, kind, scope)
        wrong = unsure(references(tree), index, position)
        condition = asked if wrong is None else ast.IfExp(wrong, const(None), asked)
    else:
        rule = field["show_if"]
        answer = load(f"s{position[rule['field']]}")
        targets = builder.constant(frozenset([rule["equals"]] if "equals" in rule else rule["in"]), "targets")
        if by_name[rule["field"]]["type"] == "multiple_choice":
            test = ast.UnaryOp(ast.Not(), ast.Call(ast.Attribute(targets, "isdisjoint", LOAD), [answer], []))
        else:
            test = compare(answer, ast.In, targets)
        condition = ast.IfExp(
            is_(answer, const(None)), const(False), ast.IfExp(is_(answer, load("UNSURE")), const(None), test)
        )

    # Its own checks: the type's, then the calculation's or the constraint's.
    own_check = ast.Call(builder.constant(check, "check"), [value], [])
    surely = surely_good(field, value)
    if surely is not None:  # the check's certain "good" half inline, the check itself otherwise
        own_check = ast.IfExp(surely, const(None), own_check)
    checked = [assign(problem, own_check)]
    if allowed is not None:
        if field["type"] == "calculate":
            tree = parse(field["calculation"])
            node, kind = expression(tree, scope)
            expected, result = builder.temp(), builder.temp()
            message = ast.JoinedStr(
                [
                    const("This calculation gives '"),
                    ast.FormattedValue(load(expected), -1, None),
                    const("' from the answers, not '"),
                    ast.FormattedValue(value, -1, None),
                    const("'."),
                ]
            )
            good_answer = [ast.Pass()]
            if kind == NUM and name in builder.read:
                # For the calculations that read this one: number() of its text, which is the text
                # number_text wrote (so float() reads it), or NaN for NaN and the infinities.
                known = f"m{index}"
                statements.append(assign(known, const(None)))
                number_of = ast.IfExp(call("isfinite", load(result)), call("float", value), load("nan"))
                good_answer = [assign(known, number_of)]
                numbers[name] = known
                node, kind = held(result, node), NUM
            same = compare(held(expected, as_text(node, kind, scope)), ast.Eq, value)
            wrong = unsure(references(tree), index, position)
            if kind == NUM:
                # A number's text is short ASCII without NUL: an answer that is that text passes the
                # type's check, which is then left out (it runs first on any other answer).
                quick = ast.BoolOp(ast.And(), [is_(class_of(value), load("str")), same])
                slow = [
                    assign(problem, own_check),
                    ast.If(is_(load(problem), const(None)), [assign(problem, message)], []),
                ]
                run = [ast.If(quick, [assign(problem, const(None))] + good_answer, slow)]
                checked = run if wrong is None else [ast.If(wrong, [assign(problem, own_check)], run)]
            else:
                run = [ast.If(same, good_answer, [assign(problem, message)])]
                checked.append(
                    ast.If(
                        is_(load(problem), const(None)),
                        run if wrong is None else [ast.If(wrong, [ast.Pass()], run)],
                        [],
                    )
                )
        elif "constraint" in field:
            tree = parse(field["constraint"])
            own = Scope(builder, locals_by_name, value, kinds, numbers)
            node, kind = expression(tree, own, f"v{index}")
            message = builder.constant(field.get("constraint_message") or CONSTRAINT_MESSAGE, "message")
            extra = ast.IfExp(as_truth(node, kind, own), const(None), message)
            wrong = unsure(references(tree), index, position)
            if wrong is not None:
                extra = ast.IfExp(wrong, const(None), extra)
            checked.append(ast.If(is_(load(problem), const(None)), [assign(problem, extra)], []))
        else:
            raise Unsupported(field["type"])
    good = []
    if required and blank is not None:
        blank_test = ast.Call(builder.constant(blank, "blank"), [value], [])
        if condition is not None:
            blank_test = ast.BoolOp(ast.And(), [load(visible), blank_test])
        good.append(ast.If(blank_test, [refused(field, const(required))], []))
    if seen is not None:
        kept = value if condition is None else ast.IfExp(load(visible), value, load("UNSURE"))
        good.append(assign(seen, kept))
    bad = [refused(field, load(problem))] + ([assign(seen, load("UNSURE"))] if seen is not None else [])
    checked.append(
        ast.If(ast.Compare(load(problem), [ast.IsNot()], [const(None)]), bad, good or [ast.Pass()])
    )

    missing = []
    if required:
        needed = refused(field, const(required))
        missing = [needed] if condition is None else [ast.If(load(visible), [needed], [])]
    answered = ast.If(is_(value, const(None)), missing or [ast.Pass()], checked)
    if condition is None:
        statements.append(answered)
        return statements
    statements.append(assign(visible, condition))
    left_out = ast.If(
        ast.Compare(value, [ast.IsNot()], [const(None)]),
        [refused(field, builder.constant(hidden, "hidden"))],
        [],
    )
    statements.append(ast.If(is_(load(visible), const(False)), [left_out], [answered]))
    return statements


CONSTRAINT_MESSAGE = "This answer is not allowed here: check it."


def plain_text(value, limit):
    """A str within the limit, ASCII and without NUL: what storable_text and the text checks take."""
    return ast.BoolOp(
        ast.And(),
        [
            is_(class_of(value), load("str")),
            compare(call("len", value), ast.LtE, const(limit)),
            method(value, "isascii"),
            compare(const("\x00"), ast.NotIn, value),
        ],
    )


def surely_good(field, value):
    """An inline test under which the field type's check surely returns None, or None.

    Only for the checks written as types.py has them today (each looked up by identity): a
    question whose type's check is another function is checked by that function alone.
    """
    kind = field["type"]
    builder = TYPES[kind].check
    if builder is types.text_check and kind in ("text", "textarea"):
        return plain_text(value, field.get("max_length", types.TEXT_LIMITS[kind]))
    if builder is types.calculate_check:
        return plain_text(value, types.TEXT_LIMITS["text"])
    if builder is types.integer_check:
        low, high = field.get("min"), field.get("max")
        low = -types.SAFE_INTEGER if low is None else low
        high = types.SAFE_INTEGER if high is None else high
        return ast.BoolOp(
            ast.And(),
            [
                is_(class_of(value), load("int")),
                ast.Compare(const(low), [ast.LtE(), ast.LtE()], [value, const(high)]),
            ],
        )
    if builder is types.choice_check:
        allowed = frozenset(choice["value"] for choice in field["choices"])
        return ast.BoolOp(
            ast.And(), [is_(class_of(value), load("str")), compare(value, ast.In, const(allowed))]
        )
    if builder is types.boolean_check:
        return ast.BoolOp(ast.Or(), [is_(value, const(True)), is_(value, const(False))])
    return None
