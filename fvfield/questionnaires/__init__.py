"""Questionnaires as data: form definitions, their field types and checks.

One source of truth for the questions: the sync engine checks pushed records
with validate_answers, the coordinator's form editor checks a definition with
validate_definition, and a new team gets templates_for_kind(kind). Errors are
dicts of lists of sentences, keyed by field name (answers) or by path such as
"fields.3.choices" (definitions), with "_" for the whole thing.
"""

from fvfield.questionnaires.answers import AnswerValidator, compile_definition, validate_answers
from fvfield.questionnaires.built_in import KIND_TEMPLATES, UnknownTemplate, load_template, templates_for_kind
from fvfield.questionnaires.changes import describe_changes
from fvfield.questionnaires.definitions import DefinitionError, validate_definition
from fvfield.questionnaires.types import FIELD_TYPES

__all__ = [
    "FIELD_TYPES",
    "KIND_TEMPLATES",
    "AnswerValidator",
    "DefinitionError",
    "UnknownTemplate",
    "compile_definition",
    "describe_changes",
    "load_template",
    "templates_for_kind",
    "validate_answers",
    "validate_definition",
]
