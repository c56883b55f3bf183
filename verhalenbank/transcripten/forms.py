"""Forms for uploading a transcript and (for the CSRF token) reviewing it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class UploadForm(FlaskForm):
    bestand = FileField(
        "Transcript",
        validators=[FileRequired("Kies het bestand met het transcript.")],
        render_kw={"accept": ".txt,.docx,.pdf,.vtt,.srt"},
    )
    ronde = SelectField("Ronde", choices=[], validators=[Optional()])
    organisatie = SelectField("Aanbieder (organisatie)", choices=[], validators=[Optional()])
    activiteit = StringField("Activiteit", validators=[Optional(), Length(max=300)])
    datum = DateField("Datum van de sessie", validators=[Optional()])
    wijk = StringField("Plaats of wijk", validators=[Optional(), Length(max=200)])
    gespreksleider = StringField(
        "Naam van de gespreksleider(s)", validators=[Optional(), Length(max=300)]
    )
    toestemming = BooleanField(
        "Alle deelnemers hebben toestemming gegeven om hun verhaal op te slaan en te gebruiken",
        validators=[DataRequired("Zonder toestemming van de deelnemers kunnen we de verhalen niet opslaan.")],
    )
    citeren = BooleanField("De deelnemers vinden het goed dat hun woorden letterlijk worden geciteerd")


class WisTranscriptForm(FlaskForm):
    reden = TextAreaField("Reden (optioneel)", validators=[Optional(), Length(max=1000)])
