"""The sync engine's refusals: what a push, a pull or a form cannot be, and why."""

from fvfield.problems import Problem, said
from fvfield.sync.jsontext import dumps


class PushRefused(Problem):
    """A push the server refuses as a whole (malformed, or too large)."""


class CursorExpired(Problem):
    """A pull cursor the server does not recognise: the device pulls everything again."""

    def __init__(self):
        super().__init__(
            "cursor_expired",
            said(
                "This sync position is not one the server recognises: pull everything again, without since."
            ),
        )


class InvalidDefinition(Exception):
    """A form definition that cannot be published; `errors` says what is wrong, by field."""

    def __init__(self, errors):
        super().__init__("The form definition has errors: " + dumps(errors))
        self.errors = errors
