"""XLSForm in and out: the spreadsheet format of ODK, KoBoToolbox, Enketo and the Community Health Toolkit.

`read_workbook` reads a `.xlsx` or `.xls` file with pyxform's reader layer
(`pyxform.xls2json_backends`), which reads real forms that pyxform's own XForm
converter refuses. `to_definition` turns its sheets into an fvfield form
definition, row by row, and says for every row what it became and every
column or feature it could not keep: nothing is dropped without a line in the
report. `to_workbook` writes a form version back as an XLSForm that pyxform
converts to an ODK XForm; importing that file gives the same definition.

Groups become sections (their condition is the section's own) and repeats
repeats (`repeat_count` as a number gives its min and max count); a repeat
inside a repeat is reported and its questions left out. Choice filters (with
the choices sheet's other columns), or_other and the texts of every language
whose code can be made out (xlsform_languages.py) are kept.
"""

import io
import json
import re
from dataclasses import dataclass, field

from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import get_xlsform

from fvfield.questionnaires.choice_lists import COLUMN, MAX_COLUMN_TEXT, OTHER, OWN_COLUMNS, other_name
from fvfield.questionnaires.definitions import MAX_CHOICE_VALUE, validate_definition
from fvfield.questionnaires.expressions import ExpressionError, columns, parse, references
from fvfield.questionnaires.structure import every_question
from fvfield.questionnaires.translations import languages_of as form_languages
from fvfield.questionnaires.xlsform_languages import code_of, name_of

# XLSForm's type -> fvfield's.
SIMPLE_TYPES = {
    "text": "text",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "note": "note",
    "geopoint": "geopoint",
    "image": "photo",
    "photo": "photo",
    "calculate": "calculate",
    "acknowledge": "boolean",
    "gps": "geopoint",
    "location": "geopoint",
    "string": "text",
}
# fvfield's type -> the XLSForm type it is written as (choices add their list).
XLSFORM_TYPES = {
    "text": "text",
    "textarea": "text",
    "email": "text",
    "integer": "integer",
    "counter": "integer",
    "price": "integer",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "datetime": "dateTime",
    "note": "note",
    "geopoint": "geopoint",
    "photo": "image",
    "calculate": "calculate",
    "boolean": "select_one",
    "choice": "select_one",
    "multiple_choice": "select_multiple",
    "scale": "range",
}
# What fvfield keeps of every record itself: these rows need no question.
METADATA = {
    "start": "the time the record was started is the draft's",
    "end": "each record keeps the time it was recorded",
    "today": "each record keeps the day it was recorded",
    "deviceid": "each record keeps the device that sent it",
    "username": "each record keeps who recorded it",
    "email": "each record keeps who recorded it",
    "phonenumber": "fvfield does not read phone numbers",
    "subscriberid": "fvfield does not read SIM cards",
    "simserial": "fvfield does not read SIM cards",
    "audit": "fvfield keeps its own history of each record",
    "start-geopoint": "ask for a position with a geopoint question",
    "background-audio": "fvfield does not record sound",
}
UNSUPPORTED = {
    "audio": "fvfield takes photos, not sound",
    "video": "fvfield takes photos, not video",
    "file": "fvfield takes photos, not other files",
    "barcode": "fvfield does not scan barcodes yet",
    "geotrace": "fvfield keeps single positions, not lines",
    "geoshape": "fvfield keeps single positions, not shapes",
    "rank": "fvfield has no ranking questions yet",
    "hidden": "fvfield has no hidden questions",
    "xml-external": "fvfield reads no external data",
    "csv-external": "fvfield reads no external data",
    "trigger": "fvfield has no triggers",
    "select_one_from_file": "fvfield reads choices from the form, not from a file",
    "select_multiple_from_file": "fvfield reads choices from the form, not from a file",
}
# Columns and their XLSForm spellings (the newer first).
ALIASES = {
    "bind:relevant": "relevant",
    "bind::relevant": "relevant",
    "bind:constraint": "constraint",
    "bind::constraint": "constraint",
    "bind:calculate": "calculation",
    "bind::calculate": "calculation",
    "bind:required": "required",
    "bind::required": "required",
    "bind:jr:constraintmsg": "constraint_message",
    "bind::jr:constraintmsg": "constraint_message",
    "bind:jr:requiredmsg": "required_message",
    "bind::jr:requiredmsg": "required_message",
    "list name": "list_name",
}
# Survey columns made into the question (the text ones may carry a language: label::Bengali (bn)).
TEXT_COLUMNS = ("label", "hint", "constraint_message", "required_message")
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation")
# fvfield's own columns, so that an exported form comes back the same: the type where XLSForm's
# is wider (a long text, an email, a counter, a yes/no), and the options XLSForm has no column for.
OWN_TYPE, OWN_OPTIONS = "fvfield_type", "fvfield_options"
KEPT_COLUMNS = {
    "type",
    "name",
    "required",
    "default",
    "appearance",
    "parameters",
    "choice_filter",
    OWN_TYPE,
    OWN_OPTIONS,
}
# The fvfield_type of the text row an export adds for the "other" words of a filtered or_other question
# (pyxform takes no or_other with a choice_filter): an import leaves it out, the question makes it.
OTHER_WORDS = "other_words"
MEDIA_COLUMNS = ("media::", "image", "audio", "video", "big-image")
KEPT_COLUMNS |= set(TEXT_COLUMNS)
KEPT_COLUMNS |= set(EXPRESSION_COLUMNS)
YES = {"yes", "true", "true()", "1"}
NO = {"", "no", "false", "false()", "0"}
SELECT = re.compile(
    r"(select_one|select_multiple|select one|select multiple|select all that apply)\s+(?:from\s+)?(\S+)"
    r"(\s+or_other|\s+or specify other)?$",
    re.IGNORECASE,
)
LANGUAGE = re.compile(r"^(?P<column>[a-z_:]+?)::(?P<language>.+)$")
NUMBER = re.compile(r"-?[0-9]+")


class NotAnXLSForm(ValueError):
    """The file is not a spreadsheet with a survey sheet."""


@dataclass
class Row:
    """What one row of a sheet became: a question (its name), or nothing, and what was not kept."""

    sheet: str
    number: int
    became: str
    not_kept: list = field(default_factory=list)


@dataclass
class Imported:
    """An XLSForm read into a definition, with the report of every row."""

    definition: dict
    rows: list

    def lines(self):
        """Return the report as lines of text, one per row and one per thing not kept."""
        out = []
        for row in self.rows:
            out.append(f"{row.sheet} row {row.number}: {row.became}")
            out.extend(f"    not kept: {what}" for what in row.not_kept)
        return out

    @property
    def not_kept(self):
        """Return how many things of the file were not kept."""
        return sum(len(row.not_kept) for row in self.rows)


def read_workbook(source, filename="form.xlsx"):
    """Return the sheets of an XLSForm file (a path or bytes); raise NotAnXLSForm."""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    kind = filename.rsplit(".", 1)[-1].lower() if "." in filename else None
    if kind not in ("xlsx", "xls", "xlsm"):
        raise NotAnXLSForm(f"{filename} is not a spreadsheet: an XLSForm is an .xlsx or .xls file.")
    try:
        workbook = get_xlsform(source, file_type=f".{kind}")
    except (PyXFormError, OSError, ValueError, KeyError) as error:
        raise NotAnXLSForm(f"{filename} could not be read as a spreadsheet ({short(error)}).") from None
    if not workbook.survey:
        raise NotAnXLSForm(f"{filename} has no 'survey' sheet with rows, so it is not an XLSForm.")
    return workbook


def short(error, limit=160):
    """Return an exception's message on one line, cut to `limit` characters."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_definition(workbook, form_id, title=None, subject_kind=None, language=None):
    """Return an Imported: the definition an XLSForm's sheets make, and what each row became."""
    settings = dict((workbook.settings or [{}])[0]) if workbook.settings else {}
    languages = languages_of(workbook.survey_header, workbook.choices_header)
    chosen = language or settings.get("default_language") or default_language(workbook.survey_header)
    chosen = chosen.strip().lower() if chosen else None
    default_code = code_of(chosen)
    others = [name for name in languages if name not in (chosen, None)]
    codes = {}
    for name in others:
        code = code_of(name)
        if code and code != default_code and code not in codes.values():
            codes[name] = code
    reader = Reader(workbook, chosen, codes)
    fields = reader.questions()
    definition = {
        "id": form_id,
        "version": 1,
        "title": (title or settings.get("form_title") or form_id).strip()[:200],
        "subject_kind": subject_kind,
        "fields": fields,
    }
    if default_code:
        definition["default_language"] = default_code
    titles = form_translations(settings.get(OWN_OPTIONS), default_code)
    if titles:
        definition["translations"] = titles
    if others:
        reader.report_languages(others, chosen, codes)
    reader.drop_invalid(definition)
    return Imported(definition, reader.rows)


def form_translations(text, default_code):
    """Return the form's own translations (its title's) from the settings' fvfield_options, or None."""
    try:
        table = json.loads(text or "null")
    except ValueError:
        return None
    table = table.get("translations") if type(table) is dict else None
    if type(table) is not dict:
        return None
    return {code: words for code, words in table.items() if code != default_code} or None


def languages_of(*headers):
    """Return the languages of the sheets' text columns ("label::bengali (bn)"), in column order; None for plain."""
    found = {}
    for header in headers:
        for column in (header or [None])[0] or {}:
            match = LANGUAGE.match(str(column).strip().lower())
            if match and match["column"] in TEXT_COLUMNS:
                found.setdefault(str(column).split("::", 1)[1].strip().lower(), True)
            elif str(column).strip().lower() in TEXT_COLUMNS:
                found.setdefault(None, True)
    return list(found)


def default_language(header):
    """Return the language a form without a default_language setting is read in.

    That is the plain label column where there is one, else the first
    language with a label column, as pyxform does.
    """
    columns = [str(c).strip().lower() for c in ((header or [None])[0] or {})]
    if "label" in columns or not any(c.startswith("label:") for c in columns):
        return None
    first = next(c for c in columns if c.startswith("label:"))
    return first.split(":", 1)[1].lstrip(":").strip().lower()


class Reader:
    """Reads the survey and choices sheets, keeping a Row for each."""

    def __init__(self, workbook, language, codes=None):
        self.language = language
        # The other languages kept as translations: {language as in the columns: code}.
        self.codes = codes or {}
        self.rows = []
        # {list name: {code: {value: label}}}: the choices' labels in the other languages.
        self.choice_words = {}
        self.current_list = None
        self.choices = self.choice_lists(workbook.choices or [])
        self.survey = [normalised(row) for row in workbook.survey]
        self.renamed = {}

    def text(self, row, column):
        """Return a text column of a row in the chosen language, falling back to the plain column."""
        if self.language:
            for key, value in row.items():
                if key.startswith(column + "::") and key.split("::", 1)[1] == self.language:
                    return value.strip()
        return row.get(column, "").strip()

    def words(self, row, column):
        """Return {code: text} of a text column in each other language kept."""
        found = {}
        for key, value in row.items():
            if key.startswith(column + "::") and value and key.split("::", 1)[1] in self.codes:
                found.setdefault(self.codes[key.split("::", 1)[1]], value.strip())
        return found

    def choice_lists(self, rows):
        """Return {list name: [choice]} from the choices sheet, reporting each row."""
        lists = {}
        for number, raw in enumerate(rows, start=2):
            row = normalised(raw)
            if not any(row.values()):
                continue
            list_name, value = row.get("list_name", ""), row.get("name", "")
            report = Row("choices", number, f"choice '{value}' of list '{list_name}'")
            label = self.text(row, "label") or value
            if not list_name or not value:
                report.became = "nothing"
                report.not_kept.append("a choice needs a list_name and a name")
            elif len(value) > MAX_CHOICE_VALUE:
                report.became = "nothing"
                report.not_kept.append(f"a choice's name is at most {MAX_CHOICE_VALUE} characters")
            else:
                choice = {"value": value, "label": label}
                kept = self.choice_columns(report, row)
                if kept:
                    choice["columns"] = kept
                lists.setdefault(list_name, []).append(choice)
                for code, words in self.words(row, "label").items():
                    self.choice_words.setdefault(list_name, {}).setdefault(code, {})[value] = words
            self.rows.append(report)
        return lists

    def choice_columns(self, report, row):
        """Return a choice's other columns, kept for choice filters ({"county": "dhaka"}); report the rest."""
        kept = {}
        for column in sorted(set(row) - {"list_name", "name", "label"}):
            value = row[column]
            if not value or column.startswith("label::"):
                continue
            if column.startswith(MEDIA_COLUMNS) or ":" in column:
                report.not_kept.append(f"column '{column}' ({ignored_column(column)})")
            elif not COLUMN.fullmatch(column) or column in OWN_COLUMNS or len(value) > MAX_COLUMN_TEXT:
                report.not_kept.append(
                    f"column '{column}': a choice's column is a name of letters, digits and _ "
                    f"with at most {MAX_COLUMN_TEXT} characters"
                )
            else:
                kept[column] = value
        return kept

    def questions(self):
        """Return the questions of the survey sheet, in order, groups as sections and repeats as repeats."""
        self.renamed = self.names()
        fields = []
        # Each open group or repeat: (block, its container or None when its questions are left out).
        open_blocks = []
        for number, row in enumerate(self.survey, start=2):
            kind = " ".join(row.get("type", "").split())
            if not kind and not any(row.values()):
                continue
            report = Row("survey", number, "nothing")
            self.rows.append(report)
            word = kind.lower().replace("_", " ")
            left_out = next((name for block, name, c in open_blocks if c is None), None)
            target = open_blocks[-1][2]["fields"] if open_blocks and open_blocks[-1][2] else fields
            if word in ("begin group", "begin repeat"):
                block = word.split()[1]
                in_repeat = next((n for b, n, c in open_blocks if b == "repeat"), None)
                container = None if left_out else self.begin(report, row, block, in_repeat)
                if left_out:
                    report.not_kept.append(
                        f"'{row.get('name', '')}' is inside the repeat '{left_out}', left out"
                    )
                if container is not None:
                    target.append(container)
                open_blocks.append((block, row.get("name", ""), container))
                continue
            if word in ("end group", "end repeat"):
                report.became = f"the end of a {word.split()[1]}"
                if open_blocks:
                    open_blocks.pop()
                continue
            if left_out is not None:
                report.not_kept.append(
                    f"'{row.get('name', '')}' is inside the repeat '{left_out}', which is inside another "
                    "repeat: fvfield has no repeats inside repeats"
                )
                continue
            question = self.question(report, row, kind)
            if question is None:
                continue
            target.append(question)
            report.became = f"question '{question['name']}' ({question['type']})"
        return fields

    def names(self):
        """Return {XLSForm name: fvfield name} for names fvfield spells differently (lower case, underscores)."""
        renamed, taken = {}, set()
        for row in self.survey:
            name = row.get("name", "")
            if not name:
                continue
            fixed = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "question"
            if not fixed[0].isalpha():
                fixed = "q_" + fixed
            fixed = fixed[:64]
            base, n = fixed, 2
            while fixed in taken:
                fixed = f"{base[:60]}_{n}"
                n += 1
            taken.add(fixed)
            if fixed != name:
                renamed[name] = fixed
        return renamed

    def begin(self, report, row, block, in_repeat):
        """Return the section (a group) or repeat a begin row opens, or None when it is left out (reported)."""
        name = row.get("name", "")
        if block == "repeat" and in_repeat is not None:
            report.not_kept.append(
                f"the repeat '{name}' inside the repeat '{in_repeat}': fvfield has no repeats inside "
                "repeats, so its questions are not kept"
            )
            return None
        kind = "section" if block == "group" else "repeat"
        if not name:
            report.not_kept.append(f"a {block} without a name: its questions are not kept")
            return None
        container = {"name": self.renamed.get(name, name), "type": kind}
        label = self.text(row, "label")
        container["label"] = self.piped(label) or container["name"].replace("_", " ").capitalize()
        hint = self.text(row, "hint")
        if hint:
            container["hint"] = self.piped(hint)
        condition = self.expression(report, row.get("relevant", ""), f"the {block}'s condition")
        if condition:
            container["relevant"] = condition
        container["fields"] = []
        handled = {"type", "name", "relevant", OWN_OPTIONS, *TEXT_COLUMNS}
        if kind == "repeat":
            handled.add("repeat_count")
            count = row.get("repeat_count", "").strip()
            if NUMBER.fullmatch(count) and 0 < int(count) <= 10_000:
                container["min_count"] = container["max_count"] = int(count)
            elif count:
                report.not_kept.append(
                    f"repeat_count '{count}': fvfield takes a number of items, not an expression; "
                    "the phone adds items as people ask"
                )
        self.own_columns(report, row, container)
        appearance = row.get("appearance", "")
        if appearance:
            handled.add("appearance")
            report.not_kept.append(
                f"appearance '{appearance}' (fvfield shows a {kind} as one titled block)"
                if "field-list" in appearance.split()
                else f"appearance '{appearance}'"
            )
        for column in sorted(set(row) - handled):
            if row[column] and LANGUAGE.match(column) is None and column != OWN_TYPE:
                report.not_kept.append(f"column '{column}' ({ignored_column(column)})")
        if name in self.renamed:
            report.not_kept.append(
                f"the name '{name}': fvfield names are lower case; it is '{container['name']}'"
            )
        report.became = f"{kind} '{container['name']}' (its questions up to its end)"
        return container

    def question(self, report, row, kind):
        """Return the question a survey row makes, or None (reported)."""
        name = row.get("name", "")
        base = kind.split()[0].lower() if kind else ""
        if not kind:
            report.not_kept.append("a row without a type")
            return None
        if row.get(OWN_TYPE) == OTHER_WORDS:
            report.became = f"nothing ('{name}' holds the 'other' words of the question before it)"
            return None
        if base in METADATA and not SELECT.match(kind):
            report.became = f"nothing ('{kind}' is metadata: {METADATA[base]})"
            return None
        if base in UNSUPPORTED:
            report.not_kept.append(f"'{name}' of type '{kind}': {UNSUPPORTED[base]}")
            return None
        question = self.typed(report, row, kind)
        if question is None:
            return None
        if not name:
            report.not_kept.append("a question without a name")
            return None
        question = {"name": self.renamed.get(name, name), **question}
        self.own_columns(report, row, question)
        if name in self.renamed:
            report.not_kept.append(
                f"the name '{name}': fvfield names are lower case; it is '{question['name']}'"
            )
        self.texts(report, row, question)
        self.rules(report, row, question)
        self.translations(report, row, question)
        for column in sorted(set(row) - KEPT_COLUMNS):
            if row[column] and LANGUAGE.match(column) is None:
                report.not_kept.append(f"column '{column}' ({ignored_column(column)})")
        return question

    def typed(self, report, row, kind):
        """Return the type and its options of a question, or None (reported)."""
        base = kind.lower()
        select = SELECT.match(kind)
        appearance = row.get("appearance", "")
        if select:
            many, list_name, other = (
                select.group(1).lower() not in ("select_one", "select one"),
                select.group(2),
                select.group(3),
            )
            choices = self.choices.get(list_name)
            self.current_list = list_name
            if not choices:
                report.not_kept.append(
                    f"'{row.get('name', '')}': the choices sheet has no list '{list_name}'"
                )
                return None
            if appearance:
                report.not_kept.append(f"appearance '{appearance}'")
            question = {
                "type": "multiple_choice" if many else "choice",
                "choices": [dict(c) for c in choices],
            }
            if other:
                question["or_other"] = True
                if not any(c["value"] == OTHER for c in choices):
                    question["choices"].append({"value": OTHER, "label": "Other"})
            self.choice_filter(report, row, question)
            return question
        if base == "range":
            return self.scale(report, row)
        if base not in SIMPLE_TYPES:
            report.not_kept.append(
                f"'{row.get('name', '')}' of type '{kind}': fvfield does not know this type"
            )
            return None
        fvfield_type = SIMPLE_TYPES[base]
        if base == "acknowledge":
            report.not_kept.append("'acknowledge' is kept as a yes/no question")
        if fvfield_type == "text" and "multiline" in appearance.split():
            fvfield_type = "textarea"
        elif appearance:
            report.not_kept.append(f"appearance '{appearance}'")
        question = {"type": fvfield_type}
        if fvfield_type == "calculate":
            calculation = self.expression(report, row.get("calculation", ""), "the calculation")
            if not calculation:
                report.not_kept.append(f"'{row.get('name', '')}': a calculation without an expression")
                return None
            question["calculation"] = calculation
        return question

    def choice_filter(self, report, row, question):
        """Copy a select's choice_filter when fvfield reads it and its choices have the columns it names."""
        text = self.expression(report, row.get("choice_filter", ""), "the choice filter", filters=True)
        if not text:
            return
        known = set(OWN_COLUMNS) | {key for c in question["choices"] for key in c.get("columns", {})}
        missing = [name for name in columns(parse(text, columns=True)) if name not in known]
        if missing:
            report.not_kept.append(f"the choice filter '{text}': no choice has a column '{missing[0]}'")
            return
        question["choice_filter"] = text

    def own_columns(self, report, row, question):
        """Apply fvfield's own columns of a file fvfield exported: its type and its other options."""
        own = row.get(OWN_TYPE, "")
        if own == question["type"]:
            pass
        elif own in OWN_TYPES.get(question["type"], ()):
            question["type"] = own
            if own == "boolean":
                question.pop("choices", None)
        elif own:
            report.not_kept.append(f"{OWN_TYPE} '{own}' for a {question['type']} question")
        text = row.get(OWN_OPTIONS, "")
        if not text:
            return
        try:
            options = json.loads(text)
        except ValueError:
            options = None
        if type(options) is not dict:
            report.not_kept.append(f"{OWN_OPTIONS} '{text[:60]}': it is not a JSON object")
            return
        question.update({k: v for k, v in options.items() if k not in ("name", "type")})

    def scale(self, report, row):
        """Return a scale question from a range row with whole start and end, step 1; else None."""
        parameters = dict(
            part.split("=", 1) for part in row.get("parameters", "").replace(";", " ").split() if "=" in part
        )
        start, end, step = (
            parameters.get(k, d).strip() for k, d in (("start", "1"), ("end", "10"), ("step", "1"))
        )
        if not (NUMBER.fullmatch(start) and NUMBER.fullmatch(end) and step == "1" and int(start) < int(end)):
            report.not_kept.append(
                f"range '{row.get('name', '')}' from {start} to {end} by {step}: "
                "fvfield's scale counts in whole steps of 1"
            )
            return None
        return {"type": "scale", "min": int(start), "max": int(end)}

    def texts(self, report, row, question):
        """Copy the label, hint and messages in the chosen language."""
        label = self.text(row, "label")
        question["label"] = self.piped(label) or question["name"].replace("_", " ").capitalize()
        if not label and question["type"] != "calculate":
            report.not_kept.append("no label in the file: the question's name is its label")
        for column in ("hint", "constraint_message", "required_message"):
            value = self.text(row, column)
            if value:
                question[column] = self.piped(value)

    def rules(self, report, row, question):
        """Copy required, default, condition and constraint, each checked."""
        required = row.get("required", "").strip().lower()
        if required in YES:
            question["required"] = True
        elif required not in NO:
            report.not_kept.append(f"required when '{row['required']}': fvfield asks required yes or no")
        if "required_message" in question and not question.get("required"):
            question.pop("required_message")
        default = row.get("default", "").strip()
        if default and "default" not in question:
            question["default"] = typed_default(question["type"], default)
        for column, words in (("relevant", "the condition"), ("constraint", "the constraint")):
            value = self.expression(report, row.get(column, ""), words)
            if value:
                question[column] = value
        if "constraint_message" in question and "constraint" not in question:
            question.pop("constraint_message")

    def piped(self, text):
        """Return a label with its ${references} renamed as the questions were."""
        return re.sub(r"\$\{([^}]+)\}", lambda m: "${" + self.renamed.get(m[1], m[1]) + "}", text)

    def expression(self, report, text, words, filters=False):
        """Return the expression with renamed references if fvfield reads it, else "" (reported)."""
        text = " ".join(text.split())
        if not text:
            return ""
        renamed = self.piped(text)
        try:
            tree = parse(renamed, columns=filters)
        except ExpressionError as error:
            report.not_kept.append(f"{words} '{text}': {error}")
            return ""
        known = {self.renamed.get(r.get("name", ""), r.get("name", "")) for r in self.survey}
        missing = sorted(set(references(tree)) - known)
        if missing:
            report.not_kept.append(f"{words} '{text}': it names no question '{missing[0]}'")
            return ""
        return renamed

    def translations(self, report, row, question):
        """Copy the texts in the other languages (and its choices' labels) into the question's translations."""
        table = question.pop("translations", None) or {}
        for column in TEXT_COLUMNS:
            for code, words in self.words(row, column).items():
                if column in question:
                    table.setdefault(code, {})[column] = self.piped(words)
                else:
                    report.not_kept.append(
                        f"the {column} in {code}: the question has none in the form's language"
                    )
        values = {c["value"] for c in question.get("choices") or ()}
        for code, labels in (
            self.choice_words.get(self.current_list, {}).items() if "choices" in question else ()
        ):
            kept = {value: label for value, label in labels.items() if value in values}
            if kept:
                table.setdefault(code, {})["choices"] = kept
        self.current_list = None
        if table:
            question["translations"] = table

    def report_languages(self, others, chosen, codes):
        """Say once which languages became translations, and which were not kept (no code)."""
        kept = [f"{name} as '{codes[name]}'" for name in others if name in codes]
        lost = [name for name in others if name not in codes]
        self.rows.append(
            Row(
                "survey",
                1,
                f"the texts in {chosen or 'the plain label column'}"
                + (f", with translations: {', '.join(kept)}" if kept else ""),
                [
                    f"the texts in {name}: no language code could be made out of it "
                    "(write the column as label::Bengali (bn))"
                    for name in lost
                ],
            )
        )

    def drop_invalid(self, definition):
        """Take out the questions fvfield's own checks refuse, each reported: what remains can be a draft.

        A problem's path says where its question is: fields.3 or, inside a
        section or repeat, fields.3.fields.1; the deepest are taken out first
        (a section left empty goes in the next round).
        """
        for _ in range(len(list(every_question(definition["fields"]))) + 1):
            errors = validate_definition(definition)
            places = {}
            for path in errors:
                parts = path.split(".")
                chain = []
                while len(parts) >= 2 and parts[0] == "fields" and parts[1].isdigit():
                    chain.append(int(parts[1]))
                    parts = parts[2:]
                if chain:
                    places.setdefault(tuple(chain), errors[path][0])
            if not places:
                return
            for chain in sorted(places, reverse=True):
                holder = definition["fields"]
                for index in chain[:-1]:
                    holder = holder[index]["fields"]
                question = holder.pop(chain[-1])
                self.report_dropped(question, places[chain])

    def report_dropped(self, question, message):
        """Say on the question's row that it was taken out, and why."""
        name = question.get("name")
        for row in self.rows:
            if row.became.startswith((f"question '{name}' ", f"section '{name}' ", f"repeat '{name}' ")):
                row.became = "nothing"
                what = question.get("type") if question.get("type") in ("section", "repeat") else "question"
                row.not_kept.append(f"the {what} '{name}': {message}")


# Which fvfield type an XLSForm type may be, as written in the fvfield_type column.
OWN_TYPES = {
    "text": ("textarea", "email"),
    "integer": ("counter", "price"),
    "choice": ("boolean",),
}


def typed_default(kind, text):
    """Return a default read from its cell as the question's answers are kept (a number, a list...)."""
    if kind in ("integer", "counter", "price", "scale") and NUMBER.fullmatch(text):
        return int(text)
    if kind == "decimal":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean":
        return text.lower() in YES
    if kind == "multiple_choice":
        return text.split()
    if kind == "time" and re.fullmatch(r"[0-9]{2}:[0-9]{2}:00", text):
        return text[:5]  # fvfield keeps times to the minute
    return text


def normalised(row):
    """Return a sheet row with lower-case column names (XLSForm's aliases resolved) and stripped text."""
    out = {}
    for column, value in row.items():
        key = " ".join(str(column).split()).lower()
        key = ALIASES.get(key, key)
        head = key.split(":", 1)[0]
        if head in TEXT_COLUMNS and ":" in key and "::" not in key:
            key = key.replace(":", "::", 1)  # the older spelling, label:English
        if "::" in key:
            head, language = key.split("::", 1)
            head = ALIASES.get(head, head)
            key = f"{head}::{language.strip()}"
        out[key] = "" if value is None else str(value).strip()
    return out


def ignored_column(column):
    """Return why a column is not kept, in a few words."""
    if column.startswith(MEDIA_COLUMNS):
        return "fvfield shows no media in forms yet"
    if column.startswith("instance::") or ":" in column:
        return "a column of another tool"
    if column in ("read_only", "readonly"):
        return "fvfield has no read-only questions"
    return "fvfield does not know this column"


def to_workbook(definition):
    """Return the bytes of an .xlsx XLSForm of a definition (survey, choices and settings sheets)."""
    from openpyxl import Workbook

    layout = Layout.of(definition)
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    columns = ["type", "name", *layout.headers("label"), *layout.headers("hint"), "required", "relevant"]
    columns += ["constraint", *layout.headers("constraint_message"), *layout.headers("required_message")]
    columns += ["default", "calculation", "choice_filter", "appearance", "parameters", "repeat_count"]
    columns += [OWN_TYPE, OWN_OPTIONS]
    survey.append(columns)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *layout.headers("label"), *layout.choice_columns])
    write_rows(survey, columns, definition["fields"], choices, layout)
    settings = book.create_sheet("settings")
    heads, values = ["form_title", "form_id", "version"], [definition["title"], definition["id"]]
    values.append(str(definition["version"]))
    if layout.default:
        heads.append("default_language")
        values.append(name_of(layout.default))
    if definition.get("translations"):
        # The title's translations: XLSForm has no column for them, so fvfield's own carries them.
        heads.append(OWN_OPTIONS)
        values.append(
            json.dumps({"translations": definition["translations"]}, ensure_ascii=False, sort_keys=True)
        )
    settings.append(heads)
    settings.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_rows(survey, columns, fields, choices, layout):
    """Write questions as survey rows; a section as a group, a repeat as a repeat, each with its end."""
    for question in fields:
        if question["type"] in ("section", "repeat"):
            block = "group" if question["type"] == "section" else "repeat"
            cells = {"type": f"begin {block}", "name": question["name"], "label": question.get("label", "")}
            for key in ("hint", "relevant"):
                if question.get(key):
                    cells[key] = question[key]
            low, high = question.get("min_count"), question.get("max_count")
            if low is not None and low == high:
                cells["repeat_count"] = str(low)
            rest = {k: v for k, v in question.items() if k in ("min_count", "max_count")}
            if rest:
                cells[OWN_OPTIONS] = json.dumps(rest, sort_keys=True)
            in_language_columns(cells, question, layout)
            survey.append([cells.get(column, "") for column in columns])
            write_rows(survey, columns, question["fields"], choices, layout)
            survey.append([f"end {block}"] + [""] * (len(columns) - 1))
            continue
        for cells in question_rows(question, choices, layout):
            survey.append([cells.get(column, "") for column in columns])


def in_language_columns(cells, question, layout):
    """Move a row's texts under the layout's column of the default language, and add their translations."""
    translations = question.get("translations") or {}
    for key in TEXT_COLUMNS:
        if key in cells and layout.default:
            cells[layout.header(key)] = cells.pop(key)
        for code, words in translations.items():
            if words.get(key):
                cells[layout.header(key, code)] = words[key]
    return cells


@dataclass
class Layout:
    """How a form's texts are laid out in columns: its default language, the others, its choices' columns."""

    default: str | None
    others: list
    choice_columns: list

    @classmethod
    def of(cls, definition):
        """Return the layout of a definition."""
        default = definition.get("default_language")
        others = [code for code in form_languages(definition) if code != default]
        found = []
        for question, _ in every_question(definition["fields"]):
            for choice in question.get("choices") or ():
                found += [key for key in choice.get("columns", {}) if key not in found]
        return cls(default, others, found)

    def header(self, column, code=None):
        """Return the header of a text column in a language (the default's when code is None)."""
        code = code or self.default
        return f"{column}::{name_of(code)}" if code else column

    def headers(self, column):
        """Return the headers of a text column: the default language's, then each other's."""
        return [self.header(column), *(self.header(column, code) for code in self.others)]


def question_rows(question, choices, layout):
    """Return the survey rows of one question: its own, and the text row of a filtered or_other's words."""
    cells = in_language_columns(question_cells(question, choices, layout), question, layout)
    rows = [cells]
    if question.get("or_other") is True and question.get("choice_filter"):
        # pyxform takes no or_other with a choice_filter: the other words get a row of their own.
        name = question["name"]
        cells["choice_filter"] = f"({question['choice_filter']}) or name = '{OTHER}'"
        rows.append(
            {
                "type": "text",
                "name": other_name(question),
                layout.header("label"): "Specify other.",
                "relevant": f"selected(${{{name}}}, '{OTHER}')",
                OWN_TYPE: OTHER_WORDS,
            }
        )
    return rows


# A question's keys that have an XLSForm column of their own.
COLUMN_KEYS = ("hint", "relevant", "constraint", "constraint_message", "required_message", "calculation")


def question_cells(question, choices, layout):
    """Return the survey row of one question, adding its choice list to the choices sheet."""
    kind, name = question["type"], question["name"]
    cells = {"type": XLSFORM_TYPES[kind], "name": name, "label": question.get("label", "")}
    words = question.get("translations") or {}
    if kind in ("choice", "multiple_choice", "boolean"):
        cells["type"] += f" {name}"
        listed = question.get("choices") or [
            {"value": "true", "label": "Yes"},
            {"value": "false", "label": "No"},
        ]
        for choice in listed:
            value, own = choice["value"], choice.get("columns", {})
            labels = [(words.get(code, {}).get("choices") or {}).get(value, "") for code in layout.others]
            choices.append(
                [name, value, choice["label"], *labels, *(own.get(c, "") for c in layout.choice_columns)]
            )
    if question.get("or_other") is True and not question.get("choice_filter"):
        cells["type"] += " or_other"
    if question.get("choice_filter"):
        cells["choice_filter"] = question["choice_filter"]
    if kind == "textarea":
        cells["appearance"] = "multiline"
    if kind == "scale":
        cells["parameters"] = f"start={question['min']} end={question['max']} step=1"
    if kind in ("textarea", "email", "counter", "price", "boolean"):
        cells[OWN_TYPE] = kind
    for key in COLUMN_KEYS:
        if question.get(key):
            cells[key] = question[key]
    if question.get("required"):
        cells["required"] = "yes"
    if "default" in question:
        value = question["default"]
        cells["default"] = " ".join(value) if type(value) is list else json.dumps(value).strip('"')
    handled = {"name", "type", "label", "required", "choices", "choice_filter", "translations", *COLUMN_KEYS}
    if kind == "scale":
        handled |= {"min", "max"}
    if not question.get("choice_filter"):
        handled.add("or_other")
    rest = {k: v for k, v in question.items() if k not in handled or (k == "required" and not v)}
    if question.get("or_other") is True and question.get("choice_filter"):
        rest["choice_filter"] = question["choice_filter"]
    # What no column holds of its translations (a scale's labels) goes with the other options.
    left = {code: {"labels": w["labels"]} for code, w in words.items() if "labels" in w}
    if left:
        rest["translations"] = left
    if rest:
        cells[OWN_OPTIONS] = json.dumps(rest, ensure_ascii=False, sort_keys=True)
    return cells
