"""A named refusal with a code, raised by the core packages, which know nothing of HTTP.

Each subclass names one kind of refusal (PushRefused, CursorExpired,
AttachmentRefused, NoSuchTeam...); its `code` is snake_case and its
`message` a sentence a person can act on. errors.py holds the one table of
what each code answers over HTTP (STATUS_OF); a test fails when a code a
core package raises is not in it.
"""


class Problem(Exception):
    """Something the server refuses to do; `code` says which, `message` why."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message
