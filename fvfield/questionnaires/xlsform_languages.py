"""XLSForm's languages and fvfield's language codes: `label::Bengali (bn)` is bn.

XLSForm names a language in its column headers ("label::Bengali (bn)",
"hint::English", "label:Français") and in the settings' default_language.
fvfield keys translations by code (questionnaires/translations.py), so a
column's language is read as the code in its brackets, else the code of an
English language name Babel knows ("English" is en); one that gives no code
is reported, not kept. Export writes "Name (code)", as ODK asks.
"""

import functools
import re

from babel import Locale, UnknownLocaleError

from fvfield.questionnaires.translations import is_language

IN_BRACKETS = re.compile(r"\(\s*([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)\s*\)\s*$")


@functools.cache
def codes_by_name():
    """Return {english language name in lower case: code} of the languages Babel knows."""
    found = {}
    for code, name in Locale("en").languages.items():
        if is_language(code) and (name.lower() not in found or len(code) < len(found[name.lower()])):
            found[name.lower()] = code
    found.setdefault("bangla", "bn")
    return found


def code_of(language):
    """Return the code of an XLSForm language name ("Bengali (bn)", "English"), or None."""
    if not language:
        return None
    text = language.strip()
    match = IN_BRACKETS.search(text)
    if match:
        code = match[1].replace("_", "-")
        return code.lower() if "-" not in code else code.split("-")[0].lower() + "-" + code.split("-")[1]
    if is_language(text.lower()) and len(text) <= 3:
        return text.lower()
    return codes_by_name().get(text.lower())


def name_of(code):
    """Return how an XLSForm names a language: "Bengali (bn)"."""
    try:
        name = Locale.parse(code.replace("-", "_")).english_name
    except (UnknownLocaleError, ValueError, TypeError):
        name = code
    return f"{name} ({code})"
