"""A pitch survey names its market: pitch 1 is in every market, so "Pitch survey: 1" would not say which."""

import pytest
import team_data

from fvfield.questionnaires.built_in import load_template

pytestmark = pytest.mark.both_stores

RECORDS = "/teams/ridley-market/records"


@pytest.fixture
def surveys(app, people):
    """Two markets of ridley-market with a pitch '1' each, a survey of each; return {record id: market}."""
    with app.app_context():
        market = team_data.team("ridley-market")
        team_data.publish(market, load_template("pitch-survey"))
        ridley = team_data.subject("Ridley Road", {}, kind="market")
        chapel = team_data.subject("Chapel Market", {}, kind="market")
        pitches = [team_data.subject("1", {"market_id": m["id"]}, kind="pitch") for m in (ridley, chapel)]
        places = ("Ridley Road", "Chapel Market")
        records = [team_data.record("pitch-survey", 1, {"status": "closed_today"}, p["id"]) for p in pitches]
        team_data.push(market, "other@example.org", "coordinator", ridley, chapel, *pitches, *records)
        found = {record["id"]: place for record, place in zip(records, places, strict=True)}
        return found


def test_the_records_list_names_each_pitch_with_its_market(client, auth, surveys):
    auth.login("other@example.org")
    page = client.get(RECORDS).get_data(as_text=True)
    assert "Ridley Road, pitch 1" in page and "Chapel Market, pitch 1" in page


def test_a_pitch_surveys_page_names_its_market(client, auth, surveys):
    auth.login("other@example.org")
    for record_id, market in surveys.items():
        page = client.get(f"{RECORDS}/{record_id}").get_data(as_text=True)
        assert f"{market}, pitch 1" in page
