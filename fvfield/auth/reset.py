"""Choosing a new password through a one-time link (accounts/resets.py).

The link comes from `fvfield reset-password EMAIL` or a coordinator's team
page. Setting the password ends every other login of the user (the login
token changes), so a lost or shared phone is logged out too.
"""

from flask import flash, redirect, render_template, url_for
from flask_login import logout_user

from fvfield import accounts
from fvfield.auth.forms import ResetPasswordForm
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
                "Your password is changed, and you are logged out everywhere. Log in with the new one.",
                "info",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=user)
