"""The team's dashboard: a chart per report (fvfield/reports/numbers.py), drawn as SVG, its table beside it.

The additive reports read the kept day tallies (kept.py, tallies.py), the
others the period's records (numbers.py). Each chart's numbers are the same three times: the SVG drawn on the server
(reports/charts.py), the table on the page and the CSV file. Which charts a
team gets depends on its kind. The pages are reports/routes.py.
"""

from dataclasses import dataclass, replace
from datetime import date

from flask_babel import format_date, get_locale, gettext

from fvfield.reports import charts, kept, numbers
from fvfield.reports.numbers import Table


def N_(text):
    """Mark words for the catalogue where they are defined; in_words translates them where they are shown."""
    return text


# The words of the reports' tables: they stay English in the tables (suppression and the CSV files key on
# them) and are translated on the page, in the page's language (in_words).
TABLE_WORDS = (
    N_("Week starting"),
    N_("Month"),
    N_("Quarter"),
    N_("Day"),
    N_("Task"),
    N_("Done"),
    N_("Declined"),
    N_("Raised"),
    N_("Resolved"),
    N_("Life satisfaction"),
    N_("Worthwhile"),
    N_("Happy yesterday"),
    N_("Anxious yesterday"),
    N_("Checks"),
    N_("Loneliness (3 to 9)"),
    N_("Domain"),
    N_("Stories"),
    N_("Market"),
    N_("Pitches surveyed"),
    N_("What is sold"),
    N_("Count started"),
    N_("Minutes"),
    N_("Total"),
    N_("People per hour"),
    N_("Question"),
    N_("Answer"),
    N_("Answers"),
    N_("Yes"),
    N_("No"),
    N_("All people"),
    N_("Others"),
    N_("Not said"),
    N_("No person given"),
    N_("No market given"),
)

# Pitch statuses in the colours the phone's badges use (static/css/field.css).
STATUS_COLOURS = {
    "Trading": "#1d6b35",
    "Vacant": "#4a5560",
    "Closed today": "#8a5300",
    "Casual trader": "#1f4f99",
}


def english():
    """Return whether the words are English (no request: English), where dates keep their short English form."""
    locale = get_locale()
    return locale is None or locale.language == "en"


def day_words(text):
    """Write a "YYYY-MM-DD" as people read it: 23 Nov 2026 (in the page's language)."""
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    return f"{day.day} {day:%b %Y}" if english() else format_date(day, "d MMM y")


def bucket_words(key):
    """Write a bucket's key (periods.py) as people read it: 23 Nov 2026, Nov 2026, 2026 Q4."""
    key = str(key)
    if len(key) == 7:
        try:
            month = date.fromisoformat(key + "-01")
            return f"{month:%b %Y}" if english() else format_date(month, "MMM y")
        except ValueError:
            return key
    return day_words(key)


def week_words(keys):
    """Name a week's row: Week of 23 Nov 2026 (counting by month or quarter: Nov 2026, 2026 Q4)."""
    if len(str(keys[0])) == 10:
        return gettext("Week of %(day)s", day=day_words(keys[0]))
    return bucket_words(keys[0])


def day_row_words(keys):
    """Name a day's row: 12 Nov 2026."""
    return bucket_words(keys[0])


def month_words(keys):
    """Name a month's row: Nov 2026."""
    return bucket_words(keys[0])


def first_words(keys):
    """Name a row by its first column as it is."""
    return str(keys[0])


def market_day_words(keys):
    """Name a row of a market on a day: Ridley Road Market, 12 Nov 2026."""
    return f"{keys[0]}, {bucket_words(keys[1])}"


def answer_words(keys):
    """Name an answer's row: Overall, how was it?: 4 Good."""
    return f"{keys[0]}: {keys[1]}"


def count_words(keys):
    """Name a footfall count: Ridley Road Market, 12 Nov 2026 10:00."""
    day, _, time = str(keys[0]).partition(" ")
    return f"{keys[1]}, {day_words(day)} {time}".strip()


@dataclass(frozen=True)
class Chart:
    """How a report is drawn: its words, its style and which columns are its bars or lines."""

    slug: str
    title: str
    about: str
    report: object
    style: str
    names: object = first_words
    keys: int = 1
    skip: tuple = ()
    low: float | None = None
    high: float | None = None
    colours: dict | None = None


VISITS = Chart(
    "visits",
    N_("Visits per person per week"),
    N_("Home visits recorded each week, by the person visited. Weeks without a visit show 0."),
    kept.visits_per_person_per_week,
    "stacked",
    week_words,
)
TIME_SPENT = Chart(
    "time-spent",
    N_("Time spent with each person per week (hours)"),
    N_("Hours from time in to time out of the home visits that have both, by the person visited."),
    kept.time_spent_per_week,
    "stacked",
    week_words,
)
TASKS = Chart(
    "tasks",
    N_("Tasks done and declined"),
    N_("How many home visits had each task done, and how many had it declined."),
    kept.tasks_mix,
    "grouped",
)
CONCERNS = Chart(
    "concerns",
    N_("Concerns raised and resolved per week"),
    N_(
        "Records that answered yes to 'Anything to raise?', by the week they were recorded, and the concerns a "
        "coordinator marked resolved, by the week they were resolved."
    ),
    numbers.concerns_per_week,
    "grouped",
    week_words,
)
WELLBEING = Chart(
    "wellbeing",
    N_("Wellbeing over time (ONS, 0 to 10)"),
    N_(
        "The average answer to each of the four ONS personal wellbeing questions, per month of wellbeing checks. "
        "Higher is better, except for anxiety."
    ),
    kept.wellbeing_over_time,
    "lines",
    month_words,
    skip=("Checks",),
    low=0,
    high=10,
)
LONELINESS = Chart(
    "loneliness",
    N_("Loneliness over time (UCLA 3-item, 3 to 9)"),
    N_(
        "The average total of the three loneliness questions, per month of wellbeing checks that answered all "
        "three. Higher means lonelier."
    ),
    kept.loneliness_over_time,
    "lines",
    month_words,
    skip=("Checks",),
    low=3,
    high=9,
)
STORIES = Chart(
    "stories",
    N_("Change stories per domain"),
    N_("The most significant change stories, by what each change is mostly about."),
    kept.stories_per_domain,
    "stacked",
)
PITCHES = Chart(
    "pitches",
    N_("Pitches trading, vacant, closed or casual"),
    N_(
        "Per market and day of survey, the status of each pitch surveyed that day (its latest survey that day)."
    ),
    numbers.pitch_status_per_day,
    "stacked",
    market_day_words,
    keys=2,
    skip=("Pitches surveyed",),
    colours=STATUS_COLOURS,
)
GOODS = Chart(
    "goods",
    N_("What the pitches sell"),
    N_("The goods of each pitch at its latest survey, by market."),
    numbers.goods_mix,
    "stacked",
)
PRICES = Chart(
    "prices",
    N_("Basket prices over time (median, £)"),
    N_("The median price of each item of the shared basket on each day of survey, over all markets."),
    numbers.basket_prices,
    "lines",
    day_row_words,
)
FOOTFALL = Chart(
    "footfall",
    N_("Footfall per count"),
    N_(
        "People counted in each timed count, by direction; the table also gives the count's length and the "
        "people per hour."
    ),
    numbers.footfall_per_interval,
    "stacked",
    count_words,
    keys=2,
    skip=("Minutes", "Total", "People per hour"),
)
FEEDBACK = Chart(
    "feedback",
    N_("Workshop feedback"),
    N_(
        "How many workshop feedback forms of the period gave each answer to the questions with answers to choose "
        "from: the rating, the yes or no questions and the choices."
    ),
    numbers.feedback_answers,
    "stacked",
    answer_words,
    keys=2,
)
CHARTS = {
    "care-circle": (VISITS, TIME_SPENT, TASKS, CONCERNS, WELLBEING, LONELINESS),
    "market-survey": (PITCHES, GOODS, PRICES, FOOTFALL),
    "evaluation": (STORIES, FEEDBACK, WELLBEING, LONELINESS),
}


def charts_of(team):
    """Return the charts of the team's kind."""
    return CHARTS.get(team.kind, ())


def describe(chart, table, categories, series):
    """Say in words what a chart shows, for its <desc> (in the page's language)."""
    if not table.rows:
        return gettext("%(about)s Nothing has been recorded for it yet.", about=chart.about)
    shape = {
        "stacked": gettext("Bars, one per row"),
        "grouped": gettext("Groups of bars, one group per row"),
        "lines": gettext("Lines over time"),
    }[chart.style]
    names = ", ".join(name for name, _ in series)
    if len(categories) == 1:
        span = categories[0]
    else:
        span = gettext("%(first)s to %(last)s", first=categories[0], last=categories[-1])
    return gettext(
        "%(about)s %(shape)s (%(count)s: %(span)s), for %(names)s. The table beside the chart lists every number.",
        about=chart.about,
        shape=shape,
        count=len(categories),
        span=span,
        names=names,
    )


def in_words(chart, table):
    """Return a chart and its table in the page's language: its words, the table's headings and named rows.

    Numbers, suppressed cells (which say their own words) and the team's own
    words (its forms' labels, people's names) are left as they are, but for
    the few rows the reports name themselves (TABLE_WORDS: "Not said"...).
    """
    known = set(TABLE_WORDS)

    def said(value):
        return gettext(value) if isinstance(value, str) and value in known else value

    shown = replace(
        chart,
        title=gettext(chart.title),
        about=gettext(chart.about),
        skip=tuple(said(name) for name in chart.skip),
        colours={said(name): colour for name, colour in chart.colours.items()} if chart.colours else None,
    )
    rows = [[said(v) for v in row[: chart.keys]] + list(row[chart.keys :]) for row in table.rows]
    return shown, Table([said(name) for name in table.columns], rows)


def draw(chart, table):
    """Return the chart of a report's table as accessible SVG."""
    categories = [chart.names(row[: chart.keys]) for row in table.rows]
    drawn = [i for i in range(chart.keys, len(table.columns)) if table.columns[i] not in chart.skip]
    series = [(table.columns[i], [row[i] for row in table.rows]) for i in drawn]
    description = describe(chart, table, categories, series)
    if not table.rows:
        return charts.empty_chart(f"chart-{chart.slug}", chart.title, description)
    if chart.style == "lines":
        return charts.line_chart(
            f"chart-{chart.slug}",
            chart.title,
            description,
            categories,
            series,
            low=chart.low,
            high=chart.high,
        )
    colours = [(chart.colours or {}).get(name) for name, _ in series]
    return charts.bar_chart(
        f"chart-{chart.slug}",
        chart.title,
        description,
        categories,
        series,
        stacked=chart.style == "stacked",
        colours=colours,
    )
