"""Choosing a new password through a one-time link (accounts/resets.py).

The link comes from `fvfield reset-password EMAIL`, a coordinator's team
page, or by email from "Forgotten your password?" where SMTP is set up.
Setting the password ends every other login of the user (the login token
changes), so a lost or shared phone is logged out too.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import logout_user

from fvfield import accounts
from fvfield.auth.forms import ForgotPasswordForm, ResetPasswordForm
from fvfield.auth.mail import mail_configured, send_reset_link, sent_lately
from fvfield.auth.routes import bp
from fvfield.extensions import begin_write, db

CLOSED_STATUS = {"unknown": 404, "used": 410, "expired": 410}


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Set a new password through a reset link, or say why the link no longer works."""
    user, state = accounts.reset_state(token)
    if user is None:
        return render_template("auth/reset_closed.html", state=state), CLOSED_STATUS[state]
    form = ResetPasswordForm()
    if form.validate_on_submit():
        begin_write()
        # Read again under the write lock: of two tabs using one link, one wins.
        user, state = accounts.reset_state(token)
        if user is None:
            db.session.rollback()
            return render_template("auth/reset_closed.html", state=state), CLOSED_STATUS[state]
        try:
            accounts.use_reset(user, form.password.data)
        except accounts.AccountError as error:
            db.session.rollback()
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            # Whoever was logged in on this browser is not necessarily this user.
            logout_user()
            flash(
                gettext(
                    "Your password is changed, and you are logged out everywhere. Log in with the new one."
                ),
                "info",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=user)


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    """Email a password link, where the server sends email; else say who can make one."""
    form = ForgotPasswordForm()
    if not mail_configured():
        return render_template("auth/forgot.html", form=None), 404
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        begin_write()
        user = accounts.find_user(email)
        # The same answer whether or not the account exists, so the page tells nobody who has one.
        if user is not None and not sent_lately(user.email):
            _, token = accounts.issue_reset(user.email, via="email")
            db.session.commit()
            send_reset_link(user, token)
        else:
            db.session.rollback()
        return render_template("auth/forgot.html", form=None, sent_to=email)
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200
