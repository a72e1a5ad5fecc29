"""An evaluation team's participants: their own kind of subject, with no care questions.

A care circle supports people (what's important to them, essentials, key
contacts: care notes); an evaluation asks its participants how they are.
Teams made before participants were a kind keep their people and forms.
"""

import pytest
import sqlalchemy as sa
from admin_helpers import location, login_as, pulled, text
from conftest import make_team, new_id

from fvfield.extensions import begin_write, db
from fvfield.models import Team, User
from fvfield.questionnaires import load_template, templates_for_kind
from fvfield.sync.forms import install_questionnaires, publish_form_version

SLUG = "hackney-eval"
BASE = f"/teams/{SLUG}"


@pytest.fixture
def evaluation(app, people):
    """An evaluation team with its built-in forms: coord coordinates, member records."""
    with app.app_context():
        begin_write()
        users = {u.email.split("@")[0]: u for u in db.session.scalars(sa.select(User))}
        team = make_team(
            SLUG, kind="evaluation", members=[(users["coord"], "coordinator"), (users["member"], "member")]
        )
        install_questionnaires(team)
        db.session.commit()
    return SLUG


def wellbeing_check(subject_id, version=1):
    """Return a change of a wellbeing check answered by the participant."""
    return {
        "change_id": new_id(),
        "collection": "records",
        "id": new_id(),
        "base_rev": 0,
        "deleted": False,
        "form": "wellbeing-check",
        "form_version": version,
        "subject_id": subject_id,
        "recorded_at": "2026-11-25T09:41:00+00:00",
        "data": {"answered_by": "self", "life_satisfaction": 7},
    }


def test_an_evaluation_s_built_in_forms_are_about_participants():
    forms = {d["id"]: d for d in templates_for_kind("evaluation")}
    check = forms["wellbeing-check"]
    assert check["subject_kind"] == "participant"
    answered_by = next(f for f in check["fields"] if f["name"] == "answered_by")
    assert answered_by["choices"][0]["label"] == "The participant themselves"
    assert "Only the participant can say" in answered_by["hint"]
    # The ONS questions themselves are the same as a care circle's.
    care = {d["id"]: d for d in templates_for_kind("care-circle")}["wellbeing-check"]
    assert care["subject_kind"] == "person"
    assert [f["name"] for f in check["fields"]] == [f["name"] for f in care["fields"]]
    assert [f["label"] for f in check["fields"][1:]] == [f["label"] for f in care["fields"][1:]]
    # The file itself is not changed by loading it for an evaluation.
    assert load_template("wellbeing-check")["subject_kind"] == "person"


def test_a_coordinator_adds_participants_with_no_care_questions(evaluation, client, auth, sync):
    login_as(auth, "coord")
    listed = client.get(f"{BASE}/subjects")
    page = text(listed)
    assert "Participants" in page and "Add a participant" in page
    assert "People and places" not in page and "Add a person" not in page
    form = client.get(f"{BASE}/subjects/new/participant")
    assert form.status_code == 200
    body = form.get_data(as_text=True)
    assert "Add a participant" in text(form) and "Name or pseudonym" in body and 'name="group"' in body
    for care in ("important", "essentials", "contacts"):
        assert f'name="{care}"' not in body
    # No care-circle person here, and no participant in a care circle.
    assert client.get(f"{BASE}/subjects/new/person").status_code == 404
    assert client.get("/teams/clapton-circle/subjects/new/participant").status_code == 404

    refused = client.post(f"{BASE}/subjects/new/participant", data={"label": " "})
    assert refused.status_code == 400 and "Write the participant&#39;s name or a pseudonym." in refused.text
    added = client.post(f"{BASE}/subjects/new/participant", data={"label": "Ada", "group": "Tuesday walkers"})
    assert added.status_code == 302
    ada = location(added).rsplit("/", 1)[1]
    shown = text(client.get(f"{BASE}/subjects"))
    assert "Ada" in shown and "Tuesday walkers" in shown
    subject = text(client.get(f"{BASE}/subjects/{ada}"))
    assert "‹ Participants" in subject and "Records about them" in subject

    # The phones get a participant, and a member records a wellbeing check about them.
    login_as(auth, "member")
    phone = pulled(sync, ada, slug=SLUG)
    assert (phone["kind"], phone["label"], phone["data"]) == (
        "participant",
        "Ada",
        {"group": "Tuesday walkers"},
    )
    assert sync.results(wellbeing_check(ada), slug=SLUG)[0]["status"] == "applied"


def test_a_participant_form_refuses_a_person_and_the_wellbeing_page_says_participant(
    evaluation, client, auth, sync
):
    login_as(auth, "member")
    person = sync.subject(label="Old style")
    participant = sync.subject(label="Ada", kind="participant")
    assert [r["status"] for r in sync.results(person, participant, slug=SLUG)] == ["applied", "applied"]
    refused = sync.results(wellbeing_check(person["id"]), slug=SLUG)[0]
    assert refused["status"] == "rejected"
    assert "about a participant" in str(refused)
    assert sync.results(wellbeing_check(participant["id"]), slug=SLUG)[0]["status"] == "applied"
    login_as(auth, "coord")
    page = client.get(f"{BASE}/wellbeing?period=all").get_data(as_text=True)
    assert '<label for="person">Participant</label>' in page and "Ada (1 check)" in page


def test_an_evaluation_made_before_participants_keeps_its_people(app, people, client, auth, sync):
    # Its forms were installed about people, and its people were added as a care circle's.
    with app.app_context():
        begin_write()
        users = {u.email.split("@")[0]: u for u in db.session.scalars(sa.select(User))}
        team = make_team(
            SLUG, kind="evaluation", members=[(users["coord"], "coordinator"), (users["member"], "member")]
        )
        publish_form_version(team, load_template("wellbeing-check"))
        db.session.commit()
    login_as(auth, "member")
    edna = sync.subject(label="Edna", data={"important": "Her garden"})
    assert sync.results(edna, slug=SLUG)[0]["status"] == "applied"
    assert sync.results(wellbeing_check(edna["id"]), slug=SLUG)[0]["status"] == "applied"
    login_as(auth, "coord")
    page = text(client.get(f"{BASE}/subjects"))
    # Listed as before (People), beside the participants now added.
    assert "People People: 1 Name What's important to them" in page and "Edna Her garden" in page
    assert "Add a participant" in page
    assert client.get(f"{BASE}/subjects/{edna['id']}/edit").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(Team.kind).where(Team.slug == SLUG)) == "evaluation"
