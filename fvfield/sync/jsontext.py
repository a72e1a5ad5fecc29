"""JSON text in and out of the sync engine: orjson when installed (several times faster), else json.

Both paths refuse what JSON does not have (NaN, Infinity) and text that is
not Unicode (a lone surrogate such as "\\ud800" could not be stored).
"""

import json
import re

try:
    import orjson
except ImportError:  # the standard library does the same, slower
    orjson = None

ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abAB]", re.I)


class NotJSON(ValueError):
    """Bytes that are not a JSON text the server can keep."""


def refuse_constant(name):
    """Refuse NaN and Infinity, which JSON does not have."""
    raise ValueError(f"{name} is not JSON")


def loads(raw):
    """Return the value of JSON bytes; raise NotJSON when they are not JSON of Unicode text."""
    if orjson is not None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise NotJSON() from None
    try:
        value = json.loads(raw, parse_constant=refuse_constant)
        if SURROGATE_ESCAPE.search(raw):
            ENCODER.encode(value).encode("utf-8")
        return value
    except (ValueError, RecursionError):
        raise NotJSON() from None


def dumps(value):
    """Return compact JSON text of a value."""
    if orjson is not None:
        try:
            return orjson.dumps(value).decode()
        except TypeError:
            pass  # integers beyond 64 bits: the standard library writes them
    return ENCODER.encode(value)
