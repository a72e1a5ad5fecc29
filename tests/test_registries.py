"""Guard tests: each registry (field types, push statuses, collections) is read by every place that
must handle all of its entries, so adding one entry fails here until every such place knows it."""

import json
import re
from pathlib import Path

import pytest

from fvfield.field.registry import registry_module, registry_values
from fvfield.questionnaires import built_in
from fvfield.questionnaires.definitions import OPTION_CHECKS, OPTIONS
from fvfield.questionnaires.types import FIELD_TYPE_LIST, FIELD_TYPES, TYPES
from fvfield.reports.files import EXPORT_LAYOUTS
from fvfield.sync.documents import ATTRIBUTES
from fvfield.sync.statuses import KEPT, STATUSES
from fvfield.teams.editor_forms import TYPE_NAMES

REPO = Path(__file__).resolve().parent.parent
JS_FORM = REPO / "static" / "js" / "form"


def cases_of(path, function):
    """Return the `case "x":` labels of the switch inside a JavaScript function."""
    text = path.read_text()
    start = text.index(f"function {function}(")
    body = text[start : text.index("\n}\n", start)]
    return set(re.findall(r'case "([a-z_]+)":', body))


def test_registry_field_types_are_unique_and_complete():
    assert len(FIELD_TYPES) == len(FIELD_TYPE_LIST)
    for field_type in FIELD_TYPE_LIST:
        assert field_type.label and field_type.noun and callable(field_type.check), field_type.name
        assert field_type.export in EXPORT_LAYOUTS, (
            f"{field_type.name}: exports cannot lay out {field_type.export!r}"
        )


def test_registry_every_type_with_options_has_their_check():
    assert set(OPTION_CHECKS) == set(OPTIONS) == {n for n, t in TYPES.items() if t.options}


def test_registry_the_editor_offers_every_type():
    assert [name for name, _ in TYPE_NAMES] == [t.name for t in FIELD_TYPE_LIST if t.in_editor]
    assert {"calculate"} >= {t.name for t in FIELD_TYPE_LIST if not t.in_editor}


@pytest.mark.parametrize("function", ["widgetFor", "answerProblem"])
def test_registry_the_phone_renders_and_checks_every_type(function):
    path = JS_FORM / ("render.js" if function == "widgetFor" else "checks.js")
    assert cases_of(path, function) == set(FIELD_TYPES), f"{path.name} {function}() lacks a type"


def test_registry_every_built_in_questionnaire_uses_registered_types():
    for path in sorted(Path(built_in.__file__).parent.glob("*.json")):
        kinds = {field["type"] for field in json.loads(path.read_text())["fields"]}
        assert kinds <= set(FIELD_TYPES), path.name


def test_registry_statuses_reach_the_openapi_description_and_the_phone(client):
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert spec["PushResult"]["properties"]["status"]["enum"] == list(STATUSES)
    assert spec["PushResult"]["properties"]["original_status"]["enum"] == list(KEPT)
    assert spec["Revision"]["properties"]["status"]["enum"] == list(KEPT)
    assert spec["Document"]["properties"]["collection"]["enum"] == list(ATTRIBUTES)
    values = registry_values()
    assert values["PUSH_STATUSES"] == list(STATUSES)
    assert set(values["ACKNOWLEDGED_STATUSES"]) == {n for n, s in STATUSES.items() if s.acknowledged}
    assert values["COLLECTIONS"] == list(ATTRIBUTES)
    assert set(values["FIELD_TYPES"]) == set(FIELD_TYPES)


def test_registry_module_is_served_and_precached(client):
    served = client.get("/field/registry.js")
    assert served.status_code == 200
    assert served.mimetype == "text/javascript"
    assert served.get_data(as_text=True) == registry_module()
    assert '"/field/registry.js"' in client.get("/sw.js").get_data(as_text=True)


def test_registry_every_problem_code_the_core_raises_has_a_status():
    from fvfield.errors import STATUS_OF

    pattern = re.compile(r'(?:Refused\(|Problem\(|super\(\)\.__init__\()\s*"([a-z_]+)"')
    codes = {}
    for package in ("sync", "questionnaires", "accounts", "reports"):
        for path in (REPO / "fvfield" / package).rglob("*.py"):
            for code in pattern.findall(path.read_text()):
                codes[code] = path.name
    assert len(codes) >= 8, "the pattern found too few codes: has the shape of a Problem changed?"
    missing = {code: name for code, name in codes.items() if code not in STATUS_OF}
    assert not missing, f"codes without an HTTP status in errors.STATUS_OF: {missing}"


def test_registry_the_question_page_shows_each_option_box_for_the_types_that_take_it():
    from fvfield.teams.editor_forms import OPTION_TYPES

    for option, names in OPTION_TYPES.items():
        assert set(names.split()) == {n for n, t in TYPES.items() if option in t.options}, option
    template = (REPO / "templates" / "teams" / "forms" / "question.html").read_text()
    assert re.findall(r'data-types="([^"]*)"', template) == [
        "{{ option_types.max_length }}",
        "{{ option_types.min }}",
        "{{ option_types.labels }}",
        "{{ option_types.choices }}",
        "{{ option_types.calculation }}",
        "{{ option_types.min_count }}",
    ]
