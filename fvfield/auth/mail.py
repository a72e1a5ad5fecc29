"""Email from fvfield (Flask-Mailman, the FVFIELD_MAIL_* settings): password links and urgent concern alerts."""

import logging
import smtplib
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_mailman import EmailMessage

from fvfield.extensions import db
from fvfield.models import AuditEvent, utcnow

log = logging.getLogger("fvfield.mail")


def mail_configured():
    """Return whether an SMTP server is set (FVFIELD_MAIL_SERVER)."""
    return bool(current_app.config.get("MAIL_SERVER"))


def sent_lately(email):
    """Return whether a password link went to this address within MAIL_RESET_MINUTES."""
    since = utcnow() - timedelta(minutes=current_app.config["MAIL_RESET_MINUTES"])
    return (
        db.session.scalar(
            sa.select(AuditEvent.id)
            .where(
                AuditEvent.event == "password_reset_issued",
                AuditEvent.email == email,
                AuditEvent.created_at > since,
            )
            .limit(1)
        )
        is not None
    )


def send_reset_link(user, token):
    """Email a password link to the user; return whether the mail server took it."""
    link = url_for("auth.reset_password", token=token, _external=True)
    days = current_app.config["INVITE_DAYS"]
    body = (
        f"Hello {user.name},\n\n"
        "Someone asked fvfield for a link to choose a new password for this email address.\n"
        f"Open it within {days} days; it works once:\n\n    {link}\n\n"
        "Choosing a new password logs you out on every other device.\n"
        "If you did not ask for this, ignore this email: your password stays as it is.\n"
    )
    message = EmailMessage("Choose a new fvfield password", body, to=[user.email])
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        # Logged for the administrator; the page says the same whatever happened.
        log.error("password link to %s not sent: %s", user.email, error)
        return False
    return True


def send_urgent_concern(emails, team_name, link):
    """Email each coordinator that an urgent concern was raised; return the addresses not reached.

    The mail says where, never what: no name, no care note (mail is not a
    safe place for special-category data), only the link to log in and read it.
    """
    body = (
        f"An urgent concern was raised in {team_name}.\n\n"
        f"Log in and open the concerns page to read it:\n\n    {link}\n\n"
        "You get this email because you coordinate this team in fvfield.\n"
    )
    missed = []
    for email in emails:
        message = EmailMessage(f"Urgent concern in {team_name}", body, to=[email])
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            log.error("urgent concern alert to %s not sent: %s", email, error)
            missed.append(email)
    return missed
