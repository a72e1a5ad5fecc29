"""The catalogue's upkeep: extract the strings, update each language, compile, and the pseudo-languages.

`fvfield languages refresh` runs, from a checkout, what docs/languages.md
describes with pybabel: extract every marked string (Python, templates, the
field app's JavaScript, the service worker) into messages.pot, merge it into
each language's messages.po, and compile the .mo files the server reads.
"""

import os
from pathlib import Path

from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from fvfield.i18n import PSEUDO, TRANSLATIONS

CHECKOUT = TRANSLATIONS.parent.parent
TEMPLATE = TRANSLATIONS / "messages.pot"
# The names the strings are marked with: gettext's in Python and Jinja, t()
# and tn(one, other, count) in the field app (static/js/i18n.js), said() in
# the core packages (fvfield/problems.py: translated where HTTP answers).
KEYWORDS = ("_l", "lazy_gettext", "t", "tn:1,2", "said")


def pybabel(*arguments):
    """Run a pybabel command in-process."""
    CommandLineInterface().run(["pybabel", "-q", *arguments])


def extract():
    """Write messages.pot from the checkout's marked strings."""
    keywords = [f"--keyword={k}" for k in KEYWORDS]
    # Relative paths in the "#:" comments: the same catalogue from any checkout.
    here = os.getcwd()
    os.chdir(CHECKOUT)
    try:
        _extract(keywords)
    finally:
        os.chdir(here)


def _extract(keywords):
    """Run pybabel extract in the checkout."""
    pybabel(
        "extract",
        "-F",
        str(CHECKOUT / "babel.cfg"),
        *keywords,
        "--sort-by-file",
        "--project=fvfield",
        "--msgid-bugs-address=the team that runs fvfield (docs/languages.md)",
        "-o",
        str(TEMPLATE),
        ".",
    )


def update():
    """Merge messages.pot into every language's messages.po (new strings empty, old ones kept)."""
    pybabel("update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "--no-fuzzy-matching")


def compile_all(folder=TRANSLATIONS):
    """Compile every messages.po under `folder` into its messages.mo; return the languages."""
    done = []
    for po in sorted(Path(folder).glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalogue = read_po(handle)
        with po.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalogue)
        done.append(po.parent.parent.name)
    return done


ACCENTED = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "åƀçđéƒĝĥîĵķĺɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
        strict=True,
    )
)


def pseudo_text(text):
    """Return `text` accented and about 40% longer, its placeholders and markup untouched.

    %(name)s, {name} and <tags> stay as they are so that the pseudo-language
    works like a real one; every letter of words changes, so a plain English
    word left on a screen can only be a string the catalogue never saw.
    """
    out = []
    keep_until = None
    index = 0
    while index < len(text):
        char = text[index]
        if keep_until is None:
            if text.startswith("%(", index):
                keep_until = ")"
            elif char == "{":
                keep_until = "}"
            elif char == "<":
                keep_until = ">"
            elif char == "&":
                keep_until = ";"
            if keep_until is not None:
                out.append(char)
            else:
                out.append(ACCENTED.get(char, char))
        else:
            out.append(char)
            if char == keep_until:
                if keep_until == ")" and index + 1 < len(text):
                    index += 1
                    out.append(text[index])  # the s or d of %(name)s
                keep_until = None
        index += 1
    letters = sum(c.isalpha() for c in text)
    padding = "·" * max(1, round(letters * 0.4)) if letters else ""
    return f"[{''.join(out)} {padding}]" if letters else text


def pseudo(folder):
    """Write the pseudo-languages' messages.po and .mo under `folder` from messages.pot."""
    with TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    for code in PSEUDO:
        with TEMPLATE.open("rb") as handle:
            catalogue = read_po(handle, locale=Locale.parse(code))
        catalogue.locale = Locale.parse(code)
        for message in template:
            if not message.id:
                continue
            if isinstance(message.id, tuple):
                forms = [pseudo_text(message.id[0])] + [pseudo_text(message.id[1])] * (
                    catalogue.num_plurals - 1
                )
                catalogue[message.id].string = tuple(forms)
            else:
                catalogue[message.id].string = pseudo_text(message.id)
        po = Path(folder) / code / "LC_MESSAGES" / "messages.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        with po.open("wb") as handle:
            write_po(handle, catalogue)
    return compile_all(folder)
