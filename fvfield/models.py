"""The accounts: users, teams, memberships, invites and the audit log."""

import hashlib
import secrets
import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from fvfield.extensions import db

ROLES = ("coordinator", "member", "viewer")
TEAM_KINDS = ("care-circle", "market-survey", "evaluation")


def utcnow():
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def new_id():
    """Return a new random identifier (a UUID as text)."""
    return str(uuid.uuid4())


def token_digest(token):
    """Return the sha256 of a secret token: only digests are stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def password_hash_method():
    """Return how passwords are hashed (the PASSWORD_HASH_METHOD setting; scrypt outside an app)."""
    return current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"


def hash_password(password):
    """Return the password's hash, by the configured method."""
    return generate_password_hash(password, method=password_hash_method())


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    # Changes with the password, so that a new password logs out other devices.
    login_token: Mapped[str] = mapped_column(sa.String(32), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The language the person chose (fvfield/i18n.py codes: en_GB, bn, ur); None: their browser's.
    language: Mapped[str | None] = mapped_column(sa.String(16))

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password):
        """Hash and keep a new password, ending other logins."""
        self.password_hash = hash_password(password)
        self.login_token = secrets.token_hex(16)

    def check_password(self, password):
        """Return whether the password matches."""
        return check_password_hash(self.password_hash, password)

    # The login (accounts/sessions.py) this request runs under, set when it is loaded.
    session_secret = None
    login_session = None

    def get_id(self):
        """Identify the login by user and its session's secret (Flask-Login's alternative id)."""
        return f"{self.id}:{self.session_secret or self.login_token}"

    def __repr__(self):
        return f"<User {self.email}>"


class UserSession(db.Model):
    """A login on one browser or phone, which its owner (or a password change) can end.

    The signed session and remember cookies carry the secret whose digest is
    kept here; a request whose session is ended, or unseen for longer than
    the remember lifetime, is no longer logged in.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    device: Mapped[str] = mapped_column(sa.String(120), default="")
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_why: Mapped[str | None] = mapped_column(sa.String(40))


class Team(db.Model):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The last number given to a change of the team's documents (see sync.py).
    change_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    # Members and viewers see a results cell counting fewer than this many records or people as
    # "fewer than N" (reports/suppression.py); coordinators set it.
    small_numbers: Mapped[int] = mapped_column(default=5, server_default="5")
    # What of each subject's history its phones keep (teams/phone_history.py):
    # the last `phone_visits` records of each subject and every record of the
    # last `phone_days` days; older ones load on demand.
    phone_visits: Mapped[int] = mapped_column(default=10, server_default="10")
    phone_days: Mapped[int] = mapped_column(default=30, server_default="30")

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )

    def __repr__(self):
        return f"<Team {self.slug}>"


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class Invite(db.Model):
    """A one-time link that lets someone join a team with a role."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(120), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship()

    @property
    def state(self):
        """Return 'used', 'revoked', 'expired' or 'open'."""
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= utcnow():
            return "expired"
        return "open"


class AuditEvent(db.Model):
    """A security or data event: who did what, when, from where."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_event_email_at", "event", "email", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    event: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)


# The sync store: forms, subjects and records as documents with revisions.

COLLECTIONS = ("forms", "subjects", "records")


class Document(db.Model):
    """The latest state of a form, subject or record of a team.

    Subject and record ids are UUIDs unique across all teams (id_scope 0);
    a form's id is its slug, unique within its team (id_scope = the team).
    `seq` is the team's change sequence number of the document's latest
    change: pulls read documents in seq order.

    `received_at`, `day`, `odd_time` and `concern` are worked out at every
    write (sync/facets.py), so that the coordinator pages find a team's
    records by index rather than by reading them all.
    """

    __tablename__ = "documents"
    __table_args__ = (
        sa.UniqueConstraint("id", "id_scope"),
        sa.UniqueConstraint("team_id", "seq"),
        # The records list, newest first, whole or by form, author or subject.
        sa.Index("ix_documents_team_recorded", "team_id", "collection", "recorded_at", "pk"),
        # Each filter's column after (team, collection): SQLite, without statistics, picks
        # the index with the most equal columns, so it must beat ix_documents_team_recorded.
        sa.Index("ix_documents_team_form_recorded", "team_id", "collection", "form", "recorded_at", "pk"),
        sa.Index("ix_documents_team_author_recorded", "team_id", "collection", "author", "recorded_at", "pk"),
        sa.Index(
            "ix_documents_team_subject_recorded", "team_id", "collection", "subject_id", "recorded_at", "pk"
        ),
        # The dashboard's periods, the concerns queue and the home page's counts.
        sa.Index("ix_documents_team_form_day", "team_id", "form", "day"),
        sa.Index("ix_documents_team_concern", "team_id", "collection", "concern", "recorded_at", "pk"),
        # The dashboard's concerns per week, counted in the index alone.
        sa.Index("ix_documents_team_concern_day", "team_id", "collection", "concern", "day"),
        sa.Index("ix_documents_team_conflict", "team_id", "has_conflict"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    collection: Mapped[str] = mapped_column(sa.String(10))
    id: Mapped[str] = mapped_column(sa.String(64))
    id_scope: Mapped[int] = mapped_column()
    rev: Mapped[int] = mapped_column()
    seq: Mapped[int] = mapped_column()
    deleted: Mapped[bool] = mapped_column(default=False)
    has_conflict: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    form: Mapped[str | None] = mapped_column(sa.String(64))
    form_version: Mapped[int | None] = mapped_column()
    subject_id: Mapped[str | None] = mapped_column(sa.String(36))
    recorded_at: Mapped[str | None] = mapped_column(sa.String(40))
    kind: Mapped[str | None] = mapped_column(sa.String(40))
    label: Mapped[str | None] = mapped_column(sa.String(200))
    # JSON text, written as sent: serialised once for the document and its revision.
    data: Mapped[str] = mapped_column(sa.Text, default="{}")
    # When the server first stored the document: the phone's clock may be wrong.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A record's day ("YYYY-MM-DD"): the phone's, or the server's when the phone's is absurd.
    day: Mapped[str | None] = mapped_column(sa.String(10))
    odd_time: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A live record whose "concern" answer is true (concerns.py checks its form version).
    concern: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class Revision(db.Model):
    """One accepted change of a document, as the whole state it produced.

    A `conflict` revision is the incoming state that lost against the
    current one; it keeps the rev it was set beside. change_id is unique,
    so that no retry can store a change twice.
    """

    __tablename__ = "revisions"
    __table_args__ = (sa.Index("ix_revisions_document", "team_id", "document_id", "rev"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    collection: Mapped[str] = mapped_column(sa.String(10))
    document_id: Mapped[str] = mapped_column(sa.String(64))
    rev: Mapped[int] = mapped_column()
    base_rev: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(sa.String(10))
    user_id: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    device_id: Mapped[str | None] = mapped_column(sa.String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted: Mapped[bool] = mapped_column(default=False)
    form: Mapped[str | None] = mapped_column(sa.String(64))
    form_version: Mapped[int | None] = mapped_column()
    subject_id: Mapped[str | None] = mapped_column(sa.String(36))
    recorded_at: Mapped[str | None] = mapped_column(sa.String(40))
    kind: Mapped[str | None] = mapped_column(sa.String(40))
    label: Mapped[str | None] = mapped_column(sa.String(200))
    data: Mapped[str] = mapped_column(sa.Text, default="{}")
    # Why the change was made (a correction or a deletion), as its author said it; None when not said.
    reason: Mapped[str | None] = mapped_column(sa.String(500))


class FormVersion(db.Model):
    """A published version of a team's form definition; never changed afterwards."""

    __tablename__ = "form_versions"
    __table_args__ = (sa.UniqueConstraint("team_id", "form_id", "version"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    form_id: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int] = mapped_column()
    definition: Mapped[dict] = mapped_column(sa.JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class Attachment(db.Model):
    """A photo uploaded to a team; the bytes live on disk, named by their sha256."""

    __tablename__ = "attachments"
    __table_args__ = (sa.UniqueConstraint("team_id", "sha256"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    content_type: Mapped[str] = mapped_column(sa.String(20))
    size: Mapped[int] = mapped_column()
    uploaded_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Device(db.Model):
    """An installed app of a user in a team, and when it last pushed and pulled."""

    __tablename__ = "devices"
    __table_args__ = (sa.UniqueConstraint("team_id", "device_id", "user_id"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    device_id: Mapped[str] = mapped_column(sa.String(36))
    user_id: Mapped[str] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_push_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_pull_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# Coordinators' decisions, kept beside the sync store rather than in it.


class ConflictResolution(db.Model):
    """A coordinator's decision on a conflicting revision, and the revision that carried it.

    Revisions stay as they were stored (a retried change still answers
    `duplicate` with its original status); a conflicting revision with a row
    here reads as resolved.
    """

    __tablename__ = "conflict_resolutions"
    __table_args__ = (sa.Index("ix_conflict_resolutions_document", "team_id", "document_id"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    collection: Mapped[str] = mapped_column(sa.String(10))
    document_id: Mapped[str] = mapped_column(sa.String(64))
    conflict_change_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    resolution_change_id: Mapped[str] = mapped_column(sa.String(36))
    resolved_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConcernResolution(db.Model):
    """A coordinator's note that a concern raised in a record was dealt with.

    Kept apart from the record, so the carer's words are never changed.
    """

    __tablename__ = "concern_resolutions"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "record_id"),
        # The concerns queue lists the newest resolved ones.
        sa.Index("ix_concern_resolutions_team_resolved", "team_id", "resolved_at"),
    )

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    record_id: Mapped[str] = mapped_column(sa.String(36))
    # The record's rev when it was resolved: a later edit of the record shows.
    record_rev: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(sa.Text)
    resolved_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FormDraft(db.Model):
    """A coordinator's next version of a form, edited on the web until it is published.

    One per form of a team, shared by its coordinators; `rev` goes up with
    every saved edit, so an edit made on a page opened before someone else's
    is refused rather than silently undoing theirs. `base_version` is the
    published version it started from (None for a form never published).
    """

    __tablename__ = "form_drafts"
    __table_args__ = (sa.UniqueConstraint("team_id", "form_id"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    form_id: Mapped[str] = mapped_column(sa.String(64))
    base_version: Mapped[int | None] = mapped_column()
    definition: Mapped[dict] = mapped_column(sa.JSON)
    rev: Mapped[int] = mapped_column(default=1)
    started_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The dashboard's numbers, kept up to date from the change sequence (reports/tallies.py).


class DayTally(db.Model):
    """What the live records of a team's form on one day add to the dashboard's reports (JSON)."""

    __tablename__ = "day_tallies"
    __table_args__ = (sa.UniqueConstraint("team_id", "form", "day"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    form: Mapped[str] = mapped_column(sa.String(64))
    day: Mapped[str] = mapped_column(sa.String(10))
    tallies: Mapped[str] = mapped_column(sa.Text)


class MonthTally(db.Model):
    """The sum of a team's form's day tallies over a month ("YYYY-MM"): long periods read these instead."""

    __tablename__ = "month_tallies"
    __table_args__ = (sa.UniqueConstraint("team_id", "form", "month"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    form: Mapped[str] = mapped_column(sa.String(64))
    month: Mapped[str] = mapped_column(sa.String(7))
    tallies: Mapped[str] = mapped_column(sa.Text)


class TallyMark(db.Model):
    """The last change of a team (its change_seq) that the day tallies include."""

    __tablename__ = "tally_marks"

    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column()


class WaitingCount(db.Model):
    """What waits for a team's coordinators (open concerns, the urgent ones, conflicts), kept up to date.

    `resolved` counts the concerns resolved, for the queue's "more resolved".

    `seq` is the last change of the team (its change_seq) and `resolutions`
    the last concern resolution (its pk) that the counts include
    (reports/waiting.py).
    """

    __tablename__ = "waiting_counts"

    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column()
    resolutions: Mapped[int] = mapped_column()
    concerns: Mapped[int] = mapped_column()
    urgent: Mapped[int] = mapped_column()
    resolved: Mapped[int] = mapped_column()
    conflicts: Mapped[int] = mapped_column()


class WaitingFlag(db.Model):
    """A document that the team's WaitingCount counts, and as what: so that a change of it is counted once."""

    __tablename__ = "waiting_flags"

    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    document_pk: Mapped[int] = mapped_column(primary_key=True)
    concern: Mapped[bool] = mapped_column()
    urgent: Mapped[bool] = mapped_column()
    resolved: Mapped[bool] = mapped_column()
    conflict: Mapped[bool] = mapped_column()


class Erasure(db.Model):
    """A document erased for good on request (sync/erasure.py): only its id, no content.

    Its tombstone stays in documents, so phones drop their copy at their
    next pull; this row makes a phone's late change of it, or a new record
    about an erased subject, meet the tombstone rather than bring the data back.
    """

    __tablename__ = "erasures"
    __table_args__ = (sa.UniqueConstraint("team_id", "document_id"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    collection: Mapped[str] = mapped_column(sa.String(10))
    document_id: Mapped[str] = mapped_column(sa.String(64))
    erased_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StorySelection(db.Model):
    """A most significant change panel's choice: the story it chose of a round and domain, and why.

    One per round (a quarter, reports/stories.py) and domain of a team; choosing again replaces it.
    """

    __tablename__ = "story_selections"
    __table_args__ = (sa.UniqueConstraint("team_id", "round", "domain"),)

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"))
    round: Mapped[str] = mapped_column(sa.String(7))
    # The story's domain as the form stores it ("" for a story that says none).
    domain: Mapped[str] = mapped_column(sa.String(64))
    record_id: Mapped[str] = mapped_column(sa.String(36))
    reasons: Mapped[str] = mapped_column(sa.Text)
    chosen_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Summary(db.Model):
    """A participant summary a coordinator published: chosen charts and stories of a period, behind a secret link.

    Only the link's token's sha256 is kept (token_digest); the link stops working
    when it expires or is revoked (reports/summaries.py).
    """

    __tablename__ = "summaries"

    pk: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    text: Mapped[str] = mapped_column(sa.Text, default="")
    # The period as it was when published (reports/periods.py): the summary keeps to its days.
    period_name: Mapped[str] = mapped_column(sa.String(8))
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    period_unit: Mapped[str] = mapped_column(sa.String(8))
    # The dashboard charts shown, by slug, comma-separated, in the dashboard's order.
    charts: Mapped[str] = mapped_column(sa.Text, default="")
    with_stories: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
