"""Records for the dashboard tests, as changes a phone pushes, and the numbers each chart must show.

A care circle (two people, home visits of two versions of home-visit, a deleted
visit, concerns, wellbeing checks), a market survey (two markets, four
pitches, surveys on two days, a deleted survey, footfall counts of two
versions) and an evaluation team (change stories). `expected[chart]` is each
chart's table as its CSV file holds it.
"""

import uuid

ADA, BEN = "a0000000-0000-4000-8000-00000000000a", "a0000000-0000-4000-8000-00000000000b"
RIDLEY, CHATSWORTH = "b0000000-0000-4000-8000-000000000001", "b0000000-0000-4000-8000-000000000002"
P1, P2, P3, Q1 = (f"c0000000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3, 4))
RESOLVED_CONCERN = "d0000000-0000-4000-8000-000000000001"
DELETED_VISIT = "d0000000-0000-4000-8000-000000000002"
DELETED_SURVEY = "d0000000-0000-4000-8000-000000000003"


def change(collection, document_id=None, base_rev=0, **fields):
    """Return a change of a document, as a phone makes it."""
    return {
        "change_id": str(uuid.uuid4()),
        "collection": collection,
        "id": document_id or str(uuid.uuid4()),
        "base_rev": base_rev,
        "deleted": False,
        **fields,
    }


def subject(document_id, kind, label, **data):
    """Return a change that creates a subject."""
    return change("subjects", document_id, kind=kind, label=label, data=data)


def record(form, version, subject_id, recorded_at, data, document_id=None):
    """Return a change that creates a record."""
    return change(
        "records",
        document_id,
        form=form,
        form_version=version,
        subject_id=subject_id,
        recorded_at=recorded_at,
        data=data,
    )


def deletion(original):
    """Return the change that deletes a record created by `original`."""
    kept = {k: original[k] for k in ("form", "form_version", "subject_id", "recorded_at", "data")}
    return change("records", original["id"], base_rev=1, **{**kept, "deleted": True})


def home_visit_v2(definition):
    """Return home-visit version 2: 'Laundry' added to the tasks, the notes question removed."""
    fields = []
    for field in definition["fields"]:
        if field["name"] == "notes":
            continue
        if field["name"] == "tasks_done":
            field = {**field, "choices": field["choices"] + [{"value": "laundry", "label": "Laundry"}]}
        fields.append(field)
    return {**definition, "fields": fields}


def footfall_v2(definition):
    """Return footfall-count version 2: a third direction, east."""
    east = {"name": "count_east", "type": "counter", "label": "People walking east"}
    fields = list(definition["fields"])
    fields.insert(4, east)
    return {**definition, "fields": fields}


def visit(version, person, when, time_in, time_out=None, done=(), declined=(), concern=False, **extra):
    """Return a home visit's change."""
    data = {"time_in": time_in, "concern": concern}
    if time_out:
        data["time_out"] = time_out
    if done:
        data["tasks_done"] = list(done)
    if declined:
        data["tasks_declined"] = list(declined)
    if concern:
        data.update(concern_details="Found on the floor.", concern_urgency="today")
    return record("home-visit", version, person, when, data, **extra)


def wellbeing(person, when, ons=(), ucla=()):
    """Return a wellbeing check's change: ONS answers (None leaves one out), then the UCLA answers."""
    names = ("life_satisfaction", "worthwhile", "happy_yesterday", "anxious_yesterday")
    data = {"answered_by": "self", **{n: v for n, v in zip(names, ons) if v is not None}}
    data.update({n: v for n, v in zip(("lack_companionship", "left_out", "isolated"), ucla) if v is not None})
    return record("wellbeing-check", 1, person, when, data)


def care_circle_changes():
    """Return the care circle's changes, in the order to push them (the deletion last)."""
    deleted = visit(
        1, ADA, "2026-11-10T09:00:00+00:00", "09:00", "11:00", done=["meal"], document_id=DELETED_VISIT
    )
    return [
        subject(ADA, "person", "Ada Brown"),
        subject(BEN, "person", "Ben Okafor"),
        visit(1, ADA, "2026-11-02T10:31:00+00:00", "09:00", "10:30", done=["meal", "shopping"]),
        visit(
            1,
            ADA,
            "2026-11-04T14:50:00+00:00",
            "14:00",
            "14:45",
            done=["meal"],
            declined=["personal_care"],
            concern=True,
            document_id=RESOLVED_CONCERN,
        ),
        visit(1, BEN, "2026-11-05T23:59:00+00:00", "23:30", "00:15"),
        visit(2, ADA, "2026-11-18T09:35:00+00:00", "09:00", "09:30", done=["laundry"], concern=True),
        visit(2, BEN, "2026-11-24T12:00:00+00:00", "11:00"),
        deleted,
        deletion(deleted),
        wellbeing(ADA, "2026-10-15T10:00:00+01:00", (6, 7, 5, 3), (2, 2, 1)),
        wellbeing(ADA, "2026-11-15T10:00:00+00:00", (8, 8, 7, 2), (1, 1, 1)),
        wellbeing(BEN, "2026-11-20T10:00:00+00:00", (6, None, 5, 4), (3, 2, None)),
    ]


def survey(pitch, when, status, goods=None, **prices):
    """Return a pitch survey's change."""
    data = {"status": status, **prices}
    if goods:
        data["goods_category"] = goods
    return record("pitch-survey", 1, pitch, when, data)


def count(version, when, minutes, north, south, east=None):
    """Return a footfall count's change at Ridley Road."""
    data = {"interval_start": when, "minutes": minutes, "count_north": north, "count_south": south}
    if east is not None:
        data["count_east"] = east
    return record("footfall-count", version, RIDLEY, when, data)


def market_changes():
    """Return the market survey's changes, in the order to push them (the deletion last)."""
    deleted = survey(P3, "2026-11-19T11:00:00+00:00", "trading", "bakery", price_tomatoes_kg=999)
    deleted["id"] = DELETED_SURVEY
    return [
        subject(RIDLEY, "market", "Ridley Road Market"),
        subject(CHATSWORTH, "market", "Chatsworth Road"),
        subject(P1, "pitch", "Pitch 1", market_id=RIDLEY),
        subject(P2, "pitch", "Pitch 2", market_id=RIDLEY),
        subject(P3, "pitch", "Pitch 3", market_id=RIDLEY),
        subject(Q1, "pitch", "Pitch A", market_id=CHATSWORTH),
        survey(
            P1,
            "2026-11-12T09:00:00+00:00",
            "trading",
            "fruit_veg",
            price_tomatoes_kg=250,
            price_bananas_each=20,
        ),
        survey(P1, "2026-11-12T15:00:00+00:00", "closed_today"),
        survey(P2, "2026-11-12T09:30:00+00:00", "vacant"),
        survey(P3, "2026-11-12T10:00:00+00:00", "casual", "clothing"),
        survey(
            Q1, "2026-11-12T11:00:00+00:00", "trading", "bakery", price_tomatoes_kg=300, price_bread_loaf=120
        ),
        survey(P1, "2026-11-19T09:00:00+00:00", "trading", "fruit_veg", price_tomatoes_kg=200),
        survey(P2, "2026-11-19T09:10:00+00:00", "trading", "meat_fish", price_tomatoes_kg=240),
        deleted,
        deletion(deleted),
        count(1, "2026-11-12T10:00:00+00:00", 15, 40, 35),
        count(1, "2026-11-12T14:00:00+00:00", 10, 12, 20),
        count(2, "2026-11-19T10:00:00+00:00", 20, 10, 5, east=7),
    ]


def story(domain=None):
    """Return a change story's change."""
    data = {"title": "A story", "what_changed": "Things changed.", "why_it_matters": "Because."}
    data.update(reference_period="last_3_months", storyteller_consent="anonymous")
    if domain:
        data["domain"] = domain
    return record("change-story", 1, None, "2026-11-20T10:00:00+00:00", data)


def feedback(rating=None, recommend=None):
    """Return a workshop feedback form's change (None leaves an answer out)."""
    data = {"event_date": "2026-11-18", "what_worked": "The tea."}
    data.update({n: v for n, v in (("rating", rating), ("would_recommend", recommend)) if v is not None})
    return record("workshop-feedback", 1, None, "2026-11-18T16:00:00+00:00", data)


def evaluation_changes():
    """Return the evaluation team's changes: four stories, one without a domain, and three feedback forms."""
    return [
        story("wellbeing"),
        story("relationships"),
        story("wellbeing"),
        story(),
        feedback(4, True),
        feedback(5, True),
        feedback(4),
    ]


EXPECTED = {
    "visits": [
        ["Week starting", "Ada Brown", "Ben Okafor"],
        ["2026-11-02", "2", "1"],
        ["2026-11-09", "0", "0"],
        ["2026-11-16", "1", "0"],
        ["2026-11-23", "0", "1"],
    ],
    "time-spent": [
        ["Week starting", "Ada Brown", "Ben Okafor"],
        ["2026-11-02", "2.25", "0.75"],
        ["2026-11-09", "0", "0"],
        ["2026-11-16", "0.5", "0"],
    ],
    "tasks": [
        ["Task", "Done", "Declined"],
        ["Personal care", "0", "1"],
        ["Meal", "2", "0"],
        ["Shopping", "1", "0"],
        ["Laundry", "1", "0"],
    ],
    "concerns": [
        ["Week starting", "Raised", "Resolved"],
        ["2026-11-02", "1", "0"],
        ["2026-11-09", "0", "1"],
        ["2026-11-16", "1", "0"],
    ],
    "wellbeing": [
        ["Month", "Life satisfaction", "Worthwhile", "Happy yesterday", "Anxious yesterday", "Checks"],
        ["2026-10", "6", "7", "5", "3", "1"],
        ["2026-11", "7", "8", "6", "3", "2"],
    ],
    "loneliness": [
        ["Month", "Loneliness (3 to 9)", "Checks"],
        ["2026-10", "5", "1"],
        ["2026-11", "3", "1"],
    ],
    "pitches": [
        ["Market", "Day", "Trading", "Vacant", "Closed today", "Casual trader", "Pitches surveyed"],
        ["Chatsworth Road", "2026-11-12", "1", "0", "0", "0", "1"],
        ["Ridley Road Market", "2026-11-12", "0", "1", "1", "1", "3"],
        ["Ridley Road Market", "2026-11-19", "2", "0", "0", "0", "2"],
    ],
    "goods": [
        ["What is sold", "Chatsworth Road", "Ridley Road Market"],
        ["Fruit and vegetables", "0", "1"],
        ["Meat and fish", "0", "1"],
        ["Bread and cakes", "1", "0"],
        ["Clothing and fabrics", "0", "1"],
    ],
    "prices": [
        ["Day", "Tomatoes, per kg", "Bananas, each", "Bread, a loaf", "Eggs, a dozen"],
        ["2026-11-12", "2.75", "0.2", "1.2", ""],
        ["2026-11-19", "2.2", "", "", ""],
    ],
    "footfall": [
        [
            "Count started",
            "Market",
            "Minutes",
            "People walking north",
            "People walking south",
            "People walking east",
            "Total",
            "People per hour",
        ],
        ["2026-11-12 10:00", "Ridley Road Market", "15", "40", "35", "", "75", "300"],
        ["2026-11-12 14:00", "Ridley Road Market", "10", "12", "20", "", "32", "192"],
        ["2026-11-19 10:00", "Ridley Road Market", "20", "10", "5", "7", "22", "66"],
    ],
    "stories": [
        ["Domain", "Stories"],
        ["Health and wellbeing", "2"],
        ["Relationships and connection", "1"],
        ["Not said", "1"],
    ],
    "feedback": [
        ["Question", "Answer", "Answers"],
        ["Overall, how was it?", "1 Very poor", "0"],
        ["Overall, how was it?", "2 Poor", "0"],
        ["Overall, how was it?", "3 OK", "0"],
        ["Overall, how was it?", "4 Good", "2"],
        ["Overall, how was it?", "5 Very good", "1"],
        ["Would you recommend it to a friend?", "Yes", "2"],
        ["Would you recommend it to a friend?", "No", "0"],
    ],
}
