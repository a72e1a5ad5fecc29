"""XLSForm in and out (issue 14): real files read row by row, a per-row report, a round trip, the command and pages.

tests/xlsforms/ holds sample XLSForms of pyxform's own test suite (BSD
licence beside them): .xls and .xlsx, one language and several, groups,
repeats, calculations, cascading choices, old and new spellings.
"""

import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from pyxform.xls2xform import convert

from fvfield.extensions import begin_write, db
from fvfield.models import FormDraft, Team
from fvfield.questionnaires import load_template
from fvfield.questionnaires.built_in import TEMPLATE_IDS
from fvfield.questionnaires.definitions import validate_definition
from fvfield.questionnaires.structure import every_question
from fvfield.questionnaires.xlsform import NotAnXLSForm, read_workbook, to_definition, to_workbook
from fvfield.sync.forms import publish_form_version

FILES = Path(__file__).parent / "xlsforms"
SAMPLES = sorted(p for p in FILES.iterdir() if p.suffix in (".xls", ".xlsx"))
FORMS = Path(__file__).parent / "expression_forms.json"


def imported(name, form_id="sample", **options):
    path = FILES / name
    return to_definition(read_workbook(path.read_bytes(), path.name), form_id, **options)


def xlsx(survey, choices=(), settings=None):
    """Return the bytes of an XLSForm made of rows (the first row of each sheet is its header)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    if choices:
        sheet = book.create_sheet("choices")
        for row in choices:
            sheet.append(list(row))
    if settings:
        sheet = book.create_sheet("settings")
        sheet.append(list(settings))
        sheet.append(list(settings.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data, form_id="made", **options):
    return to_definition(read_workbook(data, "made.xlsx"), form_id, **options)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_sample_is_read_and_every_row_is_in_the_report(path):
    workbook = read_workbook(path.read_bytes(), path.name)
    result = to_definition(workbook, "sample")
    survey_rows = [row for row in workbook.survey if any(str(v or "").strip() for v in row.values())]
    reported = [row for row in result.rows if row.sheet == "survey" and row.number > 1]
    assert len(reported) == len(survey_rows)
    if result.definition["fields"]:
        assert validate_definition(result.definition) == {}
    for row in result.rows:
        if row.became == "nothing" or row.became.startswith("nothing ("):
            # A row that made nothing says why, unless it is metadata fvfield keeps itself.
            assert row.not_kept or "metadata" in row.became, row


def test_a_group_becomes_a_section_with_its_own_condition():
    rows = [
        ("type", "name", "label", "relevant"),
        ("select_one yn", "consent", "Do you agree?", ""),
        ("begin group", "about", "About you", "${consent} = 'yes'"),
        ("integer", "age", "Age", "${consent} != ''"),
        ("text", "town", "Town", ""),
        ("end group", "", "", ""),
    ]
    result = read(xlsx(rows, [("list_name", "name", "label"), ("yn", "yes", "Yes"), ("yn", "no", "No")]))
    about = result.definition["fields"][1]
    assert {k: v for k, v in about.items() if k != "fields"} == {
        "name": "about",
        "type": "section",
        "label": "About you",
        "relevant": "${consent} = 'yes'",
    }
    assert [(q["name"], q.get("relevant")) for q in about["fields"]] == [
        ("age", "${consent} != ''"),
        ("town", None),
    ]
    assert not any("no sections" in what for row in result.rows for what in row.not_kept)
    assert "survey row 3: section 'about' (its questions up to its end)" in result.lines()


def test_a_repeat_becomes_a_repeat_and_a_repeat_inside_it_is_reported():
    rows = [
        ("type", "name", "label", "repeat_count", "calculation"),
        ("begin repeat", "members", "Household member", "3", ""),
        ("text", "member_name", "Name", "", ""),
        ("begin group", "child", "Children", "", ""),
        ("integer", "age", "Age of ${member_name}", "", ""),
        ("end group", "", "", "", ""),
        ("begin repeat", "visits", "Visit", "${n}", ""),
        ("date", "day", "Day", "", ""),
        ("end repeat", "", "", "", ""),
        ("end repeat", "", "", "", ""),
        ("calculate", "people", "", "", "count(${members})"),
    ]
    result = read(xlsx(rows))
    members, people = result.definition["fields"]
    assert (members["type"], members["min_count"], members["max_count"]) == ("repeat", 3, 3)
    assert [q["name"] for q in members["fields"]] == ["member_name", "child"]
    assert members["fields"][1]["fields"][0]["label"] == "Age of ${member_name}"
    assert people["calculation"] == "count(${members})"
    report = "\n".join(result.lines())
    assert "the repeat 'visits' inside the repeat 'members': fvfield has no repeats inside repeats" in report
    assert "'day' is inside the repeat 'visits', which is inside another repeat" in report
    assert validate_definition(result.definition) == {}


def test_sections_and_repeats_round_trip_and_pyxform_makes_an_xform_of_them():
    definition = json.loads((Path(__file__).parent / "test_repeats_form.json").read_text())
    data = to_workbook(definition)
    back = read(data, definition["id"])
    assert back.definition == definition
    assert back.not_kept == 0
    xform = convert(io.BytesIO(data), file_type=".xlsx", form_name="data").xform
    assert 'nodeset="/data/members"' in xform and "<group" in xform


def test_choice_filters_other_languages_and_repeats_are_kept():
    rows = [
        ("type", "name", "label::English (en)", "label::Bengali (bn)", "hint::Bengali (bn)", "choice_filter"),
        ("select_one town", "town", "Town", "শহর", "", ""),
        ("select_one street or_other", "street", "Street", "রাস্তা", "", "town=${town}"),
        ("text", "note", "Note", "নোট", "ইঙ্গিত", ""),
        ("select_one street", "lost", "Lost", "", "", "region=${town}"),
        ("begin repeat", "stalls", "Stalls", "", "", ""),
        ("text", "stall", "Stall", "", "", ""),
        ("end repeat", "", "", "", "", ""),
    ]
    choices = [
        ("list_name", "name", "label::English (en)", "label::Bengali (bn)", "town", "image"),
        ("town", "hackney", "Hackney", "হ্যাকনি", "", ""),
        ("street", "ridley", "Ridley Road", "", "hackney", "ridley.jpg"),
    ]
    result = read(xlsx(rows, choices, {"default_language": "English (en)"}))
    report = "\n".join(result.lines())
    definition = result.definition
    assert validate_definition(definition) == {}
    assert definition["default_language"] == "en"
    town, street, note, lost, stalls = definition["fields"]
    assert town["translations"] == {"bn": {"label": "শহর", "choices": {"hackney": "হ্যাকনি"}}}
    assert street["choice_filter"] == "town=${town}" and street["or_other"] is True
    assert street["choices"] == [
        {"value": "ridley", "label": "Ridley Road", "columns": {"town": "hackney"}},
        {"value": "other", "label": "Other"},
    ]
    assert note["translations"] == {"bn": {"label": "নোট"}}
    assert "choice_filter" not in lost
    assert stalls["type"] == "repeat" and [f["name"] for f in stalls["fields"]] == ["stall"]
    for words in (
        "the choice filter 'region=${town}': no choice has a column 'region'",
        "the hint in bn: the question has none",
        "bengali (bn) as 'bn'",
        "column 'image'",
    ):
        assert words in report, words
    assert "cascading" not in report and "or_other" not in report and "one language" not in report


def test_a_language_without_a_code_is_reported():
    rows = [("type", "name", "label::English", "label::Our village words"), ("text", "a", "A", "Ah")]
    result = read(xlsx(rows, settings={"default_language": "English"}))
    assert result.definition["default_language"] == "en"
    assert "translations" not in result.definition["fields"][0]
    assert "the texts in our village words: no language code" in "\n".join(result.lines())


def test_translations_filters_and_other_come_back_the_same_and_pyxform_makes_an_xform():
    from tests.test_choice_lists import FORM as PLACES
    from tests.test_translations import FORM as WORDS

    places = json.loads(json.dumps(PLACES))
    places["default_language"] = "en"
    places["fields"][1]["translations"] = {"bn": {"label": "এলাকা", "choices": {"gulshan": "গুলশান"}}}
    for definition in (WORDS, places):
        data = to_workbook(definition)
        back = read(data, definition["id"])
        back.definition.pop("subject_kind")
        assert back.definition == definition
        assert back.not_kept == 0
        xform = convert(io.BytesIO(data), file_type=".xlsx", form_name="data").xform
        assert 'lang="Bangla (bn)"' in xform or 'lang="Bengali (bn)"' in xform
    assert "[(county =  /data/county ) or name = 'other']" in xform.replace("&apos;", "'")


def test_names_are_made_fvfield_names_and_expressions_follow_them():
    rows = [
        ("type", "name", "label", "relevant", "constraint", "constraint_message"),
        ("integer", "AgeYears", "Age of ${AgeYears}", "", ". < 130", "Too old"),
        ("text", "Older-Note", "Note", "${AgeYears} > 64", "", ""),
    ]
    result = read(xlsx(rows))
    first, second = result.definition["fields"]
    assert (first["name"], second["name"]) == ("ageyears", "older_note")
    assert second["relevant"] == "${ageyears} > 64"
    assert first["constraint_message"] == "Too old"
    assert first["label"] == "Age of ${ageyears}"


def test_an_expression_fvfield_cannot_read_is_reported_with_why():
    rows = [
        ("type", "name", "label", "relevant"),
        ("text", "a", "A", ""),
        ("text", "b", "B", "position(..) > 1"),
        ("text", "c", "C", "${nowhere} = 1"),
    ]
    result = read(xlsx(rows))
    assert "relevant" not in result.definition["fields"][1]
    report = "\n".join(result.lines())
    assert "the condition 'position(..) > 1'" in report
    assert "it names no question 'nowhere'" in report


def test_a_question_fvfield_refuses_is_taken_out_with_the_reason_and_the_rest_kept():
    rows = [("type", "name", "label", "default"), ("integer", "n", "N", "lots"), ("text", "t", "T", "")]
    result = read(xlsx(rows))
    assert [f["name"] for f in result.definition["fields"]] == ["t"]
    assert "the question 'n'" in "\n".join(result.lines())


def test_the_sample_with_two_languages_is_read_in_its_first_with_the_other_as_a_translation():
    result = imported("xlsform_spec_test.xlsx")
    fields = {f["name"]: f for f, _ in every_question(result.definition["fields"])}
    assert fields["my_name"]["label"] == "Enter your name"
    assert fields["address"]["translations"] == {"zh": {"label": "您好"}}
    assert result.definition["default_language"] == "en"
    assert "with translations: chinese as 'zh'" in "\n".join(result.lines())


@pytest.mark.parametrize("form_id", sorted(TEMPLATE_IDS))
def test_a_built_in_form_comes_back_the_same_and_pyxform_makes_an_xform_of_it(form_id):
    definition = load_template(form_id)
    data = to_workbook(definition)
    back = read(data, definition["id"], subject_kind=definition.get("subject_kind"))
    assert back.definition == definition
    assert back.not_kept == 0
    xform = convert(io.BytesIO(data), file_type=".xlsx", form_name="data").xform
    assert "<h:html" in xform and definition["fields"][0]["name"] in xform


def test_the_expression_forms_come_back_the_same():
    definition = json.loads(FORMS.read_text())["form"]
    back = read(to_workbook(definition), definition["id"], subject_kind=definition.get("subject_kind"))
    assert back.definition == definition


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"name,label\n", "form.csv", "is not a spreadsheet"),
        (b"this is not a spreadsheet", "form.xlsx", "could not be read as a spreadsheet"),
    ],
)
def test_a_file_that_is_not_an_xlsform_says_so(data, name, words):
    with pytest.raises(NotAnXLSForm, match=words):
        read_workbook(data, name)


def test_a_spreadsheet_without_a_survey_sheet_says_so():
    book = Workbook()
    book.active.title = "notes"
    book.active.append(["hello"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(NotAnXLSForm, match="no 'survey' sheet"):
        read_workbook(out.getvalue(), "notes.xlsx")


# The command and the pages.


@pytest.fixture
def home_visit(app, people):
    """Publish the built-in home visit in clapton-circle, as a new care circle has it."""
    with app.app_context():
        begin_write()
        team = db.session.scalar(sa.select(Team).where(Team.slug == "clapton-circle"))
        publish_form_version(team, load_template("home-visit"))
        db.session.commit()


def draft_definition(app, form_id, slug="clapton-circle"):
    with app.app_context():
        draft = db.session.scalar(sa.select(FormDraft).where(FormDraft.form_id == form_id))
        return draft.definition if draft else None


def test_import_form_command_makes_a_draft_and_prints_every_row(app, runner, people):
    answer = runner.invoke(args=["import-form", "clapton-circle", str(FILES / "widgets.xls")])
    assert answer.exit_code == 0, answer.output
    assert "survey row 2:" in answer.output and "not kept:" in answer.output
    assert "Made a draft of version 1" in answer.output
    definition = draft_definition(app, "widgets")
    assert definition["version"] == 1 and len(definition["fields"]) > 20


def test_import_form_command_refuses_in_one_line(app, runner, people, tmp_path):
    text = tmp_path / "form.txt"
    text.write_text("not a form")
    answer = runner.invoke(args=["import-form", "clapton-circle", str(text)])
    assert answer.exit_code == 1
    assert answer.output.strip().splitlines()[-1].startswith("Error: form.txt is not a spreadsheet")
    audio = tmp_path / "audio.xlsx"
    audio.write_bytes(xlsx([("type", "name", "label"), ("audio", "voice", "Say it")]))
    nothing = runner.invoke(args=["import-form", "clapton-circle", str(audio)])
    assert nothing.exit_code == 1
    assert "'voice' of type 'audio'" in nothing.output
    assert nothing.output.strip().splitlines()[-1].startswith("Error: None of the questions")


def test_import_of_a_team_form_makes_its_next_version_and_never_undoes_a_draft(
    app, runner, home_visit, tmp_path
):
    out = tmp_path / "home-visit.xlsx"
    assert runner.invoke(args=["export-form", "clapton-circle", "home-visit", str(out)]).exit_code == 0
    answer = runner.invoke(args=["import-form", "clapton-circle", str(out)])
    assert answer.exit_code == 0, answer.output
    definition = draft_definition(app, "home-visit")
    assert definition["version"] == 2
    assert definition["fields"] == load_template("home-visit")["fields"]
    assert definition["subject_kind"] == "person"
    again = runner.invoke(args=["import-form", "clapton-circle", str(out)])
    assert again.exit_code == 1 and "already has a draft" in again.output


def test_export_form_command_says_an_unknown_form_in_one_line(runner, people, tmp_path):
    answer = runner.invoke(args=["export-form", "clapton-circle", "no-such-form", str(tmp_path / "x.xlsx")])
    assert answer.exit_code == 1
    assert "Error: Clapton Circle has no published form 'no-such-form'." in answer.output


def upload(client, data, name, **fields):
    return client.post(
        "/teams/clapton-circle/forms/import",
        data={"xlsform": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def test_the_forms_page_brings_in_an_xlsform_and_shows_the_report(app, client, auth, people):
    auth.login()
    assert "Bring in an XLSForm" in client.get("/teams/clapton-circle/forms").get_data(as_text=True)
    answer = upload(client, (FILES / "cascading_select_test_equivalent.xls").read_bytes(), "cascade.xls")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200, page
    assert "survey row 2:" in page and "Open the draft" in page
    assert draft_definition(app, "cascading-select-test") is not None


def test_the_forms_page_refuses_a_file_that_is_not_an_xlsform_with_a_message(client, auth, people):
    auth.login()
    answer = upload(client, b"hello", "hello.txt")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "<title>Error:" in page and "hello.txt is not a spreadsheet" in page
    nothing = upload(client, xlsx([("type", "name", "label"), ("audio", "voice", "Say it")]), "audio.xlsx")
    assert nothing.status_code == 400
    assert "of type &#39;audio&#39;" in nothing.get_data(as_text=True)


@pytest.mark.parametrize("who", ["member", "viewer", "other"])
def test_only_the_team_s_coordinators_bring_in_or_download_forms(client, auth, people, home_visit, who):
    auth.login(people[who])
    answer = upload(client, to_workbook(load_template("home-visit")), "home.xlsx", form_id="copy")
    assert answer.status_code in (403, 404)
    download = client.get("/teams/clapton-circle/forms/home-visit/versions/1/xlsform")
    assert download.status_code in (403, 404)


def test_a_version_downloads_as_an_xlsform_that_reads_back_the_same(client, auth, home_visit):
    auth.login()
    assert "Download as an XLSForm" in client.get("/teams/clapton-circle/forms/home-visit/versions/1").text
    answer = client.get("/teams/clapton-circle/forms/home-visit/versions/1/xlsform")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="home-visit-v1.xlsx"'
    back = read(answer.data, "home-visit", subject_kind="person")
    assert back.definition == load_template("home-visit")
    assert client.get("/teams/clapton-circle/forms/home-visit/versions/9/xlsform").status_code == 404
