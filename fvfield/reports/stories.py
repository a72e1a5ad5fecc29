"""A team's change stories, read together, and the most significant change panel's choices.

The most significant change method collects stories of change, then a panel
chooses, for each domain, the story that matters most and says why; the
choice goes back to the storytellers. Here a round is the quarter a story
was recorded in (by the phone's day, as the dashboard counts), and a choice
is a row of story_selections per round and domain.

The storyteller's consent decides who reads a story:

- `named`: the storyteller's name is shown to coordinators and printed on the
  chosen stories they hand back;
- `anonymous`: the story is shared, the name never shown;
- `panel_only`: only coordinators (who run the panel) read it; it is never
  printed or shown to members and viewers. A story that says no consent
  (an older form) is treated so too.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import format_date, get_locale, gettext

from fvfield.extensions import db
from fvfield.models import StorySelection, utcnow
from fvfield.reports import numbers
from fvfield.reports.periods import Period

NAMED, ANONYMOUS, PANEL_ONLY = "named", "anonymous", "panel_only"
SHARED = (NAMED, ANONYMOUS)
# Every story the team has: rounds are few (a quarter each), stories per round a handful to hundreds.
EVER = Period("all", None, date(9999, 12, 31), "quarter")
MAX_REASONS = 4000


@dataclass(frozen=True)
class Story:
    """A change story as the stories page reads it."""

    id: str
    day: date
    round: str
    domain: str
    consent: str
    storyteller: str
    title: str
    what_changed: str
    why_it_matters: str
    who_involved: str
    change_date: str
    reference_period: str

    @property
    def shared(self):
        """Return whether the storyteller agreed to share the story beyond the panel."""
        return self.consent in SHARED

    @property
    def named(self):
        """Return the storyteller's name when they agreed to be named, else ""."""
        return self.storyteller if self.consent == NAMED else ""


def round_of(day):
    """Return the round a day's story belongs to: its quarter, "2026-Q4"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def round_words(key):
    """Write a round as people read it: Oct to Dec 2026."""
    try:
        year, quarter = int(key[:4]), int(key[-1])
    except (TypeError, ValueError):
        return str(key)
    first = date(year, 3 * quarter - 2, 1)
    last = date(year, 3 * quarter, 1)
    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{first:%b} to {last:%b %Y}"
    return gettext("%(first)s to %(last)s", first=format_date(first, "MMM"), last=format_date(last, "MMM y"))


def text_of(answers, name):
    """Return a text answer, stripped ("" when not a text)."""
    value = answers.get(name)
    return value.strip() if isinstance(value, str) else ""


def team_stories(team_id):
    """Return every live change story of the team, oldest first."""
    found = []
    for record in numbers.records_of(team_id, [numbers.STORY], EVER):
        if record.day is None:
            continue
        answers = record.answers
        consent = answers.get("storyteller_consent")
        found.append(
            Story(
                id=record.id,
                day=record.day,
                round=round_of(record.day),
                domain=answers.get("domain") if isinstance(answers.get("domain"), str) else "",
                consent=consent if consent in SHARED else PANEL_ONLY,
                storyteller=text_of(answers, "storyteller"),
                title=text_of(answers, "title"),
                what_changed=text_of(answers, "what_changed"),
                why_it_matters=text_of(answers, "why_it_matters"),
                who_involved=text_of(answers, "who_involved"),
                change_date=text_of(answers, "change_date"),
                reference_period=text_of(answers, "reference_period"),
            )
        )
    return found


def readable(stories, coordinator):
    """Return the stories this reader may read: coordinators every one, others the shared ones."""
    return [s for s in stories if coordinator or s.shared]


def domain_labels(team_id):
    """Return {value: label} of the story form's domains ("" for none given)."""
    labels = numbers.choice_labels(numbers.definitions_of(team_id, numbers.STORY), "domain")
    return {**labels, "": numbers.NOT_SAID}


def rounds_in(stories):
    """Return the rounds the stories belong to, newest first."""
    return sorted({s.round for s in stories}, reverse=True)


def domain_counts(stories):
    """Return a Counter of stories per domain."""
    return Counter(s.domain for s in stories)


def selections_of(team_id, round_key=None):
    """Return {(round, domain): StorySelection} of the team (of one round, when given)."""
    query = sa.select(StorySelection).where(StorySelection.team_id == team_id)
    if round_key:
        query = query.where(StorySelection.round == round_key)
    return {(s.round, s.domain): s for s in db.session.scalars(query)}


def chosen_ids(selections):
    """Return {record id: selection} of the stories chosen."""
    return {s.record_id: s for s in selections.values()}


class NotChoosable(ValueError):
    """The story cannot be chosen for that round and domain: it is not one of its stories."""


def choose(team, user, round_key, domain, record_id, reasons):
    """Record the panel's choice of a story for a round and domain, replacing an earlier one.

    Returns (selection, replaced record id or None). The caller holds the
    team's write lock, records the audit event and commits.
    """
    story = next(
        (
            s
            for s in team_stories(team.id)
            if s.id == record_id and s.round == round_key and s.domain == domain
        ),
        None,
    )
    if story is None:
        raise NotChoosable("That story is not one of this round's stories of this domain: reload the page.")
    selection = db.session.scalar(
        sa.select(StorySelection).where(
            StorySelection.team_id == team.id,
            StorySelection.round == round_key,
            StorySelection.domain == domain,
        )
    )
    replaced = None
    chosen_by = user.id
    if selection is None:
        selection = StorySelection(
            team_id=team.id, round=round_key, domain=domain, record_id=record_id, reasons=reasons
        )
        db.session.add(selection)
    elif selection.record_id != record_id:
        replaced = selection.record_id
    selection.record_id, selection.reasons = record_id, reasons
    selection.chosen_by, selection.chosen_at = chosen_by, utcnow()
    db.session.flush()
    return selection, replaced
