"""A throwaway PostgreSQL cluster for the tests and benchmarks, on a port of 127.0.0.1.

Debian's `postgresql` package puts initdb and pg_ctl in
/usr/lib/postgresql/<version>/bin; PATH is searched too. PostgreSQL refuses
to run as root, so as root the cluster belongs to the `postgres` user.
Every test gets a database of its own, copied from a migrated template.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER = "postgres"
TEMPLATE = "fvfield_template"


def binaries():
    """Return the folder holding initdb and pg_ctl, or None when PostgreSQL is not installed."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_order, reverse=True):
        if all(os.access(Path(folder) / name, os.X_OK) for name in ("initdb", "pg_ctl")):
            return Path(folder)
    return None


def version_order(folder):
    """Order /usr/lib/postgresql/<version>/bin folders by version number."""
    version = Path(folder).parent.name
    return int(version) if version.isdigit() else 0


def unavailable():
    """Return why no cluster can be started here, or None when one can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    if binaries() is None:
        return "PostgreSQL is not installed (no initdb and pg_ctl; apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            return "running as root and there is no postgres user to own the cluster"
    return None


def free_port():
    """Return a TCP port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """initdb, pg_ctl start and stop, and databases made and dropped for tests.

    `durable=False` turns fsync off: the tests kill app servers, never the
    database, and a test run has nothing to keep. Benchmarks keep it on.
    """

    def __init__(self, durable=False):
        self.bin = binaries()
        self.durable = durable
        self.root = None
        self.port = None
        self.count = 0
        self.template_ready = False

    def run(self, *command):
        """Run a PostgreSQL program, as the postgres user when we are root."""
        if os.geteuid() == 0:
            command = ("runuser", "-u", USER, "--", *command)
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def start(self, attempts=3):
        """Make a new cluster in a temporary folder and start it."""
        self.root = Path(tempfile.mkdtemp(prefix="fvfield-pg-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam(USER)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        data = self.root / "data"
        self.run(
            str(self.bin / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        )
        options = ["-c listen_addresses=127.0.0.1", f"-k {self.root}", "-c max_connections=200"]
        if not self.durable:
            options += ["-c fsync=off", "-c full_page_writes=off", "-c synchronous_commit=off"]
        for attempt in range(attempts):
            # A port taken between free_port() and the start: try another.
            self.port = free_port()
            try:
                self.run(
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(self.root / "log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    " ".join([f"-p {self.port}", *options]),
                    "start",
                )
                break
            except subprocess.CalledProcessError:
                if attempt + 1 == attempts:
                    raise RuntimeError(f"PostgreSQL did not start:\n{self.log()}") from None
        return self

    def stop(self):
        """Stop the cluster at once and remove its folder."""
        if self.root is None:
            return
        try:
            self.run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def log(self):
        """Return what the cluster logged."""
        path = self.root / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def url(self, database):
        """Return the SQLAlchemy URL of one of the cluster's databases."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql):
        """Run one statement outside a transaction (CREATE and DROP DATABASE need that)."""
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres"
        for _attempt in range(50):
            try:
                with psycopg.connect(dsn, autocommit=True) as connection:
                    connection.execute(sql)
                    return
            except psycopg.errors.ObjectInUse:
                # CREATE DATABASE ... TEMPLATE needs the template to have no
                # connections: a previous copy may still be closing.
                time.sleep(0.1)
        raise RuntimeError(f"{sql} kept failing: the database is in use")

    def create(self, name=None, template=None):
        """Create a database (a copy of `template` when given); return its URL."""
        if name is None:
            self.count += 1
            name = f"test_{os.getpid()}_{self.count}"
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop(self, url):
        """Drop a database, closing whatever is still connected to it."""
        name = url.rsplit("/", 1)[1]
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def migrated_copy(self):
        """Return the URL of a new database with fvfield's tables (a copy of a migrated one)."""
        if not self.template_ready:
            self.migrate(self.create(TEMPLATE))
            self.template_ready = True
        return self.create(template=TEMPLATE)

    def migrate(self, url):
        """Bring a database up to fvfield's latest migration."""
        from flask_migrate import upgrade

        from fvfield import create_app
        from fvfield.extensions import db

        with tempfile.TemporaryDirectory(prefix="fvfield-pg-instance-") as instance:
            app = create_app({"INSTANCE_PATH": instance, "DATABASE_URL": url})
            with app.app_context():
                upgrade()
                db.engine.dispose()
