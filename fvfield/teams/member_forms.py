"""Page forms for a coordinator's team page: one per action."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from fvfield.models import ROLES
from fvfield.teams.forms import ROLE_WORDS, options


class InviteForm(FlaskForm):
    """Issue an invite link with a role."""

    role = SelectField(
        lazy_gettext("Role"),
        choices=options([(role, ROLE_WORDS[role]) for role in ROLES]),
        default="member",
        validators=[InputRequired()],
    )
    note = StringField(lazy_gettext("Who is it for? (optional)"), validators=[Length(max=120)])


class RoleForm(FlaskForm):
    """Change one member's role."""

    role = SelectField(
        lazy_gettext("Role"),
        choices=options([(role, ROLE_WORDS[role]) for role in ROLES]),
        validators=[InputRequired()],
    )


class RemoveMemberForm(FlaskForm):
    """A button: remove one member from the team."""


class WithdrawInviteForm(FlaskForm):
    """A button: withdraw one open invite."""


class ResetLinkForm(FlaskForm):
    """A button: make a one-time link for a member to choose a new password."""
