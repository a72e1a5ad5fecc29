"""The team's forms: published versions, read by number, and the built-in ones a team starts with."""

import uuid

import sqlalchemy as sa

from fvfield.extensions import db
from fvfield.models import utcnow
from fvfield.questionnaires import templates_for_kind, validate_definition
from fvfield.sync.documents import ChangeLog, form_versions, load_form
from fvfield.sync.errors import InvalidDefinition
from fvfield.sync.statuses import APPLIED

# Version numbers are stored as 32-bit integers (PostgreSQL's INTEGER).
MAX_VERSION = 2**31 - 1


def form_definition(team_id, form_id, version):
    """Return a published version of a team's form definition, or None."""
    if not 1 <= version <= MAX_VERSION:
        return None
    return db.session.scalar(
        sa.select(form_versions.c.definition).where(
            form_versions.c.team_id == team_id,
            form_versions.c.form_id == form_id,
            form_versions.c.version == version,
        )
    )


def publish_form_version(team, definition, user=None):
    """Publish a definition as the next version of the team's form; return the version.

    The version number is the form's latest plus one (1 for a new form),
    whatever the definition says. Raises InvalidDefinition with the errors.
    Callers commit; a page that publishes should start its transaction with
    extensions.begin_write() so that it queues behind concurrent pushes.
    """
    if not isinstance(definition, dict):
        raise InvalidDefinition({"_": ["A form definition is a JSON object."]})
    conn = db.session.connection()
    form_id = definition.get("id")
    latest = None
    if isinstance(form_id, str):
        latest = conn.scalar(
            sa.select(sa.func.max(form_versions.c.version)).where(
                form_versions.c.team_id == team.id, form_versions.c.form_id == form_id
            )
        )
    definition = {**definition, "version": (latest or 0) + 1}
    errors = validate_definition(definition)
    if errors:
        raise InvalidDefinition(errors)
    now, user_id = utcnow(), user.id if user else None
    conn.execute(
        sa.insert(form_versions).values(
            team_id=team.id,
            form_id=form_id,
            version=definition["version"],
            definition=definition,
            published_at=now,
            published_by=user_id,
        )
    )
    log = ChangeLog(conn, team.id, now)
    state = load_form(conn, team.id, form_id) or {"pk": None, "rev": 0, "has_conflict": False}
    base_rev = state["rev"]
    state.update(
        collection="forms",
        id=form_id,
        rev=base_rev + 1,
        deleted=False,
        author=user_id,
        data=definition,
        data_json=None,
    )
    log.keep(state)
    log.add_revision(state, str(uuid.uuid4()), base_rev, APPLIED.name, user_id, None)
    log.write()
    return definition["version"]


def install_questionnaires(team):
    """Publish the built-in questionnaires of the team's kind as version 1 of its forms."""
    for definition in templates_for_kind(team.kind):
        publish_form_version(team, definition)
