"""Check the items of a repeat and the questions of sections, as steps of answers.py's validator.

A repeat is one step of the record's validator: its answer is a list of items
(types.py's repeat_check checks the list), and each item's answers are checked
here with the item's own steps, built by answers.py's compile_step. Inside an
item, `${name}` reads the item's answer first, then the record's
(expressions.item_answers). An item's problems are keyed
`<repeat>.<index from 0>.<question>` and say the item's number:
"Household member 2: Answer this question: it is required."
A section's condition is and-ed into each of its questions' steps (within_sections).
"""

from fvfield.questionnaires.expressions import Context, compiled, item_answers, references, truth
from fvfield.questionnaires.expressions import parse as parse_expression
from fvfield.questionnaires.rules import UNSURE
from fvfield.questionnaires.structure import SECTION, item_questions
from fvfield.questionnaires.types import show

MAX_ITEM_UNKNOWN = 10


def section_condition(section):
    """Return a section's condition test (seen, answers, errors) -> True, False or None, or None if it has none."""
    if "relevant" not in section:
        return None
    tree = parse_expression(section["relevant"])
    names = references(tree)
    run = compiled(tree)

    def shown(seen, answers, errors):
        if any(name in errors for name in names):
            return None
        return truth(run(Context(answers)))

    return shown


def within_sections(step, sections):
    """Return a step whose condition is also its sections' (a question of a hidden section is left out)."""
    tests = [(s, test) for s in sections if (test := section_condition(s)) is not None]
    if not tests:
        return step
    name, check, required, blank, shown, hidden, allowed = step
    section_hidden = (
        f"Leave this question out: its section {show(tests[-1][0]['label'], 60)} is not asked here."
    )

    def both(seen, answers, errors):
        unsure = False
        for _, test in tests:
            verdict = test(seen, answers, errors)
            if verdict is False:
                return False
            unsure = unsure or verdict is None
        own = True if shown is None else shown(seen, answers, errors)
        return None if unsure and own is not False else own

    if required is not None and shown is None:
        required = required.replace("it is required.", "it is required here.")
    return (name, check, required, blank, both, hidden or section_hidden, allowed)


def compile_repeat(field, by_name, compile_step):
    """Return a repeat's `allowed` test: each item checked, its problems added to the record's errors."""
    steps = tuple(
        within_sections(compile_step(question, by_name), sections)
        for question, sections in item_questions(field)
        if question["type"] != SECTION
    )
    names = frozenset(step[0] for step in steps)
    repeat, words, least = field["name"], field["label"], field.get("min_count")

    def allowed(items, answers, errors):
        for index, item in enumerate(items):
            problems = check_item(steps, names, item, answers)
            for name, messages in problems.items():
                errors[f"{repeat}.{index}.{name}"] = [f"{words} {index + 1}: {m}" for m in messages]
        if least is not None and len(items) < least:
            return f"Add at least {least} of these ({words}), not {len(items)}."
        return None

    return allowed


def check_steps(steps, get, scope, seen, errors):
    """Check answers step by step (answers.py's steps), putting what is wrong into `errors`.

    `get` reads a step's own answer (the record's, or an item's); `scope` is what its
    conditions and checks read; `seen` holds the answers checked so far, UNSURE for a
    wrong one, so that a condition on it is neither true nor false.
    """
    for name, check, required, blank, shown, hidden, allowed in steps:
        value = get(name)
        visible = True if shown is None else shown(seen, scope, errors)
        if visible is False:
            if value is not None:
                errors[name] = [hidden]
            continue
        if value is None:
            if required and visible:
                errors[name] = [required]
            continue
        problem = check(value)
        if problem is None and allowed is not None:
            problem = allowed(value, scope, errors)
        if problem is not None:
            errors[name] = [problem]
            seen[name] = UNSURE
            continue
        if required and visible and blank is not None and blank(value):
            errors[name] = [required]
        seen[name] = value if visible else UNSURE


def check_item(steps, names, item, answers):
    """Return what is wrong with one item's answers, by question name."""
    scope = item_answers(answers, item)
    errors = {}
    check_steps(steps, item.get, scope, dict(answers), errors)
    unknown = [key for key in item if key not in names]
    for key in unknown[:MAX_ITEM_UNKNOWN]:
        path = key if type(key) is str and len(key) <= 100 else "_"
        errors.setdefault(path, []).append(f"{show(key)} is not a question of this repeat.")
    return errors
