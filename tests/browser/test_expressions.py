"""The questionnaire expression language on the phone gives what the server gives.

The shared vectors (tests/expression_vectors.json) and random expressions over random answers run
through static/js/form/expressions.js in Chromium and through fvfield/questionnaires/expressions.py.
"""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fvfield.questionnaires.expressions import Context, ExpressionError, evaluate, parse, result_of

VECTORS = json.loads((Path(__file__).resolve().parent.parent / "expression_vectors.json").read_text())

RUN = """async (cases) => {
  const {parse, evaluate, context, resultOf, ExpressionError} = await import('/static/js/form/expressions.js');
  return cases.map((c) => {
    try {
      const tree = parse(c.expression, {columns: "choice" in c});
      const options = {
        current: c.current ?? null, today: c.today, now: c.now, item: c.item ?? null, choice: c.choice ?? null,
      };
      return resultOf(evaluate(tree, context(c.answers, options)));
    } catch (error) {
      if (error instanceof ExpressionError) return {error: error.reason, position: error.position};
      return {crash: String(error)};
    }
  });
}"""


def on_server(case):
    """Return what the server gives for a case, in the shape RUN gives."""
    try:
        tree = parse(case["expression"], columns="choice" in case)
    except ExpressionError as error:
        return {"error": error.message, "position": error.position}
    context = Context(
        case["answers"],
        current=case.get("current"),
        today=case["today"],
        now=case["now"],
        choice=case.get("choice"),
    )
    return result_of(evaluate(tree, context))


@pytest.fixture
def phone(context):
    """A page of the server's origin, where the field app's modules load."""
    page = context.new_page()
    page.goto("/login")
    return page


def full(case):
    """Return a case with today and now filled in."""
    return {"today": VECTORS["today"], "now": VECTORS["now"], "current": None, **case}


def test_expressions_on_the_phone_give_the_shared_results(phone):
    cases = [full(case) for case in VECTORS["cases"]]
    found = phone.evaluate(RUN, cases)
    wrong = []
    for case, result in zip(cases, found):
        wanted = case.get("result") or {"error": case["error"], "position": case["position"]}
        if "error" in wanted:
            ok = (
                "error" in result
                and wanted["error"] in result["error"]
                and result["position"] == wanted["position"]
            )
        else:
            ok = result == wanted
        if not ok:
            wrong.append((case["expression"], wanted, result))
    assert not wrong, wrong


NAMES = ["n", "t", "b", "d", "m", "e"]
ANSWERS = st.fixed_dictionaries(
    {
        "n": st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False), st.none()),
        "t": st.one_of(st.sampled_from(["", "yes", "no", "12", " 3.5 ", "Zoë", "a b"]), st.none()),
        "b": st.one_of(st.booleans(), st.none()),
        "d": st.one_of(
            st.sampled_from(["2026-12-03", "1990-05-17", "2024-02-29", "09:30", "2026-12-03T10:00:00Z"]),
            st.none(),
        ),
        "m": st.lists(st.sampled_from(["a", "b", "c"]), unique=True),
        "e": st.just(""),
    }
)
LEAVES = st.one_of(
    st.sampled_from([f"${{{name}}}" for name in NAMES] + ["."]),
    st.integers(-20, 20).map(str),
    st.floats(0, 100, allow_nan=False).map(lambda x: f"{x:.3f}"),
    st.sampled_from(["'yes'", "'a'", "''", "'2026-01-01'", "today()", "true()", "false()"]),
)


def combine(children):
    """Build bigger expressions from smaller ones."""
    pairs = st.tuples(children, children)
    return st.one_of(
        st.tuples(
            pairs,
            st.sampled_from(["+", "-", "*", "div", "mod", "=", "!=", "<", "<=", ">", ">=", "and", "or"]),
        ).map(lambda p: f"({p[0][0]} {p[1]} {p[0][1]})"),
        children.map(lambda a: f"-{a}"),
        st.tuples(
            children,
            st.sampled_from(
                [
                    "not",
                    "string-length",
                    "count-selected",
                    "number",
                    "string",
                    "boolean",
                    "int",
                    "round",
                    "abs",
                    "date",
                    "count",
                ]
            ),
        ).map(lambda p: f"{p[1]}({p[0]})"),
        st.tuples(
            pairs,
            st.sampled_from(
                ["coalesce", "selected", "concat", "contains", "round", "max", "min", "starts-with", "substr"]
            ),
        ).map(lambda p: f"{p[1]}({p[0][0]}, {p[0][1]})"),
        st.tuples(children, children, children).map(lambda p: f"if({p[0]}, {p[1]}, {p[2]})"),
    )


EXPRESSIONS = st.recursive(LEAVES, combine, max_leaves=12)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    batch=st.lists(
        st.tuples(EXPRESSIONS, ANSWERS, st.sampled_from(["", "me", "3"])), min_size=10, max_size=10
    )
)
def test_expressions_random_ones_give_the_same_on_both_sides(phone, batch):
    cases = [full({"expression": e, "answers": a, "current": c}) for e, a, c in batch]
    found = phone.evaluate(RUN, cases)
    for case, result in zip(cases, found):
        assert result == on_server(case), (case["expression"], case["answers"], case["current"])


FORMS = json.loads((Path(__file__).resolve().parent.parent / "expression_forms.json").read_text())
CHECK = """async ([form, cases]) => {
  const {answersToSend, checkAnswers} = await import('/static/js/form/checks.js');
  return cases.map((c) => [checkAnswers(form, c.answers), answersToSend(form, c.answers)]);
}"""


def test_expressions_the_phone_refuses_what_the_server_refuses(phone):
    found = phone.evaluate(CHECK, [FORMS["form"], FORMS["cases"]])
    for case, (errors, sent) in zip(FORMS["cases"], found):
        # The phone leaves out hidden answers and works calculations out again: it sends neither mistake.
        kept = set(case["refused"]) - set(case.get("dropped_by_the_phone", []))
        if case.get("recomputed_by_the_phone"):
            kept -= {f["name"] for f in FORMS["form"]["fields"] if f["type"] == "calculate"}
        assert sorted(errors) == sorted(kept), (case["answers"], errors)
        assert not set(case.get("dropped_by_the_phone", [])) & set(sent), (case["answers"], sent)
        for name, value in case.get("calculated", {}).items():
            assert sent[name] == value, (case["answers"], sent)
        if "message" in case and kept:
            assert errors[case["refused"][0]] == [case["message"]]


RENDER = """async (form) => {
  const {renderForm} = await import('/static/js/form/render.js');
  const view = renderForm(form, {prefix: 'x'});
  document.body.replaceChildren(view.element);
  window.fvForm = view;
}"""


def test_expressions_the_phone_form_shows_conditions_and_calculations_live(phone, screens):
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.evaluate(RENDER, FORMS["form"])
    school = phone.locator("[data-field=school]")
    assert school.is_hidden()
    phone.locator("#x-age").fill("10")
    phone.locator("[data-field=consent]").get_by_text("Yes").click()
    assert school.is_visible()
    assert phone.locator("#x-life_stage").inner_text() == "child"
    assert phone.locator("#x-decades").inner_text() == "1"
    phone.locator("#x-age").fill("34")
    assert school.is_hidden()
    assert phone.locator("#x-life_stage").inner_text() == "adult"
    children = phone.locator("[data-field=children] .label-text")
    assert children.inner_text() == "Children at home with Friend"  # its default
    phone.locator("#x-consent_name").fill("")
    assert children.inner_text() == "Children at home with …"
    phone.locator("#x-consent_name").fill("Ada")
    assert children.inner_text() == "Children at home with Ada"
    screens(phone, "field-form-expressions")
    assert phone.evaluate("() => window.fvForm.answers()")["life_stage"] == "adult"
