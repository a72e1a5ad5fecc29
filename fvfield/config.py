"""Configuration: defaults, then the instance folder, then FVFIELD_* variables."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from sqlalchemy.exc import ArgumentError

from fvfield import dialect

DEFAULTS = dict(
    # Carers stay offline for days: the remember cookie and the session
    # must outlive a long week without a connection.
    REMEMBER_COOKIE_DURATION=timedelta(days=60),
    PERMANENT_SESSION_LIFETIME=timedelta(days=60),
    SESSION_COOKIE_HTTPONLY=True,
    SESSION_COOKIE_SAMESITE="Lax",
    REMEMBER_COOKIE_HTTPONLY=True,
    REMEMBER_COOKIE_SAMESITE="Lax",
    SESSION_COOKIE_NAME="fvfield_session",
    REMEMBER_COOKIE_NAME="fvfield_remember",
    # A CSRF token lives as long as the session: a phone back online after
    # days must still be able to push (the client refreshes it on csrf_failed).
    WTF_CSRF_TIME_LIMIT=None,
    SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
    # Connections each app process keeps to PostgreSQL (and may open beyond, when busy).
    DATABASE_POOL_SIZE=5,
    DATABASE_POOL_OVERFLOW=5,
    # Sync limits: one place, sent to phones through /api/v1/session.
    MAX_CHANGES=500,
    MAX_BODY_BYTES=5_000_000,
    MAX_ATTACHMENT_BYTES=10_000_000,
    PULL_LIMIT=500,
    # A phone's "copy to a file" (its outbox with photos), imported on the web.
    MAX_IMPORT_BYTES=50_000_000,
    INVITE_DAYS=7,
    # werkzeug's method string; scrypt is memory-hard. Test suites set a cheap one.
    PASSWORD_HASH_METHOD="scrypt",
    # Past LOGIN_MAX_FAILURES failures in LOGIN_LOCK_MINUTES, each attempt waits
    # twice as long, up to LOGIN_MAX_DELAY seconds (accounts/throttle.py).
    LOGIN_MAX_FAILURES=5,
    LOGIN_LOCK_MINUTES=15,
    LOGIN_MAX_DELAY=60,
    HTTPS=False,
    TRUSTED_PROXIES=0,
    # CSV cells a spreadsheet would run (=, +, -, @, tab, CR first) get a leading ';
    # True keeps them as typed for every CSV export.
    CSV_RAW=False,
    # /readyz fails when the database's or the attachments' disk has less free than this.
    READY_MIN_FREE_MB=200,
    # Email (Flask-Mailman): unset MAIL_SERVER means fvfield sends none, and
    # "Forgotten your password?" points to the coordinator instead.
    MAIL_SERVER=None,
    MAIL_PORT=25,
    MAIL_USE_TLS=False,
    MAIL_USE_SSL=False,
    MAIL_USERNAME=None,
    MAIL_PASSWORD=None,
    MAIL_DEFAULT_SENDER=None,
    MAIL_TIMEOUT=20,
    # One emailed password link per address in this many minutes: a form cannot flood an inbox.
    MAIL_RESET_MINUTES=10,
)

# FVFIELD_<NAME> variables and how to read them.
ENVIRONMENT = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "DATABASE_POOL_SIZE": int,
    "DATABASE_POOL_OVERFLOW": int,
    "ATTACHMENTS_DIR": str,
    "HTTPS": lambda v: v.strip().lower() in ("1", "true", "yes", "on"),
    "TRUSTED_PROXIES": int,
    "MAX_CHANGES": int,
    "MAX_BODY_BYTES": int,
    "MAX_ATTACHMENT_BYTES": int,
    "MAX_IMPORT_BYTES": int,
    "INVITE_DAYS": int,
    "PASSWORD_HASH_METHOD": str,
    "LOGIN_MAX_FAILURES": int,
    "LOGIN_LOCK_MINUTES": int,
    "LOGIN_MAX_DELAY": int,
    "READY_MIN_FREE_MB": int,
    "CSV_RAW": lambda v: v.strip().lower() in ("1", "true", "yes", "on"),
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": lambda v: v.strip().lower() in ("1", "true", "yes", "on"),
    "MAIL_USE_SSL": lambda v: v.strip().lower() in ("1", "true", "yes", "on"),
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_DEFAULT_SENDER": str,
}


def instance_folder(test_config=None):
    """Return the absolute instance folder: test config, FVFIELD_INSTANCE, or ./instance."""
    chosen = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("FVFIELD_INSTANCE")
    return str(Path(chosen or "instance").resolve())


class SettingError(ValueError):
    """An FVFIELD_* variable holds a value that cannot be used."""


def from_environment(environ=os.environ):
    """Return the settings given as FVFIELD_* environment variables."""
    found = {}
    for name, parse in ENVIRONMENT.items():
        value = environ.get(f"FVFIELD_{name}")
        if value not in (None, ""):
            try:
                found[name] = parse(value)
            except ValueError:
                raise SettingError(f"FVFIELD_{name}={value!r} is not a number.") from None
    return found


def load_secret_key(instance_path):
    """Return the instance's secret key, generating and keeping one on first start."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def finish(config, instance_path):
    """Fill in what depends on the instance folder and the HTTPS setting."""
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = load_secret_key(instance_path)
    if config.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = dialect.database_url(config["DATABASE_URL"])
    config.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{Path(instance_path) / 'fvfield.db'}")
    try:
        pool = dialect.engine_options(
            config["SQLALCHEMY_DATABASE_URI"],
            config["DATABASE_POOL_SIZE"],
            config["DATABASE_POOL_OVERFLOW"],
        )
    except ArgumentError:
        raise SettingError(
            "FVFIELD_DATABASE_URL is not a database URL: give e.g. postgresql://user:password@host/fvfield."
        ) from None
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {**pool, **config["SQLALCHEMY_ENGINE_OPTIONS"]}
    config.setdefault("ATTACHMENTS_DIR", str(Path(instance_path) / "attachments"))
    if config.get("HTTPS"):
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
    config["MAX_CONTENT_LENGTH"] = max(config["MAX_BODY_BYTES"], config["MAX_ATTACHMENT_BYTES"])
