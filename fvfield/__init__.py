"""fvfield: offline-first field recording, served by Flask."""

import os
from pathlib import Path

from flask import Flask

from fvfield import config as settings

PACKAGE = Path(__file__).resolve().parent


def web_folder(name):
    """Return where the top-level folder `name` (static, templates, sw) lives.

    In a checkout or an editable install it is beside the package; a wheel
    carries it inside the package as fvfield/web/<name> (see setup.cfg).
    """
    checkout = PACKAGE.parent
    if (checkout / "setup.cfg").is_file() and (checkout / name).is_dir():
        return checkout / name
    return PACKAGE / "web" / name


def create_app(test_config=None):
    """Create and configure the fvfield application."""
    instance_path = settings.instance_folder(test_config)
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        static_folder=str(web_folder("static")),
        template_folder=str(web_folder("templates")),
    )
    app.config.from_mapping(settings.DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(settings.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    # Remembered so that a command run in the wrong folder can take back the
    # folder it would otherwise leave behind (cli.store_command).
    app.config["INSTANCE_MADE_NOW"] = not os.path.isdir(app.instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    settings.finish(app.config, app.instance_path)

    from fvfield import auth, cli, errors, extensions, formatting, i18n, problems_summary, request_hooks

    request_hooks.init_app(app)
    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(PACKAGE / "migrations"), render_as_batch=True
    )
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    extensions.mail.init_app(app)
    auth.init_login(app)
    errors.init_app(app)
    formatting.init_app(app)
    problems_summary.init_app(app)
    cli.init_app(app)

    from fvfield import api, field, health, teams
    from fvfield.auth import language as _language_page  # noqa: F401 (adds /language to auth's blueprint)
    from fvfield.auth import reset as _reset_pages  # noqa: F401 (adds /reset/<token> to auth's blueprint)
    from fvfield.auth import routes as auth_pages
    from fvfield.auth import setup
    from fvfield.reports import routes as report_pages

    for blueprint in (auth_pages.bp, setup.bp, teams.bp, report_pages.bp, api.bp, field.bp, health.bp):
        app.register_blueprint(blueprint)
    return app
