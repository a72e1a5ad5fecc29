"""Honest failure: a full or read-only disk answers 503 storage_unavailable, never an acknowledgement (issue 12).

The full disk is a real one: a 12 MB tmpfs mounted in a mount namespace of
its own (`unshare`, as root or through a user namespace), holding the
server's instance folder. Where the machine allows neither, those tests skip.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
import requests
from realserver import REPO, SyncClient, free_port, seed_instance, server_environment, visit_change

from fvfield import storage

# Runs inside the namespace: mount the tmpfs, copy the instance in, serve, fill or free the disk when told.
ON_A_SMALL_DISK = textwrap.dedent(
    """
    import os, shutil, sqlite3, subprocess, sys, time
    seeded, mount, control, port = sys.argv[1:5]
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", mount], check=True)
    shutil.copytree(seeded, mount, dirs_exist_ok=True)
    env = dict(os.environ, FVFIELD_INSTANCE=mount)
    serve = "from fvfield.cli import main; main()"
    log = open(os.path.join(control, "server.log"), "ab")
    server = subprocess.Popen([sys.executable, "-c", serve, "serve", "--host", "127.0.0.1", "--port", port],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    def told(name):
        return os.path.exists(os.path.join(control, name))
    def done(name):
        open(os.path.join(control, name), "w").close()
    filler = os.path.join(mount, "filler")
    while not told("stop"):
        if told("fill") and not told("filled"):
            # An empty write-ahead log: every write from now on needs room the disk no longer has.
            with sqlite3.connect(os.path.join(mount, "fvfield.db")) as db:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            with open(filler, "wb") as out:
                try:
                    while True:
                        out.write(b"x" * 65536)
                        out.flush()
                except OSError:
                    pass
            done("filled")
        if told("free") and not told("freed"):
            os.unlink(filler)
            done("freed")
        time.sleep(0.05)
    server.terminate()
    server.wait(15)
    """
)


def namespaces_work():
    """Return whether this machine lets a process mount a tmpfs in a mount namespace of its own."""
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"], capture_output=True
    )
    return probe.returncode == 0


needs_namespaces = pytest.mark.skipif(
    not namespaces_work(), reason="cannot mount a tmpfs here (unshare -Urm)"
)


class SmallDisk:
    """A real server whose instance folder is a 12 MB tmpfs the test fills and frees."""

    def __init__(self, tmp_path):
        self.seeded = tmp_path / "seeded"
        self.mount = tmp_path / "mount"
        self.control = tmp_path / "control"
        for folder in (self.mount, self.control):
            folder.mkdir()
        team = (
            "c",
            "C",
            "care-circle",
            [("carer@example.org", "member"), ("coord@example.org", "coordinator")],
        )
        seed_instance(self.seeded, [("carer@example.org", "Cara"), ("coord@example.org", "Cora")], [team])
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [str(self.seeded), str(self.mount), str(self.control), str(self.port)]
        self.process = subprocess.Popen(
            ["unshare", "-Urm", sys.executable, "-c", ON_A_SMALL_DISK, *args],
            env=server_environment(self.seeded),
            cwd=REPO,
        )
        for _ in range(600):
            try:
                requests.get(f"{self.url}/healthz", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"the server did not answer:\n{self.log()}")

    def log(self):
        path = self.control / "server.log"
        return path.read_text() if path.exists() else ""

    def tell(self, what, then):
        """Ask the namespace to fill or free the disk, and wait until it did."""
        (self.control / what).touch()
        for _ in range(600):
            if (self.control / then).exists():
                return
            time.sleep(0.05)
        raise RuntimeError(f"the small disk was not {then}")

    def stop(self):
        (self.control / "stop").touch()
        self.process.wait(30)


@pytest.fixture
def small_disk(tmp_path):
    disk = SmallDisk(tmp_path)
    yield disk
    disk.stop()


def refused_for_storage(answer):
    """Assert the answer is the honest 503 of a disk that cannot store."""
    assert answer.status_code == 503, answer.text[:300]
    assert answer.json()["error"]["code"] == "storage_unavailable"
    assert "Nothing of this request was stored" in answer.json()["error"]["message"]


@needs_namespaces
def test_a_full_disk_answers_503_and_acknowledges_nothing(small_disk):
    phone = SyncClient(small_disk.url)
    phone.login("carer@example.org")
    change = visit_change(answers={"time_in": "09:30", "concern": False, "notes": "x" * 2000})
    small_disk.tell("fill", "filled")

    refused_for_storage(phone.push("c", [change]))
    photo = b"\xff\xd8\xff\xe0" + os.urandom(300_000)
    refused_for_storage(phone.put_attachment("c", hashlib.sha256(photo).hexdigest(), photo))
    ready = requests.get(f"{small_disk.url}/readyz", timeout=30)
    assert ready.status_code == 503
    assert ready.json()["data"] in ("low_space", "not_writable")

    small_disk.tell("free", "freed")
    stored = phone.push("c", [change])
    assert stored.status_code == 200, stored.text[:300]
    assert stored.json()["results"][0]["status"] == "applied"
    documents, _ = phone.pull_all("c")
    assert [d["id"] for d in documents if d["id"] == change["id"]] == [change["id"]]
    assert "Traceback" not in small_disk.log()


@needs_namespaces
def test_a_full_disk_shows_a_page_that_says_so(small_disk):
    coordinator = requests.Session()
    page = coordinator.get(f"{small_disk.url}/login", timeout=30).text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    form = {"email": "coord@example.org", "password": "correct horse battery", "csrf_token": token}
    assert coordinator.post(f"{small_disk.url}/login", data=form, allow_redirects=False).status_code == 302
    page = coordinator.get(f"{small_disk.url}/teams/c/subjects/new/person", timeout=30).text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    small_disk.tell("fill", "filled")
    answer = coordinator.post(
        f"{small_disk.url}/teams/c/subjects/new/person",
        data={"csrf_token": token, "label": "Edna"},
        timeout=30,
    )
    assert answer.status_code == 503
    assert "disk is full or read-only" in answer.text


@needs_namespaces
def test_serve_on_a_read_only_folder_says_so_in_one_line(tmp_path):
    instance = tmp_path / "instance"
    seed_instance(instance, [], [])
    mount = f"mount --bind {instance} {instance} && mount -o remount,ro,bind {instance}"
    serve = f"{sys.executable} -c 'from fvfield.cli import main; main()' serve --port 0"
    answer = subprocess.run(
        ["unshare", "-Urm", "sh", "-c", f"{mount} && {serve}"],
        env=server_environment(instance),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = answer.stdout + answer.stderr
    assert answer.returncode == 1
    assert "Traceback" not in output
    assert [line for line in output.splitlines() if line.startswith("Error:")] == [
        f"Error: Cannot write the data folder {instance}: it is read-only or full. "
        "Make the data folder writable (and give its disk some room), then start fvfield again."
    ]
    assert len(output.splitlines()) <= 2


def test_readyz_reports_low_free_space(app, client):
    app.config["READY_MIN_FREE_MB"] = 10**12
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["data"] == "low_space"
    assert answer.get_json()["attachments"] == "low_space"


def test_readyz_reports_an_unwritable_folder(app, client, monkeypatch):
    # A real read-only folder needs a mount (above); as root, permissions alone do not stop a write.
    monkeypatch.setattr(storage, "writable", lambda folder: False)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["data"] == "not_writable"


@pytest.mark.parametrize(
    "error",
    [
        OSError(28, "No space left on device"),
        OSError(30, "Read-only file system"),
    ],
)
def test_storage_failures_are_told_apart(error):
    assert storage.is_storage_failure(error)
    assert not storage.is_storage_failure(OSError(2, "No such file"))
    assert not storage.is_storage_failure(ValueError(str(uuid.uuid4())))
