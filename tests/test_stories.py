"""The change stories page and the most significant change panel's choices: roles, consent and the audit log."""

import html

import pytest
import sqlalchemy as sa
from team_stories import ANONYMOUS, EARLIER, NAMED, NAMES, PANEL_ONLY, SLUG, TEXTS, TITLES, seed_stories
from test_dashboards import login_as

from fvfield.extensions import db
from fvfield.models import AuditEvent, StorySelection

ROUND = "2026-Q4"
PAGE = f"/teams/{SLUG}/stories"
PRINTED = f"/teams/{SLUG}/stories/chosen?round={ROUND}"


@pytest.fixture
def told(app, client, auth, people):
    """The evaluation team and its stories; the coordinator logged in."""
    seed_stories(app, client, auth)
    return people


def choose(client, record_id, domain, reasons="It shows what the club is for."):
    """Post the panel's choice as the logged-in user."""
    return client.post(
        f"/teams/{SLUG}/stories/choose",
        data={"round": ROUND, "domain": domain, "record_id": record_id, "reasons": reasons},
    )


@pytest.mark.parametrize(
    "who, page, printed",
    [("coord", 200, 200), ("member", 200, 403), ("viewer", 200, 403), ("other", 404, 404)],
)
def test_stories_pages_for_every_role(told, client, auth, who, page, printed):
    login_as(auth, who)
    assert client.get(PAGE).status_code == page
    assert client.get(PRINTED).status_code == printed
    assert choose(client, ANONYMOUS, "wellbeing").status_code == (302 if who == "coord" else printed)


def test_logged_out_the_stories_ask_for_a_login(told, client, auth):
    auth.logout()
    for path in (PAGE, PRINTED):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_coordinators_read_every_story_and_only_consented_names(told, client):
    page = client.get(PAGE).get_data(as_text=True)
    for record_id in (NAMED, ANONYMOUS, PANEL_ONLY, EARLIER):
        assert TITLES[record_id] in page and TEXTS[record_id] in page
    assert NAMES[NAMED] in page
    assert "for the panel only" in page


def test_filters_by_round_and_domain(told, client):
    page = client.get(f"{PAGE}?round={ROUND}&domain=wellbeing").get_data(as_text=True)
    assert TITLES[NAMED] in page and TITLES[ANONYMOUS] in page
    assert TITLES[PANEL_ONLY] not in page and TITLES[EARLIER] not in page
    earlier = client.get(f"{PAGE}?round=2026-Q3").get_data(as_text=True)
    assert TITLES[EARLIER] in earlier and TITLES[NAMED] not in earlier
    # An unknown round or domain shows every story rather than an error.
    assert TITLES[EARLIER] in client.get(f"{PAGE}?round=nonsense&domain=nothing").get_data(as_text=True)


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_members_and_viewers_read_the_chosen_shared_stories_without_names(told, client, auth, who):
    assert choose(client, ANONYMOUS, "wellbeing", "Eating together changed her week.").status_code == 302
    assert choose(client, PANEL_ONLY, "relationships").status_code == 302
    login_as(auth, who)
    page = client.get(PAGE).get_data(as_text=True)
    assert TITLES[ANONYMOUS] in page and "Eating together changed her week." in page
    # Not chosen, or for the panel only: not shown; no one named; the counts suppressed.
    for record_id in (NAMED, PANEL_ONLY, EARLIER):
        assert TITLES[record_id] not in page and TEXTS[record_id] not in page
    for name in NAMES.values():
        assert name not in page
    assert "fewer than 5" in page
    assert 'action="/teams/hackney-stories/stories/choose"' not in page


def test_the_choice_is_recorded_replaced_and_audited(told, client, app):
    assert choose(client, NAMED, "wellbeing", "  Her own words.  ").status_code == 302
    assert choose(client, ANONYMOUS, "wellbeing", "The panel changed its mind.").status_code == 302
    with app.app_context():
        selection = db.session.scalar(sa.select(StorySelection))
        assert (selection.round, selection.domain, selection.record_id) == (ROUND, "wellbeing", ANONYMOUS)
        assert selection.reasons == "The panel changed its mind."
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == "story_chosen")).all()
        assert [e.detail for e in events] == [
            {"round": ROUND, "domain": "wellbeing", "record_id": NAMED},
            {"round": ROUND, "domain": "wellbeing", "record_id": ANONYMOUS, "replaced": NAMED},
        ]
        assert all(e.user_id for e in events)


@pytest.mark.parametrize(
    "record_id, domain, reasons, words",
    [
        (NAMED, "wellbeing", "   ", "Say why the panel chose this story"),
        ("", "wellbeing", "Because.", "Choose the story the panel chose."),
        (EARLIER, "independence", "Because.", "not one of this round's stories"),
        (PANEL_ONLY, "wellbeing", "Because.", "not one of this round's stories"),
        (NAMED, "wellbeing", "x" * 4001, "Field cannot be longer"),
    ],
)
def test_a_choice_that_cannot_be_is_refused_and_nothing_saved(
    told, client, app, record_id, domain, reasons, words
):
    answer = choose(client, record_id, domain, reasons)
    assert answer.status_code == 400
    assert words in html.unescape(answer.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StorySelection)) == 0


def test_the_printable_page_names_only_named_storytellers_and_leaves_out_the_panels(told, client):
    assert choose(client, NAMED, "wellbeing", "She is outside again.").status_code == 302
    assert choose(client, PANEL_ONLY, "relationships").status_code == 302
    page = client.get(PRINTED).get_data(as_text=True)
    assert TITLES[NAMED] in page and NAMES[NAMED] in page and "She is outside again." in page
    assert TITLES[PANEL_ONLY] not in page and TEXTS[PANEL_ONLY] not in page
    assert "1 chosen story is for the panel only" in page
    assert client.get(f"/teams/{SLUG}/stories/chosen?round=1999-Q1").status_code == 404
