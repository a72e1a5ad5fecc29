"""The style sheets mirror for right-to-left pages: logical properties, never left or right.

Urdu pages are dir="rtl": a margin-inline-start, a border-inline-start or a
text-align: end follows the reading direction, a margin-left does not. This
test reads every file in static/css and fails on a physical left/right
property or value (docs/languages.md). A rule that must stay physical (a
chart's axis, a phone number) goes in EXCEPTIONS with the reason.
"""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parent.parent / "static" / "css"

# (file, selector, property) -> why it stays physical. Keep this short.
EXCEPTIONS = {}

SIDED = re.compile(r"(^|-)(left|right)(-|$)")
# Properties whose value may name a side.
SIDE_VALUES = {"float", "clear", "text-align", "caption-side", "justify-self", "justify-items", "resize"}
# Shorthands whose 2nd and 4th values are the right and the left.
BOXES = {"margin", "padding", "inset", "border-width", "border-style", "border-color", "scroll-margin"}
DECLARATION = re.compile(r"([^{}]+)\{([^{}]*)\}")


def declarations(text):
    """Yield (selector, property, value) of a style sheet's rules (nested @media blocks included)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    # Unwrap at-rule blocks so that their rules are read like the others.
    text = re.sub(r"@(media|supports|container|layer)[^{]*\{", "", text)
    for selector, body in DECLARATION.findall(text):
        for part in body.split(";"):
            if ":" in part:
                name, value = part.split(":", 1)
                yield " ".join(selector.split()), name.strip().lower(), value.strip()


def physical(name, value):
    """Return why a declaration is physical (left/right), or None."""
    if name.startswith("--"):
        return None
    if SIDED.search(name):
        return f"{name} names a side: use its inline-start/inline-end form"
    words = value.replace("!important", "").split()
    if name in SIDE_VALUES and any(word in ("left", "right") for word in words):
        return f"{name}: {value}: use start/end (or inline-start/inline-end)"
    if name in BOXES and len(words) == 4 and words[1] != words[3]:
        return f"{name}: {value} sets left and right apart: use {name}-block and {name}-inline"
    if name == "border-radius" and "/" not in value:
        if (len(words) == 2 and words[0] != words[1]) or (len(words) >= 3 and words[1] != words[-1]):
            return f"border-radius: {value} is not mirrored: use border-start-start-radius and its kin"
    return None


def problems_in(name, text):
    """Return the physical declarations of one style sheet that are not excepted."""
    found = []
    for selector, prop, value in declarations(text):
        why = physical(prop, value)
        if why and (name, selector, prop) not in EXCEPTIONS:
            found.append(f"{name}: {selector} {{ {why} }}")
    return found


def test_the_checker_finds_physical_properties():
    sample = """
    /* margin-left in a comment is fine */
    .a { margin-left: 4px; }
    .b { text-align: right; }
    @media (min-width: 40em) { .c { padding: 0 1em 0 2em; } }
    .d { float: left; }
    .e { margin-inline-start: 4px; text-align: end; padding: 0 1em 0 1em; float: inline-start; }
    .f { border-top-left-radius: 4px; }
    """
    found = problems_in("sample.css", sample)
    assert len(found) == 5, found
    assert not any(".e" in line for line in found)


@pytest.mark.parametrize("sheet", sorted(CSS.glob("*.css")), ids=lambda path: path.name)
def test_no_style_sheet_uses_a_physical_side(sheet):
    assert problems_in(sheet.name, sheet.read_text(encoding="utf-8")) == []


def test_the_exceptions_still_exist():
    """An exception whose rule was removed or made logical is left over: delete it."""
    for (name, selector, prop), _why in EXCEPTIONS.items():
        rules = {(sel, p) for sel, p, _v in declarations((CSS / name).read_text(encoding="utf-8"))}
        assert (selector, prop) in rules, (name, selector, prop)
