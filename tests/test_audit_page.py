"""The team's audit log page: the team's events only, newest first, by page, filtered by kind."""

import html
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import team_data

from fvfield.extensions import db
from fvfield.models import AuditEvent, User

AUDIT = "/teams/clapton-circle/audit"
START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def add_events(app, slug, *events):
    """Store events (name, email of who, {detail}) of a team, a minute apart, oldest first."""
    with app.app_context():
        team = team_data.team(slug)
        for minute, (name, email, detail) in enumerate(events):
            user = db.session.scalar(sa.select(User).where(User.email == email)) if email else None
            db.session.add(
                AuditEvent(
                    event=name,
                    user_id=user.id if user else None,
                    team_id=team.id,
                    ip="192.0.2.7",
                    created_at=START + timedelta(minutes=minute),
                    detail=detail,
                )
            )
        db.session.commit()


def rows(response):
    """Return the audit table's rows as lists of cell texts."""
    page = response.get_data(as_text=True)
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in page else ""
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.fixture
def logged(app, people):
    add_events(
        app,
        "clapton-circle",
        ("member_added", "coord@example.org", {"role": "member"}),
        ("data_exported", "coord@example.org", {"format": "csv", "form": "check-in"}),
        ("role_changed", "coord@example.org", {"old": "member", "new": "viewer"}),
        ("data_exported", None, {"format": "sqlite", "via": "command line", "path": "/backups/c.db"}),
    )
    add_events(
        app,
        "ridley-market",
        ("data_exported", "other@example.org", {"format": "csv", "form": team_data.SECRET}),
    )


@pytest.mark.parametrize(
    "email, status",
    [
        ("coord@example.org", 200),
        ("member@example.org", 403),
        ("viewer@example.org", 403),
        ("other@example.org", 404),
    ],
)
def test_audit_page_is_for_the_teams_coordinators_only(client, auth, logged, email, status):
    auth.login(email)
    assert client.get(AUDIT).status_code == status


def test_audit_page_lists_the_teams_events_newest_first_with_who_what_when_where(client, auth, logged):
    auth.login()
    assert rows(client.get(AUDIT)) == [
        [
            "01 Nov 2026 09:03",
            "—",
            "Data exported SQLite file of all the team's data; path: /backups/c.db; from the command line",
            "192.0.2.7",
        ],
        [
            "01 Nov 2026 09:02",
            "Cora Coordinator coord@example.org",
            "Role changed from member to viewer",
            "192.0.2.7",
        ],
        [
            "01 Nov 2026 09:01",
            "Cora Coordinator coord@example.org",
            "Data exported CSV file of the form check-in",
            "192.0.2.7",
        ],
        ["01 Nov 2026 09:00", "Cora Coordinator coord@example.org", "Member added as member", "192.0.2.7"],
    ]


def test_audit_page_never_shows_another_teams_events(client, auth, logged):
    auth.login()
    assert team_data.SECRET not in client.get(AUDIT).get_data(as_text=True)
    auth.logout()
    auth.login("other@example.org")
    page = client.get("/teams/ridley-market/audit")
    assert [row[2] for row in rows(page)] == [f"Data exported CSV file of the form {team_data.SECRET}"]


def test_audit_page_filters_by_event(client, auth, logged):
    auth.login()
    page = client.get(AUDIT, query_string={"event": "data_exported"})
    assert [row[0] for row in rows(page)] == ["01 Nov 2026 09:03", "01 Nov 2026 09:01"]
    options = re.findall(r'<option value="(\w*)"( selected)?>', page.get_data(as_text=True))
    assert options == [("", ""), ("data_exported", " selected"), ("member_added", ""), ("role_changed", "")]
    assert rows(client.get(AUDIT, query_string={"event": "invite_used"})) == []
    assert "No events of this kind yet." in client.get(AUDIT, query_string={"event": "invite_used"}).get_data(
        as_text=True
    )


def test_audit_page_goes_by_pages_of_fifty(client, auth, app, people):
    add_events(app, "clapton-circle", *[("data_exported", "coord@example.org", {"format": "sqlite"})] * 60)
    auth.login()
    first = client.get(AUDIT)
    assert len(rows(first)) == 50 and rows(first)[0][0] == "01 Nov 2026 09:59"
    assert "Page 1 of 2" in first.get_data(as_text=True)
    second = client.get(AUDIT, query_string={"page": 2})
    assert [row[0] for row in rows(second)][-1] == "01 Nov 2026 09:00"
    assert len(rows(second)) == 10
    assert rows(client.get(AUDIT, query_string={"page": 9})) == []
    assert client.get(AUDIT, query_string={"page": "x"}).status_code == 200


def test_audit_page_shows_the_events_of_exports_and_imports(client, auth, app, people):
    with app.app_context():
        team_data.publish(team_data.team("clapton-circle"), team_data.FEEDBACK)
    auth.login()
    client.get("/teams/clapton-circle/export/feedback.csv")
    client.get("/teams/clapton-circle/export/sqlite")
    client.post(
        "/teams/clapton-circle/import",
        data={
            "copy": (
                io.BytesIO(
                    b'{"format": "fvfield-outbox", "version": 1, '
                    b'"device_id": "7e57c0de-0000-4000-8000-00000000a11c", "teams": {}}'
                ),
                "copy.json",
            )
        },
        content_type="multipart/form-data",
    )
    assert [row[2] for row in rows(client.get(AUDIT))] == [
        "Phone's copy imported 0 applied, 0 already here, 0 merged, 0 in conflict, 0 rejected; 0 photos stored; "
        "recorded as made by coord@example.org; changes for other teams left out: 0; "
        "from the phone 7e57c0de-0000-4000-8000-00000000a11c",
        "Data exported SQLite file of all the team's data",
        "Data exported CSV file of the form feedback",
    ]
    assert "Audit log" in client.get(AUDIT).get_data(as_text=True)


@pytest.mark.parametrize("page", ["99999999999999999999999", "-3", "0", "2.5", ""])
def test_audit_page_of_any_page_number_is_not_an_error(client, auth, logged, page):
    auth.login()
    assert client.get(AUDIT, query_string={"page": page}).status_code == 200
