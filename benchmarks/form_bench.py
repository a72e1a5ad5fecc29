"""A big questionnaire on the phone and on the server (issue 14), measured, not tested.

    python benchmarks/form_bench.py [--write] [--rounds 5]

The form: 300 questions, 100 of them calculations over the others (sums,
if(), rounding), a third of the rest with a condition. Figures:

- on the phone (headless Chromium at 390x844, the phone's own form renderer
  static/js/form/render.js, served by `fvfield serve`): building and showing
  the form, and working everything out again after one answer changes;
- on the server: checking 500 records of it (questionnaires/answers.py, the
  push's own check), records per second.

Targets: open ≤ 500 ms, one answer ≤ 16 ms (a frame), the server ≥ 5,000
records/s. Medians of the rounds; the load average is printed beside them.
With --write the figures go into docs/performance.md.
"""

import argparse
import os
import random
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, TEAMS, USERS, FieldServer  # noqa: E402
from realserver import seed_instance  # noqa: E402

from fvfield.questionnaires.answers import AnswerValidator, validate_answers, validator_for  # noqa: E402
from fvfield.questionnaires.definitions import validate_definition  # noqa: E402
from fvfield.questionnaires.expressions import Context, evaluate, parse, text  # noqa: E402

DOC = REPO / "docs" / "performance.md"
SECTION = "## A big questionnaire"
TARGETS = {"open_ms": 500, "answer_ms": 16, "records_per_s": 5000}
QUESTIONS, CALCULATIONS, RECORDS = 300, 100, 500

# In the page: build the form `rounds` times, then change one answer `rounds * 10` times.
MEASURE = """async ([definition, rounds]) => {
  const {renderForm} = await import('/static/js/form/render.js');
  const opens = [];
  let form;
  for (let n = 0; n < rounds; n += 1) {
    document.body.replaceChildren();
    const start = performance.now();
    form = renderForm(definition, {prefix: `b${n}`});
    document.body.append(form.element);
    document.body.getBoundingClientRect();  // the layout, as the person sees it
    opens.push(performance.now() - start);
  }
  const answers = [];
  for (let n = 0; n < rounds * 10; n += 1) {
    const start = performance.now();
    form.set('n_0', n);
    document.body.getBoundingClientRect();
    answers.push(performance.now() - start);
  }
  const shown = form.answers();
  return {opens, answers, calc: shown.c_99};
}"""


def big_form():
    """Return the benchmark's definition: numbers, choices and texts, then calculations over them."""
    fields = []
    plain = QUESTIONS - CALCULATIONS
    for i in range(plain):
        kind = ("integer", "choice", "text")[i % 3]
        name = {"integer": "n", "choice": "k", "text": "t"}[kind] + f"_{i // 3}"
        field = {"name": name, "type": kind, "label": f"Question {i + 1}"}
        if kind == "choice":
            field["choices"] = [{"value": v, "label": v.title()} for v in ("yes", "no", "maybe")]
        if kind == "integer":
            field["min"], field["max"] = 0, 1000
        if i % 3 == 2 and i > 3:
            field["relevant"] = f"${{k_{i // 3 - 1}}} != 'no'"
        fields.append(field)
    numbers = [f["name"] for f in fields if f["type"] == "integer"]
    for i in range(CALCULATIONS):
        a, b = numbers[i % len(numbers)], numbers[(i * 7 + 3) % len(numbers)]
        calculation = f"round(coalesce(${{{a}}}, 0) * 1.5 + if(${{{b}}} > 10, ${{{b}}}, 0), 1)"
        if i:
            calculation = f"{calculation} + coalesce(${{c_{i - 1}}}, 0) div 2"
        fields.append(
            {"name": f"c_{i}", "type": "calculate", "label": f"Total {i}", "calculation": calculation}
        )
    definition = {
        "id": "big-survey",
        "version": 1,
        "title": "Big survey",
        "subject_kind": None,
        "fields": fields,
    }
    assert validate_definition(definition) == {}, validate_definition(definition)
    return definition


def answers_of(definition, rng):
    """Return answers of one record as a phone sends them: every number and choice, texts, calculations."""
    answers = {}
    for field in definition["fields"]:
        if field["type"] == "integer":
            answers[field["name"]] = rng.randint(0, 100)
        elif field["type"] == "choice":
            answers[field["name"]] = rng.choice(("yes", "maybe"))
        elif field["type"] == "text":
            answers[field["name"]] = "A stall by the station"
        elif field["type"] == "calculate":
            tree = parse(field["calculation"])
            answers[field["name"]] = text(evaluate(tree, Context(answers)))
    return answers


def server_rate(definition, rounds):
    """Return the median records/s of checking RECORDS records, that of the step-by-step check, the
    check's records per second of its own CPU time (what other work on the machine does not take), and
    how many records were refused.

    The rounds alternate between the push's check (the form's generated function,
    questionnaires/fastcheck.py) and the step-by-step check it stands for, so
    both share the machine's load alike; both must refuse the same records.
    """
    rng = random.Random(14)
    records = [answers_of(definition, rng) for _ in range(RECORDS)]
    validate_answers(definition, records[0])  # the compiled check is kept per definition
    validator = validator_for(definition)
    steps = AnswerValidator(definition)
    steps.fast = None
    rates, step_rates, cpu_rates, refused = [], [], [], set()
    for _ in range(rounds):
        for way, found in ((None, rates), (steps.validate, step_rates)):
            start, cpu = time.perf_counter(), time.process_time()
            if way is None:
                verdicts = [validate_answers(definition, answers) for answers in records]
                cpu_rates.append(RECORDS / (time.process_time() - cpu))
            else:
                verdicts = [way(answers) for answers in records]
            found.append(RECORDS / (time.perf_counter() - start))
            refused.add(sum(1 for errors in verdicts if errors))
    assert len(refused) == 1 and validator.fast is not None, refused
    return (
        statistics.median(rates),
        statistics.median(step_rates),
        statistics.median(cpu_rates),
        refused.pop(),
    )


def phone_times(definition, rounds, tmp):
    """Return (open ms, one answer ms, p95 answer ms) in Chromium against a real server."""
    instance = Path(tmp) / "instance"
    seed_instance(instance, USERS, TEAMS)
    with FieldServer(instance) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=PHONE, base_url=server.url).new_page()
        page.goto("/login")
        found = page.evaluate(MEASURE, [definition, rounds])
        browser.close()
    answers = sorted(found["answers"])
    p95 = answers[int(len(answers) * 0.95) - 1]
    return statistics.median(found["opens"]), statistics.median(answers), p95


EXPLANATION = """\
The server's check is where the time goes: each record's 100 calculations are
worked out again (the server refuses a calculated answer it does not give) and
its conditions tested. Step by step, each expression is a tree of closures
(`questionnaires/expressions.py` `compiled`): some 3,000 Python calls a
record. Now a form's whole check is built once per form version (and kept with
the compiled validator) as one Python function, `questionnaires/fastcheck.py`:
built as `ast` nodes from the parsed trees, never from text, question names
and literals as constants. Each question is a few statements over local
variables; an expression reads an earlier question's answer from its local,
knows what kind of value it is (None or what that question's check took: an
integer question gives an int), and so leaves out the conversions XPath asks
for or takes their short inline path; a calculation reading an earlier one
takes the number that one's step already read. Here it ran {times:.1f} × the
step-by-step check in the same run. What it does not know (a new field type or
key, a function such as today()) is not guessed at: that expression keeps its
closures, or the form keeps the step-by-step check; `tests/test_fast_check.py`
holds both to the same errors on random forms, expressions and answers. Under
other work on the 2 cores the rate falls with the load; run
`python benchmarks/form_bench.py --server-only` for the server's figures alone."""


def write(figures):
    """Put the figures into docs/performance.md's section."""
    rows = [
        f"| opening the form on the phone | ≤ {TARGETS['open_ms']} ms | {figures['open']:.0f} ms |",
        f"| working it out again after one answer (p95 {figures['p95']:.1f} ms) | ≤ {TARGETS['answer_ms']} ms "
        f"| {figures['answer']:.1f} ms |",
        f"| the server checking {RECORDS} records | ≥ {TARGETS['records_per_s']:,} records/s "
        f"| {figures['rate']:,.0f} records/s ({figures['cpu_rate']:,.0f} per second of its own CPU time) |",
    ]
    steps = (
        f"| the same, step by step (the check before the generated function; same run, rounds alternating) "
        f"| | {figures['step_rate']:,.0f} records/s |"
    )
    rows = [row + (" within |" if ok else " **missed** |") for row, ok in zip(rows, figures["ok"])] + [
        steps + " |"
    ]
    text = (
        f"{SECTION}\n\nMeasured by `python benchmarks/form_bench.py --write` on {date.today().isoformat()}: "
        f"a form of {QUESTIONS} questions, {CALCULATIONS} of them calculations over the others (each also "
        "adding the one before), a third of the rest with a condition; the phone's own renderer in headless "
        "Chromium (Debian's) at 390x844 against `fvfield serve`, and the push's answer check in Python. "
        f"2 cores, load average {figures['load'][0]:.1f} when the run started and {figures['load'][1]:.1f} "
        f"when it ended. Medians of {figures['rounds']} rounds (the answer: {figures['rounds'] * 10} changes)."
        "\n\n| what | target | measured | |\n|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\n"
        + EXPLANATION.format(times=figures["rate"] / figures["step_rate"])
        + "\n"
    )
    doc = DOC.read_text()
    pattern = re.compile(rf"{re.escape(SECTION)}\n.*?(?=\n## |\Z)", re.S)
    doc = (
        pattern.sub(text.rstrip("\n") + "\n", doc)
        if pattern.search(doc)
        else doc.rstrip("\n") + "\n\n" + text
    )
    DOC.write_text(doc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="put the figures into docs/performance.md")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--server-only", action="store_true", help="only the server's check (no browser)")
    args = parser.parse_args()
    import tempfile

    definition = big_form()
    load_start = os.getloadavg()[0]
    rate, step_rate, cpu_rate, refused = server_rate(definition, args.rounds)
    if args.server_only:
        load_end = os.getloadavg()[0]
        print(f"load average {load_start:.1f} -> {load_end:.1f}")
        print(f"server: {rate:,.0f} records/s checking {RECORDS} records ({refused} refused); ", end="")
        print(f"step by step {step_rate:,.0f} records/s; {cpu_rate:,.0f} records per CPU second")
        return
    with tempfile.TemporaryDirectory() as tmp:
        opened, answer, p95 = phone_times(definition, args.rounds, tmp)
    load_end = os.getloadavg()[0]
    figures = {
        "open": opened,
        "answer": answer,
        "p95": p95,
        "rate": rate,
        "step_rate": step_rate,
        "cpu_rate": cpu_rate,
        "rounds": args.rounds,
        "load": (load_start, load_end),
        "ok": (
            opened <= TARGETS["open_ms"],
            answer <= TARGETS["answer_ms"],
            rate >= TARGETS["records_per_s"],
        ),
    }
    print(f"load average {load_start:.1f} -> {load_end:.1f}")
    print(f"phone: open {opened:.0f} ms, one answer {answer:.1f} ms (p95 {p95:.1f} ms)")
    print(f"server: {rate:,.0f} records/s checking {RECORDS} records ({refused} refused); ", end="")
    print(f"step by step {step_rate:,.0f} records/s; {cpu_rate:,.0f} records per CPU second")
    if args.write:
        write(figures)


if __name__ == "__main__":
    main()
