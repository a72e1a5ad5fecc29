"""Bounded inputs: a subject's data has limits of size, depth and NUL, like answers (issue 12)."""

import pytest


def nested(depth):
    """Return an object nested `depth` levels deep."""
    value = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    "data, words",
    [
        ({"notes": "x" * 4_000_000}, "at most"),
        ({f"k{n}": "y" * 4000 for n in range(10)}, "in all"),
        (nested(250), "deeper"),
        (nested(7), "deeper"),
        ({"room": "3B\x00"}, "NUL"),
        ({"ro\x00om": "3B"}, "NUL"),
        ({"contacts": [{"name": "Ann\x00"}]}, "NUL"),
    ],
    ids=["4MB", "too-much-in-all", "250-deep", "7-deep", "nul-value", "nul-key", "nul-in-a-list"],
)
def test_subject_data_beyond_the_limits_is_rejected_with_a_reason(auth, sync, data, words):
    auth.login()
    [result] = sync.results(sync.subject(data=data))
    assert result["status"] == "rejected"
    assert words in " ".join(result["errors"]["data"])


def test_a_nul_in_a_subject_label_is_rejected(auth, sync):
    auth.login()
    [result] = sync.results(sync.subject(label="Ed\x00na"))
    assert result["status"] == "rejected"
    assert "NUL" in " ".join(result["errors"]["label"])


def test_subject_data_within_the_limits_is_kept(auth, sync):
    auth.login()
    data = {
        "room": "3B",
        "contacts": [{"name": "Ann", "phone": "0207"}],
        "keysafe": True,
        "notes": "n" * 4000,
    }
    [result] = sync.results(sync.subject(data={**data, "deep": nested(5)}))
    assert result["status"] == "applied"
