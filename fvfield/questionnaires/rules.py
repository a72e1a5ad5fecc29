"""show_if rules: checked in a definition, put into words, and tested on answers.

A rule names an earlier question and either `equals` one answer or is `in` a
list of answers. Against a multiple choice question, `equals` means "that
value is among those chosen" and `in` means "any of those values is chosen".
A question hidden by its rule counts as unanswered for the rules after it, so
chains of rules hide everything that hangs on a hidden question.
"""

from fvfield.questionnaires.types import TYPES, choice_check, field_words, kind_of, show

# Rules compare answers for equality; objects, instants and notes have none worth comparing.
RULE_TYPES = frozenset(name for name, field_type in TYPES.items() if field_type.in_rules)
RULE_SHAPES = ({"field", "equals"}, {"field", "in"})
MAX_RULE_ANSWERS = 200

# The answer seen for a question whose own answer is wrong or whose showing is unknown:
# questions that hang on it are checked for type but not held to required or hidden.
UNSURE = object()


def check_show_if(problems, path, who, field, earlier, all_names):
    """Check a question's show_if against the questions before it."""
    rule = field["show_if"]
    if type(rule) is not dict or set(rule) not in RULE_SHAPES:
        problems.add(
            path,
            (
                f'{who}: show_if must be {{"field": name, "equals": answer}} or '
                f'{{"field": name, "in": [answers]}}, with nothing else.'
            ),
        )
        return
    source = rule["field"]
    if source == field.get("name"):
        problems.add(path, f"{who}: show_if cannot depend on the question itself.")
    elif type(source) is str and source in earlier:
        check_rule_answers(problems, path, who, rule, earlier[source])
    elif type(source) is str and source in all_names:
        problems.add(
            path,
            (
                f"{who}: show_if depends on '{source}', which comes later; "
                "a question can only depend on one before it."
            ),
        )
    else:
        problems.add(path, f"{who}: show_if depends on {show(source)}, which is not a question of this form.")


def check_rule_answers(problems, path, who, rule, source):
    """Check that the answers a rule compares with are possible answers of its question."""
    index, controller, check = source
    kind = controller.get("type")
    controller_words = field_words(index, controller)
    if check is None:
        return  # the question it depends on is broken, and says so itself
    if kind not in RULE_TYPES:
        problems.add(
            path,
            (
                f"{who}: show_if cannot depend on {controller_words}, a {kind} question; "
                "choose a yes/no, choice, number, text, date or time question."
            ),
        )
        return
    if kind == "multiple_choice":
        check = choice_check(controller)
    answers = [rule["equals"]] if "equals" in rule else rule["in"]
    if type(answers) is not list or not 1 <= len(answers) <= MAX_RULE_ANSWERS:
        given = f"{len(answers)} answers" if type(answers) is list else kind_of(answers)
        problems.add(path, f'{who}: show_if\'s "in" must list 1 to {MAX_RULE_ANSWERS} answers, not {given}.')
        return
    for answer in answers:
        problem = check(answer)
        if problem:
            problems.add(
                path,
                (
                    f"{who}: show_if compares with {show(answer)}, "
                    f"which is never an answer to {controller_words}. {problem}"
                ),
            )
            return


def compile_rule(rule, controller):
    """Build the test of a rule over the answers seen so far: True, False or None (unsure)."""
    source = rule["field"]
    targets = frozenset([rule["equals"]] if "equals" in rule else rule["in"])
    several = controller["type"] == "multiple_choice"

    def shown(seen):
        answer = seen.get(source)
        if answer is None:
            return False
        if answer is UNSURE:
            return None
        if several:
            return not targets.isdisjoint(answer)
        return answer in targets

    return shown


def answer_words(answer, controller):
    """Write one answer of a question as people read it."""
    if answer is True or answer is False:
        return "yes" if answer else "no"
    for choice in controller.get("choices", ()):
        if choice["value"] == answer:
            return show(choice["label"], 60)
    return show(answer)


def rule_words(rule, controller):
    """Put a rule into words: "'Anything to raise?' is yes"."""
    label = show(" ".join(controller["label"].split()), 60)
    verb = "includes" if controller["type"] == "multiple_choice" else "is"
    if "equals" in rule:
        return f"{label} {verb} {answer_words(rule['equals'], controller)}"
    answers = [answer_words(answer, controller) for answer in rule["in"]]
    if len(answers) == 1:
        return f"{label} {verb} {answers[0]}"
    listed = ", ".join(answers[:-1][:10])
    return f"{label} {verb} {listed} or {answers[-1]}"
