"""The form editor's translations page: every text side by side, a column per language, saved in the draft."""

from test_form_editor import FORMS, draft_row, login_as, page_text, start_draft

TRANSLATIONS = f"{FORMS}/visit/draft/translations"


def boxes(app, answers):
    """Return the page's POST data: the rev, the languages, the default and each box by (language, row)."""
    rev, _ = draft_row(app)
    data = {"rev": str(rev), "default_language": answers.pop("default", "en")}
    data["language"] = answers.pop("languages")
    data.update(answers)
    return data


def test_a_coordinator_translates_a_draft_side_by_side(client, app, auth, sync):
    sync.publish()
    login_as(auth, "coord")
    start_draft(client, app)
    page = client.get(f"{TRANSLATIONS}?add=bn")
    assert page.status_code == 200
    text = page_text(page)
    assert "বাংলা (bn)" in text and "Question 3 (mood): choice 'good'" in text
    # Rows: 0 the title, 1 time_in's label, 2 notes, 3 mood, 4 choice good, 5 choice low, 6 cups, 7 photo.
    data = boxes(app, {"languages": ["bn"], "t-0-0": "ভিজিট", "t-0-3": "মেজাজ", "t-0-4": "ভালো", "t-0-5": ""})
    response = client.post(TRANSLATIONS, data=data)
    assert response.status_code == 303 and "language=bn" in response.headers["Location"]
    _, definition = draft_row(app)
    assert definition["default_language"] == "en"
    assert definition["translations"] == {"bn": {"title": "ভিজিট"}}
    mood = next(f for f in definition["fields"] if f["name"] == "mood")
    assert mood["translations"] == {"bn": {"label": "মেজাজ", "choices": {"good": "ভালো"}}}
    assert "translations" not in definition["fields"][0]
    again = page_text(client.get(f"{TRANSLATIONS}"))
    assert "মেজাজ" in client.get(TRANSLATIONS).get_data(as_text=True) and "বাংলা (bn)" in again
    # Emptying a box takes its translation out; nothing else changes.
    client.post(
        TRANSLATIONS, data=boxes(app, {"languages": ["bn"], "t-0-0": "ভিজিট", "t-0-3": "", "t-0-4": "ভালো"})
    )
    mood = next(f for f in draft_row(app)[1]["fields"] if f["name"] == "mood")
    assert mood["translations"] == {"bn": {"choices": {"good": "ভালো"}}}


def test_a_wrong_language_code_is_refused_with_a_message(client, app, auth, sync):
    sync.publish()
    login_as(auth, "coord")
    start_draft(client, app)
    assert "is not a language code" in page_text(client.get(f"{TRANSLATIONS}?add=Bengali"))
    response = client.post(TRANSLATIONS, data=boxes(app, {"languages": [], "default": "English"}))
    assert response.status_code == 400 and "is not a language code" in page_text(response)
    stale = boxes(app, {"languages": ["bn"], "t-0-0": "ভিজিট"})
    stale["rev"] = "0"
    client.post(TRANSLATIONS, data=stale)
    assert "translations" not in draft_row(app)[1]


def test_only_the_team_s_coordinators_see_the_translations(client, app, auth, sync):
    sync.publish()
    login_as(auth, "coord")
    start_draft(client, app)
    for who, status in (("member", 403), ("other", 404)):
        login_as(auth, who)
        assert client.get(TRANSLATIONS).status_code == status
        assert client.post(TRANSLATIONS, data={"rev": "1"}).status_code == status


def test_saving_a_question_keeps_its_choices_columns_and_translations(client, app, auth, sync):
    from test_form_editor import save_question

    sync.publish()
    login_as(auth, "coord")
    start_draft(client, app)
    client.post(
        TRANSLATIONS, data=boxes(app, {"languages": ["bn"], "t-0-3": "মেজাজ", "t-0-4": "ভালো", "t-0-5": "খারাপ"})
    )
    with app.app_context():
        from fvfield.extensions import db
        from fvfield.models import FormDraft

        draft = db.session.query(FormDraft).one()
        definition = {**draft.definition, "fields": [dict(f) for f in draft.definition["fields"]]}
        mood = next(f for f in definition["fields"] if f["name"] == "mood")
        mood["choices"] = [{**c, "columns": {"tone": c["value"]}} for c in mood["choices"]]
        draft.definition = definition
        db.session.commit()
    response = save_question(client, app, "mood", **{"choices-1-remove": "y", "label": "Mood today"})
    assert response.status_code == 303
    mood = next(f for f in draft_row(app)[1]["fields"] if f["name"] == "mood")
    assert mood["choices"] == [{"value": "good", "label": "Good", "columns": {"tone": "good"}}]
    assert mood["translations"] == {"bn": {"label": "মেজাজ", "choices": {"good": "ভালো"}}}
