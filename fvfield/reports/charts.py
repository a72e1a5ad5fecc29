"""Charts as accessible SVG, drawn on the server: no script, no library, no CDN.

A chart is an <svg role="img"> named by its <title> and described by its
<desc>; its numbers are written as text beside the bars or along the axes,
so it reads without colour. The colours have at least 3:1 contrast with
white (WCAG 1.4.11), stacked parts are split by white lines, and lines differ
by dash as well as colour. Only presentation attributes are used (no style
attributes), which the pages' Content Security Policy allows.
"""

import math

from markupsafe import Markup, escape

PALETTE = ("#1f5fa6", "#b3450f", "#1b7a4b", "#8e3b8f", "#7a6400", "#2b7f99", "#4d4d4d", "#b3264d")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
INK, MUTED, GRID = "#14211c", "#4a5a53", "#d5ddd9"
# Narrow enough that a phone shows the text at its size; pages scale it up to 480 px wide.
WIDTH = 360
FONT = 13.5
# An average character's width at FONT, to lay out legends and labels without a browser.
CHAR = FONT * 0.56
BAR = 18
GROUPED_BAR = 12
ROW_GAP = 10
PLOT_HEIGHT = 200
MAX_X_LABELS = 6


def number_text(value):
    """Write a number as a label: 12, 7.5, 0.25 (never 7.50 or 12.0)."""
    if value is None:
        return "–"
    if not isinstance(value, (int, float)):
        # Words in place of a number, such as "fewer than 5" (reports/suppression.py).
        return str(value)
    if isinstance(value, float):
        value = round(value, 2)
        if value.is_integer():
            value = int(value)
    return f"{value:,}" if abs(value) >= 10_000 else str(value)


def text_width(text):
    """Estimate how wide a text is drawn at FONT."""
    return len(str(text)) * CHAR


def dash_attribute(index):
    """Return the stroke-dasharray attribute of the line of the series at `index` ("" for solid)."""
    dash = DASHES[index % len(DASHES)]
    return f' stroke-dasharray="{dash}"' if dash else ""


def colour(index, colours=None):
    """Return the colour of the series at `index`, or the one named for it."""
    if colours and index < len(colours) and colours[index]:
        return colours[index]
    return PALETTE[index % len(PALETTE)]


def svg(ident, title, description, height, parts):
    """Wrap drawn parts in an accessible <svg> of the charts' width."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="{FONT}" fill="{INK}" '
        f'class="chart">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    )
    return Markup(head + "".join(parts) + "</svg>")


def legend(names, colours=None, dashed=False):
    """Draw a legend (a swatch or line sample and a name per series); return (parts, height)."""
    parts, x, y = [], 0.0, 0.0
    for index, name in enumerate(names):
        width = 18 + text_width(name) + 14
        if x and x + width > WIDTH:
            x, y = 0.0, y + FONT + 8
        fill = colour(index, colours)
        if dashed:
            parts.append(
                f'<line x1="{x:.1f}" y1="{y + 7:.1f}" x2="{x + 14:.1f}" y2="{y + 7:.1f}" stroke="{fill}" '
                f'stroke-width="3"{dash_attribute(index)}/>'
            )
        else:
            parts.append(f'<rect x="{x:.1f}" y="{y + 1:.1f}" width="12" height="12" fill="{fill}"/>')
        parts.append(f'<text x="{x + 18:.1f}" y="{y + 11.5:.1f}">{escape(name)}</text>')
        x += width
    return parts, (y + FONT + 14 if names else 0)


def bar_chart(ident, title, description, categories, series, stacked=True, colours=None):
    """Draw horizontal bars, a row per category (its label above), split or grouped by series.

    `series` is [(name, [value per category])]; None counts as 0.
    """
    names = [name for name, _ in series]
    parts, top = legend(names, colours) if len(series) > 1 else ([], 0)
    values = [[(v or 0) for v in numbers] for _, numbers in series]
    totals = [sum(column) for column in zip(*values)] if values else []
    # A bar with a part left out (a suppressed small number) has no total to write.
    partial = [any(numbers[row] is None for _, numbers in series) for row in range(len(categories))]
    largest = max(totals if stacked else [v for row in values for v in row] or [0], default=0) or 1
    end_room = text_width(number_text(largest)) + 8
    scale = (WIDTH - end_room - 2) / largest
    y = top
    for row, category in enumerate(categories):
        parts.append(f'<text x="0" y="{y + FONT:.1f}">{escape(category)}</text>')
        y += FONT + 4
        start = y
        if stacked:
            parts.extend(
                stacked_bar(
                    y,
                    [(names[i], values[i][row]) for i in range(len(series))],
                    None if partial[row] else totals[row],
                    scale,
                    category,
                    colours,
                )
            )
            y += BAR
        else:
            for index, name in enumerate(names):
                value = None if series[index][1][row] is None else values[index][row]
                parts.extend(single_bar(y, name, value, scale, category, colour(index, colours)))
                y += GROUPED_BAR + 2
        # The zero line, beside the bars only: a line past the labels would cross their first letters.
        parts.append(
            f'<line x1="0.5" y1="{start - 2:.1f}" x2="0.5" y2="{y + 2:.1f}" stroke="{MUTED}" stroke-width="1"/>'
        )
        y += ROW_GAP
    return svg(ident, title, description, y, parts)


def stacked_bar(y, parts_of_bar, total, scale, category, colours):
    """Draw one bar made of a part per series, its parts' numbers inside, its total (unless None) after it."""
    drawn, x = [], 1.0
    for index, (name, value) in enumerate(parts_of_bar):
        if not value:
            continue
        width = value * scale
        drawn.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{BAR}" fill="{colour(index, colours)}" '
            f'stroke="#ffffff" stroke-width="1"><title>{escape(category)}, {escape(name)}: '
            f"{number_text(value)}</title></rect>"
        )
        label = number_text(value)
        if len(parts_of_bar) > 1 and width >= text_width(label) + 6:
            drawn.append(
                f'<text x="{x + width / 2:.1f}" y="{y + BAR - 5:.1f}" text-anchor="middle" '
                f'fill="#ffffff">{label}</text>'
            )
        x += width
    if total is not None:
        drawn.append(
            f'<text x="{x + 4:.1f}" y="{y + BAR - 5:.1f}" font-weight="600">{number_text(total)}</text>'
        )
    return drawn


def single_bar(y, name, value, scale, category, fill):
    """Draw one thin bar of a group with its number after it; None (a number left out) draws a dash only."""
    if value is None:
        return [
            f'<text x="5" y="{y + GROUPED_BAR - 2:.1f}" font-size="{FONT - 1}">{number_text(None)}</text>'
        ]
    width = value * scale
    return [
        f'<rect x="1" y="{y:.1f}" width="{width:.1f}" height="{GROUPED_BAR}" fill="{fill}">'
        f"<title>{escape(category)}, {escape(name)}: {number_text(value)}</title></rect>",
        f'<text x="{width + 5:.1f}" y="{y + GROUPED_BAR - 2:.1f}" font-size="{FONT - 1}">{number_text(value)}</text>',
    ]


def nice_step(span, count):
    """Return a round step (1, 2 or 5 times a power of ten) that cuts `span` into about `count` parts."""
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= raw)


def axis_ticks(low, high, count=6):
    """Return round tick values covering low..high."""
    if high <= low:
        high = low + 1
    step = nice_step(high - low, count)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def line_chart(ident, title, description, categories, series, low=None, high=None):
    """Draw a line per series over the categories (in order along the bottom); None leaves a gap.

    `low` and `high` fix the vertical axis (such as 0 to 10 for a 0-10 scale).
    """
    names = [name for name, _ in series]
    parts, top = legend(names, dashed=True)
    numbers = [v for _, values in series for v in values if v is not None]
    low = min(numbers + [0]) if low is None else low
    high = max(numbers, default=1) if high is None else high
    ticks = axis_ticks(low, high)
    low, high = min(low, ticks[0]), max(high, ticks[-1])
    left = max(text_width(number_text(t)) for t in ticks) + 8
    plot_bottom = top + 6 + PLOT_HEIGHT
    span = WIDTH - left - 12

    def x_of(index):
        """Place a category along the bottom."""
        return left + 6 + (span * index / (len(categories) - 1) if len(categories) > 1 else span / 2)

    def y_of(value):
        """Place a value up the side."""
        return plot_bottom - (value - low) / (high - low) * PLOT_HEIGHT

    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{WIDTH:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6:.1f}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">{number_text(tick)}</text>'
        )
    room = max((text_width(c) for c in categories), default=0) + 12
    every = max(1, math.ceil(len(categories) / max(1, min(MAX_X_LABELS, int(span // room)))))
    for index in range(0, len(categories), every):
        parts.append(
            f'<text x="{x_of(index):.1f}" y="{plot_bottom + FONT + 6:.1f}" '
            f'text-anchor="{label_anchor(index, len(categories))}" fill="{MUTED}">'
            f"{escape(categories[index])}</text>"
        )
    for index, (name, values) in enumerate(series):
        parts.extend(line_of(index, name, values, categories, x_of, y_of))
    return svg(ident, title, description, plot_bottom + FONT + 12, parts)


def label_anchor(index, count):
    """Anchor a label along the bottom so that the first and last stay inside the chart."""
    if count > 1 and index == 0:
        return "start"
    if count > 1 and index == count - 1:
        return "end"
    return "middle"


def line_of(index, name, values, categories, x_of, y_of):
    """Draw one series: its runs of known values as lines, every value as a dot."""
    fill = colour(index)
    runs = [[]]
    for position, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((x_of(position), y_of(value)))
    parts = [
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" fill="none" stroke="{fill}" '
        f'stroke-width="2.5"{dash_attribute(index)}/>'
        for points in runs
        if len(points) > 1
    ]
    parts.extend(
        f'<circle cx="{x_of(position):.1f}" cy="{y_of(value):.1f}" r="3.5" fill="{fill}">'
        f"<title>{escape(categories[position])}, {escape(name)}: {number_text(value)}</title></circle>"
        for position, value in enumerate(values)
        if value is not None
    )
    return parts


def empty_chart(ident, title, description):
    """Draw the frame of a chart with nothing to show yet."""
    return svg(
        ident,
        title,
        description,
        40,
        [f'<text x="0" y="24" fill="{MUTED}">Nothing recorded for this chart yet.</text>'],
    )


def svg_file(chart):
    """Return a chart as a standalone SVG file's text."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(chart) + "\n"
