"""Page forms for logging in and passwords."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from fvfield.accounts import MIN_PASSWORD
from fvfield.teams.forms import NewTeamForm

PASSWORD_RULES = [
    DataRequired("Choose a password."),
    Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
]


class LoginForm(FlaskForm):
    """Log in with email and password."""

    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=200)])
    remember = BooleanField("Keep me logged in on this device", default=True)


class ChangePasswordForm(FlaskForm):
    """Change one's own password, giving the current one."""

    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password."), Length(max=200)]
    )
    password = PasswordField("New password", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "New password again", validators=[EqualTo("password", message="The two passwords differ.")]
    )


class ForgotPasswordForm(FlaskForm):
    """Ask for a password link by email."""

    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    """Choose a new password through a one-time link."""

    password = PasswordField("New password", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "New password again", validators=[EqualTo("password", message="The two passwords differ.")]
    )


class AcceptInviteForm(FlaskForm):
    """Create an account through an invite link."""

    name = StringField("Your name", validators=[DataRequired("Enter your name."), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Choose a password", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "Password again", validators=[EqualTo("password", message="The two passwords differ.")]
    )


class JoinTeamForm(FlaskForm):
    """A button: join the team of the invite with the account already logged in."""


class SetupForm(NewTeamForm):
    """The first coordinator and their first team, through the setup link."""

    person = StringField("Your name", validators=[DataRequired("Enter your name."), Length(max=120)])
    email = EmailField("Your email", validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Choose a password", validators=PASSWORD_RULES)
    confirm = PasswordField(
        "Password again", validators=[EqualTo("password", message="The two passwords differ.")]
    )
