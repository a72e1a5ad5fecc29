"""Reading a CSV file of a market's pitches: one row per pitch, each checked, with its errors.

Columns: reference, unit_type, lat, lon (lat and lon may be left out). A
row with errors is shown with them and left out of the import; the rest can
be imported as they are.
"""

import csv
import io
import math
from dataclasses import dataclass, field

UNIT_TYPES = ("stall", "kiosk", "shop")
COLUMNS = ("reference", "unit_type", "lat", "lon")
NEEDED = ("reference", "unit_type")
MAX_BYTES = 256 * 1024
MAX_ROWS = 500
MAX_REFERENCE = 200


class ImportRefused(Exception):
    """A file that cannot be read as a list of pitches; the message says what to fix."""


@dataclass
class PitchRow:
    """One row of the file: its line, what it says, and what is wrong with it."""

    line: int
    reference: str
    unit_type: str
    lat: float | None
    lon: float | None
    raw: dict
    errors: list = field(default_factory=list)

    def values(self):
        """Return the row as a list [reference, unit_type, lat, lon] (for carrying it to the import)."""
        return [self.reference, self.unit_type, self.lat, self.lon]


def reference_key(reference):
    """Return a reference as compared for duplicates: trimmed, spaces squeezed, case ignored."""
    return " ".join(reference.split()).casefold()


def decode(raw):
    """Return the file's text, or refuse a file that is not UTF-8 (or too large)."""
    if len(raw) > MAX_BYTES:
        raise ImportRefused(f"This file is larger than {MAX_BYTES // 1024} KB: split it into smaller files.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            'This file is not UTF-8 text. In your spreadsheet, save it as "CSV UTF-8" and upload that.'
        ) from None


def read_pitches(raw, taken):
    """Return the PitchRows of a CSV file; `taken` are the market's references already in use.

    Raises ImportRefused when the file cannot be read at all.
    """
    reader = csv.reader(io.StringIO(decode(raw), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused("This file is empty: it needs a header row, then one row per pitch.") from None
    except csv.Error as error:
        raise ImportRefused(f"This file cannot be read as CSV: {error}.") from None
    names = [name.strip().lower().replace(" ", "_") for name in header]
    missing = [name for name in NEEDED if name not in names]
    if missing:
        raise ImportRefused(
            f"The first row must name the columns {', '.join(COLUMNS)}; "
            f"this file has no {' or '.join(missing)} column."
        )
    rows, seen = [], {reference_key(reference): None for reference in taken}
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise ImportRefused(
                    f"This file has more than {MAX_ROWS} pitches: split it into smaller files."
                )
            raw_row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(names)}
            rows.append(check_row(reader.line_num, raw_row, seen))
    except csv.Error as error:
        raise ImportRefused(f"Line {reader.line_num} cannot be read as CSV: {error}.") from None
    if not rows:
        raise ImportRefused("This file has a header row but no pitches under it.")
    return rows


def check_row(line, raw, seen):
    """Return a row as a PitchRow with its errors; `seen` maps references to the line that used them."""
    reference = " ".join(raw.get("reference", "").split())
    unit_type = raw.get("unit_type", "").lower()
    row = PitchRow(line, reference, unit_type, None, None, raw)
    if not reference:
        row.errors.append("No reference: write the pitch's number or name.")
    elif len(reference) > MAX_REFERENCE:
        row.errors.append(f"The reference is longer than {MAX_REFERENCE} characters.")
    else:
        key = reference_key(reference)
        if key in seen:
            earlier = seen[key]
            row.errors.append(
                f"Pitch {reference} is already in this market."
                if earlier is None
                else f"Pitch {reference} is also on line {earlier}."
            )
        else:
            seen[key] = line
    if unit_type not in UNIT_TYPES:
        row.errors.append(
            f'The unit type must be stall, kiosk or shop, not "{raw.get("unit_type", "")}".'
            if unit_type
            else "No unit type: write stall, kiosk or shop."
        )
    row.lat = coordinate(row, raw.get("lat", ""), "latitude", 90)
    row.lon = coordinate(row, raw.get("lon", ""), "longitude", 180)
    if bool(raw.get("lat")) != bool(raw.get("lon")):
        row.errors.append("Give both lat and lon, or neither.")
    return row


def coordinate(row, text, name, limit):
    """Return a coordinate of a row, adding an error when it is not a number within its range."""
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        row.errors.append(f'The {name} "{text}" is not a number.')
        return None
    if not -limit <= number <= limit:
        row.errors.append(f"The {name} {text} is out of range: it must be from -{limit} to {limit}.")
        return None
    return number
