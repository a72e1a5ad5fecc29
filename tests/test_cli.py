"""The fvfield command: each subcommand, its mistakes, and the real server."""

import os
import pty
import re
import select
import shutil
import socket
import sqlite3
import subprocess
import sysconfig
import time
from pathlib import Path

import click
import pytest
import requests
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import PASSWORD
from flask.cli import ScriptInfo

from fvfield.cli import main
from fvfield.extensions import db
from fvfield.models import AuditEvent, Membership, Team, User

REPO = Path(__file__).resolve().parent.parent


def fvfield_script():
    """Return the path of the installed `fvfield` console script."""
    script = Path(sysconfig.get_path("scripts")) / "fvfield"
    found = str(script) if script.exists() else shutil.which("fvfield")
    assert found, "the fvfield command is not installed: pip install -e '.[test]'"
    return found


def script_environment(instance):
    """Return the environment for the console script on `instance`, importing this checkout."""
    env = dict(os.environ, FVFIELD_INSTANCE=str(instance), PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run_fvfield(instance, *args, input=None):
    """Run the installed `fvfield` command on an instance folder; return the finished process."""
    return subprocess.run(
        [fvfield_script(), *args],
        env=script_environment(instance),
        cwd=instance.parent,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def error_line(result):
    """Return the one line a failed command printed on stderr, checking it is an error."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def user(app, email):
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.email == email))


def role_of(app, slug, email):
    with app.app_context():
        return db.session.scalar(
            sa.select(Membership.role).join(Team).join(User).where(Team.slug == slug, User.email == email)
        )


def all_commands(group, ctx, prefix=()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, ctx, (*prefix, name))


def test_cli_every_command_has_help(app):
    with click.Context(main, obj=ScriptInfo(create_app=lambda: app)) as ctx:
        commands = dict(all_commands(main, ctx))
        options = {
            (name, param.opts[0]): param.help
            for name in app.cli.list_commands(ctx)
            for param in app.cli.get_command(ctx, name).params
            if isinstance(param, click.Option)
        }
    assert {
        ("serve",),
        ("upgrade",),
        ("create-user",),
        ("create-team",),
        ("add-member",),
        ("seed-demo",),
        ("reset-password",),
    } <= set(commands)
    for name, command in commands.items():
        assert (command.help or "").strip(), f"fvfield {' '.join(name)} has no help text"
    for (name, option), help_text in options.items():
        assert help_text, f"fvfield {name} {option} has no help text"


def test_cli_commands_are_flask_commands_too(app):
    assert {"serve", "upgrade", "create-user", "create-team", "add-member", "seed-demo"} <= set(
        app.cli.commands
    )


def test_create_user_reads_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["create-user", "Ann@Example.org", "--name", "Ann Carer"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created the user ann@example.org." in result.output
    ann = user(app, "ann@example.org")
    assert ann.name == "Ann Carer"
    assert ann.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["coord@example.org", "--name", "Again"], PASSWORD, "already a user with the email"),
        (["COORD@example.org", "--name", "Again"], PASSWORD, "already a user with the email"),
        (["not-an-email", "--name", "Nobody"], PASSWORD, "is not an email address"),
        (["new@example.org", "--name", "  "], PASSWORD, "needs a name"),
        (["new@example.org", "--name", "New"], "short", "at least 10 characters"),
        (["new@example.org", "--name", "New"], "", "at least 10 characters"),
    ],
)
def test_create_user_mistakes(app, runner, people, args, password, message):
    result = runner.invoke(args=["create-user", *args], input=password + "\n")
    assert result.exit_code == 1
    assert message in error_line(result)
    assert user(app, "new@example.org") is None


def test_create_team(app, runner):
    result = runner.invoke(
        args=["create-team", "hackney-circle", "--name", "Hackney circle", "--kind", "care-circle"]
    )
    assert result.exit_code == 0, result.output
    assert "Created the team hackney-circle (care-circle)." in result.output
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.slug == "hackney-circle"))
        assert (team.name, team.kind) == ("Hackney circle", "care-circle")


@pytest.mark.parametrize(
    ("slug", "kind", "message"),
    [
        ("clapton-circle", "care-circle", "already a team 'clapton-circle'"),
        ("new-team", "knitting-circle", "'knitting-circle' is not a kind of team"),
        ("New Team", "evaluation", "cannot be a team address"),
    ],
)
def test_create_team_mistakes(app, runner, people, slug, kind, message):
    result = runner.invoke(args=["create-team", slug, "--name", "A team", "--kind", kind])
    assert result.exit_code == 1
    assert message in error_line(result)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Team)) == 2


@pytest.mark.parametrize(
    ("email", "role", "before", "said"),
    [
        ("other@example.org", "member", None, "is now a member of clapton-circle."),
        ("member@example.org", "viewer", "member", "is now a viewer of clapton-circle (was member)."),
        ("member@example.org", "member", "member", "was already a member of clapton-circle."),
    ],
)
def test_add_member(app, runner, people, email, role, before, said):
    assert role_of(app, "clapton-circle", email) == before
    result = runner.invoke(args=["add-member", "clapton-circle", email, "--role", role])
    assert result.exit_code == 0, result.output
    assert f"{email} {said}" in result.output
    assert role_of(app, "clapton-circle", email) == role


@pytest.mark.parametrize(
    ("slug", "email", "role", "message"),
    [
        ("nowhere", "member@example.org", "member", "There is no team 'nowhere'."),
        ("clapton-circle", "ghost@example.org", "member", "no user with the email ghost@example.org"),
        ("clapton-circle", "member@example.org", "boss", "'boss' is not a role"),
        ("clapton-circle", "coord@example.org", "member", "needs at least one coordinator"),
    ],
)
def test_add_member_mistakes(app, runner, people, slug, email, role, message):
    result = runner.invoke(args=["add-member", slug, email, "--role", role])
    assert result.exit_code == 1
    assert message in error_line(result)
    assert role_of(app, "clapton-circle", "coord@example.org") == "coordinator"
    assert role_of(app, "clapton-circle", "member@example.org") == "member"


def test_account_commands_write_audit_events(app, runner, people):
    runner.invoke(args=["add-member", "ridley-market", "member@example.org", "--role", "viewer"])
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent.event)).all()
    assert "member_added" in events


def test_seed_demo_prints_logins_that_work(app, runner, client, auth):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Created the team demo-circle." in result.output
    assert "Created the team demo-market." in result.output
    logins = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", result.output, re.MULTILINE)
    assert {role for role, _, _ in logins} == {"coordinator", "member", "viewer"}
    for role, email, password in logins:
        assert role_of(app, "demo-circle", email) == role
        assert role_of(app, "demo-market", email) == role
        assert auth.login(email=email, password=password).status_code == 302
        auth.logout()
    with app.app_context():
        kinds = dict(db.session.execute(sa.select(Team.slug, Team.kind)).all())
    assert kinds == {"demo-circle": "care-circle", "demo-market": "market-survey"}


def test_seed_demo_twice_says_what_exists(app, runner):
    first = runner.invoke(args=["seed-demo"])
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "Already there: the team demo-circle." in again.output
    assert again.output.count("already there: password unchanged") == 3
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 3
    password = re.search(r"demo-member@example.org\s+(\S+)", first.output).group(1)
    assert user(app, "demo-member@example.org").check_password(password)


def test_upgrade_on_an_up_to_date_database(runner):
    result = runner.invoke(args=["upgrade"])
    assert result.exit_code == 0
    assert "already up to date" in result.output


def test_upgrade_creates_the_tables_of_a_new_instance(tmp_path):
    from fvfield import create_app

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "new")})
    result = app.test_cli_runner().invoke(args=["upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date now" in result.output
    with app.app_context():
        assert {"users", "teams", "memberships"} <= set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_cli_bad_setting_is_one_error_line(tmp_path):
    env = {"FVFIELD_INSTANCE": str(tmp_path / "instance"), "FVFIELD_TRUSTED_PROXIES": "one"}
    result = CliRunner().invoke(main, ["upgrade"], env=env)
    assert result.exit_code == 1
    assert error_line(result) == "Error: FVFIELD_TRUSTED_PROXIES='one' is not a number."


def test_console_script_creates_accounts(tmp_path):
    instance = tmp_path / "instance"
    made = run_fvfield(
        instance, "create-user", "cara@example.org", "--name", "Cara", "--init", input=PASSWORD
    )
    assert made.returncode == 0, made.stderr
    assert "Created the user cara@example.org." in made.stdout
    run_fvfield(instance, "create-team", "home", "--name", "Home", "--kind", "care-circle")
    added = run_fvfield(instance, "add-member", "home", "cara@example.org", "--role", "coordinator")
    assert added.returncode == 0, added.stderr
    assert "cara@example.org is now a coordinator of home." in added.stdout
    assert (instance / "fvfield.db").is_file()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["add-member", "nowhere", "a@example.org", "--role", "member"],
            "Error: There is no team 'nowhere'.",
        ),
        (
            ["create-team", "x", "--name", "X", "--kind", "party"],
            "Error: 'party' is not a kind of team: choose care-circle, market-survey, evaluation.",
        ),
    ],
)
def test_console_script_mistake_is_one_line(tmp_path, args, line):
    done = run_fvfield(tmp_path / "instance", "upgrade")
    assert done.returncode == 0, done.stderr
    failed = run_fvfield(tmp_path / "instance", *args)
    assert failed.returncode == 1
    assert failed.stderr.strip() == line


def read_terminal(fd, until=None):
    """Read what a terminal shows until `until` appears (or the program ends)."""
    seen = b""
    while until is None or until.encode() not in seen:
        ready, _, _ = select.select([fd], [], [], 60)
        assert ready, f"the terminal went quiet; it showed: {seen!r}"
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return seen.decode(errors="replace")


def run_in_terminal(instance, args, answers):
    """Run `fvfield` in a pseudo-terminal, answering prompts; return (exit code, screen)."""
    command = [fvfield_script(), *args]
    env = script_environment(instance)
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.chdir(instance.parent)
            os.execve(command[0], command, env)
        finally:
            os._exit(127)
    screen = ""
    try:
        for prompt, answer in answers:
            screen += read_terminal(fd, prompt)
            os.write(fd, answer.encode() + b"\r")
        screen += read_terminal(fd)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), screen


def test_create_user_prompts_twice_on_a_terminal(tmp_path):
    instance = tmp_path / "instance"
    code, screen = run_in_terminal(
        instance,
        ["create-user", "tess@example.org", "--name", "Tess", "--init"],
        [("Password:", PASSWORD), ("Repeat the password:", PASSWORD)],
    )
    assert code == 0, screen
    assert PASSWORD not in screen
    assert "Created the user tess@example.org." in screen


@pytest.mark.parametrize(
    ("answers", "line"),
    [
        (
            [("Password:", PASSWORD), ("Repeat the password:", PASSWORD + "!")],
            "Error: The two passwords do not match.",
        ),
        ([("Password:", "short")], "Error: A password needs at least 10 characters."),
    ],
)
def test_create_user_prompt_mistakes(tmp_path, answers, line):
    instance = tmp_path / "instance"
    code, screen = run_in_terminal(
        instance, ["create-user", "tess@example.org", "--name", "Tess", "--init"], answers
    )
    assert code == 1
    assert line in screen
    assert "Traceback" not in screen
    with sqlite3.connect(instance / "fvfield.db") as store:
        assert store.execute("SELECT count(*) FROM users").fetchone() == (0,)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    """`fvfield serve` on a free port of a new instance, trusting one proxy; stopped after."""
    instance = tmp_path / "instance"
    instance.mkdir()
    port = free_port()
    log = tmp_path / "serve.log"
    env = script_environment(instance)
    env["FVFIELD_TRUSTED_PROXIES"] = "1"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [fvfield_script(), "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(1200):
            assert process.poll() is None, log.read_text()
            try:
                answer = requests.get(f"{url}/login", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        else:
            pytest.fail(f"fvfield serve did not answer:\n{log.read_text()}")
        yield url, answer, log, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(30)


@pytest.mark.slow
def test_serve_answers_and_says_how_to_start(served):
    url, answer, log, process = served
    assert answer.status_code == 200
    assert "Log in" in answer.text
    printed = log.read_text()
    assert f"fvfield is serving on {url}/" in printed
    assert "fvfield create-user you@example.org" in printed
    assert "fvfield add-member my-team you@example.org --role coordinator" in printed
    assert requests.get(f"{url}/static/css/app.css", timeout=30).status_code == 200
    process.terminate()
    assert process.wait(30) == 0


@pytest.mark.slow
def test_serve_trusts_the_configured_proxy(served):
    url = served[0]
    behind_https = requests.get(f"{url}/login", headers={"X-Forwarded-Proto": "https"}, timeout=30)
    plain = requests.get(f"{url}/login", timeout=30)
    assert "Strict-Transport-Security" in behind_https.headers
    assert "Secure" in behind_https.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in plain.headers


@pytest.mark.slow
def test_serve_hint_only_on_an_empty_instance(tmp_path):
    instance = tmp_path / "instance"
    run_fvfield(instance, "create-user", "cara@example.org", "--name", "Cara", "--init", input=PASSWORD)
    port = free_port()
    with open(tmp_path / "serve.log", "w") as out:
        process = subprocess.Popen(
            [fvfield_script(), "serve", "--port", str(port)],
            env=script_environment(instance),
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        for _ in range(1200):
            if "fvfield is serving on" in (tmp_path / "serve.log").read_text():
                break
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(30)
    printed = (tmp_path / "serve.log").read_text()
    assert f"fvfield is serving on http://127.0.0.1:{port}/" in printed
    assert "create-user" not in printed
    assert "/setup/" not in printed


def test_serve_on_a_busy_port_is_one_error_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        failed = run_fvfield(tmp_path / "instance", "serve", "--port", str(port))
    assert failed.returncode == 1
    assert f"Error: Cannot listen on 127.0.0.1:{port}" in failed.stderr
    assert "Traceback" not in failed.stderr


# --- The data folder is never a surprise ---------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["create-user", "cara@example.org", "--name", "Cara"],
        ["create-team", "home", "--name", "Home", "--kind", "care-circle"],
        ["add-member", "home", "cara@example.org", "--role", "member"],
        ["seed-demo"],
        ["export", "home", "out.db"],
        ["backup", "out.db"],
    ],
)
def test_store_command_in_a_folder_without_data_refuses_naming_it(tmp_path, args):
    instance = tmp_path / "elsewhere" / "instance"
    instance.parent.mkdir()
    failed = run_fvfield(instance, *args, input=PASSWORD)
    assert failed.returncode == 1
    assert failed.stderr.count("\n") == 1, failed.stderr
    assert failed.stderr.startswith(f"Error: There is no fvfield data in {instance}:")
    assert "--init" in failed.stderr
    assert not instance.exists(), "the refused command left a data folder behind"


@pytest.mark.parametrize(
    "args",
    [
        ["upgrade"],
        ["create-team", "away", "--name", "Away", "--kind", "market-survey"],
        ["add-member", "home", "cara@example.org", "--role", "member"],
        ["seed-demo"],
        ["export", "home", "out.db"],
        ["backup", "backup.db"],
    ],
)
def test_store_commands_name_the_data_folder_they_used(tmp_path, args):
    instance = tmp_path / "instance"
    made = run_fvfield(
        instance, "create-user", "cara@example.org", "--name", "Cara", "--init", input=PASSWORD
    )
    assert made.stdout.splitlines()[0] == f"Data folder: {instance}"
    run_fvfield(instance, "create-team", "home", "--name", "Home", "--kind", "care-circle")
    done = run_fvfield(instance, *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"Data folder: {instance}"


def test_a_new_instance_shows_no_migration_chatter(tmp_path):
    made = run_fvfield(
        tmp_path / "instance", "create-user", "cara@example.org", "--name", "Cara", "--init", input=PASSWORD
    )
    assert made.returncode == 0, made.stderr
    assert made.stderr == ""
    assert "alembic" not in made.stdout.lower()


def start_serving(tmp_path, instance, *args, env=None):
    """Start `fvfield serve` with `args`; return (process, log path) once it says it serves."""
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [fvfield_script(), "serve", *args],
            env=env or script_environment(instance),
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    for _ in range(1200):
        if "fvfield is serving on" in log.read_text():
            time.sleep(0.2)  # what it prints after that line
            return process, log
        assert process.poll() is None, log.read_text()
        time.sleep(0.05)
    process.terminate()
    raise AssertionError(log.read_text())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("host", "https", "warned"),
    [
        ("0.0.0.0", "0", True),
        ("0.0.0.0", "1", False),
        ("127.0.0.1", "0", False),
    ],
)
def test_serve_beyond_loopback_without_https_warns_once(tmp_path, host, https, warned):
    instance = tmp_path / "instance"
    env = dict(script_environment(instance), FVFIELD_HTTPS=https)
    process, log = start_serving(tmp_path, instance, "--host", host, "--port", str(free_port()), env=env)
    process.terminate()
    process.wait(30)
    printed = log.read_text()
    assert printed.count("phones work offline only over https") == (1 if warned else 0), printed


@pytest.mark.slow
def test_serve_on_an_empty_instance_prints_a_setup_link_that_works_once(tmp_path):
    instance = tmp_path / "instance"
    port = free_port()
    process, log = start_serving(tmp_path, instance, "--port", str(port))
    try:
        link = re.search(r"(http://127\.0\.0\.1:\d+/setup/\S+)", log.read_text()).group(1)
        assert requests.get(link, timeout=30).status_code == 200
        assert requests.get(link + "x", timeout=30).status_code == 404
        assert (instance / "setup_token").stat().st_mode & 0o777 == 0o600
        assert link.rsplit("/", 1)[1] not in (instance / "setup_token").read_text()
    finally:
        process.terminate()
        process.wait(30)
