"""Every coordinator page in the pseudo-languages: a plain English word left is a string never marked.

The pages are rendered with the Flask test client from a team with records,
subjects, a concern, a conflict, a form draft and an invite, in the
pseudo-language left to right (eo) and right to left (ar). Their text, the
words screen readers say (aria-label, title, placeholder, data-label) and the
page title must hold no plain English word (docs/languages.md).
"""

import re

import pytest
import sqlalchemy as sa
import team_data
from conftest import make_team, make_user
from test_languages import NOT_WORDS, VisibleText, english_words, html_language, pseudo_app  # noqa: F401

from fvfield.extensions import db
from fvfield.models import Document
from fvfield.sync.push import push_changes

CONCERN_FORM = {
    "id": "home-visit",
    "title": "Home visit",
    "subject_kind": "person",
    "fields": [
        {"name": "concern", "type": "boolean", "label": "Worried about anything?"},
        {"name": "concern_details", "type": "textarea", "label": "What worries you?"},
    ],
}
# The test's own data and names, which no catalogue translates: people, teams, forms, answers.
DATA_WORDS = {
    "Cora",
    "Coordinator",
    "Otto",
    "Other",
    "Vi",
    "Viewer",
    "Edna",
    "Frank",
    "Gone",
    "Away",
    "Ridley",
    "Market",
    "Check",
    "check",
    "Workshop",
    "feedback",
    "Feedback",
    "Home",
    "home",
    "visit",
    "Lovely",
    "thanks",
    "Zoë",
    "hello",
    "then",
    "slept",
    "made",
    "mistake",
    "Worried",
    "about",
    "anything",
    "What",
    "worries",
    "you",
    "Fell",
    "the",
    "kitchen",
    "Ann",
    "Raj",
    "Meal",
    "Shopping",
    "Company",
    "Good",
    "Low",
    "Day",
    "Mood",
    "was",
    "done",
    "Where",
    "Cups",
    "tea",
    "Weight",
    "All",
    "fine",
    "Ask",
    "gently",
    "Notes",
    "Photo",
    "How",
    "they",
    "seem",
    "well",
    "Rating",
    "Comment",
    "Stall",
    "goods",
    "Goods",
    "Secret",
    "SECRET",
    "Cake",
    "cake",
    "niece",
    "coord",
    "other",
    "viewer",
    "http",
    "https",
    "invite",
    "reset",
    "teams",
    "jpeg",
    "JPEG",
    "XLSForm",
    "CSV",
    "csv",
    "UUID",
    "sha",
    "Room",
    "room",
    "Contacts",
    "Keysafe",
    "pitch",
    # Its forms' question names, and their answers.
    "cups",
    "intro",
    "mood",
    "notes",
    "okay",
    "person",
    "photo",
    "tasks",
    "weight",
    "where",
    "comment",
    "rating",
    "said",
    # The built-in forms' titles: a form's own words show as written (docs/languages.md).
    "Footfall",
    "count",
    "Pitch",
    "survey",
    "Change",
    "story",
    "Wellbeing",
    # The columns and values of a pitch CSV file, typed as they are.
    "reference",
    "unit_type",
    "lat",
    "lon",
    "stall",
    "kiosk",
    "shop",
    "Shop",
    # The other team's data, which the test checks never shows (team_data.SECRET).
    "OTHER",
    "TEAM",
    # The pseudo-language in Esperanto's slot writes November as "Nov"; the Arabic one names months in Arabic.
    "Nov",
    # A question's hint shows an expression's example: ${age} and ${help} are question names.
    "age",
    "help",
}
ALLOWED = NOT_WORDS | DATA_WORDS | {"Werkzeug", "werkzeug"}
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def pages_words(page):
    """Return the plain English words of a page, its <title> and the table labels included."""
    words = english_words(page, ALLOWED)
    title = TITLE.search(page)
    if title:
        words += sorted(set(re.findall(r"\b[A-Za-z]{3,}\b", title[1])) - ALLOWED)
    labels = re.findall(r'data-label="([^"]*)"', page)
    words += sorted(set(re.findall(r"\b[A-Za-z]{3,}\b", " ".join(labels))) - ALLOWED)
    return sorted(set(words))


@pytest.fixture
def team_pages(pseudo_app):
    """A care circle with every kind of page to show, and a market team with a market."""
    app = pseudo_app
    with app.app_context():
        coord = make_user("coord@example.org", "Cora Coordinator")
        member = make_user("member@example.org", "Mo Member")
        viewer = make_user("viewer@example.org", "Vi Viewer")
        other = make_user("other@example.org", "Otto Other")
        make_team("clapton-circle", members=[(coord, "coordinator"), (member, "member"), (viewer, "viewer")])
        make_team("ridley-market", kind="market-survey", members=[(other, "coordinator")])
    seeded = team_data.seed(app)
    with app.app_context():
        circle = team_data.team("clapton-circle")
        team_data.publish(circle, CONCERN_FORM)
        worry = team_data.record("home-visit", 1, {"concern": True, "concern_details": "Fell"}, seeded.edna)
        team_data.push(circle, "member@example.org", "member", worry)
        # Two phones change the same answer from the same rev: the second is kept as a conflict.
        rev = db.session.scalar(sa.select(Document.rev).where(Document.id == seeded.sparse))
        statuses = []
        member_id = team_data.user_id(app, "member@example.org")
        for cups in (5, 7):
            change = team_data.record(
                "check-in",
                1,
                {**seeded.sparse_data, "cups": cups},
                seeded.frank,
                id=seeded.sparse,
                base_rev=rev,
            )
            device = "5b1f0c4e-9d2a-4c3b-8e7f-11223344556" + str(cups)
            results, _cursor = push_changes(circle.id, member_id, "member", device, [change])
            statuses += [result["status"] for result in results]
        assert statuses == ["applied", "conflict"]
        market = team_data.team("ridley-market")
        stand = team_data.subject("Cake Market", {}, kind="market")
        team_data.push(market, "other@example.org", "coordinator", stand)
    seeded.market = stand["id"]
    return seeded


def coordinator_pages(seeded):
    """Return the coordinator pages of clapton-circle to read."""
    team = "/teams/clapton-circle"
    return [
        team,
        f"{team}/records",
        f"{team}/records?form=check-in&flag=concern",
        f"{team}/records/{seeded.first}",
        f"{team}/records/{seeded.sparse}",
        f"{team}/records/{seeded.doomed}",
        f"{team}/records/{seeded.first}/correct",
        f"{team}/records/{seeded.first}/erase",
        f"{team}/concerns",
        f"{team}/conflicts",
        f"{team}/conflicts/records/{seeded.sparse}",
        f"{team}/subjects",
        f"{team}/subjects/{seeded.edna}",
        f"{team}/subjects/{seeded.edna}/edit",
        f"{team}/subjects/{seeded.edna}/erase",
        f"{team}/subjects/new/person",
        f"{team}/forms",
        f"{team}/forms/new",
        f"{team}/forms/import",
        f"{team}/forms/check-in",
        f"{team}/forms/check-in/versions/1",
        f"{team}/forms/check-in/versions/2/preview",
        f"{team}/forms/feedback/draft",
        f"{team}/forms/feedback/draft/questions/rating",
        f"{team}/forms/feedback/draft/preview",
        f"{team}/phones",
        f"{team}/audit",
        "/new-team",
    ]


@pytest.mark.parametrize("code, direction", [("eo", "ltr"), ("ar", "rtl")])
def test_no_coordinator_page_shows_a_string_missing_from_the_catalogue(
    pseudo_app, team_pages, code, direction
):
    client = pseudo_app.test_client()
    headers = {"Accept-Language": code}
    client.post("/login", data={"email": "coord@example.org", "password": "correct horse battery"})
    # A draft to edit, and an invite link on the team page.
    assert client.post("/teams/clapton-circle/forms/feedback/draft", headers=headers).status_code in (
        302,
        303,
    )
    invited = client.post(
        "/teams/clapton-circle/invites", data={"role": "member", "note": "niece"}, headers=headers
    )
    assert invited.status_code in (200, 302)
    found = {}
    for path in coordinator_pages(team_pages):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        page = response.text
        assert html_language(page) == (code, direction), path
        if words := pages_words(page):
            found[path] = words
    # The market team's pages, as its coordinator.
    other = pseudo_app.test_client()
    other.post("/login", data={"email": "other@example.org", "password": "correct horse battery"})
    market = f"/teams/ridley-market/subjects/{team_pages.market}"
    for path in [
        market,
        f"{market}/pitches/new",
        f"{market}/pitches/import",
        "/teams/ridley-market/subjects",
    ]:
        response = other.get(path, headers=headers)
        assert response.status_code == 200, path
        if words := pages_words(response.text):
            found[path] = words
    assert found == {}, "\n".join(f"{path}: {' '.join(words)}" for path, words in found.items())


def test_a_form_error_and_a_flash_are_in_the_language(pseudo_app, team_pages):
    """Validation messages and flashes come from the catalogue too."""
    client = pseudo_app.test_client()
    headers = {"Accept-Language": "eo"}
    client.post("/login", data={"email": "coord@example.org", "password": "correct horse battery"})
    refused = client.post("/teams/clapton-circle/subjects/new/person", data={"label": ""}, headers=headers)
    assert pages_words(refused.text) == []
    saved = client.post(
        "/teams/clapton-circle/subjects/new/person",
        data={"label": "Edna"},
        headers=headers,
        follow_redirects=True,
    )
    assert saved.status_code == 200
    assert pages_words(saved.text) == []
