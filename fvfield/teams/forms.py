"""Page forms for the coordinators' pages: one per action.

Not to be confused with the team's questionnaires (fvfield/questionnaires), which
the phones fill in.
"""

import math

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from fvfield.accounts import SLUG
from fvfield.models import TEAM_KINDS
from fvfield.sync.checks import MAX_REASON

MAX_LABEL = 200
MAX_TEXT = 4000
UNIT_TYPES = (
    ("stall", lazy_gettext("Stall")),
    ("kiosk", lazy_gettext("Kiosk")),
    ("shop", lazy_gettext("Shop")),
)
# A role as a person reads it (the role's name stays English in the data).
ROLE_WORDS = {
    "coordinator": lazy_gettext("Coordinator"),
    "member": lazy_gettext("Member"),
    "viewer": lazy_gettext("Viewer"),
}
KIND_WORDS = {
    "care-circle": lazy_gettext("Care circle"),
    "market-survey": lazy_gettext("Market survey"),
    "evaluation": lazy_gettext("Evaluation"),
}


def trimmed(value):
    """Return text without the spaces around it (other values as they are)."""
    return value.strip() if isinstance(value, str) else value


def options(pairs):
    """Return (value, label) pairs as the choices of a select or radio field."""
    return [SelectChoice(value, label) for value, label in pairs]


class NewTeamForm(FlaskForm):
    """Create a team of a kind, with its built-in forms."""

    name = StringField(
        lazy_gettext("Team name"),
        filters=[trimmed],
        validators=[DataRequired(lazy_gettext("Give the team a name.")), Length(max=120)],
    )
    slug = StringField(
        lazy_gettext("Web address"),
        validators=[
            InputRequired(lazy_gettext("Choose the team's web address.")),
            Length(max=64, message=lazy_gettext("Keep the address to 64 characters.")),
            Regexp(
                SLUG,
                message=lazy_gettext("Use lower-case letters, digits and dashes, such as clapton-circle."),
            ),
        ],
        filters=[lambda value: value.strip().lower() if isinstance(value, str) else value],
    )
    kind = RadioField(
        lazy_gettext("Kind of team"),
        choices=options((kind, KIND_WORDS[kind]) for kind in TEAM_KINDS),
        validators=[InputRequired(lazy_gettext("Choose what kind of team it is."))],
    )


class EditForm(FlaskForm):
    """What every subject form carries: the rev the coordinator saw."""

    base_rev = IntegerField(widget=HiddenInput(), validators=[Optional()], default=0)


class PersonForm(EditForm):
    """A person a care circle supports, and their profile as carers read it."""

    label = StringField(
        lazy_gettext("Name"),
        filters=[trimmed],
        validators=[DataRequired(lazy_gettext("Write the person's name.")), Length(max=MAX_LABEL)],
    )
    important = TextAreaField(lazy_gettext("What's important to them"), validators=[Length(max=MAX_TEXT)])
    essentials = TextAreaField(lazy_gettext("Essentials"), validators=[Length(max=MAX_TEXT)])
    contacts = TextAreaField(lazy_gettext("Key contacts"), validators=[Length(max=MAX_TEXT)])

    data_keys = ("important", "essentials", "contacts")


class ParticipantForm(EditForm):
    """A participant of an evaluation: a name or pseudonym and their group, no care details."""

    label = StringField(
        lazy_gettext("Name or pseudonym"),
        filters=[trimmed],
        validators=[
            DataRequired(lazy_gettext("Write the participant's name or a pseudonym.")),
            Length(max=MAX_LABEL),
        ],
    )
    group = StringField(lazy_gettext("Group"), validators=[Length(max=MAX_LABEL)])

    data_keys = ("group",)


class MarketForm(EditForm):
    """A market the team surveys."""

    label = StringField(
        lazy_gettext("Name"),
        filters=[trimmed],
        validators=[DataRequired(lazy_gettext("Write the market's name.")), Length(max=MAX_LABEL)],
    )
    address = StringField(lazy_gettext("Address or area"), validators=[Length(max=MAX_LABEL)])
    notes = TextAreaField(lazy_gettext("Notes"), validators=[Length(max=MAX_TEXT)])

    data_keys = ("address", "notes")


class PitchForm(EditForm):
    """A pitch of a market: its reference, unit type and, if known, its position."""

    label = StringField(
        lazy_gettext("Reference"),
        filters=[trimmed],
        validators=[
            DataRequired(lazy_gettext("Write the pitch's reference, such as 14B.")),
            Length(max=MAX_LABEL),
        ],
    )
    unit_type = RadioField(
        lazy_gettext("Type of unit"),
        choices=options(UNIT_TYPES),
        validators=[InputRequired(lazy_gettext("Choose stall, kiosk or shop."))],
    )
    lat = StringField(lazy_gettext("Latitude"), render_kw={"inputmode": "decimal"}, filters=[trimmed])
    lon = StringField(lazy_gettext("Longitude"), render_kw={"inputmode": "decimal"}, filters=[trimmed])

    data_keys = ("unit_type",)

    def validate_lat(self, field):
        """Check a latitude: a number from -90 to 90."""
        coordinate(field.data, 90)

    def validate_lon(self, field):
        """Check a longitude: a number from -180 to 180, given with a latitude."""
        coordinate(field.data, 180)
        if bool(self.lat.data) != bool(field.data):
            raise ValidationError(gettext("Give both the latitude and the longitude, or neither."))

    def position(self):
        """Return the position entered, {"lat", "lon"}, or None (call after validating)."""
        if not self.lat.data:
            return None
        return {"lat": coordinate(self.lat.data, 90), "lon": coordinate(self.lon.data, 180)}


def coordinate(text, limit):
    """Return a coordinate read from text, or raise ValidationError saying what is wrong."""
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise ValidationError(
            gettext("Enter a number from -%(limit)s to %(limit)s, such as 51.5423.", limit=limit)
        ) from None
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise ValidationError(gettext("Enter a number from -%(limit)s to %(limit)s.", limit=limit))
    return number


class LabelForm(EditForm):
    """Any other kind of subject: its name only (its other details are kept as they are)."""

    label = StringField(
        lazy_gettext("Name"),
        filters=[trimmed],
        validators=[DataRequired(lazy_gettext("Write a name.")), Length(max=MAX_LABEL)],
    )

    data_keys = ()


class ButtonForm(FlaskForm):
    """A button that acts on a subject as the coordinator saw it (archive, restore)."""

    base_rev = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class PitchFileForm(FlaskForm):
    """Upload a CSV file of pitches to preview."""

    pitches = FileField(
        lazy_gettext("CSV file of pitches"),
        validators=[FileRequired(lazy_gettext("Choose a CSV file."))],
        render_kw={"accept": ".csv,text/csv"},
    )


class ConfirmImportForm(FlaskForm):
    """Import the rows a preview showed, carried signed between the two pages."""

    rows = HiddenField(validators=[InputRequired()])


class DeleteRecordForm(FlaskForm):
    """Delete a record as the coordinator saw it, saying why (kept in the audit log)."""

    base_rev = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    reason = TextAreaField(
        lazy_gettext("Why delete it"),
        validators=[DataRequired(lazy_gettext("Say why, for the team's record.")), Length(max=MAX_REASON)],
        filters=[trimmed],
    )


class CorrectRecordForm(FlaskForm):
    """Correct a record's answers on the rev the page was loaded on, saying why (kept in its history)."""

    base_rev = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    # The answers as JSON, filled in by the phone's own form (static/js/record-edit.js).
    answers = HiddenField(
        validators=[InputRequired(lazy_gettext("The answers did not arrive: reload the page."))]
    )
    reason = TextAreaField(
        lazy_gettext("Why correct it"),
        validators=[DataRequired(lazy_gettext("Say why, for the team's record.")), Length(max=MAX_REASON)],
        filters=[trimmed],
    )


class ConcernForm(FlaskForm):
    """Mark a concern resolved, saying what was done."""

    note = TextAreaField(
        lazy_gettext("What was done"),
        validators=[
            DataRequired(lazy_gettext("Say what was done, for the team's record.")),
            Length(max=MAX_TEXT),
        ],
        filters=[trimmed],
    )


class RecordFilterForm(Form):
    """The records browser's filters, read from the query string."""

    form = SelectField(lazy_gettext("Form"), choices=[], default="")
    subject = SelectField(lazy_gettext("About"), choices=[], default="")
    author = SelectField(lazy_gettext("Recorded by"), choices=[], default="")
    start = DateField(lazy_gettext("From"), validators=[Optional()])
    end = DateField(lazy_gettext("To"), validators=[Optional()])
    flag = SelectField(
        lazy_gettext("Only"),
        choices=options(
            [
                ("", lazy_gettext("Every record")),
                ("concern", lazy_gettext("Raising a concern")),
                ("conflict", lazy_gettext("With a conflict")),
                ("odd-time", lazy_gettext("With an odd phone clock")),
            ]
        ),
        default="",
    )
    deleted = BooleanField(lazy_gettext("Include deleted records"))


def conflict_choice_form(fields, seen_rev, seen):
    """Return a form with a radio per differing field, `fields` being [(choices, default)]."""

    class ConflictChoiceForm(FlaskForm):
        rev = IntegerField(widget=HiddenInput(), validators=[InputRequired()], default=seen_rev)
        seen_changes = HiddenField(default=",".join(seen))

    for number, (choices, default) in enumerate(fields):
        setattr(
            ConflictChoiceForm,
            f"field_{number}",
            RadioField(
                lazy_gettext("Field %(number)s", number=number + 1),
                choices=options(choices),
                default=default,
                validators=[InputRequired(lazy_gettext("Choose one of the versions."))],
            ),
        )
    return ConflictChoiceForm
