"""Say what a new version of a form changes, in sentences for the form's version list."""

from fvfield.problems import said
from fvfield.questionnaires.rules import rule_words
from fvfield.questionnaires.structure import every_question
from fvfield.questionnaires.translations import languages_of
from fvfield.questionnaires.types import TYPES, number_text, show

TYPE_WORDS = {name: field_type.noun for name, field_type in TYPES.items()}


def describe_changes(old_definition, new_definition):
    """List, as sentences, what the new version of a form changes from the old one."""
    old, new = questions(old_definition), questions(new_definition)
    sentences = form_changes(old_definition, new_definition)
    for name, field in new.items():
        if name not in old:
            sentences.append(said("Added question %(field)s", field=words(field)))
        else:
            sentences.extend(question_changes(old[name], field, new))
    sentences.extend(
        said("Removed question %(field)s", field=words(field))
        for name, field in old.items()
        if name not in new
    )
    if [name for name in old if name in new] != [name for name in new if name in old]:
        sentences.append(said("Reordered the questions"))
    sentences.extend(language_and_list_changes(old_definition, new_definition, old, new))
    return sentences


def language_and_list_changes(old_definition, new_definition, old, new):
    """Describe changes to the form's languages and translations, choice filters and "other" boxes."""
    sentences = []
    if old_definition.get("default_language") != new_definition.get("default_language"):
        sentences.append(f"Made the form's own language {show(new_definition.get('default_language'))}")
    before, after = languages_of(old_definition), languages_of(new_definition)
    added = [code for code in after if code not in before and code != new_definition.get("default_language")]
    if added:
        sentences.append(f"Added translations into {', '.join(added)}")
    removed = [
        code for code in before if code not in after and code != new_definition.get("default_language")
    ]
    if removed:
        sentences.append(f"Removed the translations into {', '.join(removed)}")
    changed = [
        name
        for name, field in new.items()
        if name in old and (field.get("translations") or {}) != (old[name].get("translations") or {})
    ]
    if old_definition.get("translations") != new_definition.get("translations"):
        changed.insert(0, "the title")
    if changed and not added and not removed:
        sentences.append(
            f"Changed the translations of {', '.join(changed[:5])}" + ("…" if len(changed) > 5 else "")
        )
    for name, field in new.items():
        if name not in old:
            continue
        if field.get("choice_filter") != old[name].get("choice_filter"):
            filter_words = show(field["choice_filter"]) if field.get("choice_filter") else "none"
            sentences.append(f"Changed which choices {words(field)} offers (choice filter: {filter_words})")
        if bool(field.get("or_other")) != bool(old[name].get("or_other")):
            say = "Added" if field.get("or_other") else "Removed"
            sentences.append(f"{say} the 'Other, please say' box of {words(field)}")
    return sentences


def questions(definition):
    """Return a definition's questions by name, in their order."""
    fields = definition.get("fields") if isinstance(definition, dict) else None
    if not isinstance(fields, list):
        return {}
    # Those inside sections and repeats too: adding one to a section is a change to name.
    return {
        f["name"]: f
        for f, _ in every_question(fields)
        if isinstance(f, dict) and isinstance(f.get("name"), str)
    }


def words(field):
    """Quote a question's label (or its name when it has none)."""
    label = field.get("label")
    if isinstance(label, str) and label.strip():
        return show(" ".join(label.split()), 60)
    return show(field["name"])


def form_changes(old, new):
    """Describe changes to the form's title and to what it is about."""
    sentences = []
    if old.get("title") != new.get("title"):
        sentences.append(
            said(
                "Renamed the form from %(old)s to %(new)s",
                old=show(old.get("title")),
                new=show(new.get("title")),
            )
        )
    if old.get("subject_kind") != new.get("subject_kind"):
        about = new.get("subject_kind")
        sentences.append(
            said("Made the form about each %(about)s", about=about)
            if about
            else said("Made the form about no subject")
        )
    return sentences


def question_changes(old, new, new_questions):
    """Describe what changed in one question kept from the old version."""
    label = words(new)
    sentences = []
    if words(old) != label:
        sentences.append(said("Reworded %(old)s to %(label)s", old=words(old), label=label))
    if old.get("type") != new.get("type"):
        before = TYPE_WORDS.get(old.get("type"), said("another type"))
        after = TYPE_WORDS.get(new.get("type"), said("another type"))
        sentences.append(
            said("Changed %(label)s from %(before)s to %(after)s", label=label, before=before, after=after)
        )
    if bool(old.get("required")) != bool(new.get("required")):
        sentences.append(
            said("Made %(label)s required", label=label)
            if new.get("required")
            else said("Made %(label)s optional", label=label)
        )
    sentences.extend(hint_changes(old.get("hint"), new.get("hint"), label))
    sentences.extend(rule_changes(old.get("show_if"), new.get("show_if"), label, new_questions))
    sentences.extend(choice_changes(old.get("choices"), new.get("choices"), label))
    sentences.extend(limit_changes(old, new, label))
    return sentences


def hint_changes(old, new, label):
    """Describe a hint added, removed or changed."""
    if old == new:
        return []
    if not old:
        return [said("Added a hint to %(label)s", label=label)]
    if not new:
        return [said("Removed the hint from %(label)s", label=label)]
    return [said("Changed the hint of %(label)s", label=label)]


def rule_changes(old, new, label, new_questions):
    """Describe a change to when a question is asked."""
    if old == new:
        return []
    controller = new_questions.get(new.get("field")) if isinstance(new, dict) else None
    if not new:
        return [said("%(label)s is now always asked", label=label)]
    if controller is None or "label" not in controller:
        return [said("Changed when %(label)s is asked", label=label)]
    return [
        said(
            "%(label)s is now asked only when %(controller)s",
            label=label,
            controller=rule_words(new, controller),
        )
    ]


def choice_changes(old, new, label):
    """Describe choices added, removed, reworded or reordered."""
    if not isinstance(old, list) or not isinstance(new, list) or old == new:
        return []
    before, after = choice_labels(old), choice_labels(new)
    sentences = [
        said("Added choice %(choice)s to %(label)s", choice=show(after[v], 60), label=label)
        for v in after
        if v not in before
    ]
    sentences += [
        said("Removed choice %(choice)s from %(label)s", choice=show(before[v], 60), label=label)
        for v in before
        if v not in after
    ]
    sentences += [
        said(
            "Reworded choice %(v)s of %(label)s to %(v2)s",
            v=show(before[v], 60),
            label=label,
            v2=show(after[v], 60),
        )
        for v in after
        if v in before and before[v] != after[v]
    ]
    if [v for v in before if v in after] != [v for v in after if v in before]:
        sentences.append(said("Reordered the choices of %(label)s", label=label))
    return sentences


def choice_labels(choices):
    """Return the labels of choices by value."""
    return {
        choice["value"]: choice.get("label")
        for choice in choices
        if isinstance(choice, dict) and isinstance(choice.get("value"), str)
    }


def range_text(field):
    """Write a question's min and max as a range."""
    low, high = field.get("min"), field.get("max")
    if low is not None and high is not None:
        return f"{number_text(low)}–{number_text(high)}"
    if low is not None:
        return said("%(low)s or more", low=number_text(low))
    return f"up to {number_text(high)}" if high is not None else "any number"


def limit_changes(old, new, label):
    """Describe changes to a question's range, length limit and scale labels."""
    sentences = []
    if (old.get("min"), old.get("max")) != (new.get("min"), new.get("max")):
        sentences.append(
            said(
                "Changed the range of %(label)s from %(old)s to %(new)s",
                label=label,
                old=range_text(old),
                new=range_text(new),
            )
        )
    if old.get("max_length") != new.get("max_length"):
        limit = new.get("max_length")
        if limit:
            sentences.append(
                said("Limited %(label)s to %(limit)s characters", label=label, limit=number_text(limit))
            )
        else:
            sentences.append(said("Removed the length limit of %(label)s", label=label))
    if old.get("labels") != new.get("labels"):
        sentences.append(said("Changed the scale labels of %(label)s", label=label))
    return sentences
