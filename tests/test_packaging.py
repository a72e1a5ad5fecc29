"""Packaging: the wheel carries the web folders and migrations, and works once installed."""

import json
import os
import re
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import PASSWORD

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
# Top-level folders and where the wheel carries them (setup.cfg's package_dir).
WEB_FOLDERS = {"static": "fvfield/web/static", "templates": "fvfield/web/templates", "sw": "fvfield/web/sw"}
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    "__pycache__",
    "*.pyc",
    "build",
    "dist",
    "*.egg-info",
    "instance",
    ".pytest_cache",
    ".hypothesis",
    "test-artifacts",
    "node_modules",
    "tests",
)

# The app starts from the installed wheel, creates a user through the
# migrations it carries, and serves a page, a static file and a login.
SMOKE = """
import json, fvfield
from fvfield import create_app, web_folder, PACKAGE
app = create_app({"WTF_CSRF_ENABLED": False})
client = app.test_client()
login_page = client.get("/login").status_code
login = client.post("/login", data={"email": "ada@example.org", "password": PASSWORD})
print(json.dumps({
    "package": fvfield.__file__,
    "templates": str(web_folder("templates")),
    "static": str(web_folder("static")),
    "migrations": str(PACKAGE / "migrations"),
    "login_page": login_page,
    "css": client.get("/static/css/app.css").status_code,
    "login": [login.status_code, login.headers.get("Location")],
}))
"""


def source_files(root):
    """Return the files of a source tree that an installed app needs, as wheel paths."""
    wanted = {
        p.relative_to(root).as_posix()
        for p in (root / "fvfield").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    for folder, inside in WEB_FOLDERS.items():
        wanted |= {
            f"{inside}/{p.relative_to(root / folder).as_posix()}"
            for p in (root / folder).rglob("*")
            if p.is_file()
        }
    return wanted


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build a wheel from a copy of the checkout; return (source copy, wheel path)."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(source)],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = (work / "dist").glob("fvfield-*.whl")
    return source, wheel


@pytest.fixture(scope="module")
def venv(built, tmp_path_factory):
    """Install the wheel into a new virtual environment; return its bin folder."""
    work = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=300)
    bin_dir = work / "venv" / "bin"
    python = bin_dir / "python"
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies come from this interpreter's site-packages, listed after
    # the venv's own: the venv's fvfield (the wheel) is the one that imports.
    parent_sites = [*site.getsitepackages(), site.getusersitepackages()]
    Path(site_packages, "parent-site.pth").write_text("\n".join(parent_sites) + "\n")
    done = subprocess.run(
        [python, "-m", "pip", "install", "--no-deps", "--no-index", str(built[1])],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return bin_dir


def venv_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FVFIELD_", "PYTHON"))}
    env["FVFIELD_INSTANCE"] = str(tmp_path / "instance")
    return env


def test_wheel_carries_the_web_folders_and_migrations(built):
    source, wheel = built
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "fvfield/web/templates/base.html",
        "fvfield/web/static/css/app.css",
        "fvfield/migrations/env.py",
        "fvfield/migrations/alembic.ini",
        "fvfield/migrations/script.py.mako",
    } <= names
    migrations = {p.name for p in (REPO / "fvfield" / "migrations" / "versions").glob("*.py")}
    assert migrations and {f"fvfield/migrations/versions/{name}" for name in migrations} <= names
    missing = source_files(source) - names
    assert not missing, (
        f"the wheel lacks {sorted(missing)[:10]}: list the package or folder in setup.cfg "
        "(packages, package_dir, package_data)"
    )


def test_wheel_declares_the_fvfield_command(built):
    wheel = zipfile.ZipFile(built[1])
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    assert "fvfield = fvfield.cli:main" in wheel.read(entry_points).decode()


def test_installed_wheel_runs_from_its_own_files(venv, tmp_path):
    env = venv_environment(tmp_path)
    made = subprocess.run(
        [venv / "fvfield", "create-user", "ada@example.org", "--name", "Ada", "--init"],
        input=PASSWORD,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    assert "Created the user ada@example.org." in made.stdout

    smoke = subprocess.run(
        [venv / "python", "-c", f"PASSWORD = {PASSWORD!r}\n{SMOKE}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert smoke.returncode == 0, smoke.stderr
    seen = json.loads(smoke.stdout.splitlines()[-1])
    venv_root = str(venv.parent)
    for place in ("package", "templates", "static", "migrations"):
        assert seen[place].startswith(venv_root), f"{place} came from {seen[place]}"
        assert not seen[place].startswith(str(REPO))
    assert seen["login_page"] == 200
    assert seen["css"] == 200
    assert seen["login"] == [302, "/"]
    assert (tmp_path / "instance" / "fvfield.db").is_file()


def test_ci_runs_the_readme_test_command():
    quick_start = (REPO / "README.md").read_text().split("## Quick start")[1].split("\n## ")[0]
    commands = re.findall(r"^    (\S.*)$", quick_start, re.MULTILINE)
    assert len(commands) == 2, commands
    assert "fvfield serve" in commands[0]
    # The whole suite, a test file to a core (pytest-xdist), nothing deselected.
    assert commands[1].endswith("python -m pytest -n auto --dist loadfile")
    ci = (REPO / ".ci" / "run").read_text()
    assert commands[1] in ci.splitlines()
    assert "set -euo pipefail" in ci
    assert os.access(REPO / ".ci" / "run", os.X_OK)
