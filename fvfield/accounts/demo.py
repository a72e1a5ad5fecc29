"""Demo teams, users and sample data, so that a new installation can be tried at once.

seed() makes a demo care circle and a demo market survey, a login of each
role in both, and fills the teams with about eight weeks of made-up people,
a market and its pitches, and records dated back from today. The sample data
goes through the real push logic (sync.push_changes), as the demo users'
phones would send it: subjects first, then the records about them, a week's
records per push. So every record is a document with a revision that
reaches phones at their next pull. Its ids are derived from fixed names and
its answers from a fixed random seed, so the data is the same every time
and seeding again adds nothing. remove() takes the demo teams, everything
in them and the demo users away again.
"""

import random
import secrets
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from fvfield import accounts
from fvfield.audit import record_event
from fvfield.extensions import begin_write, db
from fvfield.models import Membership, Team, User
from fvfield.sync.documents import documents
from fvfield.sync.push import push_changes

# The teams' names say they are demos; the names of earlier versions count too.
TEAMS = (
    ("demo-circle", "Care circle (demo)", "care-circle"),
    ("demo-market", "Market survey (demo)", "market-survey"),
)
FORMER_NAMES = {"demo-circle": "Demo care circle", "demo-market": "Demo market survey"}

# One person of each role, a member of every demo team.
PEOPLE = (
    ("demo-coordinator@example.org", "Dee Coordinator", "coordinator"),
    ("demo-member@example.org", "Sam Member", "member"),
    ("demo-viewer@example.org", "Val Viewer", "viewer"),
)

# Every sample subject carries this fact, shown with its key facts on the web and the phones.
SAMPLE_KEY = "sample_data"
SAMPLE_NOTE = "Made up for the demo (fvfield seed-demo --remove deletes it)."
NAMESPACE = uuid.UUID("6f1d2c3b-8a4e-4f5a-9b6c-7d8e9f0a1b2c")
SEED = 2026
DAYS = 56
KIND_WORDS = {
    "person": ("person", "people"),
    "participant": ("participant", "participants"),
    "market": ("market", "markets"),
    "pitch": ("pitch", "pitches"),
}


class Seeded(NamedTuple):
    """What seed() found or made."""

    teams: list  # (slug, created now)
    users: list  # (email, role, password, or None when the user was already there)
    # (slug, {subject kind: added}, records added), or (slug, None, 0) for a team that is not a demo
    samples: list = ()


class Removed(NamedTuple):
    """What remove() deleted, and the demo users it kept because they belong to other teams."""

    teams: list  # slugs
    rows: Counter  # table name: rows deleted
    users: list  # emails deleted
    kept: list  # emails kept


class Entry(NamedTuple):
    """A change of the sample data, the role of the demo user who makes it and when."""

    role: str
    moment: datetime | None  # None for subjects: they are pushed first
    change: dict


class DemoRefused(accounts.AccountError):
    """The push logic refused a change of the sample data (a mistake in this module)."""


def seed():
    """Create whatever of the demo teams, users and sample data is missing; return them all."""
    teams = [_find_or_create_team(*spec) for spec in TEAMS]
    users, by_role = [], {}
    for email, name, role in PEOPLE:
        user = accounts.find_user(email)
        password = None
        if user is None:
            password = secrets.token_urlsafe(12)
            user = accounts.create_user(email, name, password)
            db.session.flush()
        for team, _ in teams:
            if accounts.membership(team, user) is None:
                accounts.add_member(team, user, role)
        users.append((user.email, role, password))
        by_role[role] = user
    samples = [fill(team, by_role) for team, _ in teams]
    return Seeded([(team.slug, created) for team, created in teams], users, samples)


def _find_or_create_team(slug, name, kind):
    """Return (the team with this slug, False), or (a new team, True)."""
    try:
        return accounts.find_team(slug), False
    except accounts.UnknownTeam:
        return accounts.create_team(slug, name, kind), True


def is_demo(team):
    """Return whether a team is one seed() made: a demo slug, its demo name and kind."""
    return any(
        team.slug == slug and team.kind == kind and team.name in (name, FORMER_NAMES[slug])
        for slug, name, kind in TEAMS
    )


# The sample data: its ids, times and changes.


def demo_id(*parts):
    """Return the fixed UUID of a named piece of the sample data."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


def local_zone():
    """Return London's time zone, the phones' own (UTC where the time zone data is missing)."""
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:
        return UTC


def today():
    """Return today's date in London."""
    return datetime.now(local_zone()).date()


def at(day, hhmm, minutes=0):
    """Return the London time `hhmm` ("HH:MM") of a day, plus some minutes."""
    start = datetime.combine(day, time.fromisoformat(hhmm), tzinfo=local_zone())
    return start + timedelta(minutes=minutes)


def clock(moment):
    """Return a time as an answer: "HH:MM"."""
    return f"{moment:%H:%M}"


def subject(slug, key, kind, label, **data):
    """Return the entry that creates a sample subject (made by the coordinator)."""
    document_id = demo_id(slug, "subject", key)
    change = {
        "change_id": demo_id(document_id, "created"),
        "collection": "subjects",
        "id": document_id,
        "base_rev": 0,
        "deleted": False,
        "kind": kind,
        "label": label,
        "data": {**data, SAMPLE_KEY: SAMPLE_NOTE},
    }
    return Entry("coordinator", None, change)


def record(slug, key, role, moment, form, subject_id, data):
    """Return the entry that creates a sample record of version 1 of a built-in form."""
    document_id = demo_id(slug, "record", key)
    change = {
        "change_id": demo_id(document_id, "created"),
        "collection": "records",
        "id": document_id,
        "base_rev": 0,
        "deleted": False,
        "form": form,
        "form_version": 1,
        "subject_id": subject_id,
        "recorded_at": moment.isoformat(timespec="seconds"),
        "data": data,
    }
    return Entry(role, moment, change)


def visitor(rng):
    """Return who made a visit: mostly the member, sometimes the coordinator."""
    return "coordinator" if rng.random() < 0.25 else "member"


# The care circle: three people, their home visits and wellbeing checks.


class Person(NamedTuple):
    """A person the demo care circle supports, and how their visits usually go."""

    key: str
    label: str
    facts: dict
    rhythm: tuple  # visited on the days whose number of days ago, modulo 7, is one of these
    time_in: str
    minutes: int
    usual: tuple
    extra: tuple
    declines: tuple
    medicines: tuple
    food: tuple
    words: tuple
    ratings: tuple
    notes: tuple
    wellbeing: tuple  # ONS answers (0-10), then UCLA answers (1-3)


PERSONS = (
    Person(
        "peggy",
        "Peggy Doyle",
        {
            "important": "Being called Peggy. Her cat, Biscuit. The radio on for the cricket, "
            "and a cup of tea before anything else.",
            "essentials": "Key safe by the front door (ask the coordinator for the code). Type 2 diabetes: "
            "prompt her insulin pen at breakfast. Walks with a frame: keep the hall clear.",
            "contacts": "Daughter Siobhan 07700 900123. GP surgery 020 7946 0001.",
        },
        (1, 2, 3, 4, 5),
        "08:00",
        45,
        ("personal_care", "meal", "medication_prompt"),
        ("company", "cleaning"),
        ("personal_care",),
        ("prompted",) * 9 + ("declined",),
        (
            "Porridge with honey and two cups of tea.",
            "Toast and marmalade, half a glass of orange juice.",
            "A boiled egg and toast; tea.",
            "Only a few spoonfuls of porridge; plenty of tea.",
        ),
        (
            '"Mustn\'t grumble."',
            '"Biscuit kept me up all night, the little devil."',
            '"My knees are bad today, love."',
            "\"Siobhan's coming Sunday, so I'm happy.\"",
        ),
        (3, 4, 4, 4, 5),
        ("Biscuit fed.", "Bins out on Thursday.", "Insulin pens: three left in the fridge.", ""),
        ((7, 8, 6, 4), (2, 2, 1)),
    ),
    Person(
        "harun",
        "Harun Ahmed",
        {
            "important": "Friday prayers. Talking about his garden and his grandchildren. "
            "Speaking Sylheti with visitors who can.",
            "essentials": "Heart failure: he weighs himself each morning; tell the coordinator if he is "
            "up 2 kg in three days. Halal food only. Water tablets in the morning.",
            "contacts": "Son Rafiq 07700 900456. Community nurses 020 7946 0002.",
        },
        (1, 3, 5),
        "11:00",
        60,
        ("meal", "company"),
        ("shopping", "cleaning", "outing"),
        ("outing", "shopping"),
        ("given", "given", "not_due"),
        (
            "Dal and rice, a glass of water.",
            "Chicken curry his son brought; tea with no sugar.",
            "Soup and bread; two glasses of water.",
            "Fish and rice; a cup of tea.",
        ),
        (
            '"Alhamdulillah, I am well."',
            '"The garden needs me, but my legs say no."',
            '"Rafiq phoned, the little one has a tooth."',
            '"Tired today. The stairs are long."',
        ),
        (3, 3, 4, 4),
        (
            "Weight the same as last week.",
            "Shopping list on the fridge.",
            "Tomatoes in the garden need water.",
            "",
        ),
        ((6, 8, 6, 5), (2, 1, 2)),
    ),
    Person(
        "winston",
        "Winston Clarke",
        {
            "important": "Dominoes at the community centre on Thursdays. His records: ska and rocksteady. "
            "A walk to the park when the weather is fine.",
            "essentials": "Early dementia: give him time, one thing at a time, and don't rush him. "
            "Keys on the hook by the door. Medicines in a blister pack, morning and evening.",
            "contacts": "Niece Marcia 07700 900789. Social worker 020 7946 0003.",
        },
        (2, 5),
        "14:00",
        90,
        ("company", "meal", "medication_prompt"),
        ("outing", "shopping"),
        ("shopping",),
        ("prompted", "prompted", "given"),
        (
            "Rice and peas with chicken; a cup of Milo.",
            "A cheese sandwich and some grapes; tea.",
            "Soup; he left the bread. Two glasses of squash.",
            "Fish fingers and potatoes; tea.",
        ),
        (
            '"Put on some Desmond Dekker, man."',
            '"I won at dominoes, you know."',
            '"What day is it today?"',
            '"Marcia hasn\'t rung. Has she rung?"',
        ),
        (3, 4, 4, 5),
        (
            "We walked to the park and back.",
            "Blister pack checked: all taken.",
            "Played records; he sang along.",
            "",
        ),
        ((7, 7, 5, 3), (2, 2, 2)),
    ),
)
# The one open concern: the latest visit of this person raised it.
CONCERN = (
    "winston",
    "Winston had not eaten the meal left for him yesterday, and the fridge was warm: it "
    "seems to have stopped working. He was more muddled than usual about the day.",
    "today",
)
WELLBEING_DAYS = (50, 29, 8)


def tasks(rng, person):
    """Return (tasks done, tasks declined) of a visit."""
    done = list(person.usual) + [task for task in person.extra if rng.random() < 0.3]
    declined = [task for task in person.declines if rng.random() < 0.15]
    return [task for task in done if task not in declined], declined


def visit_answers(rng, person, concern):
    """Return the answers of a home visit's record, time in and out aside."""
    done, declined = tasks(rng, person)
    answers = {"tasks_done": done, "medicines": rng.choice(person.medicines)}
    if declined:
        answers["tasks_declined"] = declined
    if answers["medicines"] == "declined":
        answers["medicines_declined_reason"] = rng.choice(('"Later, with my lunch."', "Did not say."))
    answers.update(
        food_drink=rng.choice(person.food),
        own_words=rng.choice(person.words),
        rating=rng.choice(person.ratings),
        concern=concern is not None,
    )
    note = rng.choice(person.notes)
    if note:
        answers["notes"] = note
    if concern is not None:
        answers.update(rating=2, concern_details=concern[1], concern_urgency=concern[2])
    return answers


def home_visits(slug, rng, day, person):
    """Yield the entries of a person's home visits over the last DAYS days, the latest raising CONCERN."""
    visited = [ago for ago in range(DAYS, 0, -1) if ago % 7 in person.rhythm]
    for ago in visited:
        concern = CONCERN if person.key == CONCERN[0] and ago == visited[-1] else None
        start = at(day - timedelta(days=ago), person.time_in, rng.choice((-10, -5, 0, 0, 5, 15)))
        end = start + timedelta(minutes=person.minutes + rng.choice((-10, -5, 0, 5, 10, 20)))
        answers = {"time_in": clock(start), "time_out": clock(end), **visit_answers(rng, person, concern)}
        subject_id = demo_id(slug, "subject", person.key)
        yield record(slug, f"visit/{person.key}/{ago}", visitor(rng), end, "home-visit", subject_id, answers)


def wellbeing_checks(slug, rng, day, person):
    """Yield the entries of a person's wellbeing checks, about one a month."""
    ons, ucla = person.wellbeing
    ons_names = ("life_satisfaction", "worthwhile", "happy_yesterday", "anxious_yesterday")
    ucla_names = ("lack_companionship", "left_out", "isolated")
    for ago in WELLBEING_DAYS:
        answers = {
            name: min(10, max(0, value + rng.choice((-1, 0, 0, 1)))) for name, value in zip(ons_names, ons)
        }
        answers["answered_by"] = "self"
        answers.update(
            {
                name: min(3, max(1, value + rng.choice((-1, 0, 0, 0, 1))))
                for name, value in zip(ucla_names, ucla)
            }
        )
        moment = at(day - timedelta(days=ago), "15:30")
        subject_id = demo_id(slug, "subject", person.key)
        yield record(
            slug,
            f"wellbeing/{person.key}/{ago}",
            "coordinator",
            moment,
            "wellbeing-check",
            subject_id,
            answers,
        )


def care_circle(slug, rng, day):
    """Return the entries of the demo care circle: its people, their visits and wellbeing checks."""
    entries = [subject(slug, p.key, "person", p.label, **p.facts) for p in PERSONS]
    for person in PERSONS:
        entries += home_visits(slug, rng, day, person)
        entries += wellbeing_checks(slug, rng, day, person)
    return entries


# The market survey: a market, its 20 pitches, three survey visits and footfall counts.

MARKET = (
    "Hollybush Street Market",
    {
        "address": "Hollybush Street, London E8 (a made-up market)",
        "notes": "Open Tuesday to Saturday. The council proposes moving it for new flats; "
        "the traders meet monthly.",
    },
)
# What each pitch (reference 1 to 20) sells, None when it is vacant, and its trader's languages.
PITCHES = (
    ("fruit_veg", ("english", "turkish")),
    ("fruit_veg", ("english", "bengali")),
    ("meat_fish", ("english",)),
    ("bakery", ("english", "polish")),
    (None, ()),
    ("groceries", ("english", "urdu", "punjabi")),
    ("hot_food", ("english", "yoruba")),
    ("clothing", ("english", "somali")),
    (None, ()),
    ("household", ("english", "gujarati")),
    ("electronics", ("english", "arabic")),
    ("fruit_veg", ("english", "twi")),
    ("beauty", ("english", "french")),
    (None, ()),
    ("flowers_plants", ("english",)),
    ("hot_food", ("english", "portuguese", "spanish")),
    ("crafts_gifts", ("english", "romanian")),
    (None, ()),
    ("services", ("english", "turkish")),
    ("clothing", ("english", "bengali")),
)
UNIT_TYPES = {19: "kiosk", 20: "shop"}
# Days ago of the survey visits, and what was different on each: {reference: (status, goods)}.
MARKET_DAYS = (48, 27, 6)
CHANGED = (
    {13: ("closed_today", None)},
    {6: ("closed_today", None), 16: ("closed_today", None), 9: ("casual", "crafts_gifts")},
    {
        10: ("closed_today", None),
        17: ("vacant", None),
        9: ("casual", "crafts_gifts"),
        14: ("casual", "clothing"),
    },
)
VISIT_NOTES = (
    "First full survey of the market.",
    "Two traders asked about the council's consultation. A casual trader on pitch 9.",
    "Pitch 17's trader has left: the stall frame is gone. Casual traders on 9 and 14.",
)
WEATHER = ("sunny", "cloudy", "cloudy", "light_rain", "cold")
BASKET = {
    "fruit_veg": ("price_tomatoes_kg", "price_bananas_each"),
    "bakery": ("price_bread_loaf",),
    "groceries": ("price_eggs_dozen", "price_bread_loaf"),
}
PRICES = {
    "price_tomatoes_kg": 2.2,
    "price_bananas_each": 0.25,
    "price_bread_loaf": 1.4,
    "price_eggs_dozen": 3.0,
}
CONCERNS = (
    "Rents are up and there are fewer customers since the car park closed.",
    "Worried about the plans for new flats: nobody has said where the market would go.",
    "The loading bay is blocked most mornings, so deliveries are hard.",
    "Fewer older customers since the bus stop moved.",
)
FOOTFALL = (("10:45", 150, 130), ("11:10", 170, 145))


def pitch_position(reference):
    """Return a pitch's position: the pitches line both sides of the street."""
    lon = -0.0752 + (0.00012 if reference % 2 else 0)
    return {"lat": round(51.5490 - 0.00007 * reference, 6), "lon": round(lon, 6)}


def pitch_status(reference, visit):
    """Return (status, goods) of a pitch on a survey visit."""
    goods = PITCHES[reference - 1][0]
    usual = ("trading", goods) if goods else ("vacant", None)
    return CHANGED[visit].get(reference, usual)


def price(rng, name, visit):
    """Return a basket price of a survey visit in pence: a little higher each visit, to 5p (1p below £1)."""
    value = PRICES[name] * 100 * (1 + 0.04 * visit) * rng.uniform(0.9, 1.1)
    step = 5 if PRICES[name] >= 1 else 1
    return round(value / step) * step


def trader_answers(rng, reference, status, goods, visit):
    """Return what a pitch survey records of a trading pitch: goods, prices, trader, concerns, languages."""
    present = status == "casual" or rng.random() < 0.9
    answers = {"goods_category": goods, "trader_present": present}
    answers.update({name: price(rng, name, visit) for name in BASKET.get(goods, ())})
    if present:
        answers["consent"] = rng.random() < 0.35
        if answers["consent"]:
            answers["trader_concerns"] = rng.choice(CONCERNS)
        languages = PITCHES[reference - 1][1] if status == "trading" else ("english",)
        answers["languages"] = list(languages)
    return answers


def pitch_survey(slug, rng, visit, day, reference):
    """Return the entry of a pitch's survey on a visit (1-10 by the coordinator, 11-20 by the member)."""
    status, goods = pitch_status(reference, visit)
    answers = {"status": status}
    if status in ("trading", "casual"):
        answers.update(trader_answers(rng, reference, status, goods, visit))
    answers["position"] = {**pitch_position(reference), "accuracy": round(rng.uniform(4, 12), 1)}
    role = "coordinator" if reference <= 10 else "member"
    moment = at(day, "10:00", 4 * ((reference - 1) % 10) + 3)
    pitch_id = demo_id(slug, "subject", f"pitch/{reference}")
    return record(slug, f"survey/{visit}/{reference}", role, moment, "pitch-survey", pitch_id, answers)


def footfall_counts(slug, rng, visit, day, weather):
    """Yield the entries of a visit's two footfall counts of 15 minutes (fewer people each visit)."""
    market_id = demo_id(slug, "subject", "market")
    for number, (start, north, south) in enumerate(FOOTFALL):
        began, fewer = at(day, start), 1 - 0.07 * visit
        answers = {
            "interval_start": began.isoformat(timespec="seconds"),
            "minutes": 15,
            "count_north": int(north * fewer * rng.uniform(0.85, 1.15)),
            "count_south": int(south * fewer * rng.uniform(0.85, 1.15)),
        }
        if weather == "light_rain":
            answers["notes"] = "Rain for most of the count."
        yield record(
            slug,
            f"footfall/{visit}/{number}",
            "member",
            began + timedelta(minutes=15),
            "footfall-count",
            market_id,
            answers,
        )


def market_visit(slug, rng, visit, day):
    """Return the entries of one survey visit: the visit, a survey of each pitch, the footfall counts."""
    weather = rng.choice(WEATHER)
    answers = {
        "visit_date": day.isoformat(),
        "start_time": "10:00",
        "end_time": "11:30",
        "weather": weather,
        "surveyors": "Dee and Sam",
        "notes": VISIT_NOTES[visit],
    }
    market_id = demo_id(slug, "subject", "market")
    start = at(day, "10:00")
    entries = [record(slug, f"visit/{visit}", "coordinator", start, "market-visit", market_id, answers)]
    entries += [pitch_survey(slug, rng, visit, day, reference) for reference in range(1, len(PITCHES) + 1)]
    entries += footfall_counts(slug, rng, visit, day, weather)
    return entries


def market_survey(slug, rng, day):
    """Return the entries of the demo market survey: the market, its pitches, three visits."""
    market_id = demo_id(slug, "subject", "market")
    entries = [subject(slug, "market", "market", MARKET[0], **MARKET[1])]
    entries += [
        subject(
            slug,
            f"pitch/{reference}",
            "pitch",
            str(reference),
            market_id=market_id,
            unit_type=UNIT_TYPES.get(reference, "stall"),
            position=pitch_position(reference),
        )
        for reference in range(1, len(PITCHES) + 1)
    ]
    for visit, ago in enumerate(MARKET_DAYS):
        entries += market_visit(slug, rng, visit, day - timedelta(days=ago))
    return entries


PLANS = {"care-circle": care_circle, "market-survey": market_survey}


# Storing the sample data through the push logic.


def plan_of(team, day=None):
    """Return the entries of a demo team's sample data, dated back from `day` (today)."""
    return PLANS[team.kind](team.slug, random.Random(SEED), day or today())


def device_id(team, user):
    """Return the id of a demo user's phone in a team (the same every time)."""
    return demo_id("device", team.slug, user.email)


def stored_ids(ids):
    """Return which of these document ids the store already has."""
    return set(db.session.scalars(sa.select(documents.c.id).where(documents.c.id.in_(ids))))


def batches(entries):
    """Group entries into pushes: the subjects first, then each user's records of each week."""
    subjects = [e for e in entries if e.change["collection"] == "subjects"]
    weekly = defaultdict(list)
    for entry in sorted((e for e in entries if e.change["collection"] == "records"), key=lambda e: e.moment):
        weekly[(entry.moment.isocalendar()[:2], entry.role)].append(entry.change)
    pushes = [("coordinator", [e.change for e in subjects])] if subjects else []
    return pushes + [(role, changes) for (_, role), changes in weekly.items()]


def fill(team, users):
    """Push the sample data a demo team lacks, as its users' phones; return (slug, subjects, records)."""
    if not is_demo(team):
        return team.slug, None, 0
    entries = plan_of(team)
    stored = stored_ids([entry.change["id"] for entry in entries])
    added, records = Counter(), 0
    for role, changes in batches([e for e in entries if e.change["id"] not in stored]):
        user = users[role]
        results, _ = push_changes(team.id, user.id, role, device_id(team, user), changes)
        for change, result in zip(changes, results):
            if result["status"] not in ("applied", "duplicate"):
                raise DemoRefused(f"The sample change {change['id']} was {result['status']}: {result}")
            if result["status"] == "applied" and change["collection"] == "subjects":
                added[change["kind"]] += 1
            records += result["status"] == "applied" and change["collection"] == "records"
    return team.slug, dict(added), records


def counted(number, kind):
    """Return a number of subjects in words: 1 market, 20 pitches."""
    singular, plural = KIND_WORDS.get(kind, (kind, kind))
    return f"{number} {singular if number == 1 else plural}"


def sample_words(sample):
    """Say in one line what sample data seed() added to a team."""
    slug, added, records = sample
    if added is None:
        return f"Left {slug} alone: it is not a demo team, so it gets no sample data."
    if not added and not records:
        return f"Sample data in {slug}: already there."
    parts = [counted(number, kind) for kind, number in added.items()] + [f"{records} records"]
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"Sample data in {slug}: added {listed}, from the last {DAYS // 7} weeks."


# Taking the demo away.


def delete_rows(conn, table, ids):
    """Delete rows of `table` by id with the rows that belong to them; unlink the rest that refer to them.

    Follows the foreign keys of every table to `table`: ON DELETE CASCADE
    ones are deleted, SET NULL ones set to null, as the store would itself.
    Return the rows deleted, by table.
    """
    rows = Counter()
    for child in db.metadata.sorted_tables:
        for key in child.foreign_keys:
            if key.column.table is not table:
                continue
            if key.ondelete == "CASCADE":
                rows[child.name] += conn.execute(sa.delete(child).where(key.parent.in_(ids))).rowcount
            elif key.ondelete == "SET NULL":
                conn.execute(sa.update(child).where(key.parent.in_(ids)).values({key.parent.name: None}))
    rows[table.name] += conn.execute(sa.delete(table).where(table.c.id.in_(ids))).rowcount
    return rows


def demo_users(conn):
    """Return (ids and emails of the demo users in no team, emails of those still in one)."""
    emails = [email for email, _, _ in PEOPLE]
    found = conn.execute(sa.select(User.id, User.email).where(User.email.in_(emails))).all()
    ids = [user_id for user_id, _ in found]
    members = set(conn.scalars(sa.select(Membership.user_id).where(Membership.user_id.in_(ids))))
    return [(i, e) for i, e in found if i not in members], sorted(e for i, e in found if i in members)


def remove():
    """Delete the demo teams with everything in them, then the demo users who belong to no other team."""
    conn = begin_write()
    named = db.session.scalars(sa.select(Team).where(Team.slug.in_([slug for slug, _, _ in TEAMS])))
    teams = [team for team in named if is_demo(team)]
    slugs = sorted(team.slug for team in teams)
    rows = delete_rows(conn, Team.__table__, [team.id for team in teams])
    gone, kept = demo_users(conn)
    rows += delete_rows(conn, User.__table__, [i for i, _ in gone])
    db.session.expunge_all()
    if slugs or gone:
        record_event("demo_removed", teams=slugs, users=[e for _, e in gone], via="command line")
    return Removed(slugs, rows, sorted(e for _, e in gone), kept)


def removed_words(removed):
    """Say in one line what remove() deleted."""
    if not removed.teams and not removed.users:
        return "There was no demo data to remove."
    rows, parts = removed.rows, []
    if removed.teams:
        parts.append(
            f"the demo teams {' and '.join(removed.teams)} ({rows['documents']} documents, "
            f"{rows['revisions']} revisions, {rows['devices']} devices, "
            f"{rows['memberships']} memberships)"
        )
    users = len(removed.users)
    parts.append(f"{users} demo user{'' if users == 1 else 's'}")
    line = "Removed " + " and ".join(parts)
    if removed.kept:
        line += f"; kept {', '.join(removed.kept)}: still in other teams"
    return line + "."
