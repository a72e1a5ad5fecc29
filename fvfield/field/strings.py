"""/field/strings/<language>.json: the field app's part of the catalogue, for one language.

The field app's strings are marked t("…") and tn("…", "…", n) in static/js and
sw, extracted by pybabel into the same messages.po as the pages' (babel.cfg).
This module reads each language's .po and writes out the messages whose
source is the field app, as {id: text} and, for plurals, {id: {category:
text}} keyed by CLDR plural category so that the phone picks the form with
Intl.PluralRules, which knows the same rules. Each file is precached by the
service worker (field/precache.py), so the phone speaks its language offline.
"""

import gettext
import json
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from flask import current_app

from fvfield import i18n

URL = "/field/strings/{code}.json"
FIELD_SOURCES = ("static/js/", "sw/", "templates/field/")
# Enough counts to meet every plural category CLDR gives a language.
SAMPLE_COUNTS = (*range(0, 112), 1000, 1000000)


def po_file(code):
    """Return the messages.po of `code` from the configured translation folders, or None."""
    folders = current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")
    for folder in folders:
        path = Path(folder) / code / "LC_MESSAGES" / "messages.po"
        if path.is_file():
            return path
    return None


def for_the_phone(message):
    """Return whether a message is shown by the field app."""
    return any(path.startswith(FIELD_SOURCES) for path, _line in message.locations)


def plural_forms(catalogue, locale, message):
    """Return {CLDR category: text} of a plural message ("one", "other", …)."""
    index_of = gettext.c2py(catalogue.plural_expr)
    forms = {}
    for count in SAMPLE_COUNTS:
        category = locale.plural_form(count)
        if category not in forms:
            texts = message.string
            text = texts[index_of(count)] if index_of(count) < len(texts) else ""
            forms[category] = text or (message.id[0] if count == 1 else message.id[1])
    return forms


def strings(code):
    """Return the field app's messages in language `code`: {id: text or {category: text}}."""
    path = po_file(code)
    if path is None:
        return {}
    locale = Locale.parse(code)
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    found = {}
    for message in catalogue:
        if not message.id or not for_the_phone(message) or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            if any(message.string):
                found[message.id[0]] = plural_forms(catalogue, locale, message)
        elif message.string:
            found[message.id] = message.string
    return found


def strings_json(code):
    """Return /field/strings/<code>.json as bytes (sorted keys: a stable revision)."""
    body = {
        "language": code,
        "tag": i18n.tag(code),
        "dir": i18n.direction(code),
        "messages": strings(code),
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode()


def languages_for_the_phone():
    """Return [{code, tag, dir, name}] of the offered languages, for the phone's menu."""
    return [
        {"code": code, "tag": i18n.tag(code), "dir": direction, "name": i18n.own_name(code)}
        for code, direction in i18n.languages().items()
    ]
