"""What the coordinator pages look a record up by, worked out when it is written.

A record's day is the date part of its recorded_at (the phone's own date),
unless the phone's clock was absurd: before 2000, or more than a day after
the server first received the record. Such a record is marked `odd_time`
and counts on the day the server received it, so that no clock set to 1970
or 9999 stretches a chart over centuries.
"""

from datetime import UTC, datetime, timedelta

from fvfield.questionnaires.structure import answer_fields
from fvfield.sync.jsontext import loads

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
AHEAD = timedelta(days=1)
CONCERN = "concern"


def day_of(recorded_at, received_at):
    """Return (day, odd_time) of a record recorded at `recorded_at`, first received at `received_at`."""
    try:
        moment = datetime.fromisoformat(str(recorded_at))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or not EARLIEST <= moment <= received_at + AHEAD:
        return received_at.astimezone(UTC).date().isoformat(), True
    return str(recorded_at)[:10], False


def answers_yes(state):
    """Return whether a live record's state answers "concern" true (whatever its form version asks)."""
    if state["collection"] != "records" or state.get("deleted"):
        return False
    data = state.get("data")
    if data is None:
        data = loads(state["data_json"])
    return isinstance(data, dict) and data.get(CONCERN) is True


def asks_concern(definition):
    """Return whether a form definition has the yes/no question "concern"."""
    return any(
        field.get("name") == CONCERN and field.get("type") == "boolean"
        for field in answer_fields(definition or {})
    )


def facets(state, received_at, asking):
    """Return (day, odd_time, concern) of a document's state: None, False, False for forms and subjects.

    `asking` is the set of (form, version) whose definition asks "concern":
    a record raises one when its own version asks it and it answers yes.
    """
    if state["collection"] != "records":
        return None, False, False
    day, odd = day_of(state.get("recorded_at"), received_at)
    concern = answers_yes(state) and (state.get("form"), state.get("form_version")) in asking
    return day, odd, concern
