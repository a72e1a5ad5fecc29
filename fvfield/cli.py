"""The fvfield command: serve the app, upgrade its database, manage accounts."""

import contextvars
import functools
import ipaddress
import logging
import os
import shutil
import signal
import sys
from pathlib import Path

import click
import flask_migrate
import sqlalchemy as sa
import waitress
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from fvfield import accounts, storage
from fvfield.accounts import demo
from fvfield.audit import record_event
from fvfield.auth.setup import new_setup_token
from fvfield.backup import BackupRefused, backup_sqlite, sqlite_path
from fvfield.dialect import upgrade_lock
from fvfield.extensions import begin_write, db
from fvfield.health import applied_revisions, expected_revisions
from fvfield.models import ROLES, TEAM_KINDS, Membership, User
from fvfield.reports import files
from fvfield.sync import drafts, form_files

FIRST_COORDINATOR = """\
Nobody can log in yet. Open this link once to create the first coordinator
and their team in the browser (it works until someone has an account):

    {link}

Or on the command line, from this folder with the same FVFIELD_* settings:

    fvfield create-user you@example.org --name "Your Name"
    fvfield create-team my-team --name "My team" --kind care-circle
    fvfield add-member my-team you@example.org --role coordinator

Or try it out with demo teams and logins: fvfield seed-demo"""


def upgrade_database():
    """Bring the database schema up to date; return whether it needed it."""
    if applied_revisions() == expected_revisions():
        return False
    with upgrade_lock(db.engine):
        # Another app server may have upgraded it while this one waited.
        if applied_revisions() == expected_revisions():
            return False
        flask_migrate.upgrade()
    return True


def store_is_new(app):
    """Return whether the app's database holds no fvfield data yet (never made or never migrated)."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        return not url.database or not Path(url.database).is_file()
    return "alembic_version" not in sa.inspect(db.engine).get_table_names()


def where_the_data_is(app):
    """Return the words that name the data folder (and a database outside it)."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        return f"Data folder: {app.instance_path}"
    return f"Data folder: {app.instance_path} (database {url.render_as_string(hide_password=True)})"


def refuse_new_store(app):
    """Take back the folder this command made, and say where the data was expected."""
    if app.config.get("INSTANCE_MADE_NOW"):
        shutil.rmtree(app.instance_path, ignore_errors=True)
    raise click.ClickException(
        f"There is no fvfield data in {app.instance_path}: run this where `fvfield serve` runs, "
        "or set FVFIELD_INSTANCE to its data folder (or add --init to start a new, empty one here)."
    )


def store_command(f=None, *, may_init=False):
    """Run `f` on an existing store, named on the first line; --init (when allowed) makes a new one.

    A command run from another folder would otherwise make a second, empty
    database there and report success on it.
    """
    if f is None:
        return functools.partial(store_command, may_init=may_init)

    @functools.wraps(f)
    def run(*args, init=False, **kwargs):
        app = current_app._get_current_object()
        if store_is_new(app) and not init:
            refuse_new_store(app)
        click.echo(where_the_data_is(app))
        return f(*args, **kwargs)

    command = with_appcontext(run)
    if may_init:
        command = click.option(
            "--init", is_flag=True, help="Start a new, empty data folder here if there is none."
        )(command)
    return command


def account_command(f=None, *, may_init=False):
    """Run `f` on an up-to-date store, turning account mistakes into one line."""
    if f is None:
        return functools.partial(account_command, may_init=may_init)

    @functools.wraps(f)
    def run(*args, **kwargs):
        upgrade_database()
        try:
            result = f(*args, **kwargs)
            db.session.commit()
            return result
        except accounts.AccountError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None

    return store_command(run, may_init=may_init)


def read_password():
    """Return a password from stdin when it is piped, else ask for it twice."""
    # sys.stdin, not click.get_text_stream (deprecated in Click 8.5): Click's
    # test runner and a shell pipe both put the input there.
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = click.prompt("Password", hide_input=True)
    accounts.check_password(password)
    if click.prompt("Repeat the password", hide_input=True) != password:
        raise accounts.AccountError("The two passwords do not match.")
    return password


def address(host, port):
    """Return the URL people open for a host and port."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 listens on every network.",
)
@click.option(
    "--port", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on."
)
@click.option(
    "--threads",
    default=4,
    show_default=True,
    type=click.IntRange(1, 256),
    help="How many requests each process handles at once.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="How many server processes; more than 1 runs gunicorn (pip install gunicorn).",
)
@with_appcontext
def serve(host, port, threads, workers):
    """Upgrade the database and serve fvfield.

    Serves with waitress, a production WSGI server, or with that many
    gunicorn processes for --workers; put an HTTPS reverse proxy in front of
    it for phones (see docs/deploying.md). Prints a JSON line per request.
    """
    click.echo(where_the_data_is(current_app))
    check_data_folders(current_app)
    try:
        upgrade_database()
        nobody = db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    except sa.exc.OperationalError as error:
        raise click.ClickException(f"Cannot open the database: {error.orig}. {FOLDER_ADVICE}") from None
    db.session.remove()
    app = current_app._get_current_object()
    print_request_log()
    if workers > 1:
        server = gunicorn_server(app, host, port, workers, threads)
    else:
        server = waitress_server(app, host, port, threads)
        port = server.effective_port
    click.echo(f"fvfield is serving on {address(host, port)} (Ctrl+C stops it)")
    if workers > 1:
        click.echo(f"{workers} processes of {threads} thread{'s' if threads > 1 else ''} each")
    if nobody:
        link = f"{address(host if host not in ('0.0.0.0', '::') else '127.0.0.1', port)}setup/"
        click.echo(FIRST_COORDINATOR.format(link=link + new_setup_token(app.instance_path)))
    warn_without_https(app, host)
    # Serve outside this command's app context: a request handled in this
    # thread (a gunicorn worker forked from it) would otherwise share its g,
    # and with it the logged-in user, with every other request.
    contextvars.Context().run(server.run)


FOLDER_ADVICE = "Make the data folder writable (and give its disk some room), then start fvfield again."


def check_data_folders(app):
    """Stop with one line when a folder the server writes to is read-only or full."""
    folders = [app.instance_path]
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database:
        folders.append(os.path.dirname(os.path.abspath(url.database)))
    for folder in dict.fromkeys(folders):
        if os.path.isdir(folder) and not storage.writable(folder):
            raise click.ClickException(
                f"Cannot write the data folder {folder}: it is read-only or full. {FOLDER_ADVICE}"
            )


def is_loopback(host):
    """Return whether `host` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def warn_without_https(app, host):
    """Warn once when phones on the network would reach the server over plain HTTP."""
    if is_loopback(host) or app.config["HTTPS"]:
        return
    click.echo(
        "Warning: phones work offline only over https (browsers give service workers to secure "
        "addresses alone). Put an HTTPS proxy in front and set FVFIELD_HTTPS=1: docs/deploying.md, "
        '"Try it on a phone today".',
        err=True,
    )


def print_request_log():
    """Print the request log (fvfield.requests) on stderr, a JSON line per request."""
    logger = logging.getLogger("fvfield.requests")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def waitress_server(app, host, port, threads):
    """Return a waitress server of the app, listening already."""
    try:
        server = waitress.create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="fvfield",
            # Waitress drops X-Forwarded-* headers unless told otherwise; with
            # trusted proxies configured the app reads them itself (ProxyFix).
            clear_untrusted_proxy_headers=not app.config["TRUSTED_PROXIES"],
        )
    except OSError as error:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {error.strerror}.") from None
    # A polite stop (SIGTERM from a service manager) lets running requests finish.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    return server


def gunicorn_server(app, host, port, workers, threads):
    """Return a gunicorn arbiter of `workers` processes serving the app."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise click.ClickException(
            "--workers needs gunicorn: pip install gunicorn (or 'fvfield[postgresql]')."
        ) from None
    # Every process opens its own connections: none may be inherited through fork.
    db.engine.dispose()
    settings = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        # A push of 500 changes waits its team's turn: give it time before a restart.
        "timeout": 120,
        "graceful_timeout": 30,
        # The app reads X-Forwarded-* itself, from FVFIELD_TRUSTED_PROXIES hops only.
        "forwarded_allow_ips": "",
        "proc_name": "fvfield",
        # Recent gunicorn opens a control socket in ~/.gunicorn: one per user, not per server.
        "control_socket_disable": True,
    }

    class Server(BaseApplication):
        def load_config(self):
            for name, value in settings.items():
                if name in self.cfg.settings:
                    self.cfg.set(name, value)

        def load(self):
            return app

    return Server()


@click.command()
@with_appcontext
def upgrade():
    """Bring the database schema up to date.

    serve does this by itself; run it when another WSGI server serves wsgi.py.
    """
    click.echo(where_the_data_is(current_app))
    if upgrade_database():
        click.echo("The database is up to date now.")
    else:
        click.echo("The database was already up to date.")


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The name other people in a team see.")
@account_command(may_init=True)
def create_user(email, name):
    """Create a user who can log in.

    The password is read from stdin when it is piped in, else asked for twice.
    """
    user = accounts.create_user(email, name, read_password())
    click.echo(f"Created the user {user.email}.")


@click.command("create-team")
@click.argument("slug")
@click.option("--name", required=True, help="The team's name, as people see it.")
@click.option("--kind", required=True, metavar="|".join(TEAM_KINDS), help="What the team records.")
@account_command(may_init=True)
def create_team(slug, name, kind):
    """Create a team.

    SLUG is its short address: lower-case letters, digits and dashes.
    """
    team = accounts.create_team(slug, name, kind)
    click.echo(f"Created the team {team.slug} ({team.kind}).")


@click.command("add-member")
@click.argument("slug")
@click.argument("email")
@click.option("--role", required=True, metavar="|".join(ROLES), help="What the member may do in the team.")
@account_command
def add_member(slug, email, role):
    """Give a user a role in a team.

    Adds the user with EMAIL to the team SLUG, or changes their role there.
    """
    accounts.check_role(role)
    team = accounts.find_team(slug)
    user = accounts.find_user(email)
    if user is None:
        raise accounts.UnknownUser(f"There is no user with the email {email}.")
    before = accounts.membership(team, user)
    before = before.role if before else None
    accounts.add_member(team, user, role)
    if before is None:
        click.echo(f"{user.email} is now a {role} of {team.slug}.")
    elif before == role:
        click.echo(f"{user.email} was already a {role} of {team.slug}.")
    else:
        click.echo(f"{user.email} is now a {role} of {team.slug} (was {before}).")


@click.command("seed-demo")
@click.option(
    "--remove",
    is_flag=True,
    help="Delete the demo teams, all their data and the demo users in no other team.",
)
@account_command(may_init=True)
def seed_demo(remove):
    """Create demo teams with sample data, and demo logins.

    A care circle and a market survey, with a user of each role in both;
    prints their emails and passwords. The teams get people, a market and
    its pitches, and about eight weeks of records up to today. What is
    already there is kept. --remove takes it all away again.
    """
    if remove:
        click.echo(demo.removed_words(demo.remove()))
        return
    created = demo.seed()
    for slug, is_new in created.teams:
        click.echo(f"{'Created' if is_new else 'Already there:'} the team {slug}.")
    for sample in created.samples:
        click.echo(demo.sample_words(sample))
    click.echo("Demo logins:")
    for email, role, password in created.users:
        shown = password or "(already there: password unchanged)"
        click.echo(f"    {role:<12} {email:<32} {shown}")


def cannot_write(path, error):
    """Return the one-line message for a path that cannot be written."""
    return click.ClickException(f"Cannot write {path}: {error.strerror or error}.")


def note_command(event, team=None, **detail):
    """Record what a command did in the audit log."""
    begin_write()
    record_event(event, team=team, via="command line", **detail)
    db.session.commit()


def progress_bar():
    """Return a report(done, total) that draws the export's progress on the terminal's error stream."""
    shown = {"at": None}

    def report(done, total):
        percent = 100 * done // total if total else 100
        if percent != shown["at"]:
            shown["at"] = percent
            bar = "#" * (percent // 5)
            click.echo(
                f"\r[{bar:<20}] {percent:3d}% {done:,} of {total:,} records", nl=done >= total, err=True
            )

    return report


@click.command("export")
@click.argument("slug")
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--raw-cells",
    is_flag=True,
    help="Keep CSV cells that start with = + - @ as typed (a spreadsheet would run them as formulas).",
)
@click.option("--labels", is_flag=True, help="Write choices' labels in CSV files instead of their values.")
@click.option(
    "--language",
    help="Write the ZIP's codebook in this language (a code such as bn) where the forms have it.",
)
@store_command
def export_team(slug, out, raw_cells, labels, language):
    """Export a team's data to a ZIP file, a SQLite file or a folder of CSV files.

    OUT ending in .zip gets everything in one file: a CSV file per form,
    codebook.csv, the SQLite file with its Datasette metadata.json, and
    media/ with every photo once. OUT ending in .db gets the SQLite file: a
    table per form, the subjects, the forms, a data dictionary and the
    codebook, and OUT's name with .metadata.json beside it for Datasette. Any
    other OUT is a folder (made if missing) that gets a CSV file per form.
    Existing files are replaced. CSV cells a spreadsheet would run as a
    formula start with ' unless --raw-cells; the SQLite file keeps every
    value as it was.
    """
    upgrade_database()
    try:
        team = accounts.find_team(slug)
    except accounts.UnknownTeam as error:
        raise click.ClickException(str(error)) from None
    kind = {".db": "sqlite", ".zip": "zip"}.get(out.suffix.lower(), "csv")
    if kind == "csv" and out.exists() and not out.is_dir():
        raise click.ClickException(
            f"{out} is a file: give a folder for CSV files, or a name ending in .db or .zip."
        )
    raw = raw_cells or current_app.config["CSV_RAW"]
    missing = []
    try:
        if kind == "sqlite":
            counts = files.save_sqlite(team.id, out, progress_bar()).records
        elif kind == "zip":
            written = files.save_zip(
                team.id, out, current_app.config["ATTACHMENTS_DIR"], raw, labels, language
            )
            counts, missing = written.records, written.missing
        else:
            counts = files.save_csv_folder(team.id, out, raw, labels)
    except OSError as error:
        raise cannot_write(out, error) from None
    switches = {"raw_cells": True} if raw and kind != "sqlite" else {}
    if labels and kind != "sqlite":
        switches["choices"] = "labels"
    note_command("data_exported", team=team, format=kind, path=str(out), **switches)
    click.echo(f"Exported {sum(counts.values())} records of {len(counts)} forms of {team.slug} to {out}.")
    if missing:
        click.echo(
            f"{len(missing)} photos are missing from the attachments folder; media/missing.csv lists them.",
            err=True,
        )


@click.command()
@click.argument("out", type=click.Path(path_type=Path))
@store_command
def backup(out):
    """Copy the SQLite database to OUT, safely while the server runs.

    An online backup (SQLite's backup API): a consistent copy even while
    phones sync. Photos live in the attachments folder: copy it too.
    """
    try:
        sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
        size = backup_sqlite(db.engine, out)
    except BackupRefused as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise cannot_write(out, error) from None
    note_command("backup_made", path=str(out), size=size)
    click.echo(f"Backed up the database to {out} ({size:,} bytes).")


@click.command("reset-password")
@click.argument("email")
@click.option(
    "--url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="The address people open fvfield at; the link starts with it.",
)
@account_command
def reset_password(email, url):
    """Print a one-time link that sets a new password for the user with EMAIL.

    The link lasts FVFIELD_INVITE_DAYS days and works once; using it logs the
    user out everywhere else. Give it to the person by a channel you trust.
    """
    user, token = accounts.issue_reset(email, via="command line")
    days = current_app.config["INVITE_DAYS"]
    click.echo(f"A one-time link for {user.email} to choose a new password (valid {days} days):")
    click.echo(f"    {url.rstrip('/')}/reset/{token}")


@click.command("import-form")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "form_id", help="The form's id (default: the file's form_id, else its name).")
@click.option("--title", help="The form's title (default: the file's form_title).")
@click.option(
    "--subject-kind",
    type=click.Choice(["person", "participant", "market", "pitch"]),
    help="Who or what each record is about (default: nothing in particular, or the form's own).",
)
@click.option("--language", help="The language to read the labels in, e.g. 'English (en)'.")
@store_command
def import_form(slug, file, form_id, title, subject_kind, language):
    """Make a draft of a team's form from an XLSForm (.xlsx or .xls) FILE.

    A new form id gets version 1; a form the team has gets its next version.
    Prints what every row of the file became, and each column or feature it
    could not keep. Publish the draft on the form's page.
    """
    upgrade_database()
    team = team_or_error(slug)
    coordinator = first_coordinator(team)
    begin_write(team.id)
    try:
        draft, imported = form_files.draft_from_xlsform(
            team, file.read_bytes(), file.name, coordinator, form_id, title, subject_kind, language
        )
    except form_files.NothingKept as error:
        db.session.rollback()
        for line in error.imported.lines():
            click.echo(line)
        raise click.ClickException(str(error)) from None
    except (form_files.NotAnXLSForm, drafts.DraftInTheWay, drafts.FormIdTaken, ValueError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for line in imported.lines():
        click.echo(line)
    definition = draft.definition
    click.echo(
        f"Made a draft of version {definition['version']} of '{definition['title']}' ({definition['id']}) "
        f"in {team.name}: {len(definition['fields'])} questions, {imported.not_kept} things not kept "
        "(listed above). Check it and publish it on the form's page."
    )


@click.command("export-form")
@click.argument("slug")
@click.argument("form_id")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", type=int, help="The version to export (default: the latest).")
@store_command
def export_form(slug, form_id, out, version):
    """Write a version of a team's form to OUT as an XLSForm (.xlsx) that ODK's tools read."""
    upgrade_database()
    team = team_or_error(slug)
    found = form_files.xlsform_of(team, form_id, version)
    if found is None:
        which = f"version {version} of a form" if version else "form"
        raise click.ClickException(f"{team.name} has no published {which} '{form_id}'.")
    definition, data = found
    try:
        out.write_bytes(data)
    except OSError as error:
        raise cannot_write(out, error) from None
    click.echo(f"Wrote version {definition['version']} of '{definition['title']}' to {out}.")


def team_or_error(slug):
    """Return the team `slug`, or stop with one line."""
    try:
        return accounts.find_team(slug)
    except accounts.UnknownTeam as error:
        raise click.ClickException(str(error)) from None


def first_coordinator(team):
    """Return the team's longest-standing coordinator: a command's draft is started in their name."""
    return db.session.scalar(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team.id, Membership.role == "coordinator")
        .order_by(Membership.id)
        .limit(1)
    )


@click.group()
def languages():
    """Keep the catalogue of every string people read (docs/languages.md)."""


@languages.command("refresh")
def refresh_languages():
    """From a checkout: extract the marked strings, update every language's .po, compile them."""
    from fvfield import catalogue

    if not (catalogue.CHECKOUT / "babel.cfg").is_file():
        raise click.ClickException("Run this in a checkout of fvfield: it reads the source files.")
    catalogue.extract()
    catalogue.update()
    click.echo("Compiled " + ", ".join(catalogue.compile_all()) + ".")


@languages.command("compile")
def compile_languages():
    """Compile every language's messages.po into the messages.mo the server reads."""
    from fvfield import catalogue

    click.echo("Compiled " + ", ".join(catalogue.compile_all()) + ".")


@languages.command("pseudo")
@click.argument("folder", type=click.Path(file_okay=False))
def pseudo_languages(folder):
    """Write the test pseudo-languages (accented, longer; one right to left) into FOLDER."""
    from fvfield import catalogue

    click.echo("Wrote " + ", ".join(catalogue.pseudo(folder)) + f" into {folder}.")


COMMANDS = (
    serve,
    languages,
    upgrade,
    create_user,
    create_team,
    add_member,
    seed_demo,
    export_team,
    import_form,
    export_form,
    backup,
    reset_password,
)


def init_app(app):
    """Register fvfield's commands on the app's CLI (`flask --app fvfield ...`)."""
    for command in COMMANDS:
        app.cli.add_command(command)


def create():
    """Create the app for the `fvfield` command."""
    from fvfield import create_app
    from fvfield.config import SettingError

    try:
        return create_app()
    except SettingError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        # The first start writes the secret key into the instance folder.
        raise click.ClickException(f"Cannot write {error.filename}: {error.strerror}.") from None


@click.group(
    cls=FlaskGroup, create_app=create, commands=COMMANDS, add_default_commands=False, add_version_option=False
)
@click.version_option(package_name="fvfield")
def main():
    """fvfield: offline-first field recording for community teams."""


# Flask's --app and --debug make no sense here: the app is fvfield, served by waitress.
main.params = [p for p in main.params if p.name not in ("app", "debug")]
