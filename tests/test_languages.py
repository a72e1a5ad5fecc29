"""Pages in the people's languages: Accept-Language, the person's choice, the catalogue, a pseudo-language."""

import io
import json
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_migrate import upgrade

from fvfield import catalogue, create_app, i18n
from fvfield.extensions import db
from fvfield.models import User

HTML_TAG = re.compile(r'<html lang="([^"]+)" dir="([^"]+)"[^>]*>')


def html_language(page):
    """Return (lang, dir) of a page's <html>."""
    return HTML_TAG.search(page).groups()


def test_english_is_the_default(client):
    page = client.get("/login").text
    assert html_language(page) == ("en-GB", "ltr")
    assert "<h1>Log in</h1>" in page


def test_accept_language_bn_gives_bengali_pages(client):
    page = client.get("/login", headers={"Accept-Language": "bn-BD,bn;q=0.9,en;q=0.5"}).text
    assert html_language(page) == ("bn", "ltr")
    assert "<h1>লগ ইন</h1>" in page
    assert "আপনার পাসওয়ার্ড লিখুন" not in page  # an error only after a wrong try
    refused = client.post("/login", data={"email": "", "password": ""}, headers={"Accept-Language": "bn"})
    assert "আপনার ইমেইল ঠিকানা লিখুন।" in refused.text


def test_accept_language_ur_gives_right_to_left_pages(client):
    page = client.get("/login", headers={"Accept-Language": "ur"}).text
    assert html_language(page) == ("ur", "rtl")
    assert "لاگ اِن" in page
    missing = client.get("/no-such-page", headers={"Accept-Language": "ur-PK"})
    assert missing.status_code == 404
    assert html_language(missing.text) == ("ur", "rtl")
    assert "صفحہ نہیں ملا" in missing.text


def test_a_language_nobody_ships_falls_back_to_english(client):
    page = client.get("/login", headers={"Accept-Language": "so,pl;q=0.8"}).text
    assert html_language(page) == ("en-GB", "ltr")


def test_choice_is_kept_in_the_account_and_outlives_logout(app, client, auth, people):
    auth.login(people["member"])
    chosen = client.post("/language?next=/password", data={"language": "bn"})
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/password"
    with app.app_context():
        assert db.session.scalar(sa.select(User.language).where(User.email == people["member"])) == "bn"
    page = client.get("/password", headers={"Accept-Language": "en-GB"}).text
    assert html_language(page) == ("bn", "ltr")
    auth.logout()
    # After logout the browser's cookie keeps the choice for the login page.
    assert html_language(client.get("/login", headers={"Accept-Language": "en"}).text)[0] == "bn"
    # Another browser, English by its settings, follows the account once logged in.
    other = app.test_client()
    other.post("/login", data={"email": people["member"], "password": "correct horse battery"})
    assert other.get("/api/v1/session").get_json()["user"]["language"] == "bn"


def test_an_unknown_choice_is_refused_and_nothing_changes(app, client, auth, people):
    auth.login(people["member"])
    page = client.post("/language", data={"language": "xx"}, follow_redirects=True).text
    assert "Choose one of the languages in the list." in page
    with app.app_context():
        assert db.session.scalar(sa.select(User.language).where(User.email == people["member"])) is None


def test_the_phone_keeps_its_choice_in_the_account(app, client, auth, people):
    auth.login(people["member"])
    assert client.put("/api/v1/session/language", json={"language": "ur"}).get_json() == {"language": "ur"}
    assert client.get("/api/v1/session").get_json()["user"]["language"] == "ur"
    refused = client.put("/api/v1/session/language", json={"language": "klingon"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "bad_request"
    assert client.get("/api/v1/session").get_json()["user"]["language"] == "ur"


def test_the_phone_loads_its_strings_per_language_and_precaches_them(client):
    bengali = client.get("/field/strings/bn.json").get_json()
    assert bengali["dir"] == "ltr" and bengali["tag"] == "bn"
    assert bengali["messages"]["Sync now"] == "এখন সিঙ্ক করুন"
    # Plurals by CLDR category, which Intl.PluralRules gives the phone.
    assert set(bengali["messages"]["{count} waiting"]) == {"one", "other"}
    # Only the field app's strings: the pages' are not sent to phones.
    assert "Set the new password" not in bengali["messages"]
    urdu = client.get("/field/strings/ur.json").get_json()
    assert urdu["dir"] == "rtl"
    assert client.get("/field/strings/xx.json").status_code == 404
    worker = client.get("/sw.js").text
    for code in i18n.SHIPPED:
        assert f'"/field/strings/{code}.json"' in worker
    registry = client.get("/field/registry.js").text
    languages = json.loads(re.search(r"export const LANGUAGES = (.+);", registry)[1])
    assert {"code": "ur", "tag": "ur", "dir": "rtl", "name": "اردو"} in languages


def test_every_compiled_catalogue_matches_its_po_file():
    """The committed .mo files are what the server reads: each must be its .po compiled."""
    for po in sorted(i18n.TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            messages = read_po(handle)
        compiled = io.BytesIO()
        write_mo(compiled, messages)
        assert po.with_suffix(".mo").read_bytes() == compiled.getvalue(), (
            f"run: fvfield languages compile ({po})"
        )


def msgids(path):
    """Return the message ids of a .po or .pot file."""
    with open(path, "rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_the_catalogue_holds_every_marked_string(tmp_path, monkeypatch):
    """A string marked in the code but not extracted into messages.pot fails here."""
    monkeypatch.setattr(catalogue, "TEMPLATE", tmp_path / "messages.pot")
    catalogue.extract()
    fresh = msgids(tmp_path / "messages.pot")
    assert fresh == msgids(i18n.TRANSLATIONS / "messages.pot"), "run: fvfield languages refresh"


# A t("…") or tn("…", …) call of the field app, and the string literals (joined by +) of its first argument.
JS_CALL = re.compile(r"(?<![\w.])tn?\(\s*")
JS_STRING = re.compile(r"""\s*(['"])((?:\\.|(?!\1).)*)\1\s*(\+)?""")


def first_argument(source, start):
    """Return the text of the string literals at `start` joined by +, or None when it is not one."""
    parts = []
    while match := JS_STRING.match(source, start):
        parts.append(re.sub(r"\\(.)", r"\1", match[2]))
        start = match.end()
        if not match[3]:
            break
    return "".join(parts) if parts else None


def test_every_string_the_field_app_marks_is_extracted():
    """pybabel's JavaScript reader skips a t() inside a `template ${literal}`: such a string never reaches a phone."""
    with open(i18n.TRANSLATIONS / "messages.pot", "rb") as handle:
        extracted = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle) if m.id}
    checkout = i18n.TRANSLATIONS.parent.parent
    missing, unreadable = [], []
    for path in sorted([*checkout.glob("static/js/**/*.js"), *checkout.glob("sw/*.js")]):
        # Comments may show t("…") as an example: leave them out.
        lines = path.read_text(encoding="utf-8").splitlines()
        source = "\n".join("" if line.lstrip().startswith(("//", "*", "/*")) else line for line in lines)
        for call in JS_CALL.finditer(source):
            if source.startswith("`", call.end()):
                unreadable.append(str(path.relative_to(checkout)))
            text = first_argument(source, call.end())
            if text is not None and text not in extracted:
                missing.append(f"{path.relative_to(checkout)}: {text}")
    assert missing == [], "write t() outside `${…}`, then: fvfield languages refresh"
    assert unreadable == [], "t() takes a plain string, not a `template`"


@pytest.mark.parametrize("code", ["bn", "ur"])
def test_the_shipped_languages_are_complete(code):
    with open(i18n.TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        messages = read_po(handle)
    assert "needs review by a native speaker" in " ".join(messages.header_comment.replace("#", " ").split())
    untranslated = [
        m.id
        for m in messages
        if m.id
        and (not m.string or not all(m.string) or m.fuzzy)
        and not all(path.startswith(i18n.ENGLISH_AT_LEAST) for path, _line in m.locations)
    ]
    assert untranslated == []


def test_the_coordinator_pages_are_in_the_catalogue():
    """The coordinators' pages may show English, but every string of theirs is marked and extracted."""
    with open(i18n.TRANSLATIONS / "messages.pot", "rb") as handle:
        sources = {path for m in read_po(handle) for path, _line in m.locations}
    for folder in ("templates/teams/", "templates/teams/forms/", "fvfield/teams/"):
        assert any(path.startswith(folder) for path in sources), folder
    # A fuzzy guess is worse than English: a language's coordinator strings are translated or empty.
    for code in ("bn", "ur"):
        with open(i18n.TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
            assert [m.id for m in read_po(handle) if m.id and m.fuzzy] == [], code


class VisibleText(HTMLParser):
    """The words a person reads on a page: text and the attributes screen readers say."""

    SPOKEN = ("alt", "title", "aria-label", "placeholder")

    def __init__(self):
        super().__init__()
        self.words, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self.skip += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self.words.append(value)
            if tag == "input" and name == "value" and ("type", "submit") in attrs:
                self.words.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.words.append(data)


def english_words(page, allowed):
    """Return the plain-ASCII words of three letters or more a page shows, less the allowed ones."""
    reader = VisibleText()
    reader.feed(page)
    found = set(re.findall(r"\b[A-Za-z]{3,}\b", " ".join(reader.words)))
    return sorted(found - allowed)


# Words that are no translation's business: the product's name, the test's own data.
# "English" is how the language menu names English, in its own words.
# The pseudo-language in Esperanto's slot writes dates as Esperanto does ("3 dec. 2026").
NOT_WORDS = {
    "English",
    "Dec",
    "dec",
    "fvfield",
    "Clapton",
    "Circle",
    "Mo",
    "Member",
    "example",
    "org",
    "member",
    "UTC",
    "localhost",
}


@pytest.fixture
def pseudo_app(tmp_path):
    """An app offering the pseudo-languages, made from the catalogue by `fvfield languages pseudo`."""
    pseudo = tmp_path / "pseudo"
    catalogue.pseudo(pseudo)
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "WTF_CSRF_ENABLED": False,
            "PSEUDO_LANGUAGES": True,
            "BABEL_TRANSLATION_DIRECTORIES": f"{i18n.TRANSLATIONS};{pseudo}",
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("code, direction", [("eo", "ltr"), ("ar", "rtl")])
def test_no_page_shows_a_string_missing_from_the_catalogue(pseudo_app, people_in, code, direction):
    """Every page in the pseudo-language: any plain English word left was never marked."""
    client = pseudo_app.test_client()
    headers = {"Accept-Language": code}
    pages = ["/login", "/forgot", "/invite/not-a-token", "/reset/not-a-token", "/no-such-page", "/language"]
    for path in pages:
        page = client.get(path, headers=headers).text
        assert html_language(page) == (code, direction), path
        assert english_words(page, NOT_WORDS) == [], path
    client.post("/login", data={"email": "member@example.org", "password": "correct horse battery"})
    for path in ["/", "/password", "/sessions", "/language"]:
        page = client.get(path, headers=headers).text
        assert english_words(page, NOT_WORDS | {"Werkzeug", "werkzeug"}) == [], path
    shell = client.get("/field/strings/" + code + ".json").get_json()["messages"]
    assert shell["Sync now"].startswith("[")


@pytest.fixture
def people_in(pseudo_app):
    from conftest import make_team, make_user

    with pseudo_app.app_context():
        member = make_user("member@example.org", "Mo Member")
        make_team("clapton-circle", members=[(member, "member")])


def test_the_pseudo_language_keeps_placeholders_and_is_longer():
    text = catalogue.pseudo_text("Join %(team)s <strong>now</strong> {count}")
    assert "%(team)s" in text and "<strong>" in text and "{count}" in text
    assert "Join" not in text and "now" not in text
    assert len(text) > 1.3 * len("Join %(team)s <strong>now</strong> {count}")


def test_the_api_answers_in_the_persons_language(client, auth, people, sync):
    """Problem and push messages come from the catalogue: the phone shows them in its language."""
    auth.login(people["member"])
    bengali = {"Accept-Language": "bn"}
    missing = client.get("/api/v1/teams/nowhere/pull", headers=bengali).get_json()["error"]
    assert missing == {"code": "not_found", "message": "'nowhere' নামে এমন কোনো দল নেই যার আপনি সদস্য।"}
    # The English stays the default, and what a core package raised keeps its English.
    english = client.get("/api/v1/teams/nowhere/pull").get_json()["error"]["message"]
    assert english == "There is no team 'nowhere' that you belong to."
    # A change the server rejects: its errors in the account's language (Urdu), whatever the browser says.
    assert client.put("/api/v1/session/language", json={"language": "ur"}).status_code == 200
    change = sync.record(id="not-a-uuid")
    pushed = client.post(
        "/api/v1/teams/clapton-circle/push",
        json={"device_id": "5b1f0c4e-9d2a-4c3b-8e7f-112233445566", "changes": [change]},
        headers={"Accept-Language": "en-GB"},
    ).get_json()["results"][0]
    assert pushed["status"] == "rejected"
    assert pushed["errors"]["id"] == ["id دستاویز بناتے وقت بنایا گیا UUID ہونا چاہیے۔"]
    refused = client.post(
        "/api/v1/teams/clapton-circle/push", json={"device_id": "nope", "changes": []}
    ).get_json()["error"]
    assert refused["message"] == "device_id اس انسٹال شدہ ایپ کا UUID ہونا چاہیے۔"


def test_said_keeps_its_english_and_its_catalogue_id():
    from fvfield.problems import said

    message = said("Change %(number)s has no %(missing)s.", number=3, missing="id")
    assert message == "Change 3 has no id." and message.template == "Change %(number)s has no %(missing)s."
    assert f"{message}" == "Change 3 has no id."
