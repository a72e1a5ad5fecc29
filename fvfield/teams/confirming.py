"""A second step before what one click should not do: removing a member, discarding a draft.

The first POST (the button on the page) answers a page that says what will
happen, with "Yes, ..." (the same POST with confirmed=yes) and "No, go back".
Without JavaScript, and the CSRF token travels with both.
"""

from flask import render_template, request


def confirmed():
    """Return whether this POST is the second step, the one that acts."""
    return request.form.get("confirmed") == "yes"


def confirmation(team, question, details, button, action, back, hidden=None, active=None):
    """Return the page that asks `question` before the POST to `action` acts."""
    return render_template(
        "teams/confirm.html",
        team=team,
        question=question,
        details=details,
        button=button,
        action=action,
        back=back,
        hidden=hidden or {},
        active=active,
    )
