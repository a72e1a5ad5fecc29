"""What can go wrong when accounts change: each a named error whose message says why."""


class AccountError(Exception):
    """A change to accounts that cannot be made; the message says why."""


class DuplicateEmail(AccountError):
    """That email address already has an account."""


class DuplicateSlug(AccountError):
    """That team address is taken."""


class UnknownTeam(AccountError):
    """No team has that slug."""


class UnknownUser(AccountError):
    """No user has that email."""


class LastCoordinator(AccountError):
    """A team must keep at least one coordinator."""


class WrongPassword(AccountError):
    """The password given is not the user's current password."""


class InviteClosed(AccountError):
    """The invite was used, withdrawn or has expired."""


class AlreadyMember(AccountError):
    """The user already belongs to the invite's team."""
