"""A team's data for the export, import and backup tests, pushed through the real push logic.

clapton-circle gets two forms (check-in in versions 1 and 2, feedback),
subjects (one deleted), records of both versions with choices, positions and
a photo, an edited record and a deleted one; ridley-market gets a form and a
record of its own that must never show up in clapton-circle's exports.
"""

import hashlib
import uuid
from types import SimpleNamespace

import sqlalchemy as sa

from fvfield.extensions import begin_write, db
from fvfield.models import Attachment, Document, Team, User
from fvfield.sync.forms import publish_form_version
from fvfield.sync.push import push_changes

DEVICE = "5b1f0c4e-9d2a-4c3b-8e7f-112233445566"
TASKS_V1 = [{"value": "meal", "label": "Meal"}, {"value": "shopping", "label": "Shopping"}]
CHECK_IN_V1 = {
    "id": "check-in",
    "title": "Check in",
    "subject_kind": "person",
    "fields": [
        {"name": "visited_on", "type": "date", "label": "Day of the visit", "required": True},
        {
            "name": "mood",
            "type": "choice",
            "label": "Mood",
            "choices": [{"value": "good", "label": "Good"}, {"value": "low", "label": "Low"}],
        },
        {"name": "tasks", "type": "multiple_choice", "label": "What was done", "choices": TASKS_V1},
        {"name": "where", "type": "geopoint", "label": "Where"},
        {"name": "cups", "type": "integer", "label": "Cups of tea", "min": 0, "max": 20},
        {"name": "weight", "type": "decimal", "label": "Weight (kg)"},
        {"name": "okay", "type": "boolean", "label": "All fine?"},
        {"name": "intro", "type": "note", "label": "Ask gently."},
        {"name": "notes", "type": "textarea", "label": "Notes"},
        {"name": "photo", "type": "photo", "label": "Photo"},
    ],
}
# Version 2: mood reworded, sleep added after it, a third task, weight and photo removed.
CHECK_IN_V2 = {
    **CHECK_IN_V1,
    "fields": [
        CHECK_IN_V1["fields"][0],
        {**CHECK_IN_V1["fields"][1], "label": "How they seem"},
        {"name": "sleep", "type": "scale", "label": "How well they slept", "min": 1, "max": 5},
        {**CHECK_IN_V1["fields"][2], "choices": TASKS_V1 + [{"value": "company", "label": "Company"}]},
        CHECK_IN_V1["fields"][3],
        CHECK_IN_V1["fields"][4],
        CHECK_IN_V1["fields"][6],
        CHECK_IN_V1["fields"][8],
    ],
}
FEEDBACK = {
    "id": "feedback",
    "title": "Workshop feedback",
    "fields": [
        {"name": "rating", "type": "scale", "label": "How was it?", "min": 1, "max": 5},
        {"name": "comment", "type": "text", "label": "Comment"},
    ],
}
STALL = {
    "id": "stall",
    "title": "Stall",
    "fields": [{"name": "goods", "type": "text", "label": "Goods"}],
}
SECRET = "OTHER TEAM SECRET"
CHECK_IN_COLUMNS = [
    "id",
    "form_version",
    "subject_id",
    "subject_label",
    "author_id",
    "author",
    "recorded_at",
    "recorded_at_utc",
    "updated_at",
    "rev",
    "has_conflict",
    "visited_on",
    "mood",
    "sleep",
    "tasks__meal",
    "tasks__shopping",
    "tasks__company",
    "where_lat",
    "where_lon",
    "where_accuracy",
    "cups",
    "weight",
    "okay",
    "notes",
    "photo",
    "photo_file",
]
FEEDBACK_COLUMNS = CHECK_IN_COLUMNS[:11] + ["rating", "comment"]
PHOTO = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(64))
PHOTO_SHA = hashlib.sha256(PHOTO).hexdigest()


def new_id():
    """Return a new UUID as a phone makes them."""
    return str(uuid.uuid4())


def record(form, version, data, subject_id=None, recorded_at="2026-11-20T09:41:00+00:00", **change):
    """Return a change that creates a record."""
    return {
        "change_id": new_id(),
        "collection": "records",
        "id": new_id(),
        "base_rev": 0,
        "form": form,
        "form_version": version,
        "subject_id": subject_id,
        "recorded_at": recorded_at,
        "data": data,
        **change,
    }


def subject(label, data, kind="person"):
    """Return a change that creates a subject."""
    return {
        "change_id": new_id(),
        "collection": "subjects",
        "id": new_id(),
        "base_rev": 0,
        "kind": kind,
        "label": label,
        "data": data,
    }


def push(team, email, role, *changes):
    """Push changes through push_changes as a user; assert none was rejected."""
    user = db.session.scalar(sa.select(User).where(User.email == email))
    results, _ = push_changes(team.id, user.id, role, DEVICE, list(changes))
    assert [r["status"] for r in results if r["status"] == "rejected"] == [], results
    return results


def publish(team, definition):
    """Publish a form version as the web does."""
    begin_write()
    version = publish_form_version(team, definition)
    db.session.commit()
    return version


def team(slug):
    """Return the team with this slug."""
    return db.session.scalar(sa.select(Team).where(Team.slug == slug))


def seed(app):
    """Fill clapton-circle and ridley-market; return the ids and answers pushed (needs `people`)."""
    with app.app_context():
        circle, market = team("clapton-circle"), team("ridley-market")
        assert publish(circle, CHECK_IN_V1) == 1
        assert publish(circle, FEEDBACK) == 1
        begin_write()
        db.session.add(
            Attachment(team_id=circle.id, sha256=PHOTO_SHA, content_type="image/jpeg", size=len(PHOTO))
        )
        db.session.commit()
        edna = subject("Edna", {"room": "3B", "contacts": ["Ann", "Raj"], "keysafe": True})
        frank = subject("Frank", {"room": "4A"})
        gone = subject("Gone Away", {})
        push(circle, "coord@example.org", "coordinator", edna, frank, gone)
        push(
            circle,
            "coord@example.org",
            "coordinator",
            {**gone, "change_id": new_id(), "base_rev": 1, "deleted": True},
        )
        full = {
            "visited_on": "2026-11-20",
            "mood": "good",
            "tasks": ["meal"],
            "where": {"lat": 51.5386, "lon": -0.0553, "accuracy": 12},
            "cups": 3,
            "weight": 61.5,
            "okay": True,
            "notes": 'Zoë said "hello",\nthen slept.',
            "photo": {"sha256": PHOTO_SHA, "content_type": "image/jpeg", "size": len(PHOTO)},
        }
        first = record("check-in", 1, full, edna["id"])
        sparse = record(
            "check-in",
            1,
            {"visited_on": "2026-11-21", "tasks": [], "okay": False},
            frank["id"],
            recorded_at="2026-11-21T10:00:00+00:00",
        )
        doomed = record("check-in", 1, {"visited_on": "2026-11-22", "notes": "made by mistake"}, edna["id"])
        push(circle, "member@example.org", "member", first, sparse, doomed)
        sparse_edit = {**sparse, "change_id": new_id(), "base_rev": 1, "data": {**sparse["data"], "cups": 2}}
        push(
            circle,
            "member@example.org",
            "member",
            sparse_edit,
            {**doomed, "change_id": new_id(), "base_rev": 1, "deleted": True},
        )
        assert publish(circle, CHECK_IN_V2) == 2
        later = {
            "visited_on": "2026-11-23",
            "mood": "low",
            "sleep": 4,
            "tasks": ["company", "meal"],
            "where": {"lat": 51.55, "lon": -0.06, "accuracy": None},
        }
        third = record("check-in", 2, later, edna["id"], recorded_at="2026-11-23T18:05:00+01:00")
        push(circle, "member@example.org", "member", third)
        said = record("feedback", 1, {"rating": 5, "comment": "Lovely, thanks"})
        push(circle, "coord@example.org", "coordinator", said)

        assert publish(market, STALL) == 1
        stall = subject(SECRET, {"pitch": SECRET}, kind="pitch")
        push(
            market,
            "other@example.org",
            "coordinator",
            stall,
            record("stall", 1, {"goods": SECRET}, stall["id"]),
        )
        return SimpleNamespace(
            edna=edna["id"],
            frank=frank["id"],
            gone=gone["id"],
            first=first["id"],
            sparse=sparse["id"],
            sparse_data=sparse_edit["data"],
            doomed=doomed["id"],
            third=third["id"],
            feedback=said["id"],
            other_subject=stall["id"],
            full=full,
            later=later,
            said=said["data"],
        )


def updated_at(app, document_id):
    """Return a document's updated_at as the exports write it."""
    with app.app_context():
        moment = db.session.scalar(sa.select(Document.updated_at).where(Document.id == document_id))
        return moment.isoformat(timespec="milliseconds")


def user_id(app, email):
    """Return the id of the user with this email."""
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.email == email))


def expected_check_ins(app, seeded):
    """Return the check-in records an export must hold, by id, as {column: value} (None for empty)."""
    member = user_id(app, "member@example.org")

    def row(record_id, version, subject_id, label, author, recorded_at, utc, rev, **answers):
        values = dict.fromkeys(CHECK_IN_COLUMNS)
        values.update(
            id=record_id,
            form_version=version,
            subject_id=subject_id,
            subject_label=label,
            author_id=member,
            author=author,
            recorded_at=recorded_at,
            recorded_at_utc=utc,
            updated_at=updated_at(app, record_id),
            rev=rev,
            has_conflict=0,
            **answers,
        )
        return values

    full, later = seeded.full, seeded.later
    return {
        seeded.first: row(
            seeded.first,
            1,
            seeded.edna,
            "Edna",
            "Mo Member",
            "2026-11-20T09:41:00+00:00",
            "2026-11-20T09:41:00.000Z",
            1,
            visited_on="2026-11-20",
            mood="good",
            tasks__meal=1,
            tasks__shopping=0,
            where_lat=51.5386,
            where_lon=-0.0553,
            where_accuracy=12,
            cups=3,
            weight=61.5,
            okay=1,
            notes=full["notes"],
            photo=PHOTO_SHA,
            photo_file=f"media/check-in/{seeded.first}-photo.jpg",
        ),
        seeded.sparse: row(
            seeded.sparse,
            1,
            seeded.frank,
            "Frank",
            "Mo Member",
            "2026-11-21T10:00:00+00:00",
            "2026-11-21T10:00:00.000Z",
            2,
            visited_on="2026-11-21",
            tasks__meal=0,
            tasks__shopping=0,
            cups=2,
            okay=0,
        ),
        seeded.third: row(
            seeded.third,
            2,
            seeded.edna,
            "Edna",
            "Mo Member",
            "2026-11-23T18:05:00+01:00",
            "2026-11-23T17:05:00.000Z",
            1,
            visited_on="2026-11-23",
            mood="low",
            sleep=4,
            tasks__meal=1,
            tasks__shopping=0,
            tasks__company=1,
            where_lat=later["where"]["lat"],
            where_lon=later["where"]["lon"],
        ),
    }


def expected_feedback(app, seeded):
    """Return the feedback records an export must hold, by id."""
    values = dict.fromkeys(FEEDBACK_COLUMNS)
    values.update(
        id=seeded.feedback,
        form_version=1,
        author_id=user_id(app, "coord@example.org"),
        author="Cora Coordinator",
        recorded_at="2026-11-20T09:41:00+00:00",
        recorded_at_utc="2026-11-20T09:41:00.000Z",
        updated_at=updated_at(app, seeded.feedback),
        rev=1,
        has_conflict=0,
        rating=5,
        comment="Lovely, thanks",
    )
    return {seeded.feedback: values}


def as_csv_text(rows):
    """Return expected rows as a CSV reader gives them: every value text, None as empty."""
    return {
        key: {name: "" if value is None else str(value) for name, value in row.items()}
        for key, row in rows.items()
    }
