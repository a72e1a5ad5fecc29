"""Invite links: issued with a role, used once, withdrawn, or expired."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from fvfield.accounts.errors import AccountError, AlreadyMember, InviteClosed
from fvfield.accounts.teams import check_role, membership
from fvfield.audit import record_event
from fvfield.extensions import db
from fvfield.models import Invite, Membership, token_digest, utcnow


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
