"""The package's shape: the core packages know no HTTP and never import a page package.

Imports point one way (docs/developing.md): pages (auth, teams, api, field,
reports/routes.py) -> reports -> accounts -> sync -> questionnaires -> the frame.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "fvfield"
PAGES = ("fvfield.auth", "fvfield.teams", "fvfield.api", "fvfield.field", "fvfield.reports.routes")
# What only the HTTP layer may use: the request, pages, blueprints, status codes.
HTTP = {
    "flask": {
        "request",
        "render_template",
        "Blueprint",
        "abort",
        "redirect",
        "url_for",
        "flash",
        "make_response",
        "jsonify",
        "session",
    },
    "werkzeug.exceptions": None,
    "fvfield.errors": None,
}
CORE = ("sync", "questionnaires", "accounts", "reports")
# Which core packages each core package may import (the arrows point down this list).
BELOW = {
    "reports": {"sync", "questionnaires", "accounts"},
    "accounts": {"sync", "questionnaires"},
    "sync": {"questionnaires"},
    "questionnaires": set(),
}


def core_modules():
    """Yield (package, path) of every module of the core packages, pages aside."""
    for package in CORE:
        for path in sorted((PACKAGE / package).rglob("*.py")):
            if path.name != "routes.py":
                yield package, path


def imports_of(path):
    """Yield (module, names or None) of each import statement in a file."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            yield node.module or "", {alias.name for alias in node.names}


CASES = [pytest.param(package, path, id=str(path.relative_to(PACKAGE))) for package, path in core_modules()]


@pytest.mark.parametrize(("package", "path"), CASES)
def test_layout_core_imports_no_page_package_and_no_http(package, path):
    for module, names in imports_of(path):
        assert not module.startswith(PAGES), f"{path.name} imports the page package {module}"
        if module in HTTP:
            forbidden = HTTP[module]
            used = names if forbidden is None else (names or set()) & forbidden
            assert not used, f"{path.name} uses the HTTP layer: {module} {sorted(used or [])}"
        if module == "flask" and names is None:
            pytest.fail(f"{path.name} imports flask whole")


@pytest.mark.parametrize(("package", "path"), CASES)
def test_layout_core_imports_point_down(package, path):
    for module, _names in imports_of(path):
        parts = module.split(".")
        if len(parts) < 2 or parts[0] != "fvfield" or parts[1] not in CORE or parts[1] == package:
            continue
        assert parts[1] in BELOW[package], f"{package}/{path.name} imports {module}: the arrow points up"


def test_layout_every_module_is_in_a_package_the_docs_name():
    documented = (PACKAGE.parent / "docs" / "developing.md").read_text()
    for path in sorted(PACKAGE.glob("*")):
        if path.name.startswith(("_", ".")) or path.name == "migrations":
            continue
        name = path.name if path.is_dir() else path.name
        assert f"{name}" in documented, f"docs/developing.md does not say what fvfield/{name} is"
