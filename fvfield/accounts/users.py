"""People's accounts: emails, names and passwords."""

import re

import sqlalchemy as sa

from fvfield.accounts.errors import AccountError, DuplicateEmail, WrongPassword
from fvfield.audit import record_event
from fvfield.extensions import db
from fvfield.models import User

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


def normalise_email(email):
    """Return the email as stored: trimmed and lower case."""
    return (email or "").strip().lower()


def find_user(email):
    """Return the user with this email (case-insensitive), or None."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


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


def change_password(user, current, new):
    """Give the user a new password, ending their logins on other devices."""
    if not user.check_password(current or ""):
        raise WrongPassword("That is not your current password.")
    check_password(new)
    user.set_password(new)
    record_event("password_changed", user=user, email=user.email)
    return user
