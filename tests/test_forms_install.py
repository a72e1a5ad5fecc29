"""A new team gets its kind's built-in questionnaires; coordinators publish new versions."""

import pytest
import sqlalchemy as sa
from conftest import VISIT_FORM, make_user

from fvfield.accounts import add_member, create_team
from fvfield.extensions import begin_write, db
from fvfield.models import TEAM_KINDS, Team
from fvfield.questionnaires import templates_for_kind
from fvfield.sync.errors import InvalidDefinition
from fvfield.sync.forms import publish_form_version


@pytest.mark.parametrize("kind", TEAM_KINDS)
def test_forms_install_a_new_team_gets_its_kinds_questionnaires(app, client, auth, kind):
    with app.app_context():
        user = make_user("founder@example.org")
        team = create_team("new-team", "New team", kind)
        add_member(team, user, "member")
        db.session.commit()
    auth.login("founder@example.org")
    page = client.get("/api/v1/teams/new-team/pull").get_json()
    forms = [d for d in page["changes"] if d["collection"] == "forms"]
    expected = templates_for_kind(kind)
    assert [f["id"] for f in forms] == [t["id"] for t in expected]
    assert {(f["rev"], tuple(f["versions"]), f["data"]["version"]) for f in forms} == {(1, (1,), 1)}
    assert [f["data"]["fields"] for f in forms] == [t["fields"] for t in expected]
    assert len(page["changes"]) == len(forms)


def test_forms_install_through_the_command(runner, app, client, auth):
    with app.app_context():
        make_user("founder@example.org")
    assert (
        runner.invoke(
            args=["create-team", "new-market", "--name", "New market", "--kind", "market-survey"]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(args=["add-member", "new-market", "founder@example.org", "--role", "viewer"]).exit_code
        == 0
    )
    auth.login("founder@example.org")
    forms = client.get("/api/v1/teams/new-market/pull").get_json()["changes"]
    assert [f["id"] for f in forms] == [t["id"] for t in templates_for_kind("market-survey")]


def publish(app, definition, slug="clapton-circle"):
    """Publish a definition in a team."""
    with app.app_context():
        begin_write()
        team = db.session.scalar(sa.select(Team).where(Team.slug == slug))
        try:
            return publish_form_version(team, definition)
        finally:
            db.session.commit()


def test_forms_publish_numbers_versions_per_team(app, people):
    assert [
        publish(app, VISIT_FORM),
        publish(app, VISIT_FORM),
        publish(app, VISIT_FORM, "ridley-market"),
    ] == [1, 2, 1]


@pytest.mark.parametrize(
    "definition",
    [
        {**VISIT_FORM, "fields": [{"name": "time_in", "type": "sundial", "label": "Time"}]},
        {**VISIT_FORM, "id": ""},
        {"title": "No id", "fields": []},
        ["not", "an", "object"],
    ],
)
def test_forms_publish_refuses_a_broken_definition_with_its_errors(app, people, definition):
    with pytest.raises(InvalidDefinition) as raised:
        publish(app, definition)
    assert raised.value.errors
    with app.app_context():
        assert db.session.scalar(sa.select(Team.change_seq).where(Team.slug == "clapton-circle")) == 0
