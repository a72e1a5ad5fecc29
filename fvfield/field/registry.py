"""/field/registry.js: the server's registries as an ES module, so that the phone reads the same facts.

The field types (questionnaires/types.py), the push statuses
(sync/statuses.py), the collections (sync/documents.py) and the languages offered (i18n.py) are written out as
`export const NAME = <JSON>;` lines. The module is precached with the shell,
so it is there offline, and a release that changes a registry changes /sw.js.
"""

import json

from fvfield.field.strings import languages_for_the_phone
from fvfield.questionnaires import types
from fvfield.sync import statuses
from fvfield.sync.documents import ATTRIBUTES

URL = "/field/registry.js"


def registry_values():
    """Return {NAME: JSON value} of everything the field app reads from the registries."""
    return {
        **types.for_the_phone(),
        **statuses.for_the_phone(),
        "COLLECTIONS": list(ATTRIBUTES),
        "LANGUAGES": languages_for_the_phone(),
    }


def registry_module():
    """Return the text of /field/registry.js."""
    lines = ["// Made by fvfield/field/registry.py from the server's registries; not a file to edit."]
    for name, value in registry_values().items():
        lines.append(f"export const {name} = {json.dumps(value, sort_keys=True)};")
    return "\n".join(lines) + "\n"
