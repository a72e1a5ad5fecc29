"""Which language a page speaks, and the one catalogue every string comes from.

Every string people read is marked for gettext (templates: {{ _("…") }};
Python: gettext / lazy_gettext; the field app: t("…") in static/js) and
translated in fvfield/translations/<lang>/LC_MESSAGES/messages.po. The
compiled .mo files are committed beside them so that a fresh clone runs with
no build step; tests/test_languages.py fails when one is stale. docs/languages.md
says how a translator adds or improves a language.

A request's language: the person's saved choice (users.language), else the
choice kept in the language cookie (a visitor not logged in, or the login page
after logout), else the browser's Accept-Language matched against the shipped
languages, else English.
"""

from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import current_app, has_app_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DEFAULT = "en_GB"
# The languages shipped: code (as gettext names its folder) -> direction.
# Their own names come from Babel (Locale.display_name), in their own script.
SHIPPED = {"en_GB": "ltr", "bn": "ltr", "ur": "rtl"}
# Made by `fvfield languages pseudo DIR` for tests (never shipped): every
# string accented and longer, left to right and right to left, so that a string
# left out of the catalogue, or a layout that breaks with longer text, shows.
# They sit in the slots of Esperanto and Arabic because Babel formats numbers
# and plurals only for the languages CLDR knows (en-XA is not one); they are
# offered only when PSEUDO_LANGUAGES is set, as tests do.
PSEUDO = {"eo": "ltr", "ar": "rtl"}
# The coordinators' pages: marked and in the catalogue, shipped in English at
# least (the issue asks it); a language may leave their strings empty and
# English shows. Every other string (the field app, login, invite, password,
# errors, the API's messages) must be translated in every shipped language.
ENGLISH_AT_LEAST = (
    "templates/teams/",
    "templates/reports/",
    "fvfield/teams/",
    "fvfield/reports/",
    # What a new form version changes, for the coordinators' version list only.
    "fvfield/questionnaires/changes.py",
)
COOKIE = "fvfield_language"
COOKIE_DAYS = 400

babel = Babel()


def languages():
    """Return {code: direction} of the languages this server offers."""
    offered = dict(SHIPPED)
    if has_app_context() and current_app.config.get("PSEUDO_LANGUAGES"):
        offered.update(PSEUDO)
    return offered


def known(code):
    """Return the offered language code that `code` names ("bn-BD", "ur" …), or None."""
    if not code:
        return None
    wanted = str(code).replace("-", "_")
    offered = languages()
    if wanted in offered:
        return wanted
    for candidate in offered:
        if candidate.lower() == wanted.lower():
            return candidate
    return None


def from_browser():
    """Return the shipped language the browser's Accept-Language prefers most, or None."""
    offered = languages()
    # Exact tags first (en-GB, bn-BD is not shipped so it falls to its language bn).
    tags = {code.replace("_", "-"): code for code in offered}
    for tag, _quality in request.accept_languages:
        exact = known(tag)
        if exact:
            return exact
        language = tag.split("-")[0].lower()
        for offered_tag, code in tags.items():
            if offered_tag.split("-")[0].lower() == language and code not in PSEUDO:
                return code
    return None


def select_language():
    """Return the request's language code (Flask-Babel's locale selector)."""
    if current_user and getattr(current_user, "is_authenticated", False):
        saved = known(getattr(current_user, "language", None))
        if saved:
            return saved
    return known(request.cookies.get(COOKIE)) or from_browser() or DEFAULT


def tag(code):
    """Return a language code as HTML and browsers write it: en_GB -> en-GB."""
    return str(code).replace("_", "-")


def direction(code=None):
    """Return "rtl" or "ltr" for a language (default: the request's)."""
    code = str(code or get_locale() or DEFAULT)
    return languages().get(code, "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr")


def own_name(code):
    """Return a language's name in its own words (English, বাংলা, اردو)."""
    if code in PSEUDO:
        return {"eo": "Ƥšéûđö", "ar": "Ƥšéûđö ⇐"}[code]
    return Locale.parse(code).display_name.split(" (")[0] if code != DEFAULT else "English"


def language_name(code):
    """Return any language code's name in its own words (বাংলা for bn), or the code when Babel does not know it."""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name() or code
    except (UnknownLocaleError, ValueError, TypeError):
        return code


def choices():
    """Return [(code, own name)] of the offered languages, for menus."""
    return [(code, own_name(code)) for code in languages()]


def page_language():
    """Return the template globals for <html lang dir>."""
    code = str(get_locale() or DEFAULT)
    return {"page_lang": tag(code), "page_dir": direction(code), "language_code": code}


def init_app(app):
    """Attach Flask-Babel with fvfield's selector and translations."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_language)
    app.context_processor(page_language)
    app.jinja_env.globals["language_choices"] = choices
