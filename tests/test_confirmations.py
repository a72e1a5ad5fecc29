"""What one click should not do asks first: archiving a person or pitch, withdrawing an invite.

Removing a member (test_teams.py), discarding a draft and removing a question
(test_form_editor.py) ask the same way: the first POST answers a page saying
what will happen, with the same POST and confirmed=yes as its button and a
link back; nothing changes until that second POST, which carries the CSRF
token like the first.
"""

import re

import sqlalchemy as sa
from admin_helpers import csrf_app, csrf_logged_in, csrf_token_in, location, text  # noqa: F401
from test_teams import TEAM, an_invite

from fvfield.extensions import db
from fvfield.models import Invite
from fvfield.sync.documents import documents


def subject_row(app, label):
    """Return (id, rev, deleted) of clapton-circle's subject with this label."""
    with app.app_context():
        row = db.session.execute(
            sa.select(documents.c.id, documents.c.rev, documents.c.deleted).where(documents.c.label == label)
        ).one()
        return row.id, row.rev, bool(row.deleted)


def test_archiving_asks_first_and_the_answer_carries_the_csrf_token(csrf_app):  # noqa: F811
    client = csrf_logged_in(csrf_app)
    token = csrf_token_in(client.get(f"{TEAM}/subjects/new/person").text)
    added = client.post(f"{TEAM}/subjects/new/person", data={"label": "Edna", "csrf_token": token})
    assert added.status_code == 302
    edna, rev, _ = subject_row(csrf_app, "Edna")
    url = f"{TEAM}/subjects/{edna}/archive"
    token = csrf_token_in(client.get(f"{TEAM}/subjects/{edna}").text)

    # Without the token the button does nothing, not even ask.
    refused = client.post(url, data={"base_rev": rev}, follow_redirects=True)
    assert "Archive Edna?" not in text(refused) and subject_row(csrf_app, "Edna")[2] is False

    asked = client.post(url, data={"base_rev": rev, "csrf_token": token})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "<title>Archive Edna? · Clapton Circle" in page
    assert "Phones stop listing Edna at their next sync" in text(asked)
    assert 'name="confirmed" value="yes"' in page and f'name="base_rev" value="{rev}"' in page
    again = csrf_token_in(page)
    assert f'href="{TEAM}/subjects/{edna}">No, go back' in page
    assert subject_row(csrf_app, "Edna")[2] is False

    # The confirmation without its token is refused too.
    client.post(url, data={"base_rev": rev, "confirmed": "yes"})
    assert subject_row(csrf_app, "Edna")[2] is False

    done = client.post(url, data={"base_rev": rev, "confirmed": "yes", "csrf_token": again})
    assert location(done) == f"{TEAM}/subjects"
    assert subject_row(csrf_app, "Edna")[2] is True


def test_going_back_from_archiving_leaves_the_person_on_the_phones(app, client, auth, people):
    auth.login(people["coord"])
    client.post(f"{TEAM}/subjects/new/person", data={"label": "Edna"})
    edna, rev, _ = subject_row(app, "Edna")
    asked = client.post(f"{TEAM}/subjects/{edna}/archive", data={"base_rev": rev})
    back = re.search(r'<a class="button" href="([^"]+)">No, go back', asked.get_data(as_text=True))[1]
    shown = client.get(back)
    assert shown.status_code == 200 and "Archive" in text(shown)
    assert subject_row(app, "Edna") == (edna, rev, False)


def test_withdrawing_an_invite_asks_first(app, client, auth, people):
    auth.login(people["coord"])
    invite = an_invite(app, "clapton-circle")
    url = f"{TEAM}/invites/{invite}/withdraw"
    asked = client.post(url)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Withdraw the member invite?" in page and "Its link stops working at once" in page
    assert 'name="confirmed" value="yes"' in page and f'href="{TEAM}">No, go back' in page
    with app.app_context():
        assert db.session.get(Invite, invite).revoked_at is None
    done = client.post(url, data={"confirmed": "yes"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Invite, invite).revoked_at is not None
    # Once withdrawn there is nothing to confirm: the page says so.
    assert "cannot be withdrawn" in text(client.post(url, follow_redirects=True))
