"""A price typed on the phone reads as the server reads it (tests/price_vectors.json), and shows as £1.20."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fvfield.questionnaires.types import answer_check

from .conftest import sync_now
from .phone import drafts, open_screen, publish_form, question, save, saved_records, wait_for

VECTORS = json.loads(
    (Path(__file__).resolve().parent.parent / "price_vectors.json").read_text(encoding="utf-8")
)

RUN = """async (cases) => {
  const {parsePrice, priceText, answerProblem} = await import('/static/js/form/checks.js');
  const field = {name: 'price_tomatoes_kg', type: 'price', label: 'Tomatoes, per kg'};
  return cases.map((c) => {
    const read = parsePrice(c.typed);
    return read.problem ? {problem: read.problem}
      : {pence: read.pence, shown: priceText(read.pence), check: answerProblem(field, read.pence)};
  });
}"""


@pytest.fixture
def phone(context):
    """A page of the server's origin, where the field app's modules load."""
    page = context.new_page()
    page.goto("/login")
    return page


def test_prices_on_the_phone_read_as_the_shared_vectors_say(phone):
    found = phone.evaluate(RUN, VECTORS["cases"])
    check = answer_check({"name": "price_tomatoes_kg", "type": "price", "label": "Tomatoes, per kg"})
    for case, result in zip(VECTORS["cases"], found, strict=True):
        if "pence" in case:
            wanted = {"pence": case["pence"], "shown": case["shown"], "check": None}
            # What the phone keeps, the server keeps too.
            assert check(result["pence"]) is None
        else:
            wanted = {"problem": case["problem"]}
        assert result == wanted, case["typed"]


BASKET = {
    "id": "basket",
    "title": "Basket",
    "subject_kind": None,
    "fields": [{"name": "bread", "type": "price", "label": "Bread, a loaf", "hint": "For example £1.20."}],
}
BASKET_HASH = "#/t/clapton-circle/new/basket"


@pytest.fixture
def basket(page, field_server):
    """The phone with a form of one price, open."""
    publish_form(field_server, "clapton-circle", BASKET)
    assert sync_now(page)["state"] == "idle"
    open_screen(page, BASKET_HASH)
    return page


@pytest.mark.parametrize("typed", ["£1.20", "1.2", "120p"])
def test_a_price_typed_any_way_is_kept_in_pence_and_the_server_takes_it(basket, field_server, typed):
    page = basket
    page.get_by_label("Bread, a loaf").fill(typed)
    save(page)
    expect(page.get_by_text("Saved on this phone")).to_be_visible()
    [change] = saved_records(page, "basket")
    assert change["data"] == {"bread": 120}
    assert sync_now(page)["waiting"] == 0
    assert field_server.documents()[change["id"]] == (1, {"bread": 120})


def test_a_price_that_cannot_be_read_says_how_to_type_it_and_a_draft_shows_pounds(basket):
    page = basket
    page.get_by_label("Bread, a loaf").fill("1,20")
    save(page)
    message = "Enter a price in pounds and pence, like £1.20, 1.2 or 120p."
    expect(question(page, "Bread, a loaf").locator(".error")).to_have_text(message)
    assert saved_records(page, "basket") == []
    page.get_by_label("Bread, a loaf").fill("95p")
    wait_for(page, lambda: any(d["answers"].get("bread") == 95 for d in drafts(page)))
    page.reload()
    expect(page.get_by_label("Bread, a loaf")).to_have_value("£0.95")
