"""Participant summaries: published by a coordinator, read by anyone with the link while it works, never a name."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from team_stories import ANONYMOUS, NAMED, NAMES, PANEL_ONLY, SLUG, TEXTS, seed_stories
from test_dashboards import login_as
from test_stories import choose

from fvfield.extensions import begin_write, db
from fvfield.models import AuditEvent, Summary, token_digest, utcnow

PAGE = f"/teams/{SLUG}/summaries"


@pytest.fixture
def told(app, client, auth, people):
    """The evaluation team and its stories, the panel's choice of the shared one; the coordinator logged in."""
    seed_stories(app, client, auth)
    assert choose(client, ANONYMOUS, "wellbeing").status_code == 302
    return people


def publish(client, **fields):
    """Publish a summary as the logged-in user; return the answer."""
    data = {"title": "What came of it", "text": "Thank you all.", "period": "all", "charts": ["stories"]}
    data.update({"with_stories": "y", "days": "30", **fields})
    return client.post(PAGE, data=data, follow_redirects=True)


def link_of(answer):
    """Return the path of the summary link a publish page shows."""
    return re.search(r'value="http://localhost(/teams/[^"]+/summary/[^"]+)"', answer.get_data(as_text=True))[
        1
    ]


def events(app, name):
    """Return the details of the audit events of a kind."""
    with app.app_context():
        return [e.detail for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.event == name))]


def test_a_summary_link_shows_the_chosen_charts_and_shared_stories_without_names(told, client, auth, app):
    answer = publish(client)
    assert answer.status_code == 200
    path = link_of(answer)
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        summary = db.session.scalar(sa.select(Summary))
        # Only the token's digest is kept.
        assert summary.token_digest == token_digest(token) and token not in str(summary.__dict__)
    assert events(app, "summary_published") == [
        {"summary": summary.pk, "period": "all", "charts": ["stories"], "stories": True, "days": 30}
    ]
    auth.logout()
    shared = client.get(path)
    assert shared.status_code == 200
    assert shared.headers["Cache-Control"] == "no-store"
    assert shared.headers["X-Robots-Tag"] == "noindex"
    page = shared.get_data(as_text=True)
    assert "What came of it" in page and "Thank you all." in page
    assert TEXTS[ANONYMOUS] in page and "It shows what the club is for." in page
    # No name, no story the panel did not choose, none kept for the panel.
    for words in (NAMES[NAMED], TEXTS[NAMED], TEXTS[PANEL_ONLY], "Cora Coordinator", "Log out"):
        assert words not in page
    # Small numbers suppressed: the team's stories per domain are all fewer than 5.
    assert "fewer than 5" in page and ">2<" not in page


def test_a_revoked_link_is_gone(told, client, auth, app):
    path = link_of(publish(client))
    with app.app_context():
        pk = db.session.scalar(sa.select(Summary.pk))
    assert client.post(f"{PAGE}/{pk}/revoke").status_code == 302
    assert events(app, "summary_revoked") == [{"summary": pk}]
    auth.logout()
    assert client.get(path).status_code == 410
    login_as(auth, "coord")
    page = client.get(PAGE).get_data(as_text=True)
    assert "the link was revoked" in page and "Revoke the link" not in page
    # The coordinator still reads it.
    assert client.get(f"{PAGE}/{pk}").status_code == 200


def test_an_expired_link_is_gone(told, client, auth, app):
    path = link_of(publish(client, days="1"))
    assert client.get(path).status_code == 200
    with app.app_context():
        begin_write()
        db.session.scalar(sa.select(Summary)).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(path).status_code == 410
    assert "the link expired" in client.get(PAGE).get_data(as_text=True)


def test_a_wrong_token_or_team_finds_nothing(told, client, auth):
    path = link_of(publish(client))
    assert client.get(path[:-2] + "xx").status_code == 404
    assert client.get(path.replace(SLUG, "clapton-circle")).status_code == 404


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"charts": [], "with_stories": ""}, "Choose at least one chart, or the stories."),
        ({"title": " "}, "Give the summary a title."),
        ({"days": "0"}, "from 1 to 365"),
        ({"days": "366"}, "from 1 to 365"),
        ({"charts": ["visits"]}, "is not a valid choice"),
    ],
)
def test_a_summary_needs_a_title_something_to_show_and_sensible_days(told, client, app, fields, message):
    answer = publish(client, **fields)
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Summary)) == 0


@pytest.mark.parametrize("who, status", [("coord", 200), ("member", 403), ("viewer", 403), ("other", 404)])
def test_only_coordinators_publish_and_revoke(told, client, auth, app, who, status):
    publish(client)
    with app.app_context():
        pk = db.session.scalar(sa.select(Summary.pk))
    login_as(auth, who)
    assert client.get(PAGE).status_code == status
    assert client.get(f"{PAGE}/{pk}").status_code == status
    if who != "coord":
        assert publish(client).status_code == status
        assert client.post(f"{PAGE}/{pk}/revoke").status_code == status


def test_logged_out_people_are_sent_to_log_in(client, people):
    answer = client.get("/teams/clapton-circle/summaries")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def count_summaries(app):
    """Return how many summaries are kept."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Summary))


def test_publishing_redirects_and_the_link_shows_once(told, client, app):
    data = {"title": "What came of it", "period": "all", "charts": ["stories"], "days": "30"}
    answer = client.post(PAGE, data=data)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(PAGE)
    first = client.get(PAGE)
    assert first.headers["Cache-Control"] == "no-store"
    assert "/summary/" in link_of(first)
    # A refresh of the page the browser was sent to shows the list, not the link again, and publishes nothing.
    again = client.get(PAGE).get_data(as_text=True)
    assert 'id="made-link"' not in again and "What came of it" in again
    assert count_summaries(app) == 1


def test_the_same_summary_sent_again_soon_is_not_a_second_one(told, client, app):
    path = link_of(publish(client))
    resent = publish(client)
    page = resent.get_data(as_text=True)
    assert "nothing new was published" in page and 'id="made-link"' not in page
    assert count_summaries(app) == 1 and len(events(app, "summary_published")) == 1
    # The first link still works.
    assert client.get(path).status_code == 200
    # Different words are a different summary.
    publish(client, title="What came of it, part two")
    assert count_summaries(app) == 2


def test_the_same_summary_later_or_after_revoking_is_a_new_one(told, client, app):
    publish(client)
    with app.app_context():
        begin_write()
        db.session.scalar(sa.select(Summary)).created_at = utcnow() - timedelta(minutes=11)
        db.session.commit()
    assert 'id="made-link"' in publish(client).get_data(as_text=True)
    assert count_summaries(app) == 2
    with app.app_context():
        newest = db.session.scalar(sa.select(Summary.pk).order_by(Summary.pk.desc()))
    client.post(f"{PAGE}/{newest}/revoke")
    assert 'id="made-link"' in publish(client).get_data(as_text=True)
    assert count_summaries(app) == 3


def test_the_summary_reads_in_the_team_s_languages(told, client, auth):
    path = link_of(publish(client, title="Hackney", text="", charts=["stories", "feedback"]))
    auth.logout()
    client.get(path)  # the logout's own message shows once, before
    for code, words in (
        ("bn", ["প্যানেল যে পরিবর্তনগুলো বেছে নিয়েছে", "বিষয় অনুযায়ী পরিবর্তনের গল্প", "5-এর কম", "বিষয়"]),
        ("ur", ["وہ تبدیلیاں جو پینل نے چنیں", "شعبے کے حساب سے تبدیلی کی کہانیاں", "5 سے کم", "شعبہ"]),
    ):
        page = client.get(path, headers={"Accept-Language": code}).get_data(as_text=True)
        for said in words:
            assert said in page, (code, said)
        # Every word the page itself says is translated: what is left is the team's own (names, its forms' labels,
        # the stories and the panel's reasons) and the chart's SVG markup.
        from test_languages import english_words

        own = {
            "Hackney",
            "Stories",
            "New",
            "friends",
            "the",
            "lunch",
            "club",
            "eat",
            "with",
            "people",
            "Tuesdays",
        }
        own |= {"now", "matters", "shows", "what", "for", "Health", "and", "wellbeing", "Relationships"}
        own |= {"connection", "fvfield", "Language", "Overall", "how", "was", "Good", "Very", "Would", "you"}
        own |= {"recommend", "friend", "OK", "Poor", "poor", "good", "The", "club", "Independence", "choice"}
        assert english_words(page, own) == [], (code, english_words(page, own))


def test_a_viewer_reads_the_dashboard_in_their_language(told, client, auth):
    login_as(auth, "viewer")
    page = client.get(f"/teams/{SLUG}/dashboard", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    for said in (
        "ڈیش بورڈ",
        "شعبے کے حساب سے تبدیلی کی کہانیاں",
        "5 سے کم",
        "کسی کا نام نہیں",
        "ورکشاپ کی رائے",
    ):
        assert said in page, said
    assert "fewer than" not in page and "Workshop feedback" not in page
