"""Forms for uploading a transcript and (for the CSRF token) reviewing it."""

from __future__ import annotations

from verhalenbank.core.forms import Formulier
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class UploadForm(Formulier):
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
    # Defaults for whoever the transcript itself says nothing about; in the next step every
    # speaker and every story gets its own setting.
    toestemming = BooleanField(
        "Alle deelnemers gaven toestemming om hun verhaal op te slaan en te gebruiken",
        validators=[Optional()],
    )
    citeren = BooleanField("Alle deelnemers vinden het goed dat hun woorden letterlijk worden geciteerd")


class WisTranscriptForm(Formulier):
    reden = TextAreaField("Reden (optioneel)", validators=[Optional(), Length(max=1000)])
