"""The browser harness: a real fvfield server, Debian's Chromium, a logged-in phone.

Every test gets its own server process on its own instance folder (a copy of
one seeded per session), so tests may stop, kill, restart or fill it freely.
The server keeps its port across restarts: a phone's service worker, cookies
and IndexedDB belong to an origin, and the origin includes the port.

The seeded instance: users of every role (USERS; password PASSWORD), the
care circle clapton-circle with the person Ada Brown (id ADA) and the market
survey ridley-market with Ridley Road Market (MARKET) and three pitches
(PITCHES), each team with its built-in forms. member@example.org is a member
of both teams; carer@ and volunteer@ of one each.

Fixtures: `field_server` (the running server), `browser` (Chromium),
`context` (a phone: 390x844, touch, service workers allowed), `page` (that
phone logged in as member@example.org, on /app/, ready offline), `login`
(log a page in as anyone), `screens` (save a screenshot under
test-artifacts/screens/).
"""

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests
from realserver import PASSWORD, REPO, RealServer, free_port, seed_instance, server_environment

# Debian's Chromium; FVFIELD_CHROMIUM names another, "" uses Playwright's own.
CHROMIUM = os.environ.get("FVFIELD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
SERVE = "from fvfield.cli import main; main()"
SCREENS = REPO / "test-artifacts" / "screens"

USERS = [
    ("coord@example.org", "Cora Coordinator"),
    ("member@example.org", "Mo Member"),
    ("carer@example.org", "Cai Carer"),
    ("volunteer@example.org", "Val Volunteer"),
    ("viewer@example.org", "Vi Viewer"),
]
TEAMS = [
    (
        "clapton-circle",
        "Clapton Circle",
        "care-circle",
        [
            ("coord@example.org", "coordinator"),
            ("member@example.org", "member"),
            ("carer@example.org", "member"),
            ("viewer@example.org", "viewer"),
        ],
    ),
    (
        "ridley-market",
        "Ridley Road Market",
        "market-survey",
        [
            ("coord@example.org", "coordinator"),
            ("member@example.org", "member"),
            ("volunteer@example.org", "member"),
            ("viewer@example.org", "viewer"),
        ],
    ),
]

# The people, markets and pitches on the server, with ids the tests can use.
ADA = "a1000000-0000-4000-8000-000000000001"
MARKET = "b2000000-0000-4000-8000-000000000001"
PITCHES = [f"c3000000-0000-4000-8000-00000000000{n}" for n in (1, 2, 3)]
SUBJECTS = {
    "clapton-circle": [
        {
            "id": ADA,
            "kind": "person",
            "label": "Ada Brown",
            "data": {
                "important": "Her cat Biscuit, and the radio on in the morning.",
                "essentials": "Diabetic: check she has eaten. Key safe code from the coordinator.",
                "contacts": "Daughter: Jo Brown, 07700 900123",
            },
        },
    ],
    "ridley-market": [
        {
            "id": MARKET,
            "kind": "market",
            "label": "Ridley Road Market",
            "data": {
                "address": "Ridley Road, Dalston, London E8",
                "pitches": 170,
            },
        },
    ]
    + [
        {"id": pitch, "kind": "pitch", "label": f"Pitch {n}", "data": {"market_id": MARKET, "number": n}}
        for n, pitch in enumerate(PITCHES, 1)
    ],
}

# Subjects go in the way every document does: a push, here by a coordinator.
SEED_SUBJECTS = """
import json, sys, uuid
from fvfield import create_app
from fvfield.accounts import find_team, find_user
from fvfield.sync.push import check_push, push_changes

spec = json.loads(sys.argv[1])
app = create_app()
with app.app_context():
    for slug, subjects in spec["subjects"].items():
        team, user = find_team(slug), find_user(spec["by"])
        body = {"device_id": str(uuid.uuid4()), "changes": [
            {"change_id": str(uuid.uuid4()), "collection": "subjects", "base_rev": 0,
             "deleted": False, **subject} for subject in subjects]}
        device_id, changes = check_push(body, len(subjects))
        results, _ = push_changes(team.id, user.id, "coordinator", device_id, changes)
        refused = [r for r in results if r["status"] != "applied"]
        if refused:
            sys.exit(json.dumps(refused))
"""


def seed_subjects(instance, subjects, by="coord@example.org"):
    """Push subjects {team slug: [subject]} into an instance as its coordinator."""
    done = subprocess.run(
        [sys.executable, "-c", SEED_SUBJECTS, json.dumps({"subjects": subjects, "by": by})],
        env=server_environment(instance),
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"seeding subjects failed:\n{done.stdout}{done.stderr}")


def lasting_port():
    """Return a free port of 127.0.0.1 that the server can keep across restarts."""
    # Below Linux's ephemeral range (32768 on): no outgoing connection of the
    # browser or of another test takes it while the server is stopped.
    for _ in range(100):
        port = random.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    return free_port()


class FieldServer(RealServer):
    """A RealServer that keeps its port when it is stopped and started again."""

    def start(self, attempts=600):
        """Start the server on its port (a free one the first time) and wait until it answers."""
        self.port = self.port or lasting_port()
        self.instance.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVE, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
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

    def documents(self, collection="records"):
        """Return {id: (rev, data)} of the server's current documents of a collection."""
        rows = self.query("SELECT id, rev, data FROM documents WHERE collection = ?", collection)
        return {id_: (rev, json.loads(data)) for id_, rev, data in rows}

    def restart(self):
        """Stop the server politely and start it again on the same port and instance."""
        self.stop()
        return self.start()

    def configure(self, **settings):
        """Write settings into the instance's config.py; they apply from the next start."""
        lines = "".join(f"{name} = {value!r}\n" for name, value in settings.items())
        (self.instance / "config.py").write_text(lines)


@pytest.fixture(scope="session")
def seeded_instance(tmp_path_factory):
    """Return an instance folder migrated and seeded once per test session."""
    instance = tmp_path_factory.mktemp("seeded") / "instance"
    seed_instance(instance, USERS, TEAMS)
    seed_subjects(instance, SUBJECTS)
    return instance


@pytest.fixture
def field_server(seeded_instance, tmp_path):
    """Run a server on a fresh copy of the seeded instance; stop it after the test."""
    instance = tmp_path / "instance"
    shutil.copytree(seeded_instance, instance)
    server = FieldServer(instance)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser(playwright):
    """Launch Chromium (Debian's by default), headless, once per test session."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM or None, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser, field_server):
    """Open a fresh phone: its own cookies, IndexedDB, caches and service worker."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        base_url=field_server.url,
        service_workers="allow",
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def log_in(page, email, password=PASSWORD, next_path="/app/"):
    """Log `page` in through the login page, kept logged in, and land on `next_path`."""
    page.goto(f"/login?next={next_path}")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Keep me logged in").check()
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if not page.url.endswith(next_path):
        page.goto(next_path)
    return page


def wait_until_offline_ready(page):
    """Wait until the service worker controls the page, so the app works offline."""
    # A function, not a string: the app's CSP forbids eval.
    page.wait_for_function(
        "() => navigator.serviceWorker.controller !== null"
        " && navigator.serviceWorker.controller.state === 'activated'"
    )
    return page


CALL = """async ([path, name, args]) => {
  const module = await import(path);
  const value = await module[name](...args);
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}"""


def call(page, module, name, *args):
    """Call `name` exported by static/js/<module>.js in the page; return its result as JSON."""
    return page.evaluate(CALL, [f"/static/js/{module}.js", name, list(args)])


def sync_now(page):
    """Run the page's sync engine once (as "Sync now" does); return its state afterwards."""
    return page.evaluate(
        """async () => {
          const {syncEngine} = await import('/static/js/sync.js');
          await syncEngine.run('test');
          return syncEngine.state;
        }"""
    )


@pytest.fixture
def login():
    """Return log_in(page, email, password=..., next_path=...)."""
    return log_in


@pytest.fixture
def page(context):
    """Return a phone logged in as member@example.org (both teams), on /app/, ready offline."""
    page = context.new_page()
    log_in(page, "member@example.org")
    wait_until_offline_ready(page)
    return page


@pytest.fixture
def screens():
    """Return save(page, name): a full-page screenshot at test-artifacts/screens/<name>.png."""
    SCREENS.mkdir(parents=True, exist_ok=True)

    def save(page, name):
        path = SCREENS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
