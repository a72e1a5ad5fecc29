"""Every web form that comes back with problems has the GOV.UK error summary (issue 16).

The summary is made once, in base.html, from the forms the page was given
(fvfield/problems_summary.py): "Error:" starts the title, each problem links
to its box, and a page without problems has none.
"""

import re

import pytest

from fvfield.problems_summary import TOKEN_WORDS, field_problems

# (path, form data) that each page refuses, logged in as the circle's coordinator.
REFUSED = [
    ("/password", {"current": "", "password": "short", "confirm": "other"}),
    ("/teams/clapton-circle/forms/new", {"source": "", "title": ""}),
    ("/teams/clapton-circle/subjects/new/person", {"label": ""}),
    ("/new-team", {"name": "", "kind": ""}),
]


def summary_links(page):
    """Return the (href, text) of the error summary's links."""
    block = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert block, "no error summary"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', block.group(0))


@pytest.mark.parametrize(("path", "data"), REFUSED, ids=[p for p, _ in REFUSED])
def test_a_refused_form_has_the_summary_linked_to_its_boxes(client, auth, people, path, data):
    auth.login()
    answer = client.post(path, data=data)
    page = answer.get_data(as_text=True)
    assert answer.status_code in (200, 400), page[:300]
    assert "<title>Error: " in page
    links = summary_links(page)
    assert links
    for target, _ in links:
        assert f'id="{target}"' in page, target
    assert 'src="/static/js/error-summary.js"' in page


def test_the_login_page_names_empty_boxes_in_the_summary(client, people):
    page = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "<title>Error: " in page
    assert summary_links(page)


def test_a_page_without_problems_has_no_summary(client, auth, people):
    auth.login()
    page = client.get("/teams/clapton-circle/forms/new").get_data(as_text=True)
    assert "error-summary" not in page and "<title>Error:" not in page


def test_a_stale_security_token_is_said_without_a_link():
    from wtforms import Form, HiddenField, StringField

    class Small(Form):
        csrf_token = HiddenField()
        name = StringField("Name")

    form = Small()
    form.csrf_token.errors = ["The CSRF token has expired."]
    form.name.errors = ["Give a name."]
    problems = [p for field in form for p in field_problems(field)]
    assert problems == [(None, TOKEN_WORDS), ("name", "Give a name.")]
