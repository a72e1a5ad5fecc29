"""Fixtures in the flaskr style: an app on a temporary instance with a real SQLite file."""
import pytest
from flask_migrate import upgrade

from fvfield import create_app
from fvfield.extensions import db
from fvfield.models import Membership, Team, User

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "WTF_CSRF_ENABLED": False})
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
