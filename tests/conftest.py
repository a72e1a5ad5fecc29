"""Fixtures in the flaskr style: an app on a temporary instance with a real SQLite file.

Test modules marked `both_stores` run each test that uses `app` (or asks
for `store`) twice: on SQLite, and on a database of a throwaway PostgreSQL
cluster started once per session (tests/pg.py). Without PostgreSQL those
runs are skipped, saying why; FVFIELD_TEST_POSTGRES=0 skips them on purpose
and FVFIELD_TEST_POSTGRES=1 (CI) makes a missing PostgreSQL an error.
"""

import os
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from pg import Cluster, unavailable

from fvfield import create_app
from fvfield.extensions import db
from fvfield.models import Membership, Team, User

# scrypt costs ~0.1 s a hash, hundreds of times over: the suite (and every
# server process it starts, which inherits this) hashes cheaply instead.
# test_auth checks that the app's own default is still scrypt.
os.environ.setdefault("FVFIELD_PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")

PASSWORD = "correct horse battery"
STORES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc):
    """Run the tests of modules marked both_stores on each store, unless a test names its own."""
    chosen = any("store" in marker.args[0] for marker in metafunc.definition.iter_markers("parametrize"))
    if "store" in metafunc.fixturenames and not chosen:
        if metafunc.definition.get_closest_marker("both_stores"):
            metafunc.parametrize("store", STORES, indirect=True)


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster for the whole session, or a skip that says why not."""
    wanted = os.environ.get("FVFIELD_TEST_POSTGRES", "")
    if wanted == "0":
        pytest.skip("FVFIELD_TEST_POSTGRES=0 turns the PostgreSQL runs off")
    reason = unavailable()
    if reason:
        if wanted == "1":
            pytest.fail(f"FVFIELD_TEST_POSTGRES=1 asks for PostgreSQL, but {reason}")
        pytest.skip(f"no PostgreSQL run: {reason}")
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def store(request):
    """Where the app keeps its data: "sqlite", or each store in turn under both_stores."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(request, store):
    """The FVFIELD_DATABASE_URL of the test's store: a new migrated PostgreSQL database, or None."""
    if store == "sqlite":
        yield None
        return
    cluster = request.getfixturevalue("postgres")
    url = cluster.migrated_copy()
    yield url
    cluster.drop(url)


@pytest.fixture
def app(tmp_path, database_url):
    instance = tmp_path / "instance"
    if database_url:
        # In the instance's own config file, so that a second app made on the
        # same instance folder (as some tests do) uses the same database.
        instance.mkdir(parents=True)
        (instance / "config.py").write_text(f"DATABASE_URL = {database_url!r}\n")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(instance), "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_user(email, name=None, password=PASSWORD):
    """Create a user with the test password."""
    user = User(email=email, name=name or email.split("@")[0].title())
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_team(slug, kind="care-circle", name=None, members=()):
    """Create a team; `members` is a list of (user, role)."""
    team = Team(slug=slug, name=name or slug.replace("-", " ").title(), kind=kind)
    db.session.add(team)
    for user, role in members:
        db.session.add(Membership(team=team, user=user, role=role))
    db.session.commit()
    return team


@pytest.fixture
def people(app):
    """Two teams and a user of each role, plus an outsider coordinating another team."""
    with app.app_context():
        coord = make_user("coord@example.org", "Cora Coordinator")
        member = make_user("member@example.org", "Mo Member")
        viewer = make_user("viewer@example.org", "Vi Viewer")
        other = make_user("other@example.org", "Otto Other")
        make_team("clapton-circle", members=[(coord, "coordinator"), (member, "member"), (viewer, "viewer")])
        make_team("ridley-market", kind="market-survey", members=[(other, "coordinator")])
        return {u.email.split("@")[0]: u.email for u in (coord, member, viewer, other)}


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email="coord@example.org", password=PASSWORD, remember=True):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self._client.post("/login", data=data)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


# A small questionnaire of the contract's format, published into clapton-circle by `sync`.
VISIT_FORM = {
    "id": "visit",
    "title": "Visit",
    "subject_kind": "person",
    "fields": [
        {"name": "time_in", "type": "time", "label": "Time in", "required": True},
        {"name": "notes", "type": "text", "label": "Notes", "max_length": 200},
        {
            "name": "mood",
            "type": "choice",
            "label": "Mood",
            "choices": [{"value": "good", "label": "Good"}, {"value": "low", "label": "Low"}],
        },
        {"name": "cups", "type": "integer", "label": "Cups of tea", "min": 0, "max": 20},
        {"name": "photo", "type": "photo", "label": "Photo"},
    ],
}
DEVICE = "0d3c1a52-5f6e-4d7a-9b8c-1e2f3a4b5c6d"


def new_id():
    """Return a new UUID as a device makes them."""
    return str(uuid.uuid4())


class SyncActions:
    """Push and pull through the API as a phone does; publish forms as the web does."""

    def __init__(self, app, client):
        self.app, self._client = app, client

    def publish(self, definition=VISIT_FORM, slug="clapton-circle"):
        """Publish a form version into a team; return its number."""
        from fvfield.extensions import begin_write
        from fvfield.sync.forms import publish_form_version

        with self.app.app_context():
            begin_write()
            team = db.session.scalar(sa.select(Team).where(Team.slug == slug))
            version = publish_form_version(team, definition)
            db.session.commit()
            return version

    def record(self, id=None, base_rev=0, data=None, **attributes):
        """Return a change of a visit record (new unless an id and base_rev are given)."""
        change = {
            "change_id": new_id(),
            "collection": "records",
            "id": id or new_id(),
            "base_rev": base_rev,
            "deleted": False,
            "form": "visit",
            "form_version": 1,
            "subject_id": None,
            "recorded_at": "2026-11-25T09:41:00+00:00",
            "data": {"time_in": "09:30"} if data is None else data,
        }
        change.update(attributes)
        return change

    def subject(self, id=None, base_rev=0, label="Edna", **attributes):
        """Return a change of a person subject (new unless an id and base_rev are given)."""
        change = {
            "change_id": new_id(),
            "collection": "subjects",
            "id": id or new_id(),
            "base_rev": base_rev,
            "kind": "person",
            "label": label,
            "data": {},
        }
        change.update(attributes)
        return change

    def push(self, *changes, slug="clapton-circle", device=DEVICE):
        """Push changes; return the response."""
        return self._client.post(
            f"/api/v1/teams/{slug}/push", json={"device_id": device, "changes": list(changes)}
        )

    def results(self, *changes, **options):
        """Push changes; return their results (asserting a 200)."""
        response = self.push(*changes, **options)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["results"]

    def pull(self, slug="clapton-circle", **params):
        """Pull once; return the response."""
        return self._client.get(f"/api/v1/teams/{slug}/pull", query_string=params)

    def pull_all(self, slug="clapton-circle", since=None, limit=None):
        """Pull until `more` is false; return (documents received, last cursor)."""
        documents = []
        while True:
            params = {k: v for k, v in (("since", since), ("limit", limit)) if v is not None}
            page = self.pull(slug, **params).get_json()
            documents += page["changes"]
            since = page["cursor"]
            if not page["more"]:
                return documents, since


@pytest.fixture
def sync(app, client, people):
    """The people's teams, with the VISIT_FORM published in clapton-circle."""
    actions = SyncActions(app, client)
    actions.publish()
    return actions
