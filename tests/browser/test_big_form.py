"""A real survey's size on a phone (390x844): 300 questions, 100 calculations and a repeat of 20 items.

Filled offline, saved, synced: the server takes the record as the phone
worked it out (every calculation and the repeat's count checked again there).
How fast it opens and re-computes is measured by benchmarks/form_bench.py,
not here.
"""

from playwright.sync_api import expect

from .conftest import SCREENS, sync_now
from .phone import open_screen, publish_form, save, saved_records

QUESTIONS, CALCULATIONS, ITEMS = 300, 100, 20
HASH = "#/t/clapton-circle/new/big-survey"


def big_form():
    """Return 200 plain questions (numbers, choices, texts), 100 chained calculations, and a repeat."""
    fields = []
    for i in range(QUESTIONS - CALCULATIONS):
        kind = ("integer", "choice", "text")[i % 3]
        field = {"name": f"{kind[0]}_{i // 3}", "type": kind, "label": f"Question {i + 1}"}
        if kind == "integer":
            field["min"], field["max"] = 0, 1000
        if kind == "choice":
            field["choices"] = [{"value": v, "label": v.title()} for v in ("yes", "no", "maybe")]
        if kind == "text" and i > 3:
            field["relevant"] = f"${{c_{i // 3 - 1}}} != 'no'"
        fields.append(field)
    numbers = [f["name"] for f in fields if f["type"] == "integer"]
    for i in range(CALCULATIONS):
        a, b = numbers[i % len(numbers)], numbers[(i * 7 + 3) % len(numbers)]
        calculation = f"coalesce(${{{a}}}, 0) + if(${{{b}}} > 10, ${{{b}}}, 0)"
        if i:
            calculation += f" + coalesce(${{total_{i - 1}}}, 0)"
        fields.append(
            {"name": f"total_{i}", "type": "calculate", "label": f"Total {i}", "calculation": calculation}
        )
    fields.append(
        {
            "name": "stalls",
            "type": "repeat",
            "label": "Stall",
            "min_count": 1,
            "max_count": ITEMS,
            "fields": [
                {"name": "stall_name", "type": "text", "label": "Stall name"},
                {
                    "name": "stall_price",
                    "type": "integer",
                    "label": "Price in pence",
                    "min": 0,
                    "max": 10_000,
                },
            ],
        }
    )
    fields.append(
        {"name": "stall_count", "type": "calculate", "label": "Stalls", "calculation": "count(${stalls})"}
    )
    return {"id": "big-survey", "version": 1, "title": "Big survey", "subject_kind": None, "fields": fields}


def expected_totals(answers):
    """Work out the calculations as the language does, for the numbers the test typed."""
    totals, before = [], 0
    numbers = sorted((name for name in answers if name.startswith("i_")), key=lambda n: int(n[2:]))
    for i in range(CALCULATIONS):
        a, b = numbers[i % len(numbers)], numbers[(i * 7 + 3) % len(numbers)]
        before = answers[a] + (answers[b] if answers[b] > 10 else 0) + (before if i else 0)
        totals.append(before)
    return totals


def test_a_300_question_form_with_100_calculations_and_20_items_is_filled_offline_and_synced(
    page, context, field_server, screens
):
    publish_form(field_server, "clapton-circle", big_form())
    assert sync_now(page)["state"] == "idle"
    context.set_offline(True)
    open_screen(page, HASH)
    expect(page.locator(".q")).to_have_count(QUESTIONS + 1 + 2 + 1)  # the repeat, its item's two, its count

    typed = {}
    for number in range(0, 67):
        name = f"i_{number}"
        typed[name] = number * 3 % 50
        page.locator(f"[data-field={name}] input").fill(str(typed[name]))
    page.locator("[data-field=c_0]").get_by_label("No", exact=True).check()
    expect(page.locator("[data-field=t_1]")).to_be_hidden()  # asked only when c_0 is not 'no'
    totals = expected_totals(typed)
    expect(page.locator("[data-field=total_99] output")).to_have_text(str(totals[-1]))

    add = page.get_by_role("button", name="Add another: Stall")
    for _ in range(ITEMS - 1):
        add.click()
    expect(page.locator(".repeat-item")).to_have_count(ITEMS)
    expect(add).to_be_hidden()
    for index in range(ITEMS):
        item = page.locator(".repeat-item").nth(index)
        item.get_by_label("Stall name").fill(f"Stall {index + 1}")
        item.get_by_label("Price in pence").fill(str(100 + index))
    expect(page.locator("[data-field=stall_count] output")).to_have_text(str(ITEMS))
    # What the volunteer sees at the end of the form: the last items and the count.
    page.locator("[data-field=stall_count]").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENS / "big-form-phone-390.png"))
    save(page)
    expect(page.get_by_text("Saved on this phone")).to_be_visible()

    record = saved_records(page, "big-survey")[-1]
    assert record["data"]["total_99"] == str(totals[-1])
    assert [i["stall_price"] for i in record["data"]["stalls"]] == [100 + n for n in range(ITEMS)]
    context.set_offline(False)
    assert sync_now(page)["waiting"] == 0
    rev, data = field_server.documents()[record["id"]]
    assert rev == 1 and data == record["data"]
