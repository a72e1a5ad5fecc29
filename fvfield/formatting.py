"""One way to write a day and a moment for people: the Jinja filters every page uses."""

from datetime import datetime

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask_babel import get_locale

NO_ANSWER = "—"


def in_language(moment, pattern):
    """Return `moment` written with a CLDR pattern in the page's language (month names, digits)."""
    return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=get_locale() or "en_GB")


def device_time(text):
    """Return a device's ISO time as people read it, in the device's own clock: 25 Nov 2026 09:41."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return text or NO_ANSWER
    return in_language(moment, "d MMM y HH:mm")


def day(moment):
    """Format a timestamp or a date as a day people read: 5 Dec 2026."""
    if not isinstance(moment, datetime):  # a date: the dashboard's periods
        return format_date(moment, "d MMM y", locale=get_locale() or "en_GB")
    return in_language(moment, "d MMM y")


def stamp(moment):
    """Format a server timestamp (UTC) as people read it: 25 Nov 2026 09:41 UTC."""
    return f"{in_language(moment, 'd MMM y HH:mm')} UTC" if moment else NO_ANSWER


def number(value):
    """Write a count the way the page's language does (12,345; Bengali digits in bn)."""
    return format_decimal(value, locale=get_locale() or "en_GB")


def init_app(app):
    """Offer the filters to every template."""
    app.add_template_filter(day, "day")
    app.add_template_filter(device_time, "recorded")
    app.add_template_filter(stamp, "stamp")
    app.add_template_filter(number, "number")
