"""What the store works out of a record when it writes it: its day, an odd clock, a concern."""

from datetime import UTC, datetime

import pytest

from fvfield.sync.facets import asks_concern, day_of, facets

RECEIVED = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ASKS = {"fields": [{"name": "concern", "type": "boolean", "label": "Anything to raise?"}]}


@pytest.mark.parametrize(
    "recorded_at, expected",
    [
        ("2026-11-24T23:30:00-05:00", ("2026-11-24", False)),
        ("2026-11-26T11:59:00+00:00", ("2026-11-26", False)),
        ("2000-01-01T00:00:00+00:00", ("2000-01-01", False)),
        ("1999-12-31T23:59:59+00:00", ("2026-11-25", True)),
        ("1970-01-01T00:00:00+00:00", ("2026-11-25", True)),
        ("9999-12-31T10:00:00+00:00", ("2026-11-25", True)),
        ("2026-11-26T12:01:00+00:00", ("2026-11-25", True)),
        ("2026-11-24T09:00:00", ("2026-11-25", True)),
        ("yesterday", ("2026-11-25", True)),
        (None, ("2026-11-25", True)),
    ],
)
def test_a_record_counts_on_its_phone_day_unless_the_clock_is_absurd(recorded_at, expected):
    assert day_of(recorded_at, RECEIVED) == expected


def record(data, deleted=False, form_version=1):
    """Return a record's state as the store holds it."""
    return {
        "collection": "records",
        "form": "visit",
        "form_version": form_version,
        "recorded_at": "2026-11-24T09:00:00+00:00",
        "deleted": deleted,
        "data": data,
    }


def test_a_concern_is_a_yes_to_a_version_that_asks_it():
    asking = {("visit", 1)}
    assert facets(record({"concern": True}), RECEIVED, asking) == ("2026-11-24", False, True)
    assert facets(record({"concern": False}), RECEIVED, asking)[2] is False
    assert facets(record({"concern": "yes"}), RECEIVED, asking)[2] is False
    assert facets(record({"concern": True}, deleted=True), RECEIVED, asking)[2] is False
    assert facets(record({"concern": True}, form_version=2), RECEIVED, asking)[2] is False
    assert facets({"collection": "subjects", "data": {"concern": True}}, RECEIVED, asking) == (
        None,
        False,
        False,
    )


def test_only_a_yes_or_no_question_named_concern_asks_one():
    assert asks_concern(ASKS)
    assert not asks_concern({"fields": [{"name": "concern", "type": "text", "label": "Concern"}]})
    assert not asks_concern({"fields": []})
    assert not asks_concern(None)
