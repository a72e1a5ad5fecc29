"""The form editor: coordinators change a form's draft, preview it as the phone renders it, publish it.

Published versions reach phones through the real pull; records keep the
version they were made with; a broken draft is refused with messages that
name its questions, and nothing is published.
"""

import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, VISIT_FORM

from fvfield import create_app
from fvfield.extensions import db
from fvfield.models import AuditEvent, FormDraft, FormVersion

FORMS = "/teams/clapton-circle/forms"
VISIT = f"{FORMS}/visit"
DRAFT = f"{VISIT}/draft"
ROLES = [("coord", 200), ("member", 403), ("viewer", 403), ("other", 404)]


def login_as(auth, who):
    """Log the test client in as coord, member, viewer or other (all @example.org)."""
    auth.logout()
    assert auth.login(email=f"{who}@example.org").status_code == 302


def page_text(response):
    """Return a page's visible text, tags removed and spaces squeezed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def draft_row(app, form_id="visit"):
    """Return (rev, definition) of the draft of a form in clapton-circle, or None."""
    with app.app_context():
        draft = db.session.scalar(sa.select(FormDraft).where(FormDraft.form_id == form_id))
        return (draft.rev, draft.definition) if draft else None


def versions_of(app, form_id="visit"):
    """Return the published version numbers of a form of clapton-circle."""
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(FormVersion.version)
                .where(FormVersion.form_id == form_id)
                .order_by(FormVersion.version)
            )
        )


def start_draft(client, app, form_id="visit"):
    """Start the draft of a form's next version; return its rev."""
    response = client.post(f"{FORMS}/{form_id}/draft")
    assert response.status_code == 303
    return draft_row(app, form_id)[0]


def question_data(definition, question_name, **changes):
    """Return the question page's fields for a question as it is, with `changes`."""
    question = next(f for f in definition["fields"] if f["name"] == question_name)
    data = {
        "label": question["label"],
        "hint": question.get("hint", ""),
        "kind": question["type"],
        "low": str(question.get("min", "")),
        "high": str(question.get("max", "")),
        "max_length": str(question.get("max_length", "")),
        "show_if_field": "",
    }
    if question.get("required"):
        data["required"] = "y"
    for number, choice in enumerate(question.get("choices", [])):
        data[f"choices-{number}-value"] = choice["value"]
        data[f"choices-{number}-label"] = choice["label"]
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def save_question(client, app, question, form_id="visit", **changes):
    """Post the page of the question named `question` with `changes`; return the response."""
    rev, definition = draft_row(app, form_id)
    data = question_data(definition, question, rev=str(rev), **changes)
    return client.post(f"{FORMS}/{form_id}/draft/questions/{question}", data=data)


def publish(client, app, form_id="visit"):
    """Press "Publish"; return the response."""
    rev, _ = draft_row(app, form_id)
    return client.post(f"{FORMS}/{form_id}/draft/publish", data={"rev": str(rev)})


def pulled_form(sync, form_id="visit"):
    """Return a form document as a phone's full pull receives it."""
    documents, _ = sync.pull_all()
    return next(d for d in documents if d["collection"] == "forms" and d["id"] == form_id)


@pytest.fixture
def editing(sync, client, auth, app):
    """The VISIT_FORM published in clapton-circle, its coordinator logged in, a draft of version 2 started."""
    auth.login()
    start_draft(client, app)
    return sync


PAGES = [
    FORMS,
    f"{FORMS}/new",
    VISIT,
    f"{VISIT}/versions/1",
    f"{VISIT}/versions/1/preview",
    DRAFT,
    f"{DRAFT}/questions/mood",
    f"{DRAFT}/preview",
]
ACTIONS = [
    (f"{FORMS}/new", {"source": "template:home-visit", "title": "Visit two", "form_id": "visit-two"}),
    (DRAFT, {}),
    (f"{DRAFT}/title", {"title": "Renamed"}),
    (f"{DRAFT}/questions", {"label": "Weather", "kind": "text"}),
    (f"{DRAFT}/questions/mood", {"label": "Renamed", "kind": "text"}),
    (f"{DRAFT}/questions/mood/move", {"direction": "up"}),
    (f"{DRAFT}/questions/mood/remove", {"confirmed": "yes"}),
    (f"{DRAFT}/publish", {}),
    (f"{DRAFT}/discard", {}),
]


@pytest.mark.parametrize("who, status", ROLES)
def test_form_editor_pages_for_every_role(editing, client, auth, who, status):
    login_as(auth, who)
    assert {path: client.get(path).status_code for path in PAGES} == dict.fromkeys(PAGES, status)


@pytest.mark.parametrize("who, status", [("member", 403), ("viewer", 403), ("other", 404)])
def test_form_editor_changes_only_by_the_teams_coordinators(editing, client, auth, app, who, status):
    rev, before = draft_row(app)
    login_as(auth, who)
    answers = {path: client.post(path, data={"rev": str(rev), **data}).status_code for path, data in ACTIONS}
    assert answers == {path: status for path, _ in ACTIONS}
    assert draft_row(app) == (rev, before)
    assert versions_of(app) == [1]
    assert versions_of(app, "visit-two") == []


def test_form_editor_lists_forms_with_version_and_records(sync, client, auth):
    auth.login()
    sync.results(sync.record(), sync.record(), sync.record(deleted=True))
    text = page_text(client.get(FORMS))
    assert "Visit visit Version 1" in text
    row = re.search(r"Visit visit Version 1 since [^ ]+ [^ ]+ [^ ]+ (\d+)", text)
    assert row and row.group(1) == "2"


@pytest.mark.both_stores
def test_form_editor_publishes_a_version_that_reaches_a_pull(editing, client, app):
    response = save_question(
        client,
        app,
        "mood",
        label="How do they seem?",
        hint="In a word.",
        **{"choices-0-label": "Cheerful", "choices-1-remove": "y", "choices-2-label": "Tired"},
    )
    assert response.status_code == 303
    assert save_question(client, app, "cups", low="1", high="12", required="y").status_code == 303
    response = publish(client, app)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(VISIT)
    assert versions_of(app) == [1, 2]
    assert draft_row(app) is None

    form = pulled_form(editing)
    assert form["versions"] == [1, 2]
    assert form["data"]["version"] == 2
    mood = next(f for f in form["data"]["fields"] if f["name"] == "mood")
    assert mood == {
        "name": "mood",
        "type": "choice",
        "label": "How do they seem?",
        "hint": "In a word.",
        "choices": [{"value": "good", "label": "Cheerful"}, {"value": "tired", "label": "Tired"}],
    }
    cups = next(f for f in form["data"]["fields"] if f["name"] == "cups")
    assert (cups["min"], cups["max"], cups["required"]) == (1, 12, True)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.event == "form_published"))
        assert event.detail == {"form": "visit", "version": 2}


def test_form_editor_version_list_says_what_changed(editing, client, app):
    save_question(client, app, "mood", **{"choices-2-label": "Tired"})
    save_question(client, app, "notes", label="Anything else")
    client.post(f"{DRAFT}/questions/photo/remove", data={"rev": str(draft_row(app)[0]), "confirmed": "yes"})
    publish(client, app)
    text = page_text(client.get(VISIT))
    for sentence in (
        "Added choice 'Tired' to 'Mood'",
        "Reworded 'Notes' to 'Anything else'",
        "Removed question 'Photo'",
    ):
        assert sentence in text
    assert "Version 2 Current" in text
    assert "by Cora Coordinator" in text
    assert "The first version, 'Visit'." in text


def test_form_editor_shows_pending_changes_on_the_draft(editing, client, app):
    save_question(client, app, "time_in", required=None)
    text = page_text(client.get(DRAFT))
    assert "Made 'Time in' optional" in text
    assert "Publish as version 2" in text


@pytest.mark.both_stores
def test_form_editor_keeps_records_with_their_version(editing, client, app):
    old = editing.record(data={"time_in": "09:30", "notes": "before the change"})
    assert editing.results(old)[0]["status"] == "applied"
    client.post(f"{DRAFT}/questions/notes/remove", data={"rev": str(draft_row(app)[0]), "confirmed": "yes"})
    client.post(
        f"{DRAFT}/questions", data={"rev": str(draft_row(app)[0]), "label": "Weather", "kind": "text"}
    )
    assert publish(client, app).status_code == 303

    documents, _ = editing.pull_all()
    record = next(d for d in documents if d["id"] == old["id"])
    assert (record["form_version"], record["data"]) == (1, {"time_in": "09:30", "notes": "before the change"})
    late_v1 = editing.record(data={"time_in": "10:00", "notes": "made offline on version 1"})
    v2 = editing.record(form_version=2, data={"time_in": "11:00", "weather": "Rain"})
    v2_with_old_question = editing.record(form_version=2, data={"time_in": "11:00", "notes": "gone"})
    results = editing.results(late_v1, v2, v2_with_old_question)
    assert [r["status"] for r in results] == ["applied", "applied", "rejected"], results
    assert "notes" in results[2]["errors"]
    documents, _ = editing.pull_all()
    versions = {d["id"]: d["form_version"] for d in documents if d["collection"] == "records"}
    assert (versions[old["id"]], versions[late_v1["id"]], versions[v2["id"]]) == (1, 1, 2)
    assert "1 record made with it" in page_text(client.get(VISIT))


@pytest.mark.both_stores
def test_form_editor_refuses_a_broken_definition_naming_the_question(editing, client, app):
    assert save_question(client, app, "cups", low="20", high="5").status_code == 303
    draft_page = page_text(client.get(DRAFT))
    assert "1 problem to fix before you can publish" in draft_page
    assert "'Cups of tea' (cups): min (20) is more than max (5)." in draft_page

    response = publish(client, app)
    assert response.status_code == 400
    text = page_text(response)
    assert "Nothing was published: fix the problems below first." in text
    assert "Question 4 : 'Cups of tea' (cups): min (20) is more than max (5)." in text
    assert versions_of(app) == [1]
    assert pulled_form(editing)["versions"] == [1]
    assert draft_row(app) is not None


def test_form_editor_refuses_a_rule_on_a_later_question(editing, client, app):
    response = save_question(client, app, "cups", show_if_field="mood", show_if_chosen='mood="low"')
    assert response.status_code == 303
    assert draft_row(app)[1]["fields"][3]["show_if"] == {"field": "mood", "equals": "low"}
    client.post(f"{DRAFT}/questions/cups/move", data={"rev": str(draft_row(app)[0]), "direction": "up"})
    assert [f["name"] for f in draft_row(app)[1]["fields"]][2:4] == ["cups", "mood"]
    response = publish(client, app)
    assert response.status_code == 400
    assert (
        "'Cups of tea' (cups): show_if depends on 'mood', which comes later; "
        "a question can only depend on one before it."
    ) in page_text(response)
    assert versions_of(app) == [1]


def test_form_editor_publishes_a_rule_and_says_it(editing, client, app):
    save_question(client, app, "cups", show_if_field="mood", show_if_chosen=['mood="good"', 'mood="low"'])
    save_question(client, app, "photo", show_if_field="cups", show_if_typed="3\n4")
    assert publish(client, app).status_code == 303
    fields = {f["name"]: f for f in pulled_form(editing)["data"]["fields"]}
    assert fields["cups"]["show_if"] == {"field": "mood", "in": ["good", "low"]}
    assert fields["photo"]["show_if"] == {"field": "cups", "in": [3, 4]}
    text = page_text(client.get(VISIT))
    assert "'Cups of tea' is now asked only when 'Mood' is 'Good' or 'Low'" in text


@pytest.mark.parametrize(
    "name, changes, message",
    [
        ("cups", {"low": "a few"}, "Enter a whole number, such as 0 or 10."),
        ("cups", {"kind": "scale", "low": "", "high": "5"}, "A scale needs its smallest and largest number."),
        (
            "mood",
            {"choices-0-label": "", "choices-1-label": ""},
            "Give the choice 'good' a label, or tick Remove.",
        ),
        ("mood", {"choices-0-remove": "y", "choices-1-remove": "y"}, "Add at least one choice"),
        (
            "mood",
            {"choices-2-label": "Good again", "choices-2-value": "good"},
            "Another choice has the value 'good'",
        ),
        ("notes", {"label": ""}, "Write the question as people will read it."),
        ("cups", {"show_if_field": "mood"}, "Choose which answers to 'Mood' show this question."),
        ("photo", {"show_if_field": "cups", "show_if_typed": "two"}, "'two': Enter a whole number"),
        ("photo", {"show_if_field": "photo"}, "Not a valid choice"),
        (
            "cups",
            {"show_if_field": "mood", "show_if_chosen": 'mood="low"', "relevant": "${mood} = 'low'"},
            "Use the choice above or a condition, not both",
        ),
        ("cups", {"kind": "calculate", "calculation": ""}, "A calculated question needs its calculation"),
    ],
)
def test_form_editor_question_page_refuses_what_it_cannot_read(editing, client, app, name, changes, message):
    before = draft_row(app)
    response = save_question(client, app, name, **changes)
    assert response.status_code == 400
    assert message in page_text(response)
    assert draft_row(app) == before


def test_form_editor_names_new_questions_and_their_choices(editing, client, app):
    response = client.post(
        f"{DRAFT}/questions",
        data={
            "rev": str(draft_row(app)[0]),
            "label": "Which room?",
            "kind": "choice",
            "position": "after:time_in",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{DRAFT}/questions/which_room")
    fields = draft_row(app)[1]["fields"]
    assert [f["name"] for f in fields][:2] == ["time_in", "which_room"]
    response = save_question(
        client,
        app,
        "which_room",
        name="room",
        **{"choices-0-label": "Living room", "choices-1-label": "Kitchen"},
    )
    assert response.status_code == 303
    room = draft_row(app)[1]["fields"][1]
    assert room == {
        "name": "room",
        "type": "choice",
        "label": "Which room?",
        "choices": [
            {"value": "living_room", "label": "Living room"},
            {"value": "kitchen", "label": "Kitchen"},
        ],
    }


def test_form_editor_keeps_published_names(editing, client, app):
    response = save_question(client, app, "mood", name="feeling")
    assert response.status_code == 303
    assert [f["name"] for f in draft_row(app)[1]["fields"]][2] == "mood"
    assert "It stays the same now that a version with this question is published" in page_text(
        client.get(f"{DRAFT}/questions/mood")
    )


def test_form_editor_scale_words(editing, client, app):
    save_question(client, app, "cups", kind="scale", low="1", high="3")
    assert draft_row(app)[1]["fields"][3] == {
        "name": "cups",
        "type": "scale",
        "label": "Cups of tea",
        "min": 1,
        "max": 3,
    }
    page = client.get(f"{DRAFT}/questions/cups").get_data(as_text=True)
    assert page.count('name="scale_labels-') == 3
    save_question(
        client,
        app,
        "cups",
        scale_points="1,2,3",
        **{"scale_labels-0": "None", "scale_labels-1": "", "scale_labels-2": "Lots"},
    )
    assert draft_row(app)[1]["fields"][3]["labels"] == {"1": "None", "3": "Lots"}
    save_question(
        client,
        app,
        "cups",
        scale_points="1,2,3",
        **{"scale_labels-0": "None", "scale_labels-1": "Some", "scale_labels-2": "Lots"},
    )
    assert draft_row(app)[1]["fields"][3]["labels"] == ["None", "Some", "Lots"]


def test_form_editor_asks_before_removing_a_question(editing, client, app):
    rev, before = draft_row(app)
    asked = client.post(f"{DRAFT}/questions/notes/remove", data={"rev": str(rev)})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Remove the question &#39;Notes&#39;?" in page or "Remove the question 'Notes'?" in page
    assert 'name="confirmed" value="yes"' in page and f'name="rev" value="{rev}"' in page
    assert 'name="csrf_token"' in page or "csrf_field" not in page
    assert f'href="{DRAFT}#q-notes"' in page and "No, go back" in page
    # Nothing changed until confirmed.
    assert draft_row(app) == (rev, before)
    # Going back is a link to the draft; the draft still has the question.
    assert "Notes" in page_text(client.get(DRAFT))
    # A stale page is refused before asking.
    client.post(f"{DRAFT}/questions/cups/move", data={"rev": str(rev), "direction": "up"})
    stale = client.post(f"{DRAFT}/questions/notes/remove", data={"rev": str(rev)}, follow_redirects=True)
    assert "nothing was saved" in page_text(stale)


def test_form_editor_moves_and_removes_questions(editing, client, app):
    client.post(f"{DRAFT}/questions/cups/move", data={"rev": str(draft_row(app)[0]), "direction": "up"})
    response = client.post(
        f"{DRAFT}/questions/notes/remove", data={"rev": str(draft_row(app)[0]), "confirmed": "yes"}
    )
    assert response.status_code == 303
    assert [f["name"] for f in draft_row(app)[1]["fields"]] == ["time_in", "cups", "mood", "photo"]
    text = page_text(client.get(DRAFT))
    assert "Reordered the questions" in text
    assert "Removed question 'Notes'" in text


def test_form_editor_refuses_an_edit_made_on_an_old_page(editing, client, app):
    rev, _ = draft_row(app)
    client.post(f"{DRAFT}/title", data={"rev": str(rev), "title": "Home visit", "subject_kind": "person"})
    response = client.post(
        f"{DRAFT}/title",
        data={"rev": str(rev), "title": "Visits", "subject_kind": "person"},
        follow_redirects=True,
    )
    assert "Someone else changed this draft since you opened the page, so nothing was saved." in page_text(
        response
    )
    assert draft_row(app)[1]["title"] == "Home visit"
    response = client.post(f"{DRAFT}/publish", data={"rev": str(rev)})
    assert response.status_code == 303
    assert versions_of(app) == [1]


def test_form_editor_discards_a_draft(editing, client, app):
    response = client.post(f"{DRAFT}/discard", data={"rev": str(draft_row(app)[0]), "confirmed": "yes"})
    assert response.status_code == 303
    assert draft_row(app) is None
    assert versions_of(app) == [1]
    assert client.get(DRAFT).status_code == 303


@pytest.mark.parametrize(
    "source, expected_fields",
    [
        ("template:wellbeing-check", 11),
        ("form:visit", len(VISIT_FORM["fields"])),
    ],
)
def test_form_editor_starts_a_new_form(sync, client, auth, app, source, expected_fields):
    auth.login()
    response = client.post(f"{FORMS}/new", data={"source": source, "title": "Check in", "form_id": ""})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{FORMS}/check-in/draft")
    _, definition = draft_row(app, "check-in")
    assert (definition["id"], definition["title"], definition["version"]) == ("check-in", "Check in", 1)
    assert len(definition["fields"]) == expected_fields
    assert "Not published yet" in page_text(client.get(FORMS))
    assert publish(client, app, "check-in").status_code == 303
    form = pulled_form(sync, "check-in")
    assert (form["versions"], form["data"]["title"]) == ([1], "Check in")


@pytest.mark.parametrize(
    "form_id, message",
    [
        ("visit", "The team already has a form 'visit'; choose another id."),
        ("new", "'new' is a word the pages use; choose another id."),
        ("Not An Id", "Use lower-case letters, digits and dashes"),
    ],
)
def test_form_editor_refuses_a_new_form_id_taken_or_malformed(sync, client, auth, app, form_id, message):
    auth.login()
    response = client.post(
        f"{FORMS}/new", data={"source": "template:home-visit", "title": "X", "form_id": form_id}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FormDraft)) == 0


class Scripts(HTMLParser):
    """Collect the page's <script> elements: their attributes and text."""

    def __init__(self):
        super().__init__()
        self.scripts, self.inside = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.inside = {"attrs": dict(attrs), "text": ""}
            self.scripts.append(self.inside)

    def handle_data(self, data):
        if self.inside is not None:
            self.inside["text"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self.inside = None


def test_form_editor_preview_gives_the_phones_renderer_the_draft_as_data(editing, client, app):
    save_question(client, app, "notes", label="What they said </script><script>alert(1)</script>")
    response = client.get(f"{DRAFT}/preview")
    assert response.status_code == 200
    parser = Scripts()
    parser.feed(response.get_data(as_text=True))
    data = [s for s in parser.scripts if s["attrs"].get("type") == "application/json"]
    modules = [s for s in parser.scripts if s["attrs"].get("type") == "module"]
    assert len(data) == 1 and json.loads(data[0]["text"]) == draft_row(app)[1]
    assert [m["attrs"]["src"] for m in modules] == ["/static/js/form-preview.js"]
    assert all(not s["text"].strip() for s in modules)
    assert len(parser.scripts) == 2
    body = response.get_data(as_text=True)
    for sheet in ("css/app.css", "css/app-shell.css", "css/field.css"):
        assert f"/static/{sheet}" in body
    preview_module = client.get("/static/js/form-preview.js").get_data(as_text=True)
    assert 'from "./form/render.js"' in preview_module


def test_form_editor_version_page_reads_an_old_version(editing, client, app):
    save_question(client, app, "mood", label="Spirits")
    publish(client, app)
    client.get(VISIT)
    text = page_text(client.get(f"{VISIT}/versions/1"))
    assert "Visit, version 1" in text
    assert "Mood mood One choice from a list Choices: Good; Low" in text
    assert "Spirits" not in text
    assert "'Mood' to 'Spirits'" in page_text(client.get(f"{VISIT}/versions/2"))
    assert client.get(f"{VISIT}/versions/3").status_code == 404


@pytest.fixture
def csrf_client(tmp_path, people, app):
    """A client of the same instance with CSRF protection on, as in production."""
    protected = create_app({"TESTING": True, "INSTANCE_PATH": app.instance_path})
    yield protected.test_client()
    with protected.app_context():
        db.engine.dispose()


def test_form_editor_posts_need_the_csrf_token(editing, csrf_client, app):
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    csrf_client.post("/login", data={"email": "coord@example.org", "password": PASSWORD, "csrf_token": token})
    rev = str(draft_row(app)[0])
    assert csrf_client.post(f"{DRAFT}/publish", data={"rev": rev}).status_code == 400
    assert versions_of(app) == [1]
    page = csrf_client.get(DRAFT).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert csrf_client.post(f"{DRAFT}/publish", data={"rev": rev, "csrf_token": token}).status_code == 303
    assert versions_of(app) == [1, 2]


def test_form_editor_asks_before_discarding_a_draft(editing, client, app):
    rev = str(draft_row(app)[0])
    first = client.post(f"{DRAFT}/discard", data={"rev": rev})
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Discard the draft of" in page and "cannot be brought back" in page
    assert f'name="rev" value="{rev}"' in page
    assert draft_row(app) is not None


def test_form_editor_writes_conditions_checks_defaults_and_calculations(editing, client, app):
    save_question(
        client,
        app,
        "cups",
        relevant="${mood} != 'low'",
        constraint=". <= 12",
        constraint_message="Twelve cups at most.",
        default="2",
    )
    save_question(client, app, "notes", kind="calculate", calculation="${cups} * 2", label="Cups doubled")
    fields = {f["name"]: f for f in draft_row(app)[1]["fields"]}
    assert fields["cups"]["relevant"] == "${mood} != 'low'"
    assert fields["cups"]["constraint"] == ". <= 12"
    assert fields["cups"]["constraint_message"] == "Twelve cups at most."
    assert fields["cups"]["default"] == 2
    assert fields["notes"]["type"] == "calculate" and fields["notes"]["calculation"] == "${cups} * 2"
    page = client.get(f"{DRAFT}/questions/cups").get_data(as_text=True)
    assert 'value="Twelve cups at most."' in page
    assert publish(client, app).status_code == 303


def test_form_editor_says_where_an_expression_goes_wrong(editing, client, app):
    assert save_question(client, app, "cups", relevant="${mood} = = 'low'").status_code == 303
    text = page_text(client.get(DRAFT))
    assert "'Cups of tea' (cups)" in text and "(at character" in text
    question = client.get(f"{DRAFT}/questions/cups").get_data(as_text=True)
    assert "To fix before the form can be published" in question and "(at character" in question
    assert publish(client, app).status_code == 400
