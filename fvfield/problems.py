"""A named refusal with a code, raised by the core packages, which know nothing of HTTP.

Each subclass names one kind of refusal (PushRefused, CursorExpired,
AttachmentRefused, NoSuchTeam...); its `code` is snake_case and its
`message` a sentence a person can act on. errors.py holds the one table of
what each code answers over HTTP (STATUS_OF); a test fails when a code a
core package raises is not in it.

A message people read is written `said("English with %(name)s", name=...)`:
a str (the English, so logs, tests and stored results read as before) that
also carries its catalogue id and values, so that the HTTP layer answers it
in the request's language (errors.translated). pybabel extracts said() like
gettext (fvfield/catalogue.py KEYWORDS).
"""


class Said(str):
    """An English sentence from the catalogue, with the values filled into it."""

    def __new__(cls, template, params=None):
        params = params or {}
        said_ = super().__new__(cls, template % params if params else template)
        said_.template, said_.params = template, params
        return said_

    def __getnewargs__(self):
        """Copies and pickles keep the catalogue id and the values."""
        return (self.template, self.params)


def said(template, **params):
    """Return `template` (a catalogue id) filled with `params`, translatable later."""
    return Said(template, params)


class Problem(Exception):
    """Something the server refuses to do; `code` says which, `message` why."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message
