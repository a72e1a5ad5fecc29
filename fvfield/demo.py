"""Demo teams and users, so that a new installation can be tried at once."""
import secrets
from typing import NamedTuple

from . import accounts
from .extensions import db

TEAMS = (
    ("demo-circle", "Demo care circle", "care-circle"),
    ("demo-market", "Demo market survey", "market-survey"),
)

# One person of each role, a member of every demo team.
PEOPLE = (
    ("demo-coordinator@example.org", "Dee Coordinator", "coordinator"),
    ("demo-member@example.org", "Sam Member", "member"),
    ("demo-viewer@example.org", "Val Viewer", "viewer"),
)


class Seeded(NamedTuple):
    """What seed() found or made."""

    teams: list  # (slug, created now)
    users: list  # (email, role, password, or None when the user was already there)


def seed():
    """Create whatever of the demo teams and users is missing; return them all."""
    teams = [_find_or_create_team(*spec) for spec in TEAMS]
    users = []
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
    return Seeded([(team.slug, created) for team, created in teams], users)


def _find_or_create_team(slug, name, kind):
    try:
        return accounts.find_team(slug), False
    except accounts.UnknownTeam:
        return accounts.create_team(slug, name, kind), True
