"""Plain functions over users, teams, memberships and invites.

The pages, the CLI and the API all change accounts through here, so that
every rule (valid slugs, roles, the last coordinator) and every audit event
lives in one place. Callers commit.
"""
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from fvfield.audit import record_event
from fvfield.extensions import db
from fvfield.models import ROLES, TEAM_KINDS, Invite, Membership, Team, User, token_digest, utcnow
from fvfield.sync import install_questionnaires

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


class AccountError(Exception):
    """A change to accounts that cannot be made; the message says why."""


class DuplicateEmail(AccountError):
    """That email address already has an account."""


class DuplicateSlug(AccountError):
    """That team address is taken."""


class UnknownTeam(AccountError):
    """No team has that slug."""


class UnknownUser(AccountError):
    """No user has that email."""


class LastCoordinator(AccountError):
    """A team must keep at least one coordinator."""


class WrongPassword(AccountError):
    """The password given is not the user's current password."""


class InviteClosed(AccountError):
    """The invite was used, withdrawn or has expired."""


class AlreadyMember(AccountError):
    """The user already belongs to the invite's team."""


def normalise_email(email):
    """Return the email as stored: trimmed and lower case."""
    return (email or "").strip().lower()


def find_user(email):
    """Return the user with this email (case-insensitive), or None."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def find_team(slug):
    """Return the team with this slug, or raise UnknownTeam."""
    team = db.session.scalar(sa.select(Team).where(Team.slug == slug))
    if team is None:
        raise UnknownTeam(f"There is no team '{slug}'.")
    return team


def check_password(password):
    """Raise AccountError when a password is too weak to keep."""
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")


def create_user(email, name, password):
    """Create and return a user; raise DuplicateEmail or AccountError."""
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise AccountError(f"'{email}' is not an email address.")
    if not (name or "").strip():
        raise AccountError("A user needs a name.")
    check_password(password)
    if find_user(email):
        raise DuplicateEmail(f"There is already a user with the email {email}.")
    user = User(email=email, name=name.strip())
    user.set_password(password)
    db.session.add(user)
    record_event("user_created", user=user, email=email)
    return user


def create_team(slug, name, kind):
    """Create and return a team of a kind; raise DuplicateSlug or AccountError."""
    if not SLUG.match(slug or "") or len(slug) > 64:
        raise AccountError(
            f"'{slug}' cannot be a team address: use lower-case letters, digits and dashes."
        )
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
    record_event(
        "role_changed", user=by, team=member.team, email=member.user.email, old=old, new=role
    )
    return member


def remove_member(member, by=None):
    """Remove a member from a team, keeping at least one coordinator."""
    if member.role == "coordinator" and coordinators(member.team) <= 1:
        raise LastCoordinator(f"{member.team.name} needs at least one coordinator.")
    record_event("member_removed", user=by, team=member.team, email=member.user.email)
    db.session.delete(member)


def change_password(user, current, new):
    """Give the user a new password, ending their logins on other devices."""
    if not user.check_password(current or ""):
        raise WrongPassword("That is not your current password.")
    check_password(new)
    user.set_password(new)
    record_event("password_changed", user=user, email=user.email)
    return user


def issue_invite(team, role, by=None, note=""):
    """Create an invite; return it with its token (shown once, only its digest is kept)."""
    check_role(role)
    token = secrets.token_urlsafe(24)
    invite = Invite(
        team=team,
        role=role,
        note=(note or "").strip()[:120],
        token_hash=token_digest(token),
        created_by=by.id if by else None,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITE_DAYS"]),
    )
    db.session.add(invite)
    record_event("invite_issued", user=by, team=team, role=role, note=invite.note)
    return invite, token


def revoke_invite(invite, by=None):
    """Withdraw an invite that has not been used."""
    if invite.state != "open":
        raise AccountError(f"This invite is {invite.state} and cannot be withdrawn.")
    invite.revoked_at = utcnow()
    record_event("invite_revoked", user=by, team=invite.team, role=invite.role)


def use_invite(invite, user):
    """Make `user` a member with the invite's role and close the invite, once."""
    db.session.flush()
    if membership(invite.team, user):
        raise AlreadyMember(f"You are already in {invite.team.name}.")
    now = utcnow()
    # One conditional UPDATE: of two people opening the same link at once, one wins.
    claimed = db.session.execute(
        sa.update(Invite)
        .where(
            Invite.id == invite.id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .values(used_at=now, used_by=user.id)
        .execution_options(synchronize_session="fetch")
    )
    if claimed.rowcount != 1:
        db.session.refresh(invite)
        raise InviteClosed(f"This invite is {invite.state}.")
    member = Membership(team=invite.team, user=user, role=invite.role)
    db.session.add(member)
    record_event("invite_used", user=user, team=invite.team, email=user.email, role=invite.role)
    return member
