"""The price type: what people type is read as pence alike here and on the phone, and kept as whole pence."""

import json
from pathlib import Path

import pytest

from fvfield.questionnaires.types import answer_check, parse_price, price_text
from fvfield.reports.numbers import in_pence, price_questions

VECTORS = json.loads((Path(__file__).resolve().parent / "price_vectors.json").read_text(encoding="utf-8"))
PRICE = {"name": "price_tomatoes_kg", "type": "price", "label": "Tomatoes, per kg"}


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda case: case["typed"])
def test_a_typed_price_reads_as_the_shared_vectors_say(case):
    pence, problem = parse_price(case["typed"])
    if "pence" in case:
        assert (pence, problem, price_text(pence)) == (case["pence"], None, case["shown"])
    else:
        assert (pence, problem) == (None, case["problem"])


@pytest.mark.parametrize(
    "value, problem",
    [
        (120, None),
        (0, None),
        (-5, "Enter a price of £0.00 or more."),
        (1.2, "A price is kept in whole pence (120 for £1.20), not 1.2."),
        ("£1.20", "A price is kept as a whole number of pence (120 for £1.20), not text."),
        ("lots", "A price is kept as a whole number of pence, not text."),
        (True, "A price is kept as a whole number of pence (120 for £1.20), not true/false."),
        (2**53, "Enter a smaller price."),
    ],
)
def test_the_server_keeps_a_price_as_whole_pence(value, problem):
    assert answer_check(PRICE)(value) == problem


def test_the_basket_reads_older_decimal_prices_in_pounds_and_price_answers_in_pence():
    older = {"fields": [{"name": "price_bread_loaf", "type": "decimal", "label": "Bread"}]}
    newer = {"fields": [{"name": "price_bread_loaf", "type": "price", "label": "Bread, a loaf"}]}
    definitions = {1: older, 2: newer}
    assert price_questions(definitions) == {"price_bread_loaf": "Bread, a loaf"}
    assert in_pence(definitions) == {(2, "price_bread_loaf")}
