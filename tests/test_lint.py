"""Lint and format, as CI runs them: ruff for the Python, ESLint for the field app's JavaScript."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run(*command):
    """Run a command in the repository; return the finished process."""
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)


def test_lint_ruff_finds_nothing():
    done = run(sys.executable, "-m", "ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_lint_ruff_format_changes_nothing():
    done = run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_lint_eslint_finds_nothing():
    eslint = REPO / "node_modules" / ".bin" / "eslint"
    assert eslint.exists(), "ESLint is not installed: bash .ci/install-test-deps runs npm ci"
    done = run(str(eslint), "static/js", "sw")
    assert done.returncode == 0, done.stdout + done.stderr
