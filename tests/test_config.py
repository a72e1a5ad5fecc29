"""Configuration: defaults, then the instance's config.py, then FVFIELD_* variables."""

import os
import stat
from datetime import timedelta

import pytest
from flask_migrate import upgrade

from fvfield import create_app
from fvfield.config import DEFAULTS, SettingError
from fvfield.extensions import db


@pytest.fixture(autouse=True)
def no_settings(monkeypatch, tmp_path):
    """Start each test with no FVFIELD_* variable, in an empty working folder."""
    for name in list(os.environ):
        if name.startswith("FVFIELD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_config_defaults(tmp_path):
    app = create_app()
    assert app.instance_path == str(tmp_path / "instance")
    assert app.config["REMEMBER_COOKIE_DURATION"] >= timedelta(days=30)
    assert app.config["PERMANENT_SESSION_LIFETIME"] >= timedelta(days=30)
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.config.get("SESSION_COOKIE_SECURE")
    assert app.config["TRUSTED_PROXIES"] == 0
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'fvfield.db'}"
    assert app.config["ATTACHMENTS_DIR"] == str(tmp_path / "instance" / "attachments")
    assert app.config["MAX_CONTENT_LENGTH"] >= app.config["MAX_ATTACHMENT_BYTES"]


def test_config_first_start_makes_the_instance_folder_and_a_secret_key(tmp_path):
    app = create_app()
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == app.config["SECRET_KEY"]
    assert len(app.config["SECRET_KEY"]) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_config_secret_keys_differ_between_instances(tmp_path, monkeypatch):
    first = create_app().config["SECRET_KEY"]
    monkeypatch.setenv("FVFIELD_INSTANCE", str(tmp_path / "other"))
    assert create_app().config["SECRET_KEY"] != first


def test_config_sqlite_file_is_made_in_the_instance_folder(tmp_path):
    app = create_app()
    with app.app_context():
        upgrade()
        db.engine.dispose()
    assert (tmp_path / "instance" / "fvfield.db").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["instance"]


def test_config_instance_config_py_overrides_defaults(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("MAX_CHANGES = 50\nINVITE_DAYS = 3\nSECRET_KEY = 'from-config'\n")
    app = create_app()
    assert (app.config["MAX_CHANGES"], app.config["INVITE_DAYS"]) == (50, 3)
    assert app.config["SECRET_KEY"] == "from-config"
    assert not (instance / "secret_key").exists()


def test_config_environment_overrides_instance_config(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("MAX_CHANGES = 50\n")
    monkeypatch.setenv("FVFIELD_MAX_CHANGES", "20")
    assert create_app().config["MAX_CHANGES"] == 20


@pytest.mark.parametrize(
    ("variable", "value", "setting", "expected"),
    [
        ("FVFIELD_SECRET_KEY", "s3cret-from-env", "SECRET_KEY", "s3cret-from-env"),
        (
            "FVFIELD_DATABASE_URL",
            "sqlite:////srv/fvfield/data.db",
            "SQLALCHEMY_DATABASE_URI",
            "sqlite:////srv/fvfield/data.db",
        ),
        ("FVFIELD_ATTACHMENTS_DIR", "/srv/fvfield/files", "ATTACHMENTS_DIR", "/srv/fvfield/files"),
        ("FVFIELD_TRUSTED_PROXIES", "2", "TRUSTED_PROXIES", 2),
        ("FVFIELD_MAX_BODY_BYTES", "1000", "MAX_BODY_BYTES", 1000),
        ("FVFIELD_MAX_ATTACHMENT_BYTES", "2000", "MAX_ATTACHMENT_BYTES", 2000),
        ("FVFIELD_INVITE_DAYS", "14", "INVITE_DAYS", 14),
        ("FVFIELD_HTTPS", "1", "SESSION_COOKIE_SECURE", True),
        ("FVFIELD_HTTPS", "true", "REMEMBER_COOKIE_SECURE", True),
        ("FVFIELD_HTTPS", "0", "HTTPS", False),
    ],
)
def test_config_environment_variables(monkeypatch, variable, value, setting, expected):
    monkeypatch.setenv(variable, value)
    assert create_app().config[setting] == expected


def test_config_secret_key_from_environment_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("FVFIELD_SECRET_KEY", "s3cret-from-env")
    create_app()
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_config_fvfield_instance_chooses_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("FVFIELD_INSTANCE", str(tmp_path / "data" / "fvfield"))
    app = create_app()
    with app.app_context():
        upgrade()
        db.engine.dispose()
    chosen = tmp_path / "data" / "fvfield"
    assert app.instance_path == str(chosen)
    assert {"secret_key", "fvfield.db"} <= {p.name for p in chosen.iterdir()}
    assert not (tmp_path / "instance").exists()


def test_config_relative_fvfield_instance_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.setenv("FVFIELD_INSTANCE", "here")
    assert create_app().instance_path == str(tmp_path / "here")


@pytest.mark.parametrize(("https", "secure"), [("1", True), ("", False)])
def test_config_https_makes_cookies_secure(monkeypatch, https, secure):
    monkeypatch.setenv("FVFIELD_HTTPS", https)
    app = create_app({"TESTING": True})
    with app.app_context():
        upgrade()
    cookie = app.test_client().get("/login").headers.get("Set-Cookie", "")
    assert "fvfield_session=" in cookie
    assert ("; Secure" in cookie) is secure
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("proxies", "secure"), [("1", True), ("0", False)])
def test_config_trusted_proxies_read_x_forwarded_proto(monkeypatch, proxies, secure):
    monkeypatch.setenv("FVFIELD_TRUSTED_PROXIES", proxies)
    app = create_app({"TESTING": True})
    with app.app_context():
        upgrade()
    answer = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert ("Strict-Transport-Security" in answer.headers) is secure
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("variable", ["FVFIELD_MAX_CHANGES", "FVFIELD_TRUSTED_PROXIES"])
def test_config_bad_number_is_a_setting_error(monkeypatch, variable):
    monkeypatch.setenv(variable, "many")
    with pytest.raises(SettingError, match=f"{variable}='many' is not a number"):
        create_app()


def test_config_defaults_hold_no_secret_key():
    assert "SECRET_KEY" not in DEFAULTS
