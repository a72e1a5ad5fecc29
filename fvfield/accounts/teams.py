"""Teams and their members: creating a team of a kind, roles, and the last coordinator."""

import re

import sqlalchemy as sa

from fvfield.accounts import sessions
from fvfield.accounts.errors import AccountError, DuplicateSlug, LastCoordinator, UnknownTeam
from fvfield.audit import record_event
from fvfield.extensions import db
from fvfield.models import ROLES, TEAM_KINDS, Membership, Team
from fvfield.sync.forms import install_questionnaires

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def find_team(slug):
    """Return the team with this slug, or raise UnknownTeam."""
    team = db.session.scalar(sa.select(Team).where(Team.slug == slug))
    if team is None:
        raise UnknownTeam(f"There is no team '{slug}'.")
    return team


def create_team(slug, name, kind):
    """Create and return a team of a kind; raise DuplicateSlug or AccountError."""
    if not SLUG.match(slug or "") or len(slug) > 64:
        raise AccountError(f"'{slug}' cannot be a team address: use lower-case letters, digits and dashes.")
    if kind not in TEAM_KINDS:
        raise AccountError(f"'{kind}' is not a kind of team: choose {', '.join(TEAM_KINDS)}.")
    if not (name or "").strip():
        raise AccountError("A team needs a name.")
    if db.session.scalar(sa.select(Team.id).where(Team.slug == slug)):
        raise DuplicateSlug(f"There is already a team '{slug}'.")
    team = Team(slug=slug, name=name.strip(), kind=kind)
    db.session.add(team)
    db.session.flush()
    install_questionnaires(team)
    record_event("team_created", team=team, kind=kind)
    return team


def check_role(role):
    """Raise AccountError unless `role` is one of the roles."""
    if role not in ROLES:
        raise AccountError(f"'{role}' is not a role: choose {', '.join(ROLES)}.")


def membership(team, user):
    """Return the user's membership of the team, or None."""
    return db.session.scalar(
        sa.select(Membership).where(Membership.team_id == team.id, Membership.user_id == user.id)
    )


def add_member(team, user, role, by=None):
    """Give `user` the role in `team` (adding them, or changing their role)."""
    check_role(role)
    current = membership(team, user)
    if current is None:
        current = Membership(team=team, user=user, role=role)
        db.session.add(current)
        record_event("member_added", user=by, team=team, email=user.email, role=role)
    elif current.role != role:
        return set_role(current, role, by=by)
    return current


def coordinators(team):
    """Return how many coordinators the team has."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(Membership.team_id == team.id, Membership.role == "coordinator")
    )


def set_role(member, role, by=None):
    """Change a membership's role, keeping at least one coordinator."""
    check_role(role)
    if member.role == "coordinator" and role != "coordinator" and coordinators(member.team) <= 1:
        raise LastCoordinator(f"{member.team.name} needs at least one coordinator.")
    old, member.role = member.role, role
    record_event("role_changed", user=by, team=member.team, email=member.user.email, old=old, new=role)
    return member


def remove_member(member, by=None):
    """Remove a member from a team, keeping at least one coordinator."""
    if member.role == "coordinator" and coordinators(member.team) <= 1:
        raise LastCoordinator(f"{member.team.name} needs at least one coordinator.")
    record_event("member_removed", user=by, team=member.team, email=member.user.email)
    user = member.user
    db.session.delete(member)
    db.session.flush()
    if not db.session.scalar(sa.select(Membership.id).where(Membership.user_id == user.id).limit(1)):
        # Out of every team: no login of theirs goes on (accounts/sessions.py, REMOVED).
        sessions.end_all(user, why=sessions.REMOVED)
