"""An evaluation team with a member and a viewer, and change stories of each consent, pushed by a phone."""

import dashboard_data as data
import sqlalchemy as sa

from fvfield.extensions import begin_write, db
from fvfield.models import User
from fvfield.sync.forms import install_questionnaires

SLUG = "hackney-stories"
NAMED = "e0000000-0000-4000-8000-000000000001"
ANONYMOUS = "e0000000-0000-4000-8000-000000000002"
PANEL_ONLY = "e0000000-0000-4000-8000-000000000003"
EARLIER = "e0000000-0000-4000-8000-000000000004"
TITLES = {
    NAMED: "Back at the allotment",
    ANONYMOUS: "New friends at the lunch club",
    PANEL_ONLY: "A change kept for the panel",
    EARLIER: "The bus pass",
}
TEXTS = {
    NAMED: "I go out to the allotment again.",
    ANONYMOUS: "I eat with people on Tuesdays now.",
    PANEL_ONLY: "Something only the panel reads.",
    EARLIER: "I can get to town.",
}
# The storyteller's name: the form asks it of a named story only (the server refuses it otherwise).
NAMES = {NAMED: "Grace Adeyemi"}


def story(document_id, consent, domain, when="2026-11-20T10:00:00+00:00"):
    """Return a change story's change."""
    answers = {
        "reference_period": "last_3_months",
        "storyteller_consent": consent,
        "title": TITLES[document_id],
        "what_changed": TEXTS[document_id],
        "why_it_matters": "It matters to me.",
        "domain": domain,
    }
    if document_id in NAMES:
        answers["storyteller"] = NAMES[document_id]
    return data.record("change-story", 1, None, when, answers, document_id=document_id)


def seed_stories(app, client, auth):
    """Create the team (coord coordinator, member member, viewer viewer) and push its four stories."""
    # Imported here: the browser tests use the stories above with a conftest of their own.
    from conftest import make_team
    from test_dashboards import login_as, push_all

    with app.app_context():
        begin_write()
        users = {u.email.split("@")[0]: u for u in db.session.scalars(sa.select(User))}
        team = make_team(
            SLUG,
            kind="evaluation",
            members=[
                (users["coord"], "coordinator"),
                (users["member"], "member"),
                (users["viewer"], "viewer"),
            ],
        )
        install_questionnaires(team)
        db.session.commit()
    login_as(auth, "coord")
    push_all(client, SLUG, told())


def told():
    """Return the changes of the four stories: two shared this round, one for the panel, one earlier."""
    return [
        story(NAMED, "named", "wellbeing"),
        story(ANONYMOUS, "anonymous", "wellbeing"),
        story(PANEL_ONLY, "panel_only", "relationships"),
        story(EARLIER, "named", "independence", when="2026-08-10T10:00:00+01:00"),
    ]
