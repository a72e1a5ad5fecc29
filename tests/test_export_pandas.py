"""The CSV exports of each kind of team, read as an analyst reads them: pandas.read_csv with its defaults.

Phones keep their own clock's offset in recorded_at; recorded_at_utc is the
same moment in UTC, so it parses as UTC datetimes and sorts by time (as text
too) across phones in different offsets. The columns are those of
docs/exports.md.
"""

import io

import dashboard_data as data
import pandas
import pytest
from test_dashboards import login_as, push_all, seeded  # noqa: F401 (the fixture)

# The first columns of every form's CSV file (docs/exports.md), and after subject_label in a form about pitches.
FIRST = ["id", "form_version", "subject_id", "subject_label"]
MARKET = ["market_id", "market", "market_visit_id"]
REST = ["author_id", "author", "recorded_at", "recorded_at_utc", "updated_at", "rev", "has_conflict"]
# Three phones, three offsets: as text, recorded_at sorts these the wrong way round.
CLOCKS = ["2026-11-25T01:00:00-05:00", "2026-11-25T06:00:00+00:00", "2026-11-25T10:30:00+05:30"]
IN_UTC = ["2026-11-25T06:00:00.000Z", "2026-11-25T06:00:00.000Z", "2026-11-25T05:00:00.000Z"]
PARTICIPANT = "a0000000-0000-4000-8000-0000000000e1"


def read(client, slug, form):
    """Download a form's CSV file and read it with pandas' defaults."""
    answer = client.get(f"/teams/{slug}/export/{form}.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return pandas.read_csv(io.BytesIO(answer.data))


@pytest.fixture
def clocks(seeded, client, auth):  # noqa: F811
    """The seeded teams, with a record of each kind of team from three phones in three offsets."""
    login_as(auth, "coord")
    push_all(
        client,
        "clapton-circle",
        [data.wellbeing(data.ADA, when, (7, 7, 7, 2), (1, 1, 1)) for when in CLOCKS],
    )
    checks = [data.subject(PARTICIPANT, "participant", "Ada", group="Tuesday walkers")]
    checks += [data.wellbeing(PARTICIPANT, when, (7, 7, 7, 2)) for when in CLOCKS]
    push_all(client, "hackney-stories", checks)
    login_as(auth, "other")
    push_all(client, "ridley-market", [data.survey(data.P2, when, "vacant") for when in CLOCKS])
    return seeded


def check_columns_and_times(frame, about_pitches=False):
    """Check a form's frame: documented columns and types, and recorded_at_utc as UTC datetimes."""
    assert (
        list(frame.columns[: len(FIRST + REST) + 3 * about_pitches]) == FIRST + MARKET * about_pitches + REST
    )
    assert frame["id"].is_unique and frame["id"].map(type).eq(str).all()
    for column in ("form_version", "rev", "has_conflict"):
        assert frame[column].dtype == "int64", column
    assert set(frame["has_conflict"]) <= {0, 1}
    assert frame["author_id"].map(type).eq(str).all()
    utc = pandas.to_datetime(frame["recorded_at_utc"], utc=True, format="ISO8601")
    assert str(utc.dt.tz) == "UTC"
    # The phone's own time, offset and all, is the same moment.
    own = pandas.to_datetime(frame["recorded_at"], utc=True, format="ISO8601")
    assert (own == utc).all()
    # Sorting the text sorts by time.
    by_text = frame.sort_values("recorded_at_utc", kind="stable")["recorded_at_utc"]
    assert by_text.tolist() == frame.loc[utc.sort_values(kind="stable").index, "recorded_at_utc"].tolist()
    return utc


def test_a_care_circle_s_csv_opens_in_pandas_with_utc_times_in_order(clocks, client, auth):
    login_as(auth, "coord")
    frame = read(client, "clapton-circle", "wellbeing-check")
    utc = check_columns_and_times(frame)
    mine = frame[frame["recorded_at"].isin(CLOCKS)]
    assert mine.set_index("recorded_at").loc[CLOCKS, "recorded_at_utc"].tolist() == IN_UTC
    # In time order the phone at +05:30 comes first, though its own clock said the latest time.
    first = frame.loc[utc[mine.index].sort_values(kind="stable").index, "recorded_at"].tolist()
    assert first[0] == "2026-11-25T10:30:00+05:30"
    assert set(frame["subject_label"]) == {"Ada Brown", "Ben Okafor"}
    visits = read(client, "clapton-circle", "home-visit")
    check_columns_and_times(visits)
    # A multiple choice is a 0/1 column per choice; a yes or no is 1/0.
    assert {0, 1} >= set(visits["tasks_done__meal"].dropna())
    assert visits["concern"].dropna().isin([0, 1]).all()


def test_an_evaluation_s_csv_names_its_participants(clocks, client, auth):
    login_as(auth, "coord")
    frame = read(client, "hackney-stories", "wellbeing-check")
    check_columns_and_times(frame)
    assert frame["subject_id"].tolist() == [PARTICIPANT] * 3
    assert frame["subject_label"].tolist() == ["Ada"] * 3
    assert frame["life_satisfaction"].dtype == "int64"
    stories = read(client, "hackney-stories", "change-story")
    check_columns_and_times(stories)
    # A story about no one leaves its subject empty: pandas reads NaN.
    assert stories["subject_id"].isna().all()
    feedback = read(client, "hackney-stories", "workshop-feedback")
    check_columns_and_times(feedback)
    assert sorted(feedback["rating"].tolist()) == [4, 4, 5]


def test_a_market_survey_s_csv_names_each_pitch_s_market(clocks, client, auth):
    login_as(auth, "other")
    frame = read(client, "ridley-market", "pitch-survey")
    utc = check_columns_and_times(frame, about_pitches=True)
    assert set(frame["market"]) == {"Ridley Road Market", "Chatsworth Road"}
    # Pitch 1 and pitch A are told apart by their market, pitch ids unique with it.
    pitches = frame.drop_duplicates("subject_id").set_index("subject_id")
    assert (
        pitches.loc[data.Q1, "market"] == "Chatsworth Road"
        and pitches.loc[data.P1, "market_id"] == data.RIDLEY
    )
    # Prices are pounds, as numbers.
    assert frame["price_tomatoes_kg"].dtype == "float64"
    assert sorted(frame["price_tomatoes_kg"].dropna().tolist()) == [2.0, 2.4, 2.5, 3.0]
    mine = frame[frame["recorded_at"].isin(CLOCKS)]
    assert (
        frame.loc[utc[mine.index].sort_values(kind="stable").index, "recorded_at"].iloc[0].endswith("+05:30")
    )
    counts = read(client, "ridley-market", "footfall-count")
    check_columns_and_times(counts)
