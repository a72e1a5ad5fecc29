"""Accounts: logging in and out, invites, passwords."""

from flask import redirect, request, url_for

from fvfield.errors import json_error
from fvfield.extensions import db, login_manager
from fvfield.models import User


def init_login(app):
    """Attach Flask-Login: users load by id and login token."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to continue."
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(login_id):
        user_id, _, token = login_id.partition(":")
        user = db.session.get(User, user_id)
        if user is None or user.login_token != token:
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        if request.path.startswith("/api/"):
            return json_error(
                401,
                "login_required",
                "Your session has ended. Log in again; nothing on this device was lost.",
            )
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
