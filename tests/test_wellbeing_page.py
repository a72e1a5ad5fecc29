"""Wellbeing over time: the group's means with their ONS bands, each person's for coordinators, none named to others.

The records are those of tests/dashboard_data.py (the seeded fixture of
test_dashboards.py): Ada's checks in October and November, Ben's in November.
"""

import pytest
from dashboard_data import ADA, BEN, record
from test_dashboards import login_as, push_all, seeded  # noqa: F401  (seeded is a fixture)
from test_shared_results import cells, set_threshold

from fvfield.reports import wellbeing

PAGE = "/teams/clapton-circle/wellbeing?period=all"


def section(page, heading):
    """Return the part of the page from the heading `heading` on."""
    return page[page.index(f">{heading}</h") :]


@pytest.mark.parametrize(
    "value, band, anxiety_band",
    [(0, "low", "very low"), (4.99, "low", "medium"), (3.5, "low", "low"), (5, "medium", "medium"),
     (6.5, "medium", "high"), (7, "high", "high"), (9, "very high", "high"),
     (10, "very high", "high"), (1.5, "low", "very low")],
)  # fmt: skip
def test_the_ons_bands(value, band, anxiety_band):
    assert wellbeing.band_of("life_satisfaction", value) == band
    assert wellbeing.band_of("anxious_yesterday", value) == anxiety_band
    assert wellbeing.band_of("worthwhile", None) == ""


def test_coordinators_read_the_group_with_bands_and_each_person(seeded, client, auth):  # noqa: F811
    login_as(auth, "coord")
    page = client.get(PAGE).get_data(as_text=True)
    means = cells(page, "Wellbeing over time (ONS, 0 to 10)")
    # Each mean with its ONS band: Ada's October alone, then Ada and Ben in November.
    assert means == [
        ["2026-10", "6 medium", "7 high", "5 medium", "3 low", "1"],
        ["2026-11", "7 high", "8 high", "6 medium", "3 low", "2"],
    ]
    assert cells(page, "Anxiety by ONS band") == [["Anxious yesterday", "0", "2", "1", "0"]]
    assert cells(page, "Life satisfaction, worthwhile and happiness by ONS band")[0] == [
        "Life satisfaction", "0", "2", "1", "0"
    ]  # fmt: skip
    assert f'<option value="{ADA}"' in page and f'<option value="{BEN}"' in page
    theirs = client.get(f"{PAGE}&person={BEN}").get_data(as_text=True)
    assert cells(theirs, "Ben Okafor: Wellbeing over time (ONS, 0 to 10)") == [
        ["2026-11", "6 medium", "–", "5 medium", "4 medium", "1"]
    ]
    assert cells(theirs, "Ben Okafor: Anxiety by ONS band") == [["Anxious yesterday", "0", "0", "1", "0"]]
    # The group follows the person's.
    assert cells(section(theirs, "The group"), "Wellbeing over time (ONS, 0 to 10)") == means
    # A person not of this team's checks is no one: the group only.
    assert "The group only" in client.get(f"{PAGE}&person=nobody").get_data(as_text=True)


def test_a_proxys_answers_count_nowhere(seeded, client, auth):  # noqa: F811
    login_as(auth, "coord")
    proxy = {"answered_by": "proxy", "life_satisfaction": 0, "worthwhile": 0, "happy_yesterday": 0}
    push_all(
        client, "clapton-circle", [record("wellbeing-check", 1, BEN, "2026-11-21T10:00:00+00:00", proxy)]
    )
    page = client.get(f"{PAGE}&person={BEN}").get_data(as_text=True)
    assert "Ben Okafor (1 check)" in page
    assert cells(page, "Ben Okafor: Life satisfaction, worthwhile and happiness by ONS band")[0] == [
        "Life satisfaction", "0", "1", "0", "0"
    ]  # fmt: skip


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_members_and_viewers_read_the_group_only_with_small_numbers_suppressed(
    seeded,  # noqa: F811
    client,
    auth,
    who,
):
    login_as(auth, "coord")
    assert set_threshold(client, "clapton-circle", 2).status_code == 302
    login_as(auth, who)
    page = client.get(f"{PAGE}&person={ADA}").get_data(as_text=True)
    for name in ("Ada Brown", "Ben Okafor", ADA):
        assert name not in page
    assert "Person" not in page
    assert cells(page, "Wellbeing over time (ONS, 0 to 10)") == [
        ["2026-10", "fewer than 2", "fewer than 2", "fewer than 2", "fewer than 2", "fewer than 2"],
        ["2026-11", "7 high", "8 high", "6 medium", "3 low", "2"],
    ]
    assert cells(page, "Anxiety by ONS band") == [["Anxious yesterday", "0", "2", "fewer than 2", "0"]]


@pytest.mark.parametrize("who, status", [("coord", 200), ("member", 200), ("viewer", 200), ("other", 404)])
def test_who_reads_the_wellbeing_page(seeded, client, auth, who, status):  # noqa: F811
    login_as(auth, who)
    assert client.get(PAGE).status_code == status


def test_logged_out_people_are_sent_to_log_in(client, people):
    answer = client.get(PAGE)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_the_results_menu_offers_the_wellbeing_page(seeded, client, auth):  # noqa: F811
    login_as(auth, "viewer")
    page = client.get("/teams/clapton-circle/dashboard").get_data(as_text=True)
    assert 'href="/teams/clapton-circle/wellbeing"' in page
