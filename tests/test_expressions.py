"""The questionnaire expression language on the server: the shared vectors, and its parse errors.

tests/expression_vectors.json holds cases that static/js/form/expressions.js must give alike
(tests/browser/test_expressions.py runs them there, and random ones on both sides).
"""

import json
from pathlib import Path

import pytest
from browser.test_expressions import ANSWERS, EXPRESSIONS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fvfield.questionnaires.expressions import (
    Context,
    ExpressionError,
    compiled,
    evaluate,
    parse,
    references,
    result_of,
)

VECTORS = json.loads((Path(__file__).parent / "expression_vectors.json").read_text())
CASES = VECTORS["cases"]


def run(case, way=evaluate):
    """Return the result of a vector's expression, or its error as {"error", "position"}.

    `way` is evaluate (walking the tree) or compiled's closures, what a record's check runs.
    """
    try:
        tree = parse(case["expression"], columns="choice" in case)
    except ExpressionError as error:
        return {"error": error.message, "position": error.position}
    context = Context(
        case["answers"],
        current=case.get("current"),
        today=case.get("today", VECTORS["today"]),
        now=VECTORS["now"],
        item=case.get("item"),
        choice=case.get("choice"),
    )
    return result_of(way(tree, context))


def by_closures(tree, context):
    return compiled(tree)(context)


@pytest.mark.parametrize("case", [c for c in CASES if "result" in c], ids=lambda c: c["expression"][:60])
@pytest.mark.parametrize("way", [evaluate, by_closures], ids=["walked", "compiled"])
def test_expressions_give_the_shared_results(case, way):
    assert run(case, way) == case["result"]


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(expression=EXPRESSIONS, answers=ANSWERS, current=st.sampled_from(["", "me", "3"]))
def test_expressions_compiled_give_what_the_tree_gives(expression, answers, current):
    case = {"expression": expression, "answers": answers, "current": current}
    assert run(case, by_closures) == run(case)


@pytest.mark.parametrize("case", [c for c in CASES if "error" in c], ids=lambda c: c["expression"][:60])
def test_expressions_that_cannot_be_read_say_where(case):
    found = run(case)
    assert "error" in found, found
    assert case["error"] in found["error"]
    assert found["position"] == case["position"]


def test_expressions_never_run_python():
    with pytest.raises(ExpressionError):
        parse("__import__('os').system('true')")


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("${a} + ${b} * ${a}", ["a", "b"]),
        ("if(selected(${c}, 'x'), ${d}, today())", ["c", "d"]),
        ("today()", []),
    ],
)
def test_expressions_name_their_references(expression, names):
    assert references(parse(expression)) == names


def test_expressions_today_comes_from_the_context():
    tree = parse("today()")
    assert result_of(evaluate(tree, Context({}, today="2030-01-02")))["text"] == "2030-01-02"
