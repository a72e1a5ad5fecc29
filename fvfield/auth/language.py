"""Choosing a language on the web: kept in the person's account, and in a cookie for after logout."""

from flask import flash, redirect, render_template, request
from flask_babel import force_locale, gettext
from flask_login import current_user
from flask_wtf import FlaskForm

from fvfield import i18n
from fvfield.auth.routes import bp, safe_next
from fvfield.extensions import begin_write, db


def remember_choice(response, code):
    """Keep the chosen language in this browser, so the login page speaks it after logout."""
    response.set_cookie(
        i18n.COOKIE, code, max_age=i18n.COOKIE_DAYS * 86400, samesite="Lax", secure=request.is_secure
    )
    return response


def save_language(user, code):
    """Keep `code` as the user's language (a write: the caller commits)."""
    begin_write()
    db.session.merge(user).language = code


@bp.route("/language", methods=["GET", "POST"])
def language():
    """Offer the languages, each named in its own words; save the choice."""
    form = FlaskForm()
    if request.method == "POST" and form.validate_on_submit():
        code = i18n.known(request.form.get("language"))
        if code is None:
            flash(gettext("Choose one of the languages in the list."), "error")
        else:
            if current_user.is_authenticated:
                save_language(current_user, code)
                db.session.commit()
            with force_locale(code):
                flash(gettext("fvfield now speaks your language."), "info")
            return remember_choice(redirect(safe_next(request.args.get("next"))), code)
    return render_template("auth/language.html", form=form, current=i18n.page_language()["language_code"])
