"""The team's dashboard: a chart per report (fvfield/reports/numbers.py), drawn as SVG, its table beside it.

The additive reports read the kept day tallies (kept.py, tallies.py), the
others the period's records (numbers.py). Each chart's numbers are the same three times: the SVG drawn on the server
(reports/charts.py), the table on the page and the CSV file. Which charts a
team gets depends on its kind. The pages are reports/routes.py.
"""

from dataclasses import dataclass
from datetime import date

from fvfield.reports import charts, kept, numbers

# Pitch statuses in the colours the phone's badges use (static/css/field.css).
STATUS_COLOURS = {
    "Trading": "#1d6b35",
    "Vacant": "#4a5560",
    "Closed today": "#8a5300",
    "Casual trader": "#1f4f99",
}


def day_words(text):
    """Write a "YYYY-MM-DD" as people read it: 23 Nov 2026."""
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    return f"{day.day} {day:%b %Y}"


def bucket_words(key):
    """Write a bucket's key (periods.py) as people read it: 23 Nov 2026, Nov 2026, 2026 Q4."""
    key = str(key)
    if len(key) == 7:
        try:
            return f"{date.fromisoformat(key + '-01'):%b %Y}"
        except ValueError:
            return key
    return day_words(key)


def week_words(keys):
    """Name a week's row: Week of 23 Nov 2026 (counting by month or quarter: Nov 2026, 2026 Q4)."""
    return f"Week of {day_words(keys[0])}" if len(str(keys[0])) == 10 else bucket_words(keys[0])


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
    "Visits per person per week",
    "Home visits recorded each week, by the person visited. Weeks without a visit show 0.",
    kept.visits_per_person_per_week,
    "stacked",
    week_words,
)
TIME_SPENT = Chart(
    "time-spent",
    "Time spent with each person per week (hours)",
    "Hours from time in to time out of the home visits that have both, by the person visited.",
    kept.time_spent_per_week,
    "stacked",
    week_words,
)
TASKS = Chart(
    "tasks",
    "Tasks done and declined",
    "How many home visits had each task done, and how many had it declined.",
    kept.tasks_mix,
    "grouped",
)
CONCERNS = Chart(
    "concerns",
    "Concerns raised and resolved per week",
    "Records that answered yes to 'Anything to raise?', by the week they were recorded, and the concerns a "
    "coordinator marked resolved, by the week they were resolved.",
    numbers.concerns_per_week,
    "grouped",
    week_words,
)
WELLBEING = Chart(
    "wellbeing",
    "Wellbeing over time (ONS, 0 to 10)",
    "The average answer to each of the four ONS personal wellbeing questions, per month of wellbeing checks. "
    "Higher is better, except for anxiety.",
    kept.wellbeing_over_time,
    "lines",
    month_words,
    skip=("Checks",),
    low=0,
    high=10,
)
LONELINESS = Chart(
    "loneliness",
    "Loneliness over time (UCLA 3-item, 3 to 9)",
    "The average total of the three loneliness questions, per month of wellbeing checks that answered all "
    "three. Higher means lonelier.",
    kept.loneliness_over_time,
    "lines",
    month_words,
    skip=("Checks",),
    low=3,
    high=9,
)
STORIES = Chart(
    "stories",
    "Change stories per domain",
    "The most significant change stories, by what each change is mostly about.",
    kept.stories_per_domain,
    "stacked",
)
PITCHES = Chart(
    "pitches",
    "Pitches trading, vacant, closed or casual",
    "Per market and day of survey, the status of each pitch surveyed that day (its latest survey that day).",
    numbers.pitch_status_per_day,
    "stacked",
    market_day_words,
    keys=2,
    skip=("Pitches surveyed",),
    colours=STATUS_COLOURS,
)
GOODS = Chart(
    "goods",
    "What the pitches sell",
    "The goods of each pitch at its latest survey, by market.",
    numbers.goods_mix,
    "stacked",
)
PRICES = Chart(
    "prices",
    "Basket prices over time (median, £)",
    "The median price of each item of the shared basket on each day of survey, over all markets.",
    numbers.basket_prices,
    "lines",
    day_row_words,
)
FOOTFALL = Chart(
    "footfall",
    "Footfall per count",
    "People counted in each timed count, by direction; the table also gives the count's length and the "
    "people per hour.",
    numbers.footfall_per_interval,
    "stacked",
    count_words,
    keys=2,
    skip=("Minutes", "Total", "People per hour"),
)
FEEDBACK = Chart(
    "feedback",
    "Workshop feedback",
    "How many workshop feedback forms of the period gave each answer to the questions with answers to choose "
    "from: the rating, the yes or no questions and the choices.",
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
    """Say in words what a chart shows, for its <desc>."""
    if not table.rows:
        return f"{chart.about} Nothing has been recorded for it yet."
    shape = {
        "stacked": "Bars, one per row",
        "grouped": "Groups of bars, one group per row",
        "lines": "Lines over time",
    }[chart.style]
    names = ", ".join(name for name, _ in series)
    span = categories[0] if len(categories) == 1 else f"{categories[0]} to {categories[-1]}"
    return (
        f"{chart.about} {shape} ({len(categories)}: {span}), for {names}. "
        "The table beside the chart lists every number."
    )


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
