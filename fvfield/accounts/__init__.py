"""Accounts: people, teams, memberships, invites, and who may see what.

The pages, the CLI and the API all change accounts through here, so that
every rule (valid slugs, roles, the last coordinator) and every audit event
lives in one place. Callers commit.
"""

from fvfield.accounts.errors import (
    AccountError,
    AlreadyMember,
    DuplicateEmail,
    DuplicateSlug,
    InviteClosed,
    LastCoordinator,
    UnknownTeam,
    UnknownUser,
    WrongPassword,
)
from fvfield.accounts.invites import issue_invite, revoke_invite, use_invite
from fvfield.accounts.resets import issue_reset, reset_state, use_reset
from fvfield.accounts.teams import (
    SLUG,
    add_member,
    check_role,
    coordinators,
    create_team,
    find_team,
    membership,
    remove_member,
    set_role,
)
from fvfield.accounts.users import (
    EMAIL,
    MIN_PASSWORD,
    change_password,
    check_password,
    create_user,
    find_user,
    normalise_email,
)
