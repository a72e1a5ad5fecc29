"""THE field types: one registry entry per type, and the check of one answer of each.

Every place that must know the types reads TYPES: definition checks (which
options a type takes), answer checks, rules (which types a condition may name),
the editor (its words for each type), what a new version changes, exports
(how an answer is laid out in columns) and the phone (served to it as
/field/registry.js). tests/test_registries.py fails when a place that must
handle every type does not, the phone's renderer and checks included. Adding a
type is one entry below, its check, its renderer in static/js/form/ and tests.

A check is built once per field (`answer_check(field)`) and then called for
every record: it returns None for a good answer, or one sentence saying what
to enter instead. Checks never see None: an absent answer is decided before.

Where docs/sync.md leaves room, these are the rules:
- whole numbers (integer, scale, counter) are JSON integers: true/false and
  3.0 are refused, and every number stays within +-(2**53 - 1), the range a
  phone's JavaScript holds exactly;
- text is at most 2,000 characters (textarea 20,000) unless max_length says
  less, with no NUL and no unpaired surrogate (both break storage);
- a datetime is extended ISO 8601 with Z or +HH:MM, seconds and up to six
  decimals optional: 2026-11-25T09:41+00:00, 2026-11-25T09:41:00.123Z;
- a position carries all of lat, lon and accuracy; accuracy may be null;
- a price is a whole number of pence (120 for £1.20), 0 or more: the phone
  reads what people type ("£1.20", "1.2", "120p", parse_price here and
  parsePrice in static/js/form/checks.js, tests/price_vectors.json for both)
  and shows it as "£1.20" (price_text).
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from fvfield.problems import said

# The largest whole number a phone's JavaScript keeps exactly (Number.MAX_SAFE_INTEGER).
SAFE_INTEGER = 2**53 - 1
TEXT_LIMITS = {"text": 2_000, "textarea": 20_000, "email": 254}
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
GEOPOINT_KEYS = frozenset({"lat", "lon", "accuracy"})
PHOTO_KEYS = frozenset({"sha256", "content_type", "size"})

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
SHA256 = re.compile(r"[0-9a-f]{64}")
# An email address as people write one: something, @, a domain with a dot (the phone uses the same).
EMAIL_ADDRESS = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
# A price as people type it: pounds with up to 2 decimals ("£1.20", "1.2", "£1,200", ".50"), or pence ("120p").
PRICE_POUNDS = re.compile(
    r"£?\s*(?:(?P<pounds>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<decimals>[0-9]{0,2}))?|\.(?P<only>[0-9]{1,2}))"
)
PRICE_PENCE = re.compile(r"(?P<pence>[0-9]+)\s*[pP]")
PRICE_WORDS = "Enter a price in pounds and pence, like £1.20, 1.2 or 120p."


def kind_of(value):
    """Name the JSON kind of a value the way a person reads it."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def show(value, limit=40):
    """Quote a value for a message, cut short when long."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[:limit] + "…"
        return f"'{text}'"
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def field_words(index, field):
    """Name a question for a message: its label and name, or its place in the form."""
    name, label = field.get("name"), field.get("label")
    name = name if type(name) is str and FIELD_NAME.fullmatch(name) else None
    if type(label) is str and label.strip():
        label = show(" ".join(label.split()), 60)
        return f"{label} ({name})" if name else f"{label} (question {index + 1})"
    return f"'{name}'" if name else f"Question {index + 1}"


def number_text(number):
    """Write a bound as a person would: 5 rather than 5.0."""
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return f"{number:,}" if abs(number) >= 10_000 else str(number)


def is_number(value):
    """Return whether a value is a JSON number (true/false are not numbers)."""
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


def range_words(low, high):
    """Describe the allowed range of a number."""
    if low is not None and high is not None:
        return f"between {number_text(low)} and {number_text(high)}"
    if low is not None:
        return f"of at least {number_text(low)}"
    if high is not None:
        return f"of at most {number_text(high)}"
    return f"between -{number_text(SAFE_INTEGER)} and {number_text(SAFE_INTEGER)}"


def storable_text(value):
    """Return a message when a string cannot be stored as UTF-8 text."""
    if "\x00" in value:
        return "Remove the NUL character from the text."
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "The text holds a broken character (an unpaired surrogate); type it again."
    return None


def text_check(field):
    """Check a text or textarea answer: a string within the length limit."""
    limit = field.get("max_length", TEXT_LIMITS[field["type"]])
    too_long = f"Enter at most {number_text(limit)} characters."

    def check(value):
        if type(value) is not str:
            return f"Enter text, not {kind_of(value)}."
        if len(value) > limit:
            return too_long
        return storable_text(value)

    return check


def email_check(field):
    """Check an email answer: text within the limit that reads as one address."""
    as_text = text_check(field)

    def check(value):
        problem = as_text(value)
        if problem:
            return problem
        if not EMAIL_ADDRESS.fullmatch(value.strip()):
            return "Enter an email address, like name@example.org."
        return None

    return check


def whole_number_check(low, high, wording):
    """Check a whole number between low and high (either may be None)."""
    message = f"Enter {wording} {range_words(low, high)}."
    low = -SAFE_INTEGER if low is None else low
    high = SAFE_INTEGER if high is None else high

    def check(value):
        if type(value) is int:
            return None if low <= value <= high else message
        if type(value) is float and value.is_integer():
            return f"Enter a whole number without a decimal point ({int(value)}, not {value})."
        return f"{message[:-1]}, not {kind_of(value)}."

    return check


def integer_check(field):
    """Check an integer answer within the field's min and max."""
    return whole_number_check(field.get("min"), field.get("max"), "a whole number")


def scale_check(field):
    """Check a scale answer: a whole number from min to max."""
    return whole_number_check(field["min"], field["max"], "a whole number")


def counter_check(field):
    """Check a counter answer: a whole number of 0 or more."""
    return whole_number_check(0, None, "a count")


def decimal_check(field):
    """Check a decimal answer: a finite number within min and max."""
    low, high = field.get("min"), field.get("max")
    message = f"Enter a number {range_words(low, high)}."
    low = -SAFE_INTEGER if low is None else low
    high = SAFE_INTEGER if high is None else high

    def check(value):
        kind = type(value)
        if kind is float:
            if low <= value <= high:
                return None
            return message if math.isfinite(value) else f"Enter a number, not {value}."
        if kind is int:
            return None if low <= value <= high else message
        return f"{message[:-1]}, not {kind_of(value)}."

    return check


def date_check(field):
    """Check a date answer: "YYYY-MM-DD", a real calendar date."""

    def check(value):
        if type(value) is not str or not DATE.fullmatch(value):
            return f"Enter a date as YYYY-MM-DD, for example 2026-11-25, not {show(value)}."
        try:
            date.fromisoformat(value)
        except ValueError:
            return f"{show(value)} is not a date on the calendar."
        return None

    return check


def time_check(field):
    """Check a time answer: "HH:MM" from 00:00 to 23:59."""

    def check(value):
        if type(value) is str and TIME.fullmatch(value):
            return None
        return f"Enter a time as HH:MM from 00:00 to 23:59, not {show(value)}."

    return check


def datetime_check(field):
    """Check a datetime answer: ISO 8601 with a UTC offset."""

    def check(value):
        if type(value) is not str or not DATETIME.fullmatch(value):
            return (
                "Enter a date and time in ISO 8601 with its offset, for example "
                f"2026-11-25T09:41:00+00:00, not {show(value)}."
            )
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return f"{show(value)} is not a real date and time."
        return None

    return check


def boolean_check(field):
    """Check a boolean answer: true or false, nothing else."""

    def check(value):
        if value is True or value is False:
            return None
        return f"Choose yes or no (true or false), not {show(value)}."

    return check


def choices_words(values):
    """List choice values for a message, cut short when there are many."""
    shown = ", ".join(values[:12])
    return shown if len(values) <= 12 else f"{shown} and {len(values) - 12} more"


def choice_check(field):
    """Check a choice answer: one value of the field's choices."""
    values = [choice["value"] for choice in field["choices"]]
    allowed = frozenset(values)
    listed = choices_words(values)

    def check(value):
        if type(value) is str and value in allowed:
            return None
        if type(value) is str:
            return f"{show(value)} is not one of the choices: {listed}."
        return f"Choose one of: {listed}; not {kind_of(value)}."

    return check


def multiple_choice_check(field):
    """Check a multiple choice answer: a list of distinct values of the choices."""
    values = [choice["value"] for choice in field["choices"]]
    allowed = frozenset(values)
    listed = choices_words(values)

    def check(value):
        if type(value) is not list:
            return f"Choose a list of values from: {listed}; not {kind_of(value)}."
        for item in value:
            if type(item) is not str or item not in allowed:
                return f"{show(item)} is not one of the choices: {listed}."
        if len(set(value)) < len(value):
            twice = next(item for index, item in enumerate(value) if item in value[:index])
            return f"{show(twice)} is chosen more than once; choose each value once."
        return None

    return check


def coordinate_problem(point, key, low, high, words):
    """Return a message when point[key] is not a number from low to high."""
    value = point[key]
    if not is_number(value) or not low <= value <= high:
        return f"The {words} must be a number from {low} to {high}, not {show(value)}."
    return None


def geopoint_check(field):
    """Check a position: {"lat", "lon", "accuracy"} with accuracy in metres or null."""

    def check(value):
        if type(value) is not dict:
            return f'Enter a position as {{"lat", "lon", "accuracy"}}, not {kind_of(value)}.'
        if value.keys() != GEOPOINT_KEYS:
            return keys_problem("A position", value, GEOPOINT_KEYS, "accuracy may be null")
        accuracy = value["accuracy"]
        if accuracy is not None and (not is_number(accuracy) or accuracy < 0):
            return f"The accuracy must be a number of metres, 0 or more, or null; not {show(accuracy)}."
        return coordinate_problem(value, "lat", -90, 90, "latitude") or coordinate_problem(
            value, "lon", -180, 180, "longitude"
        )

    return check


def photo_check(field):
    """Check a photo answer: a reference to an uploaded attachment."""

    def check(value):
        if type(value) is not dict:
            return f'Attach a photo as {{"sha256", "content_type", "size"}}, not {kind_of(value)}.'
        if value.keys() != PHOTO_KEYS:
            return keys_problem("A photo", value, PHOTO_KEYS, "all three are needed")
        digest, content_type, size = value["sha256"], value["content_type"], value["size"]
        if type(digest) is not str or not SHA256.fullmatch(digest):
            return f"The photo's sha256 must be 64 lower-case hex characters, not {show(digest)}."
        if type(content_type) is not str or content_type not in IMAGE_TYPES:
            return f"The photo must be image/jpeg, image/png or image/webp, not {show(content_type)}."
        if type(size) is not int or not 0 < size <= SAFE_INTEGER:
            return f"The photo's size must be a whole number of bytes above 0, not {show(size)}."
        return None

    return check


def parse_price(typed):
    """Return (pence, None) for a price as people type it, or (None, what to type instead)."""
    text = typed.strip()
    match = PRICE_PENCE.fullmatch(text)
    if match:
        pence = int(match["pence"])
    else:
        match = PRICE_POUNDS.fullmatch(text)
        if not match:
            return None, PRICE_WORDS
        pounds = int((match["pounds"] or "0").replace(",", ""))
        pence = pounds * 100 + int((match["decimals"] or match["only"] or "").ljust(2, "0"))
    if pence > SAFE_INTEGER:
        return None, "Enter a smaller price."
    return pence, None


def price_text(pence):
    """Return a price in pence as people read it: £1.20, £1,200.00."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def price_check(field):
    """Check a price answer: a whole number of pence, 0 or more (the phone turns "£1.20" into 120)."""

    def check(value):
        if type(value) is int and 0 <= value <= SAFE_INTEGER:
            return None
        if type(value) is int:
            return "Enter a price of £0.00 or more." if value < 0 else "Enter a smaller price."
        if type(value) is float:
            return f"A price is kept in whole pence (120 for £1.20), not {show(value)}."
        if type(value) is str:
            pence, _ = parse_price(value)
            shown = f" ({pence} for {price_text(pence)})" if pence is not None else ""
            return f"A price is kept as a whole number of pence{shown}, not text."
        return f"A price is kept as a whole number of pence (120 for £1.20), not {kind_of(value)}."

    return check


def keys_problem(what, value, expected, advice):
    """Say which keys an object answer misses or has too many of."""
    missing = sorted(expected - value.keys())
    if missing:
        return f"{what} needs {', '.join(missing)} ({advice})."
    extra = sorted(show(key) for key in value.keys() - expected)
    return f"{what} takes only {', '.join(sorted(expected))}; remove {', '.join(extra[:5])}."


def calculate_check(field):
    """Check a calculation's answer as stored: the text of its value (answers.py recomputes it)."""

    def check(value):
        if type(value) is not str:
            return f"A calculation is kept as text, not {kind_of(value)}."
        if len(value) > TEXT_LIMITS["text"]:
            return "This calculation gives a text too long to keep."
        return storable_text(value)

    return check


def note_check(field):
    """Refuse any answer to a note: it is text to read."""

    def check(value):
        return "This is a note to read; it takes no answer (leave it out or null)."

    return check


def choice_values(field):
    """The codebook of a choice: each choice's value and label."""
    return [(choice["value"], choice.get("label", choice["value"])) for choice in field.get("choices") or ()]


def scale_words(field):
    """The codebook of a scale: the words its numbers carry ("1": "Hardly ever or never").

    Its labels are a list, one per point from min, or an object keyed by point.
    """
    labels = field.get("labels") or {}
    if type(labels) is list:
        return [(field["min"] + index, word) for index, word in enumerate(labels)]
    return sorted((int(value), word) for value, word in labels.items())


def yes_no(field):
    """The codebook of a yes/no question as exports write it: 1 and 0."""
    return [(1, "Yes"), (0, "No")]


def section_check(field):
    """Refuse an answer under a section's own name: its questions' answers are the record's own."""

    def check(value):
        return "This is a section; answer its questions by their own names, not the section's."

    return check


def repeat_check(field):
    """Check a repeat's answer as a list of items, each an object (repeats.py checks each item)."""
    most = field.get("max_count")

    def check(value):
        if type(value) is not list:
            return f"A repeat's answer is a list of items (objects of answers), not {kind_of(value)}."
        if most is not None and len(value) > most:
            return f"Add at most {number_text(most)} of these, not {number_text(len(value))}."
        for number, item in enumerate(value, 1):
            if type(item) is not dict:
                return f"Item {number} must be an object of answers by question name, not {kind_of(item)}."
        return None

    return check


def no_items(value):
    """Return whether a repeat's answer has no items (a required repeat needs one)."""
    return not value


def no_codes(field):
    """The codebook of a question whose answers are not codes."""
    return []


def blank_text(value):
    """Return whether a text answer is empty or only spaces."""
    return not value.strip()


def nothing_chosen(value):
    """Return whether a multiple choice answer chose nothing."""
    return not value


@dataclass(frozen=True)
class FieldType:
    """One type of question: what it is called, what it takes, and how its answer is checked."""

    name: str
    # In the editor's list of types.
    label: str
    # In a sentence ("Changed the type from a short text to a number").
    noun: str
    # Builds the check of one answer to a field of this type: field -> (value -> message or None).
    check: Callable
    # The options a field of this type may have, beside the common ones.
    options: tuple = ()
    # A required answer that is given but still counts as unanswered (blank text, no choice).
    blank: Callable | None = None
    # Whether a condition (show_if) may name a question of this type.
    in_rules: bool = True
    # Whether a condition on it is chosen from its answers on the editor (rather than typed).
    listed_in_rules: bool = False
    # Whether the phone draws it as a group (a fieldset with a legend) rather than one input.
    grouped: bool = False
    # How exports lay its answer out: "text", "number", "whole", "boolean", "price" (pounds), "choices"
    # (a 0/1 column per choice), "position" (lat, lon, accuracy), "photo" (its sha256)
    # or "none" (no answer): reports/files.py EXPORT_LAYOUTS.
    export: str = "text"
    # Whether the form editor offers it (its options have boxes on the question page).
    in_editor: bool = True
    # The codes its exported answers may hold and what each means, for the codebook:
    # field -> [(value, words)], e.g. a choice's values and labels, a scale's words.
    codebook: Callable = no_codes


FIELD_TYPE_LIST = (
    FieldType(
        "text", said("Short text"), said("a short text"), text_check, ("max_length",), blank=blank_text
    ),
    FieldType(
        "textarea", said("Long text"), said("a long text"), text_check, ("max_length",), blank=blank_text
    ),
    FieldType(
        "email",
        said("Email address"),
        said("an email address"),
        email_check,
        ("max_length",),
        blank=blank_text,
    ),
    FieldType(
        "integer", said("Whole number"), said("a whole number"), integer_check, ("min", "max"), export="whole"
    ),
    FieldType(
        "decimal",
        said("Number (decimals allowed)"),
        said("a number"),
        decimal_check,
        ("min", "max"),
        export="number",
    ),
    FieldType("date", said("Date"), said("a date"), date_check),
    FieldType("time", said("Time"), said("a time"), time_check),
    FieldType("datetime", said("Date and time"), said("a date and time"), datetime_check, in_rules=False),
    FieldType(
        "boolean",
        said("Yes or no"),
        said("a yes/no question"),
        boolean_check,
        listed_in_rules=True,
        grouped=True,
        export="boolean",
        codebook=yes_no,
    ),
    FieldType(
        "choice",
        said("One choice from a list"),
        said("a single choice"),
        choice_check,
        ("choices", "choice_filter", "or_other"),
        listed_in_rules=True,
        grouped=True,
        codebook=choice_values,
    ),
    FieldType(
        "multiple_choice",
        said("Several choices from a list"),
        said("a multiple choice"),
        multiple_choice_check,
        ("choices", "choice_filter", "or_other"),
        blank=nothing_chosen,
        listed_in_rules=True,
        grouped=True,
        export="choices",
        codebook=choice_values,
    ),
    FieldType(
        "scale",
        said("Scale (numbers from low to high)"),
        said("a scale"),
        scale_check,
        ("min", "max", "labels"),
        grouped=True,
        export="whole",
        codebook=scale_words,
    ),
    FieldType("counter", said("Counter (tap + and −)"), said("a counter"), counter_check, export="whole"),
    # Typed as "£1.20", "1.2" or "120p", kept in whole pence (120), exported in pounds.
    FieldType("price", said("Price (£)"), said("a price"), price_check, in_rules=False, export="price"),
    FieldType(
        "geopoint",
        said("Position (GPS)"),
        said("a position"),
        geopoint_check,
        in_rules=False,
        grouped=True,
        export="position",
    ),
    FieldType(
        "photo", said("Photo"), said("a photo"), photo_check, in_rules=False, grouped=True, export="photo"
    ),
    FieldType(
        "note", said("Note to read (no answer)"), said("a note"), note_check, in_rules=False, export="none"
    ),
    # Its answer is worked out from the others by its calculation (docs/expressions.md).
    FieldType(
        "calculate",
        said("Calculated from other answers"),
        said("a calculation"),
        calculate_check,
        ("calculation",),
    ),
    # A titled block of questions with its own condition (structure.py; XLSForm's group).
    FieldType(
        "section",
        said("Section (a titled block of questions)"),
        said("a section"),
        section_check,
        ("fields",),
        in_rules=False,
        grouped=True,
        export="none",
    ),
    # Questions asked once per item (a household's members); its answer is a list of items.
    FieldType(
        "repeat",
        said("Repeat (questions asked for each item)"),
        said("a repeat"),
        repeat_check,
        ("fields", "min_count", "max_count"),
        blank=no_items,
        in_rules=False,
        grouped=True,
        export="repeat",
    ),
)
TYPES = {field_type.name: field_type for field_type in FIELD_TYPE_LIST}
FIELD_TYPES = tuple(TYPES)


def answer_check(field):
    """Build the check of one answer to a (valid) field."""
    return TYPES[field["type"]].check(field)


def for_the_phone():
    """Return what the field app needs of the types, as JSON values."""
    return {
        "FIELD_TYPES": {
            t.name: {"options": list(t.options), "grouped": t.grouped, "in_rules": t.in_rules}
            for t in FIELD_TYPE_LIST
        },
        "TEXT_LIMITS": TEXT_LIMITS,
        "EMAIL_PATTERN": EMAIL_ADDRESS.pattern,
        "IMAGE_TYPES": list(IMAGE_TYPES),
    }
