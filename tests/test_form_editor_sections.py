"""The form editor with sections and repeats: add one, put questions in it, move them, publish; the
pure edits of questionnaires/editing.py that find a question wherever it is."""

from test_form_editor import DRAFT, draft_row, editing, page_text, publish, question_data, versions_of  # noqa: F401

from fvfield.questionnaires import editing as edits

NESTED = {
    "fields": [
        {"name": "a", "type": "text", "label": "A"},
        {
            "name": "s",
            "type": "section",
            "label": "S",
            "fields": [{"name": "b", "type": "text", "label": "B"}],
        },
        {
            "name": "r",
            "type": "repeat",
            "label": "R",
            "fields": [{"name": "c", "type": "text", "label": "C"}],
        },
    ]
}


def names(fields):
    return [(f["name"], names(f["fields"])) if "fields" in f else f["name"] for f in fields]


def test_pure_edits_find_a_question_inside_a_section_or_a_repeat():
    assert edits.index_of(NESTED, "c") == 4
    new = {"name": "d", "type": "text", "label": "D"}
    assert names(edits.insert_question(NESTED, new, "after:b")["fields"]) == [
        "a",
        ("s", ["b", "d"]),
        ("r", ["c"]),
    ]
    assert names(edits.insert_question(NESTED, new, "in:r")["fields"]) == [
        "a",
        ("s", ["b"]),
        ("r", ["c", "d"]),
    ]
    assert names(edits.move_into(NESTED, "a", "s")["fields"]) == [("s", ["b", "a"]), ("r", ["c"])]
    assert names(edits.move_into(NESTED, "c", None)["fields"]) == ["a", ("s", ["b"]), ("r", []), "c"]
    assert names(edits.move_into(NESTED, "s", "r")["fields"]) == ["a", ("r", ["c", ("s", ["b"])])]
    assert names(edits.move_question(NESTED, "s", 1)["fields"]) == ["a", ("r", ["c"]), ("s", ["b"])]
    # Removing a section keeps its questions, in its place; nothing else changed.
    assert names(edits.remove_question(NESTED, "s")["fields"]) == ["a", "b", ("r", ["c"])]
    renamed = edits.replace_question(NESTED, "b", {"name": "b2", "type": "text", "label": "B"})
    assert names(renamed["fields"]) == ["a", ("s", ["b2"]), ("r", ["c"])]
    assert names(NESTED["fields"]) == ["a", ("s", ["b"]), ("r", ["c"])]


def test_a_coordinator_adds_a_section_puts_questions_in_it_and_publishes(client, app, editing):  # noqa: F811
    rev, _ = draft_row(app)
    added = client.post(
        f"{DRAFT}/questions", data={"rev": str(rev), "label": "About the home", "kind": "section"}
    )
    assert added.status_code == 303
    rev, definition = draft_row(app)
    section = definition["fields"][-1]
    assert (section["type"], section["fields"]) == ("section", [])
    # An empty section is a problem of the draft, named on its card.
    assert "a section needs 'fields'" in page_text(client.get(DRAFT))
    # A new question straight into it, and an existing one moved into it.
    assert (
        client.post(
            f"{DRAFT}/questions",
            data={"rev": str(rev), "label": "Rooms", "kind": "integer", "position": f"in:{section['name']}"},
        ).status_code
        == 303
    )
    rev, definition = draft_row(app)
    first = definition["fields"][0]["name"]
    data = question_data(definition, first, rev=str(rev), within=section["name"])
    assert client.post(f"{DRAFT}/questions/{first}", data=data).status_code == 303
    _, definition = draft_row(app)
    inside = next(f for f in definition["fields"] if f["type"] == "section")
    assert [q["name"] for q in inside["fields"]] == ["rooms", first]
    text = page_text(client.get(DRAFT))
    assert "Section: About the home" in text and "In the section 'About the home'" in text
    page = client.get(f"{DRAFT}/questions/{section['name']}")
    assert page.status_code == 200 and "For a repeat" in page.get_data(as_text=True)
    assert publish(client, app).status_code == 303
    assert versions_of(app) == [1, 2]
