"""The new-team form does not tell a coordinator which team addresses exist (issue 12)."""

import re

import sqlalchemy as sa
from admin_helpers import login_as

from fvfield.extensions import db
from fvfield.models import Membership, Team


def create(client, slug):
    return client.post("/new-team", data={"name": "Probe", "slug": slug, "kind": "care-circle"})


def test_a_taken_address_answers_like_a_free_one(app, client, auth, people):
    login_as(auth, "other")
    free, taken = create(client, "no-such-team"), create(client, "clapton-circle")
    assert (free.status_code, taken.status_code) == (302, 302)
    assert free.headers["Location"] == "/teams/no-such-team/subjects"
    got = re.fullmatch(r"/teams/(clapton-circle-[0-9a-f]{4})/subjects", taken.headers["Location"]).group(1)
    page = client.get(taken.headers["Location"]).get_data(as_text=True)
    assert "already" not in page
    with app.app_context():
        probe = db.session.scalar(sa.select(Team).where(Team.slug == got))
        assert probe.name == "Probe"
        # The prober coordinates their own new team, and still nothing of the existing one.
        members = db.session.scalars(sa.select(Membership).where(Membership.team_id == probe.id)).all()
        assert [m.role for m in members] == ["coordinator"]
        existing = db.session.scalar(sa.select(Team).where(Team.slug == "clapton-circle"))
        assert existing.name == "Clapton Circle"
