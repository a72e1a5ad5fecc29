"""The codebook of each field type (questionnaires/types.py FieldType.codebook), as the exports write it."""

import pytest

from fvfield.questionnaires.types import TYPES


@pytest.mark.parametrize(
    "field, codes",
    [
        (
            {"name": "s", "type": "scale", "min": 1, "max": 3, "labels": ["Never", "Sometimes", "Often"]},
            [(1, "Never"), (2, "Sometimes"), (3, "Often")],
        ),
        (
            {
                "name": "s",
                "type": "scale",
                "min": 0,
                "max": 10,
                "labels": {"10": "Completely", "0": "Not at all"},
            },
            [(0, "Not at all"), (10, "Completely")],
        ),
        ({"name": "s", "type": "scale", "min": 1, "max": 5}, []),
        ({"name": "b", "type": "boolean"}, [(1, "Yes"), (0, "No")]),
        (
            {"name": "c", "type": "choice", "choices": [{"value": "a", "label": "A"}, {"value": "b"}]},
            [("a", "A"), ("b", "b")],
        ),
        ({"name": "p", "type": "price"}, []),
    ],
)
def test_codebook_of_a_field(field, codes):
    assert TYPES[field["type"]].codebook(field) == codes
