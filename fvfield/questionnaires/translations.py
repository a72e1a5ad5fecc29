"""A form in several languages: its texts translated beside the plain ones.

The plain texts of a definition (title, label, hint, messages, choice labels,
scale labels) are in the form's `default_language` (a code such as "en"; left
out, the form does not say). Each other language's words sit beside them:

    {"default_language": "en", "translations": {"bn": {"title": "…"}},
     "fields": [{"name": "consent", "label": "May we ask…?",
                 "translations": {"bn": {"label": "…", "hint": "…",
                                         "choices": {"yes": "হ্যাঁ"}}}}]}

A question's translation may have label, hint, constraint_message,
required_message, choices (label by value) and labels (a scale's, shaped as
its own). A text that is not translated shows in the default language. The
phone shows the member's language (static/js/form/translate.js does what
`translated` does here); records keep values, never labels.
"""

import re

from fvfield.questionnaires.types import show, storable_text

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?")
FIELD_TEXTS = ("label", "hint", "constraint_message", "required_message")
FIELD_KEYS = (*FIELD_TEXTS, "choices", "labels")
MAX_LANGUAGES = 20
LIMITS = {"title": 200, "label": 5_000, "hint": 1_000, "constraint_message": 1_000, "required_message": 1_000}


def is_language(code):
    """Return whether a value is a language code such as en, bn, ur or pt-BR."""
    return type(code) is str and LANGUAGE_CODE.fullmatch(code) is not None


def every_field(fields):
    """Yield every question of a list that is an object, those inside sections and repeats included."""
    for field in fields if type(fields) is list else ():
        if type(field) is dict:
            yield field
            yield from every_field(field.get("fields"))


def languages_of(definition):
    """Return the form's languages: its default first (when it names one), then each translated one."""
    found = [definition["default_language"]] if is_language(definition.get("default_language")) else []
    tables = [definition.get("translations")] + [
        f.get("translations") for f in every_field(definition.get("fields"))
    ]
    for table in tables:
        for code in table or ():
            if code not in found:
                found.append(code)
    return found


def best_language(definition, wanted):
    """Return which of the form's translations to show for a person's language (None: the plain texts)."""
    if not wanted:
        return None
    languages = languages_of(definition)
    default = definition.get("default_language")
    primary = lambda code: re.split("[-_]", code)[0].lower()  # noqa: E731
    for match in (lambda c: c.lower() == wanted.lower(), lambda c: primary(c) == primary(wanted)):
        found = next((code for code in languages if match(code)), None)
        if found is not None:
            return None if found == default else found
    return None


def translated(definition, language):
    """Return a copy of a definition with its texts in `language`, falling back to the plain ones."""
    if not language or language == definition.get("default_language"):
        return definition
    copy = dict(definition)
    copy["title"] = ((definition.get("translations") or {}).get(language) or {}).get("title") or definition[
        "title"
    ]
    copy["fields"] = [translated_field(field, language) for field in definition["fields"]]
    return copy


def translated_field(field, language):
    """Return one question with its texts in `language` where it has them."""
    words = (field.get("translations") or {}).get(language)
    inside = field.get("fields")
    if not words and type(inside) is not list:
        return field
    copy = dict(field)
    if type(inside) is list:  # a section's or a repeat's questions
        copy["fields"] = [translated_field(f, language) for f in inside]
    if not words:
        return copy
    for key in FIELD_TEXTS:
        if words.get(key):
            copy[key] = words[key]
    if words.get("choices") and field.get("choices"):
        copy["choices"] = [
            {**c, "label": words["choices"].get(c["value"]) or c["label"]} for c in field["choices"]
        ]
    if words.get("labels"):
        copy["labels"] = words["labels"]
    return copy


# --- Checks --------------------------------------------------------------------------------------


def check_form_languages(problems, definition):
    """Check the form's default_language and its own translations (of the title)."""
    default = definition.get("default_language")
    if "default_language" in definition and not is_language(default):
        problems.add(
            "default_language",
            f"The default language must be a language code such as en, bn or ur, not {show(default)}.",
        )
    if "translations" not in definition:
        return
    table = definition["translations"]
    problem = table_problem(table, default)
    if problem:
        problems.add("translations", f"The form's translations: {problem}")
        return
    for code, words in table.items():
        unknown = [key for key in words if key != "title"]
        if unknown:
            problems.add(
                "translations",
                f"The form's translations into {code} have only a title, not {show(unknown[0])}.",
            )
        elif "title" in words and not good_text(words["title"], LIMITS["title"]):
            problems.add("translations", f"The form's title in {code} must be text of 1 to 200 characters.")
    if len(languages_of(definition)) > MAX_LANGUAGES:
        problems.add("translations", f"A form can be in at most {MAX_LANGUAGES} languages.")


def table_problem(table, default):
    """Say what is wrong with the shape of a translations table {code: {...}}, or None."""
    if type(table) is not dict or not table:
        return 'give an object keyed by language code, e.g. {"bn": {...}}.'
    for code, words in table.items():
        if not is_language(code):
            return f"{show(code)} is not a language code such as bn or ur."
        if code == default:
            return f"{code} is the form's default language: its words are the plain texts, not a translation."
        if type(words) is not dict:
            return f"the words in {code} must be an object, not {show(words)}."
    return None


def good_text(value, limit):
    """Return whether a value is text that is not blank, at most `limit` long, and storable."""
    return type(value) is str and bool(value.strip()) and len(value) <= limit and not storable_text(value)


def check_field_translations(problems, path, who, field, labels_problem, piped_names):
    """Check one question's translations; `labels_problem` checks a scale's labels, piped_names a text's ${names}."""
    if "translations" not in field:
        return
    path = f"{path}.translations"
    table = field["translations"]
    problem = table_problem(table, None)
    if problem:
        problems.add(path, f"{who}: its translations: {problem}")
        return
    choices = field.get("choices") if type(field.get("choices")) is list else ()
    values = {c.get("value") for c in choices if type(c) is dict and type(c.get("value")) is str}
    for code, words in table.items():
        problem = words_problem(field, words, values, labels_problem, piped_names)
        if problem:
            problems.add(path, f"{who}: in {code}, {problem}")


def words_problem(field, words, values, labels_problem, piped_names):
    """Say what is wrong with a question's words in one language, or None."""
    for key in words:
        if key not in FIELD_KEYS:
            return f"{show(key)} is not a text of a question (use {', '.join(FIELD_KEYS)})."
    for key in FIELD_TEXTS:
        if key in words and not good_text(words[key], LIMITS[key]):
            return f"the {key} must be text of 1 to {LIMITS[key]:,} characters."
        if key in words and key not in field:
            return f"there is a {key} but the question has none in its default language."
        unknown = piped_names(words.get(key))
        if unknown:
            return f"the {key} names no question '{unknown[0]}' of this form."
    if "choices" in words:
        choices = words["choices"]
        if type(choices) is not dict:
            return "choices must be an object of labels by choice value."
        for value, label in choices.items():
            if value not in values:
                return f"{show(value)} is not a value of its choices."
            if not good_text(label, 500):
                return f"the label of the choice '{value}' must be text of 1 to 500 characters."
    if "labels" in words:
        if field.get("type") != "scale":
            return "only a scale has labels."
        problem = labels_problem(words["labels"])
        if problem:
            return problem
    return None


# --- The editor's side-by-side table ------------------------------------------------------------


def text_rows(definition):
    """Return [(path, words in the default language, what it is)]: every text a translation may give.

    A path is ("title",), ("field", name, key) or ("choice", name, value), the
    same for every language, so the editor lays them out a row each.
    """
    rows = [(("title",), definition.get("title", ""), "The form's title")]
    for number, field in enumerate(every_field(definition.get("fields")), 1):
        if type(field.get("name")) is not str:
            continue
        name = field["name"]
        for key in FIELD_TEXTS:
            if type(field.get(key)) is str and field[key].strip():
                rows.append(
                    (("field", name, key), field[key], f"Question {number} ({name}): {key.replace('_', ' ')}")
                )
        for choice in field.get("choices") or ():
            if type(choice) is dict and type(choice.get("value")) is str:
                words = f"Question {number} ({name}): choice '{choice['value']}'"
                rows.append((("choice", name, choice["value"]), str(choice.get("label", "")), words))
    return rows


def words_at(definition, code, path):
    """Return a text's words in a language, or "" when it is not translated."""
    if path[0] == "title":
        return ((definition.get("translations") or {}).get(code) or {}).get("title", "")
    field = next((f for f in every_field(definition.get("fields")) if f.get("name") == path[1]), {})
    words = (field.get("translations") or {}).get(code) or {}
    if path[0] == "choice":
        return (words.get("choices") or {}).get(path[2], "")
    return words.get(path[2], "")


def with_words(definition, code, entries):
    """Return a copy of a definition with its texts in `code` set from [(path, text)]; "" takes one out."""
    copy = {**definition, "fields": copied_fields(definition.get("fields") or [])}
    by_name = {f.get("name"): f for f in every_field(copy["fields"])}
    for path, text in entries:
        text = " ".join(text.split()) if path[-1] != "label" or path[0] != "field" else text.strip()
        if path[0] == "title":
            set_word(copy, code, ("title",), text)
        elif path[1] in by_name:
            field = by_name[path[1]]
            set_word(field, code, ("choices", path[2]) if path[0] == "choice" else (path[2],), text)
    return copy


def copied_fields(fields):
    """Return a copy of a list of questions, those of sections and repeats copied too."""
    copies = []
    for field in fields:
        if type(field) is dict:
            field = dict(field)
            if type(field.get("fields")) is list:
                field["fields"] = copied_fields(field["fields"])
        copies.append(field)
    return copies


def set_word(owner, code, keys, text):
    """Set (or take out, for "") one word of owner["translations"][code], dropping what is left empty."""
    table = {c: dict(w) for c, w in (owner.get("translations") or {}).items()}
    words = table.setdefault(code, {})
    if len(keys) == 2:
        inner = dict(words.get(keys[0]) or {})
        if text:
            inner[keys[1]] = text
        else:
            inner.pop(keys[1], None)
        words[keys[0]] = inner
        if not inner:
            words.pop(keys[0])
    elif text:
        words[keys[0]] = text
    else:
        words.pop(keys[0], None)
    table = {c: w for c, w in table.items() if w}
    if table:
        owner["translations"] = table
    else:
        owner.pop("translations", None)
