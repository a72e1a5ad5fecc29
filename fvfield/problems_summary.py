"""The GOV.UK error summary of every web form: the problems of the page's forms, found in its context.

base.html asks `page_problems()` for them, so a page needs no code of its
own: every Flask-WTF form the view passed to the template (as any name) with
errors gives one entry per message, linked to its field, in the form's
order. The page's title then starts with "Error:" and the summary is
focused (static/js/error-summary.js), as the phone's forms do.
"""

from jinja2 import pass_context
from wtforms import Form
from wtforms.fields import FieldList, FormField

# A stale or missing CSRF token has no box to link to: it gets words of its own.
TOKEN_WORDS = "The page's security token is missing or stale: reload the page and try again."


def field_problems(field):
    """Yield (id to link to or None, message) for a field and the fields inside it."""
    if isinstance(field, FieldList):
        for entry in field.entries:
            yield from field_problems(entry)
        return
    if isinstance(field, FormField):
        for inner in field.form:
            yield from field_problems(inner)
        return
    # A message may be a lazy translation: anything but the nested lists and dicts of inner forms.
    messages = [str(m) for m in field.errors if not isinstance(m, (list, dict))]
    if field.name == "csrf_token" or field.short_name == "csrf_token":
        if messages:
            yield None, TOKEN_WORDS
        return
    widget = field.widget.__class__.__name__
    if widget == "HiddenInput":
        target = None
    elif widget == "ListWidget" or field.type in ("RadioField", "MultiCheckboxField"):
        target = f"{field.id}-0"  # a group of boxes: its first one
    else:
        target = field.id
    for message in messages:
        yield target, message


@pass_context
def page_problems(context):
    """Return [(id or None, message)] of every form with errors among the template's values."""
    problems, seen = [], set()
    for value in context.get_all().values():
        if isinstance(value, Form) and id(value) not in seen:
            seen.add(id(value))
            for field in value:
                problems.extend(field_problems(field))
    return problems


def init_app(app):
    """Offer page_problems() to every template."""
    app.add_template_global(page_problems, "page_problems")
