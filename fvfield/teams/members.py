"""A coordinator's team page: members, their roles, invite links and password reset links."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from fvfield import accounts
from fvfield.accounts.access import RANK, team_for
from fvfield.extensions import begin_write, db
from fvfield.models import Invite, Membership, User
from fvfield.teams import bp
from fvfield.teams.confirming import confirmation, confirmed
from fvfield.teams.member_forms import (
    InviteForm,
    RemoveMemberForm,
    ResetLinkForm,
    RoleForm,
    WithdrawInviteForm,
)


def members_of(team):
    """Return the team's memberships, coordinators first, then by name."""
    members = db.session.scalars(
        sa.select(Membership).join(User).where(Membership.team_id == team.id).order_by(User.name)
    ).all()
    return sorted(members, key=lambda m: -RANK[m.role])


def invites_of(team):
    """Return (invite, name of who used it) for the team's invites, newest first."""
    return db.session.execute(
        sa.select(Invite, User.name)
        .outerjoin(User, User.id == Invite.used_by)
        .where(Invite.team_id == team.id)
        .order_by(Invite.created_at.desc(), Invite.id.desc())
    ).all()


def role_form(member):
    """Return the role select for one member, named apart from the others on the page."""
    return RoleForm(formdata=None, prefix=f"member-{member.id}", role=member.role)


def show_team(team, invite_form=None, new_invite=None, new_link=None, reset=None):
    """Render the team page; a new invite's or reset link is shown this once only."""
    members = members_of(team)
    return render_template(
        "teams/team.html",
        team=team,
        members=[(m, role_form(m)) for m in members],
        invites=invites_of(team),
        invite_form=invite_form or InviteForm(formdata=None),
        new_invite=new_invite,
        new_link=new_link,
        reset=reset,
    )


def member_of(team, membership_id):
    """Return the team's membership with this id, or 404 (ids of other teams included)."""
    return db.first_or_404(
        sa.select(Membership).where(Membership.id == membership_id, Membership.team_id == team.id),
        description="That person is not in this team.",
    )


def invite_of(team, invite_id):
    """Return the team's invite with this id, or 404 (ids of other teams included)."""
    return db.first_or_404(
        sa.select(Invite).where(Invite.id == invite_id, Invite.team_id == team.id),
        description="This team has no such invite.",
    )


def back_to(team):
    """Redirect to the team page, or home when the user no longer coordinates it."""
    still = accounts.membership(team, current_user)
    if still is None or still.role != "coordinator":
        return redirect(url_for("auth.home"))
    return redirect(url_for("teams.team", slug=team.slug))


@bp.get("")
@login_required
def team(slug):
    """Show the team's members and invites."""
    team, _ = team_for(slug, "coordinator")
    return show_team(team)


@bp.post("/invites")
@login_required
def issue_invite(slug):
    """Issue an invite link with a role, and show it once."""
    begin_write()  # before the reads, so concurrent POSTs queue instead of failing
    team, _ = team_for(slug, "coordinator")
    form = InviteForm()
    if not form.validate():
        return show_team(team, invite_form=form), 400
    invite, token = accounts.issue_invite(team, form.role.data, by=current_user, note=form.note.data)
    db.session.commit()
    link = url_for("auth.accept_invite", token=token, _external=True)
    return show_team(team, new_invite=invite, new_link=link)


@bp.post("/invites/<int:invite_id>/withdraw")
@login_required
def withdraw_invite(slug, invite_id):
    """Withdraw an open invite so that its link no longer works."""
    begin_write()  # before the reads, so concurrent POSTs queue instead of failing
    team, _ = team_for(slug, "coordinator")
    invite = invite_of(team, invite_id)
    if invite.state == "open" and not confirmed():
        db.session.rollback()
        if invite.note:
            question = gettext(
                "Withdraw the %(role)s invite for %(note)s?", role=invite.role, note=invite.note
            )
        else:
            question = gettext("Withdraw the %(role)s invite?", role=invite.role)
        return confirmation(
            team,
            question,
            [
                gettext("Its link stops working at once, for whoever has it."),
                gettext("Nobody who already joined is affected. You can make a new invite later."),
            ],
            gettext("Yes, withdraw the invite"),
            url_for("teams.withdraw_invite", slug=team.slug, invite_id=invite.id),
            url_for("teams.team", slug=team.slug),
            active="teams.team",
        )
    if WithdrawInviteForm().validate():
        try:
            accounts.revoke_invite(invite, by=current_user)
        except accounts.AccountError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(gettext("The invite is withdrawn: its link no longer works."), "info")
    return back_to(team)


@bp.post("/members/<int:membership_id>/role")
@login_required
def change_role(slug, membership_id):
    """Change a member's role, keeping at least one coordinator."""
    begin_write()  # before the reads, so concurrent POSTs queue instead of failing
    team, _ = team_for(slug, "coordinator")
    member = member_of(team, membership_id)
    form = RoleForm(prefix=f"member-{member.id}")
    if not form.validate():
        flash(gettext("Choose one of the roles."), "error")
        return back_to(team)
    if form.role.data == member.role:
        flash(gettext("%(name)s is already a %(role)s.", name=member.user.name, role=member.role), "info")
        return back_to(team)
    try:
        accounts.set_role(member, form.role.data, by=current_user)
    except accounts.LastCoordinator as error:
        flash(gettext("%(error)s Make someone else a coordinator first.", error=error), "error")
    else:
        db.session.commit()
        flash(gettext("%(name)s is now a %(role)s.", name=member.user.name, role=member.role), "info")
    return back_to(team)


@bp.post("/members/<int:membership_id>/remove")
@login_required
def remove_member(slug, membership_id):
    """Remove someone from the team, keeping at least one coordinator."""
    begin_write()  # before the reads, so concurrent POSTs queue instead of failing
    team, _ = team_for(slug, "coordinator")
    member = member_of(team, membership_id)
    if not confirmed():
        db.session.rollback()
        return confirmation(
            team,
            f"Remove {member.user.name} from {team.name}?",
            [
                f"{member.user.name} will no longer see {team.name}'s people, places and records. "
                "What they recorded stays.",
                "Their phone saves any records it has not sent to a file for you to import, and removes "
                "the team's data at its next sync. You can invite them again later.",
            ],
            f"Yes, remove {member.user.name}",
            url_for("teams.remove_member", slug=team.slug, membership_id=member.id),
            url_for("teams.team", slug=team.slug),
            active="teams.team",
        )
    if RemoveMemberForm().validate():
        name = member.user.name
        try:
            accounts.remove_member(member, by=current_user)
        except accounts.LastCoordinator as error:
            flash(gettext("%(error)s Make someone else a coordinator first.", error=error), "error")
        else:
            db.session.commit()
            flash(gettext("%(name)s is no longer in %(name2)s.", name=name, name2=team.name), "info")
    return back_to(team)


def outside_teams(team, user):
    """Return whether the user is in a team other than `team` that the current user does not coordinate."""
    theirs = set(db.session.scalars(sa.select(Membership.team_id).where(Membership.user_id == user.id)))
    coordinated = set(
        db.session.scalars(
            sa.select(Membership.team_id).where(
                Membership.user_id == current_user.id, Membership.role == "coordinator"
            )
        )
    )
    return bool(theirs - coordinated - {team.id})


@bp.post("/members/<int:membership_id>/reset-link")
@login_required
def reset_link(slug, membership_id):
    """Make a one-time link for a member to choose a new password, and show it once."""
    begin_write()  # before the reads, so concurrent POSTs queue instead of failing
    team, _ = team_for(slug, "coordinator")
    member = member_of(team, membership_id)
    if not ResetLinkForm().validate():
        flash(gettext("Try again from the page."), "error")
        return back_to(team)
    if member.user_id == current_user.id:
        flash(gettext("Change your own password from the Password page."), "error")
        return back_to(team)
    # A reset link opens the whole account: only for people whose every team you coordinate.
    if outside_teams(team, member.user):
        flash(
            gettext(
                "%(name)s is also in teams you do not coordinate: the server's administrator can make them "
                "a link (fvfield reset-password).",
                name=member.user.name,
            ),
            "error",
        )
        return back_to(team)
    user, token = accounts.issue_reset(member.user.email, by=current_user, team=team)
    db.session.commit()
    link = url_for("auth.reset_password", token=token, _external=True)
    return show_team(team, new_link=link, reset=user)
