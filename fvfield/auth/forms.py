"""Page forms for logging in and passwords."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from fvfield.accounts import MIN_PASSWORD
from fvfield.teams.forms import NewTeamForm

PASSWORD_RULES = [
    DataRequired(_l("Choose a password.")),
    Length(min=MIN_PASSWORD, max=200, message=_l("Use at least %(num)s characters.", num=MIN_PASSWORD)),
]


class LoginForm(FlaskForm):
    """Log in with email and password."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password.")), Length(max=200)]
    )
    remember = BooleanField(_l("Keep me logged in on this device"), default=True)


class ChangePasswordForm(FlaskForm):
    """Change one's own password, giving the current one."""

    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password.")), Length(max=200)]
    )
    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("New password again"), validators=[EqualTo("password", message=_l("The two passwords differ."))]
    )


class ForgotPasswordForm(FlaskForm):
    """Ask for a password link by email."""

    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)]
    )


class ResetPasswordForm(FlaskForm):
    """Choose a new password through a one-time link."""

    password = PasswordField(_l("New password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("New password again"), validators=[EqualTo("password", message=_l("The two passwords differ."))]
    )


class AcceptInviteForm(FlaskForm):
    """Create an account through an invite link."""

    name = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)])
    email = EmailField(
        _l("Email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)]
    )
    password = PasswordField(_l("Choose a password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Password again"), validators=[EqualTo("password", message=_l("The two passwords differ."))]
    )


class JoinTeamForm(FlaskForm):
    """A button: join the team of the invite with the account already logged in."""


class SetupForm(NewTeamForm):
    """The first coordinator and their first team, through the setup link."""

    person = StringField(_l("Your name"), validators=[DataRequired(_l("Enter your name.")), Length(max=120)])
    email = EmailField(
        _l("Your email"), validators=[DataRequired(_l("Enter your email address.")), Length(max=254)]
    )
    password = PasswordField(_l("Choose a password"), validators=PASSWORD_RULES)
    confirm = PasswordField(
        _l("Password again"), validators=[EqualTo("password", message=_l("The two passwords differ."))]
    )
