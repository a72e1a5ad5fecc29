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

from fvfield.questionnaires.expressions import (
    CALLS,
    Context,
    compiled,
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
KNOWN_FORM_KEYS = frozenset({"id", "version", "title", "subject_kind", "fields"})

# The kind of value each function gives: "num" (a float), "bool", "str"; others are not translated.
CALL_KINDS = {
    "selected": "bool",
    "count-selected": "num",
    "count": "num",
    "string-length": "num",
    "regex": "bool",
    "date": "str",
    "round": "num",
    "int": "num",
    "number": "num",
    "string": "str",
    "boolean": "bool",
    "not": "bool",
    "true": "bool",
    "false": "bool",
    "concat": "str",
    "contains": "bool",
    "starts-with": "bool",
    "ends-with": "bool",
    "substr": "str",
    "pow": "num",
    "abs": "num",
    "sum": "num",
    "max": "num",
    "min": "num",
    "join": "str",
}
COMPARE_NODES = {"<": ast.Lt, "<=": ast.LtE, ">": ast.Gt, ">=": ast.GtE}
ARITHMETIC_NODES = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult}

# The names the generated code reads; nothing else is in its globals (no builtins either).
HELPERS = {
    "UNSURE": UNSURE,
    "Context": Context,
    "number": number,
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
}


class Unsupported(Exception):
    """An expression the translation does not handle: it keeps its closures."""


def load(name):
    return ast.Name(name, ast.Load())


def store(name):
    return ast.Name(name, ast.Store())


def const(value):
    return ast.Constant(value)


def call(function, *arguments):
    return ast.Call(load(function), list(arguments), [])


def is_(left, right):
    return ast.Compare(left, [ast.Is()], [right])


def compare(left, op, right):
    return ast.Compare(left, [op()], [right])


def assign(name, value):
    return ast.Assign([store(name)], value)


def class_of(node):
    return ast.Attribute(node, "__class__", ast.Load())


class Builder:
    """Names, constants and temporaries of one generated function."""

    def __init__(self):
        self.namespace = dict(HELPERS)
        self.count = 0

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


class Scope:
    """How an expression reads its answers: earlier questions' locals, or answers.get."""

    def __init__(self, builder, locals_by_name, current):
        self.builder, self.locals_by_name, self.current = builder, locals_by_name, current

    def ref(self, name):
        local = self.locals_by_name.get(name)
        if local is not None:
            return load(local)
        return ast.Call(load("get"), [const(name)], [])


def translate(tree, scope):
    """Return (ast expression, kind) giving what evaluate(tree) gives; kind is num, bool, str or any."""
    kind = tree[0]
    if kind == "num":
        return const(tree[1]), "num"
    if kind == "str":
        return const(tree[1]), "str"
    if kind == "ref":
        return scope.ref(tree[1]), "any"
    if kind == "self":
        return scope.current, "any"
    if kind == "neg":
        inner = as_number(*translate(tree[1], scope), scope)
        return ast.UnaryOp(ast.USub(), inner), "num"
    if kind == "op":
        return operation(tree[1], tree[2], tree[3], scope)
    if kind == "call":
        return function_call(tree[1], tree[2], scope)
    raise Unsupported(kind)


def as_number(node, kind, scope):
    """number(value), left out for numbers and worked out now for literal texts."""
    if kind == "num":
        return node
    if kind == "bool":
        return ast.IfExp(node, const(1.0), const(0.0))
    if kind == "str" and isinstance(node, ast.Constant):
        return const(number(node.value))
    if kind == "str":
        return call("number", node)
    value, klass = scope.builder.temp(), scope.builder.temp()
    # t if t is a float, float(t) if an int (true/false are bools, not ints), else number(t)
    return ast.IfExp(
        is_(ast.NamedExpr(store(klass), class_of(ast.NamedExpr(store(value), node))), load("float")),
        load(value),
        ast.IfExp(is_(load(klass), load("int")), call("float", load(value)), call("number", load(value))),
    )


def as_truth(node, kind, scope):
    """truth(value): a float is true when neither 0 nor NaN, a text when not empty."""
    if kind == "bool":
        return node
    if kind == "num":
        value = scope.builder.temp()
        return ast.BoolOp(
            ast.And(),
            [
                compare(ast.NamedExpr(store(value), node), ast.NotEq, const(0.0)),
                compare(load(value), ast.Eq, load(value)),
            ],
        )
    if kind == "str":
        return compare(node, ast.NotEq, const(""))
    return call("truth", node)


def as_text(node, kind):
    """text(value)."""
    if kind == "str":
        return node
    if kind == "num":
        return call("number_text", node)
    if kind == "bool":
        return ast.IfExp(node, const("true"), const("false"))
    return call("text", node)


def operation(op, left_tree, right_tree, scope):
    """Translate one operator, evaluating the left side first as evaluate() does."""
    left, left_kind = translate(left_tree, scope)
    right, right_kind = translate(right_tree, scope)
    if op in ("and", "or"):
        joined = ast.And() if op == "and" else ast.Or()
        return ast.BoolOp(
            joined, [as_truth(left, left_kind, scope), as_truth(right, right_kind, scope)]
        ), "bool"
    if op in ("=", "!="):
        same = equality(left, left_kind, right, right_kind, scope)
        return (same if op == "=" else ast.UnaryOp(ast.Not(), same)), "bool"
    left, right = as_number(left, left_kind, scope), as_number(right, right_kind, scope)
    if op in COMPARE_NODES:
        return compare(left, COMPARE_NODES[op], right), "bool"
    if op in ARITHMETIC_NODES:
        return ast.BinOp(left, ARITHMETIC_NODES[op](), right), "num"
    if op == "div":
        if isinstance(right, ast.Constant) and right.value != 0:
            return ast.BinOp(left, ast.Div(), right), "num"  # divide() is plain division then
        return call("divide", left, right), "num"
    if op == "mod":
        return call("remainder", left, right), "num"
    raise Unsupported(op)


def equality(left, left_kind, right, right_kind, scope):
    """equal(left, right): as booleans when either is one, else numbers, else texts."""
    if left_kind == "bool" or right_kind == "bool":
        return compare(as_truth(left, left_kind, scope), ast.Eq, as_truth(right, right_kind, scope))
    if left_kind == "num" and right_kind == "num":
        return compare(left, ast.Eq, right)
    if left_kind == "str" and right_kind == "str":
        return compare(left, ast.Eq, right)
    if left_kind == "any" and right_kind == "str" and isinstance(right, ast.Constant):
        # An answer against a literal text: a text answer compares as text, anything else as equal() does.
        value = scope.builder.temp()
        return ast.IfExp(
            is_(class_of(ast.NamedExpr(store(value), left)), load("str")),
            compare(load(value), ast.Eq, right),
            call("equal", load(value), right),
        )
    return call("equal", left, right)


def function_call(name, argument_trees, scope):
    """Translate a call; if() and coalesce() still evaluate only what they need."""
    if name == "if":
        condition, then, otherwise = (translate(tree, scope) for tree in argument_trees)
        kind = then[1] if then[1] == otherwise[1] else "any"
        return ast.IfExp(as_truth(*condition, scope), then[0], otherwise[0]), kind
    if name == "coalesce":
        (first, first_kind), second = translate(argument_trees[0], scope), translate(argument_trees[1], scope)
        if first_kind in ("num", "bool"):
            return first, first_kind  # never the empty text
        value = scope.builder.temp()
        if first_kind == "str":
            filled = compare(ast.NamedExpr(store(value), first), ast.NotEq, const(""))
        else:
            klass = scope.builder.temp()
            filled = ast.BoolOp(
                ast.Or(),
                [
                    is_(
                        ast.NamedExpr(store(klass), class_of(ast.NamedExpr(store(value), first))), load("int")
                    ),
                    ast.IfExp(
                        is_(load(klass), load("str")),
                        compare(load(value), ast.NotEq, const("")),
                        compare(call("text", load(value)), ast.NotEq, const("")),
                    ),
                ],
            )
        kind = first_kind if first_kind == second[1] else "any"
        return ast.IfExp(filled, load(value), second[0]), kind
    if name not in CALL_KINDS:
        raise Unsupported(name)
    arguments = [translate(tree, scope) for tree in argument_trees]
    if name == "true" or name == "false":
        return const(name == "true"), "bool"
    if name == "not":
        return ast.UnaryOp(ast.Not(), as_truth(*arguments[0], scope)), "bool"
    if name == "boolean":
        return as_truth(*arguments[0], scope), "bool"
    if name == "number":
        return as_number(*arguments[0], scope), "num"
    if name == "string":
        return as_text(*arguments[0]), "str"
    if name == "round" and (len(arguments) == 1 or isinstance(arguments[1][0], ast.Constant)):
        return rounding(arguments, scope), "num"
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
        return ast.Call(run, [ast.Call(load("Context"), context, [])], []), "any"


def expression_function(tree):
    """Return function(answers, current) giving what evaluate(tree, Context(answers, current)) gives.

    For tests and for other callers; a form's check builds its expressions inline instead.
    """
    builder = Builder()
    scope = Scope(builder, {}, load("current"))
    node, _ = expression(tree, scope, "current")
    body = [assign("get", ast.Attribute(load("answers"), "get", ast.Load())), ast.Return(node)]
    return build(builder, "value", ["answers", "current"], body)


def build(builder, name, parameters, body):
    """Compile a function from its statements (ast nodes only) and return it."""
    arguments = ast.arguments(
        posonlyargs=[], args=[ast.arg(p) for p in parameters], kwonlyargs=[], kw_defaults=[], defaults=[]
    )
    function = ast.FunctionDef(name, arguments, body, [], None, None)
    module = ast.fix_missing_locations(ast.Module([function], []))
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
    by_name = {field["name"]: field for field in fields}
    sources = {field["show_if"]["field"] for field in fields if field.get("show_if") is not None}
    position = {field["name"]: index for index, field in enumerate(fields)}
    locals_by_name = {}
    body = [
        assign("errors", ast.Dict([], [])),
        assign("get", ast.Attribute(load("answers"), "get", ast.Load())),
    ]
    body += [assign(f"s{position[name]}", const(None)) for name in sorted(sources, key=position.get)]
    for index, (field, step) in enumerate(zip(fields, steps)):
        if step[0] != field["name"]:
            return None
        value = f"v{index}"
        body.append(assign(value, ast.Call(load("get"), [const(field["name"])], [])))
        locals_by_name[field["name"]] = value
        try:
            body += field_statements(field, step, index, builder, locals_by_name, position, sources, by_name)
        except Unsupported:
            return None
    body.append(
        ast.If(
            ast.UnaryOp(
                ast.Not(),
                compare(
                    ast.Call(ast.Attribute(load("answers"), "keys", ast.Load()), [], []),
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
    target = ast.Subscript(load("errors"), const(field["name"]), ast.Store())
    return ast.Assign([target], ast.List([message_node], ast.Load()))


def unsure(names, index, position):
    """The test that one of the earlier questions an expression reads already has an error."""
    earlier = [name for name in names if name in position and position[name] < index]
    if not earlier:
        return None
    tests = [compare(const(name), ast.In, load("errors")) for name in earlier]
    return ast.BoolOp(
        ast.And(), [load("errors"), tests[0] if len(tests) == 1 else ast.BoolOp(ast.Or(), tests)]
    )


def field_statements(field, step, index, builder, locals_by_name, position, sources, by_name):
    """The statements of one question: what AnswerValidator.validate does for its step."""
    name, check, required, blank, shown, hidden, allowed = step
    value, visible, problem = load(f"v{index}"), f"w{index}", f"p{index}"
    scope = Scope(builder, locals_by_name, const(None))
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
            test = ast.UnaryOp(
                ast.Not(), ast.Call(ast.Attribute(targets, "isdisjoint", ast.Load()), [answer], [])
            )
        else:
            test = compare(answer, ast.In, targets)
        condition = ast.IfExp(
            is_(answer, const(None)), const(False), ast.IfExp(is_(answer, load("UNSURE")), const(None), test)
        )

    # Its own checks: the type's, then the calculation's or the constraint's.
    checked = [assign(problem, ast.Call(builder.constant(check, "check"), [value], []))]
    if allowed is not None:
        if field["type"] == "calculate":
            tree = parse(field["calculation"])
            node, kind = expression(tree, scope)
            expected = builder.temp()
            message = ast.JoinedStr(
                [
                    const("This calculation gives '"),
                    ast.FormattedValue(load(expected), -1, None),
                    const("' from the answers, not '"),
                    ast.FormattedValue(value, -1, None),
                    const("'."),
                ]
            )
            extra = ast.IfExp(
                compare(ast.NamedExpr(store(expected), as_text(node, kind)), ast.Eq, value),
                const(None),
                message,
            )
        elif "constraint" in field:
            tree = parse(field["constraint"])
            own = Scope(builder, locals_by_name, value)
            node, kind = expression(tree, own, f"v{index}")
            message = builder.constant(field.get("constraint_message") or CONSTRAINT_MESSAGE, "message")
            extra = ast.IfExp(as_truth(node, kind, own), const(None), message)
        else:
            raise Unsupported(field["type"])
        wrong = unsure(references(tree), index, position)
        if wrong is not None:
            extra = ast.IfExp(wrong, const(None), extra)
        checked.append(ast.If(is_(load(problem), const(None)), [assign(problem, extra)], []))
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
