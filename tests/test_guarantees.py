"""The six guarantees of the sync contract (docs/api.md), held against a model and a real server.

1. Nothing acknowledged is lost (crash test). 2. Nothing is stored twice
(property test, concurrency test, crash test). 3. Nothing is skipped
(concurrency test's puller). 4. Nothing is overwritten silently (property
test: conflicts keep both versions). 5 and 6 live in test_api_access.py and
test_api_fuzz.py.

Every test runs on SQLite and on PostgreSQL (conftest's both_stores); the
concurrency test runs two app server processes sharing the database, as
several machines behind a load balancer do.
"""

import json
import random
import threading
import uuid

import pytest
import requests
import sqlalchemy as sa
from conftest import PASSWORD
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from realserver import VISIT, RealServer, SyncClient, latest, seed_instance, visit_change

from fvfield.extensions import begin_write, db
from fvfield.models import FormVersion, Revision, Team
from fvfield.sync.forms import install_questionnaires

pytestmark = pytest.mark.both_stores

SLUG = "clapton-circle"


def install_forms(app, slug=SLUG):
    """Give a team made by the conftest fixtures its built-in forms, once."""
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.slug == slug))
        if db.session.scalar(sa.select(FormVersion.pk).where(FormVersion.team_id == team.id).limit(1)):
            return
        begin_write()
        install_questionnaires(team)
        db.session.commit()


# --- Property: random interleavings of devices against a simple model -------------------------

EDITABLE = {
    "notes": st.sampled_from(["Slept well", "Tired", "Cheerful", None]),
    "food_drink": st.sampled_from(["Soup", "Tea and toast", None]),
    "rating": st.sampled_from([1, 3, 5, None]),
}


def fields_of(deleted, answers):
    """Return a document as the merge rule sees it: deleted plus each answer that is not null."""
    found = {"deleted": deleted}
    found.update({("data", k): v for k, v in answers.items() if v is not None})
    return found


def differ(before, after):
    """Return the fields whose values differ."""
    return {f for f in before.keys() | after.keys() if before.get(f) != after.get(f)}


class ModelDocument:
    """A document in the model: its rev, state, conflict flag and winning history."""

    def __init__(self, state, device):
        self.rev, self.state, self.has_conflict = 1, state, False
        self.history = {1: (state, device)}


class Model:
    """The contract's rules, simply: applied, duplicate, merged, conflict.

    A stale change merges when the fields it touched against its base revision
    were not touched since by another device (docs/api.md: a device's own
    earlier changes are its base, not rival edits).
    """

    def __init__(self):
        self.documents = {}
        self.outcomes = {}
        self.changes = {}

    def push(self, device, change):
        """Return the (status, rev) the server must answer for a change."""
        if change["change_id"] in self.outcomes:
            return "duplicate", self.outcomes[change["change_id"]][1]
        doc = self.documents.get(change["id"])
        if doc is None:
            doc = self.documents[change["id"]] = ModelDocument(fields_of(False, change["data"]), device)
            return self.remember(change, "applied", 1)
        base = doc.history[change["base_rev"]][0]
        if change["deleted"]:
            proposed = {**base, "deleted": True}
        else:
            proposed = fields_of(False, change["data"])
        if change["base_rev"] == doc.rev:
            return self.win(doc, change, proposed, device, "applied")
        touched = differ(base, proposed)
        rivals = set()
        for rev in range(change["base_rev"] + 1, doc.rev + 1):
            state, by = doc.history[rev]
            if by != device:
                rivals |= differ(doc.history[rev - 1][0], state)
        if touched & rivals:
            doc.has_conflict = True
            return self.remember(change, "conflict", doc.rev)
        merged = {f: v for f, v in doc.state.items() if f not in touched}
        merged.update({f: proposed[f] for f in touched if f in proposed})
        return self.win(doc, change, merged, device, "merged")

    def win(self, doc, change, state, device, status):
        """Make `state` the document's next rev."""
        doc.rev += 1
        doc.state = state
        doc.history[doc.rev] = (state, device)
        return self.remember(change, status, doc.rev)

    def remember(self, change, status, rev):
        """Keep what the server did with a change, for its retries."""
        self.outcomes[change["change_id"]] = (status, rev)
        self.changes[change["change_id"]] = change
        return status, rev


class Device:
    """A phone in the model: what it knows, what waits in its outbox, what it sent."""

    def __init__(self, client, name):
        self.client, self.name = client, name
        self.id = str(uuid.uuid4())
        self.view = {}  # doc id -> (rev, deleted, answers) as this device last knew it
        self.outbox, self.sent, self.cursor = [], [], None

    def push(self, changes):
        """Push changes; return their results."""
        body = {"device_id": self.id, "changes": changes}
        answer = self.client.post(f"/api/v1/teams/{SLUG}/push", json=body)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()["results"]

    def pull(self, ours):
        """Pull since the device's cursor; adopt the server's state of our documents."""
        for _ in range(100):
            url = f"/api/v1/teams/{SLUG}/pull" + (f"?since={self.cursor}" if self.cursor else "")
            page = self.client.get(url).get_json()
            for doc in page["changes"]:
                if doc["id"] in ours:
                    self.view[doc["id"]] = (doc["rev"], doc["deleted"], doc["data"])
            self.cursor = page["cursor"]
            if not page["more"]:
                return
        raise AssertionError("pull never finished")


def answers_strategy():
    """Draw optional answers of a new visit."""
    return st.fixed_dictionaries({}, optional=EDITABLE)


@pytest.fixture
def logged_in(app, people, client):
    """The member's client and the coordinator's, logged in, on a team with its forms."""
    install_forms(app)
    coordinator = app.test_client()
    for c, email in ((client, people["member"]), (coordinator, people["coord"])):
        answer = c.post("/login", data={"email": email, "password": PASSWORD})
        assert answer.status_code == 302
    return client, coordinator


ACTIONS = ("create",) + ("edit",) * 5 + ("delete", "push", "push", "push", "retry", "replay", "pull", "pull")


def edit_strategy():
    """Change one or two answers (null removes one)."""
    return st.dictionaries(st.sampled_from(sorted(EDITABLE)), st.none(), min_size=1, max_size=2).flatmap(
        lambda chosen: st.fixed_dictionaries({name: EDITABLE[name] for name in chosen})
    )


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_guarantees_interleavings_match_the_model(app, logged_in, data):
    member, coordinator = logged_in
    # Two devices of the member (a phone and a tablet) and one of the coordinator.
    devices = [Device(member, "phone"), Device(member, "tablet"), Device(coordinator, "laptop")]
    model, ours = Model(), set()
    # Every device starts holding the same two visits, so that their edits meet.
    shared = [visit_change() for _ in range(2)]
    ours.update(c["id"] for c in shared)
    devices[0].sent.append(shared)
    check_batch(devices[0], shared, model)
    for device in devices:
        device.pull(ours)
    for _ in range(data.draw(st.integers(4, 40), label="steps")):
        device = data.draw(st.sampled_from(devices), label="device")
        action = data.draw(st.sampled_from(ACTIONS), label="action")
        live = sorted(i for i, (rev, deleted, _) in device.view.items() if rev and not deleted)
        if action == "create":
            doc_id = str(uuid.uuid4())
            answers = {**VISIT, **data.draw(answers_strategy(), label="answers")}
            ours.add(doc_id)
            device.outbox.append(visit_change(doc_id, 0, answers))
            device.view[doc_id] = (0, False, answers)
        elif action == "edit" and live:
            doc_id = data.draw(st.sampled_from(live), label="edited")
            rev, _, answers = device.view[doc_id]
            new = {**answers, **data.draw(edit_strategy(), label="edit")}
            device.outbox.append(visit_change(doc_id, rev, new))
            device.view[doc_id] = (rev, False, new)
        elif action == "delete" and live:
            doc_id = data.draw(st.sampled_from(live), label="deleted")
            rev, _, answers = device.view[doc_id]
            device.outbox.append({**visit_change(doc_id, rev), "deleted": True})
            for key in ("form", "form_version", "recorded_at", "data", "subject_id"):
                device.outbox[-1].pop(key)
            device.view[doc_id] = (rev, True, answers)
        elif action == "push" and device.outbox:
            batch, device.outbox = device.outbox, []
            device.sent.append(batch)
            check_batch(device, batch, model)
        elif action == "retry" and device.sent:
            check_batch(device, device.sent[-1], model)
        elif action == "replay" and device.sent:
            batch = data.draw(st.sampled_from(device.sent), label="replayed batch")
            order = data.draw(st.permutations(batch), label="order")
            check_batch(device, order[: data.draw(st.integers(1, len(order)))], model)
        elif action == "pull" and not device.outbox:
            device.pull(ours)
    check_store(app, devices[0], model, ours)


def test_guarantees_a_conflict_is_seen_and_resolved(app, logged_in):
    member, coordinator = logged_in
    phone, laptop = Device(member, "phone"), Device(coordinator, "laptop")
    create = visit_change(answers={**VISIT, "notes": "First"})
    assert phone.push([create])[0]["status"] == "applied"
    mine = visit_change(create["id"], 1, {**VISIT, "notes": "Phone's words"})
    theirs = visit_change(create["id"], 1, {**VISIT, "notes": "Laptop's words"})
    assert phone.push([mine])[0]["status"] == "applied"
    [conflict] = laptop.push([theirs])
    assert conflict["status"] == "conflict"
    assert conflict["current"]["data"]["notes"] == "Phone's words"
    assert conflict["current"]["has_conflict"] is True
    revisions = member.get(f"/api/v1/teams/{SLUG}/records/{create['id']}/revisions").get_json()
    kept = {r["change_id"]: (r["status"], r["data"]["notes"]) for r in revisions["revisions"]}
    assert kept[theirs["change_id"]] == ("conflict", "Laptop's words")
    assert kept[mine["change_id"]] == ("applied", "Phone's words")
    settle = visit_change(create["id"], 2, {**VISIT, "notes": "Both agreed"}, resolves_conflict=True)
    assert laptop.push([settle])[0] == {
        "change_id": settle["change_id"],
        "id": create["id"],
        "status": "applied",
        "rev": 3,
    }
    [doc] = [
        d
        for d in laptop.client.get(f"/api/v1/teams/{SLUG}/pull").get_json()["changes"]
        if d["id"] == create["id"]
    ]
    assert (doc["rev"], doc["has_conflict"], doc["data"]["notes"]) == (3, False, "Both agreed")


def check_batch(device, batch, model):
    """Push a batch; every result must be what the model says."""
    results = device.push(batch)
    assert len(results) == len(batch)
    for change, result in zip(batch, results):
        status, rev = model.push(device.id, change)
        event(status)
        assert result.get("errors") is None, (change, result)
        assert (result["change_id"], result["status"], result["rev"]) == (
            change["change_id"],
            status,
            rev,
        ), (change, result)
        if status == "applied" and change["id"] in device.view:
            _, deleted, answers = device.view[change["id"]]
            device.view[change["id"]] = (rev, deleted, answers)


def check_store(app, device, model, ours):
    """A full pull and the revisions table hold exactly the model's state, each change once."""
    everything, since = [], ""
    for _ in range(100):
        page = device.client.get(f"/api/v1/teams/{SLUG}/pull?limit=1000{since}").get_json()
        everything += page["changes"]
        since = f"&since={page['cursor']}"
        if not page["more"]:
            break
    pulled = [d for d in everything if d["id"] in ours]
    assert len(pulled) == len({d["id"] for d in pulled}), "a document was pulled twice"
    server = {d["id"]: (d["rev"], fields_of(d["deleted"], d["data"]), d["has_conflict"]) for d in pulled}
    expected = {i: (m.rev, m.state, m.has_conflict) for i, m in model.documents.items()}
    assert server == expected
    with app.app_context():
        rows = db.session.execute(
            sa.select(Revision.change_id, Revision.status, Revision.deleted, Revision.data).where(
                Revision.document_id.in_(ours)
            )
        ).all()
    assert sorted(row.change_id for row in rows) == sorted(model.outcomes)
    # A conflict keeps the incoming version beside the winner (guarantee 4).
    conflicts = {cid for cid, (status, _) in model.outcomes.items() if status == "conflict"}
    assert {row.change_id for row in rows if row.status == "conflict"} == conflicts
    for row in rows:
        if row.change_id in conflicts:
            sent = model.changes[row.change_id]
            assert row.deleted == sent["deleted"]
            if not sent["deleted"]:
                assert fields_of(False, json.loads(row.data)) == fields_of(False, sent["data"])


# --- Concurrency: 20 phones pushing with retries while a puller follows -------------------------

PUSHERS, BATCHES, BATCH = 20, 10, 20


def phone_batches(rng):
    """Return a phone's 200 changes in batches of 20: new visits, and edits of earlier ones."""
    batches, earlier = [], []
    for number in range(BATCHES):
        edits = (
            [
                visit_change(doc_id, 1, {**VISIT, "notes": f"Edited in batch {number}"})
                for doc_id in rng.sample(earlier, 5)
            ]
            if earlier
            else []
        )
        creates = [visit_change() for _ in range(BATCH - len(edits))]
        earlier = [c["id"] for c in creates]
        batch = creates + edits
        rng.shuffle(batch)
        batches.append(batch)
    return batches


def push_twice_at_once(phone, other_connection, batch, problems):
    """Send a batch on two connections at once, then retry it on the first; return the answers."""
    answers = {}

    def send(name, client):
        try:
            answers[name] = client.push(SLUG, batch)
        except Exception as error:  # noqa: BLE001  (reported to the test thread)
            problems.append(f"{name}: {error!r}")

    rival = threading.Thread(target=send, args=("rival", other_connection))
    rival.start()
    send("first", phone)
    rival.join()
    send("retry", phone)
    return answers


def check_one_applied(batch, answers, expected_rev, problems):
    """Each change of a batch sent three times: applied once, duplicate otherwise, same rev."""
    for name, answer in answers.items():
        if answer.status_code != 200:
            problems.append(f"{name} answered {answer.status_code}: {answer.text[:200]}")
            return
    for number, change in enumerate(batch):
        results = [answers[name].json()["results"][number] for name in answers]
        statuses = sorted(r["status"] for r in results)
        revs = {r["rev"] for r in results}
        if statuses != ["applied", "duplicate", "duplicate"] or revs != {expected_rev(change)}:
            problems.append(f"change {change['change_id']} answered {results}")


def follow(puller, stop, seen, problems):
    """Pull with the cursor until told to stop, keeping the latest rev of every document."""
    cursor = None
    for _ in range(100_000):
        if stop.is_set():
            break
        answer = puller.pull(SLUG, since=cursor, limit=200)
        if answer.status_code != 200:
            problems.append(f"pull answered {answer.status_code}: {answer.text[:200]}")
            return
        page = answer.json()
        for doc in page["changes"]:
            seen[doc["collection"], doc["id"]] = doc["rev"]
        cursor = page["cursor"]
        stop.wait(0.02)
    documents, _ = puller.pull_all(SLUG, since=cursor)
    for doc in documents:
        seen[doc["collection"], doc["id"]] = doc["rev"]


def shared_settings(tmp_path, database_url):
    """Return the settings app servers share: one database, one secret key, one photo folder."""
    return {
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'instance' / 'fvfield.db'}",
        "SECRET_KEY": "one key for every app server of a deployment",
        "ATTACHMENTS_DIR": tmp_path / "attachments",
    }


@pytest.mark.slow
def test_guarantees_concurrent_retries_store_once_and_the_puller_skips_nothing(tmp_path, database_url):
    settings = shared_settings(tmp_path, database_url)
    emails = [f"carer{n}@example.org" for n in range(PUSHERS)] + ["puller@example.org"]
    seed_instance(
        tmp_path / "instance",
        [(email, email.split("@")[0].title()) for email in emails],
        [(SLUG, "Clapton circle", "care-circle", [(email, "member") for email in emails])],
        **settings,
    )
    rng = random.Random(1125)
    plans = [phone_batches(rng) for _ in range(PUSHERS)]
    problems, seen, stop = [], {}, threading.Event()
    with (
        RealServer(tmp_path / "instance", **settings) as server,
        RealServer(tmp_path / "second", **settings) as second,
    ):
        # Each phone sends its batches to one server and at once to the other.
        pair = (server, second)
        puller = SyncClient(second.url)
        puller.login("puller@example.org")

        def phone_work(number, email, batches):
            phone = SyncClient(pair[number % 2].url)
            phone.login(email)
            other = SyncClient(pair[1 - number % 2].url, device_id=phone.device_id)
            other.login(email)
            for batch in batches:
                answers = push_twice_at_once(phone, other, batch, problems)
                if len(answers) == 3:
                    check_one_applied(batch, answers, lambda c: c["base_rev"] + 1, problems)

        phones = [
            threading.Thread(target=phone_work, args=(number, email, plan))
            for number, (email, plan) in enumerate(zip(emails, plans))
        ]
        following = threading.Thread(target=follow, args=(puller, stop, seen, problems))
        following.start()
        for thread in phones:
            thread.start()
        for thread in phones:
            thread.join()
        stop.set()
        following.join()
        everything, _ = puller.pull_all(SLUG)
        log = server.log() + second.log()

    assert problems == []
    assert "database is locked" not in log
    assert "Traceback" not in log
    changes = [c for plan in plans for batch in plan for c in batch]
    creates = {c["id"] for c in changes if c["base_rev"] == 0}
    records = {d["id"]: d["rev"] for d in everything if d["collection"] == "records"}
    assert len(records) == len([d for d in everything if d["collection"] == "records"])
    edited = {c["id"] for c in changes if c["base_rev"] == 1}
    assert records == {i: 2 if i in edited else 1 for i in creates}
    assert seen == {(d["collection"], d["id"]): d["rev"] for d in everything}
    counts = dict(
        server.query(
            "SELECT change_id, count(*) FROM revisions WHERE collection = 'records' GROUP BY change_id"
        )
    )
    assert counts == {c["change_id"]: 1 for c in changes}


# --- Crash: SIGKILL at random moments during pushes ----------------------------------------------

ACKNOWLEDGED = ("applied", "merged", "duplicate", "conflict")


def next_batch(rng, edits_left):
    """Return a batch of new visits, with edits (base_rev 1) of visits created earlier."""
    edits = [
        visit_change(edits_left.pop(), 1, {**VISIT, "notes": "Edited"})
        for _ in range(min(len(edits_left), rng.randint(0, 10)))
    ]
    return [visit_change() for _ in range(rng.randint(10, 50))] + edits


@pytest.mark.slow
def test_guarantees_acknowledged_changes_survive_sigkill(tmp_path, database_url):
    instance = tmp_path / "instance"
    settings = {"DATABASE_URL": database_url} if database_url else {}
    seed_instance(
        instance,
        [("member@example.org", "Mo Member")],
        [(SLUG, "Clapton circle", "care-circle", [("member@example.org", "member")])],
        **settings,
    )
    rng = random.Random(20261125)
    server = RealServer(instance, **settings).start()
    phone = SyncClient(server.url)
    phone.login("member@example.org")
    acknowledged, sent, edits_left = {}, [], []
    try:
        for _ in range(4):
            killer = threading.Timer(rng.uniform(0.1, 1.5), server.kill)
            killer.start()
            for _ in range(1000):
                batch = next_batch(rng, edits_left)
                sent.append(batch)
                try:
                    answer = phone.push(SLUG, batch, timeout=30)
                except requests.RequestException:
                    break
                assert answer.status_code == 200, answer.text
                for change, result in zip(batch, answer.json()["results"]):
                    assert result["status"] in ACKNOWLEDGED, result
                    acknowledged[change["change_id"]] = (change, result["rev"])
                    if change["base_rev"] == 0:
                        edits_left.append(change["id"])
            killer.join()
            server.start()
            phone.base_url = server.url

        stored = dict(server.query("SELECT change_id, count(*) FROM revisions GROUP BY change_id"))
        assert {cid: stored.get(cid) for cid in acknowledged} == {cid: 1 for cid in acknowledged}
        documents, _ = phone.pull_all(SLUG)
        revs = latest(documents)
        assert len(revs) == len(documents)
        for change, rev in acknowledged.values():
            assert revs["records", change["id"]]["rev"] >= rev

        for batch in sent:
            answer = phone.push(SLUG, batch)
            assert answer.status_code == 200
            for change, result in zip(batch, answer.json()["results"]):
                assert result["status"] in ("applied", "duplicate"), result
                if change["change_id"] in acknowledged:
                    assert (result["status"], result["rev"]) == (
                        "duplicate",
                        acknowledged[change["change_id"]][1],
                    )
        stored = dict(
            server.query(
                "SELECT change_id, count(*) FROM revisions WHERE collection = 'records' GROUP BY change_id"
            )
        )
        assert stored == {c["change_id"]: 1 for batch in sent for c in batch}
    finally:
        server.stop()
    assert "database is locked" not in server.log()
