"""A real fvfield server in a subprocess, and a small sync client that talks to it.

The guarantees of the sync contract are about a server process on a file
database (crashes, concurrent connections), so these tests start one:
`fvfield serve` on a free port of 127.0.0.1, on a fresh instance folder seeded
through fvfield.accounts. benchmarks/sync_bench.py uses the same pieces.
"""

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"

SEED = """
import json, sys
from flask_migrate import upgrade
from fvfield import create_app
from fvfield.accounts import add_member, create_team, create_user, find_user
from fvfield.extensions import db

spec = json.loads(sys.argv[1])
app = create_app()
with app.app_context():
    upgrade()
    for email, name in spec["users"]:
        create_user(email, name, spec["password"])
    for slug, name, kind, members in spec["teams"]:
        team = create_team(slug, name, kind)
        for email, role in members:
            add_member(team, find_user(email), role)
    db.session.commit()
"""

SERVE = "from fvfield.cli import main; main()"


def free_port():
    """Return a TCP port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(instance, **settings):
    """Return the environment of a server process on `instance` (FVFIELD_<NAME>=value)."""
    env = dict(os.environ)
    env["FVFIELD_INSTANCE"] = str(instance)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    for name, value in settings.items():
        env[f"FVFIELD_{name}"] = str(value)
    return env


def seed_instance(instance, users, teams, password=PASSWORD, **settings):
    """Migrate a fresh instance and create users [(email, name)] and teams.

    `teams` is a list of (slug, name, kind, [(email, role), ...]); `settings`
    are FVFIELD_* settings, e.g. DATABASE_URL.
    """
    spec = {"users": users, "teams": teams, "password": password}
    subprocess.run(
        [sys.executable, "-c", SEED, json.dumps(spec)],
        env=server_environment(instance, **settings),
        cwd=REPO,
        check=True,
        capture_output=True,
    )


class RealServer:
    """`fvfield serve` on a free port of 127.0.0.1, with its output kept in a log file."""

    def __init__(self, instance, **settings):
        self.instance = Path(instance)
        self.env = server_environment(instance, **settings)
        self.database_url = settings.get("DATABASE_URL")
        # More options of `fvfield serve`, e.g. ("--workers", "2").
        self.options = ()
        self.log_path = self.instance / "server.log"
        self.process = None
        self.port = None

    @property
    def url(self):
        """Return the server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self):
        """Return the path of the server's SQLite file."""
        if self.database_url:
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.instance / "fvfield.db"

    def start(self, attempts=600):
        """Start the server and wait until it answers (each try waits 50 ms)."""
        self.port = free_port()
        self.instance.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SERVE,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *self.options,
            ],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        for _ in range(attempts):
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}):\n{self.log()}")
            try:
                requests.get(f"{self.url}/api/v1/openapi.json", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the server did not answer:\n{self.log()}")

    def stop(self):
        """Stop the server politely, or kill it after 15 seconds."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def kill(self):
        """Kill the server at once, as a crash or a power cut would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(15)
        self.process = None

    def log(self):
        """Return what the server printed (stdout and stderr) on this instance."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def query(self, sql, *args):
        """Return the rows of a read-only query on the server's database (`?` marks arguments)."""
        if self.database_url and not self.database_url.startswith("sqlite"):
            import psycopg

            conninfo = self.database_url.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(conninfo) as con:
                return [tuple(row) for row in con.execute(sql.replace("?", "%s"), args)]
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as con:
            return con.execute(sql, args).fetchall()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class SyncClient:
    """A phone's sync engine in miniature: one login, one device, plain HTTP."""

    def __init__(self, base_url, device_id=None):
        self.base_url = base_url
        self.device_id = device_id or str(uuid.uuid4())
        self.http = requests.Session()
        self.csrf_token = None
        self.session = None

    def login(self, email, password=PASSWORD):
        """Log in through the /login page, then fetch the session and its CSRF token."""
        page = self.http.get(f"{self.base_url}/login", timeout=30)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        form = {"email": email, "password": password, "remember": "y"}
        if token:
            form["csrf_token"] = token.group(1)
        answer = self.http.post(f"{self.base_url}/login", data=form, allow_redirects=False, timeout=30)
        if answer.status_code != 302:
            raise AssertionError(f"login of {email} answered {answer.status_code}")
        return self.refresh()

    def refresh(self):
        """Fetch /api/v1/session: the user's teams, a fresh CSRF token, the limits."""
        answer = self.http.get(f"{self.base_url}/api/v1/session", timeout=30)
        answer.raise_for_status()
        self.session = answer.json()
        self.csrf_token = self.session["csrf_token"]
        return self.session

    def headers(self):
        """Return the CSRF header of state-changing requests."""
        return {"X-CSRFToken": self.csrf_token} if self.csrf_token else {}

    def push(self, slug, changes, timeout=120):
        """POST the changes; return the response."""
        body = {"device_id": self.device_id, "changes": changes}
        return self.http.post(
            f"{self.base_url}/api/v1/teams/{slug}/push",
            json=body,
            headers=self.headers(),
            timeout=timeout,
        )

    def pull(self, slug, since=None, limit=None, timeout=120):
        """GET one page of changes; return the response."""
        params = {k: v for k, v in (("since", since), ("limit", limit)) if v is not None}
        return self.http.get(f"{self.base_url}/api/v1/teams/{slug}/pull", params=params, timeout=timeout)

    def pull_all(self, slug, since=None, limit=None, pages=100_000):
        """Pull until `more` is false; return (documents in order received, cursor)."""
        documents = []
        for _ in range(pages):
            answer = self.pull(slug, since, limit)
            if answer.status_code != 200:
                raise AssertionError(f"pull answered {answer.status_code}: {answer.text[:300]}")
            page = answer.json()
            documents.extend(page["changes"])
            since = page["cursor"]
            if not page["more"]:
                return documents, since
        raise AssertionError(f"pull still had more after {pages} pages")

    def put_attachment(self, slug, sha256, data, content_type="image/jpeg"):
        """PUT an attachment's bytes; return the response."""
        headers = {"Content-Type": content_type, **self.headers()}
        return self.http.put(
            f"{self.base_url}/api/v1/teams/{slug}/attachments/{sha256}",
            data=data,
            headers=headers,
            timeout=60,
        )

    def get_attachment(self, slug, sha256):
        """GET an attachment; return the response."""
        return self.http.get(f"{self.base_url}/api/v1/teams/{slug}/attachments/{sha256}", timeout=60)


# The least a home visit needs (home-visit version 1): the time in, and whether to raise a concern.
VISIT = {"time_in": "09:30", "concern": False}
RECORDED_AT = "2026-11-25T09:41:00+00:00"


def visit_change(doc_id=None, base_rev=0, answers=None, subject_id=None, **extra):
    """Return a push change of a home-visit record (a new one unless base_rev is given)."""
    return {
        "change_id": str(uuid.uuid4()),
        "collection": "records",
        "id": doc_id or str(uuid.uuid4()),
        "base_rev": base_rev,
        "deleted": False,
        "form": "home-visit",
        "form_version": 1,
        "subject_id": subject_id,
        "recorded_at": RECORDED_AT,
        "data": dict(VISIT if answers is None else answers),
        **extra,
    }


def person_change(doc_id=None, label="Edna", base_rev=0, **extra):
    """Return a push change of a person subject (a new one unless base_rev is given)."""
    return {
        "change_id": str(uuid.uuid4()),
        "collection": "subjects",
        "id": doc_id or str(uuid.uuid4()),
        "base_rev": base_rev,
        "deleted": False,
        "kind": "person",
        "label": label,
        "data": {},
        **extra,
    }


def latest(documents):
    """Return {(collection, id): document} keeping the last state of each document."""
    return {(d["collection"], d["id"]): d for d in documents}
