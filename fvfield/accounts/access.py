"""Who may see what: every lookup of a team goes through here."""

import sqlalchemy as sa
from flask_login import current_user

from fvfield.extensions import db
from fvfield.models import AuditEvent, Membership, Team
from fvfield.problems import Problem, said


class NoSuchTeam(Problem):
    """The user belongs to no team of that address (whether it exists is not said)."""

    def __init__(self, slug):
        super().__init__("not_found", said("There is no team '%(slug)s' that you belong to.", slug=slug))


class RoleNeeded(Problem):
    """The user's role in the team is below what the page or request needs."""

    def __init__(self, role, team):
        super().__init__(
            "forbidden", said("This needs the %(role)s role in %(name)s.", role=role, name=team.name)
        )


class MembershipEnded(Problem):
    """The user was a member of the team and no longer is: their phone saves what it holds, then forgets it."""

    def __init__(self, team):
        super().__init__(
            "membership_ended",
            said(
                "You are no longer a member of %(name)s. Save this phone's unsent records to a file and "
                "give it to a coordinator; the team's data is removed from this phone.",
                name=team.name,
            ),
        )


# What each role may do, from most to least.
RANK = {"viewer": 0, "member": 1, "coordinator": 2}


def membership_for(slug, user=None):
    """Return the user's membership of the team `slug`, or None."""
    user = user or current_user
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Membership).join(Team).where(Team.slug == slug, Membership.user_id == user.id)
    )


def team_for(slug, role="viewer"):
    """Return (team, membership) for the current user, or raise NoSuchTeam or RoleNeeded.

    NoSuchTeam (404) when the user is not a member, never revealing that the
    team exists; RoleNeeded (403) when their role is below `role`.
    """
    membership = membership_for(slug)
    if membership is None:
        raise NoSuchTeam(slug)
    if RANK[membership.role] < RANK[role]:
        raise RoleNeeded(role, membership.team)
    return membership.team, membership


def teams_of(user=None):
    """Return the user's memberships, with their teams, ordered by team name."""
    user = user or current_user
    return db.session.scalars(
        sa.select(Membership).join(Team).where(Membership.user_id == user.id).order_by(Team.name)
    ).all()


def removed_from(slug, user=None):
    """Return the team `slug` if the user was removed from it (and is not a member again), else None.

    Only the team's own removal event says so: anyone else learns nothing of
    whether the team exists.
    """
    user = user or current_user
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Team)
        .join(AuditEvent, AuditEvent.team_id == Team.id)
        .where(Team.slug == slug, AuditEvent.event == "member_removed", AuditEvent.email == user.email)
        .where(~sa.exists().where(Membership.team_id == Team.id, Membership.user_id == user.id))
        .limit(1)
    )


def syncing_team_for(slug):
    """Return (team, membership) for a phone's push or pull, as team_for does.

    A person removed from the team gets MembershipEnded (403) instead of
    NoSuchTeam, so their phone can save its unsent records and forget the team.
    """
    try:
        return team_for(slug)
    except NoSuchTeam:
        team = removed_from(slug)
        if team is not None:
            raise MembershipEnded(team) from None
        raise
