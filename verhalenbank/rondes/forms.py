from __future__ import annotations

from verhalenbank.core.forms import Formulier
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from verhalenbank.rondes.operations import SLUG_PATROON


class RondeForm(Formulier):
    slug = StringField(
        "Adres van het formulier (/r/…)",
        validators=[
            DataRequired("Vul een adres in."),
            Regexp(SLUG_PATROON, message="Gebruik alleen kleine letters, cijfers en '-'."),
            Length(max=100),
        ],
    )
    titel = StringField("Titel", validators=[DataRequired("Geef de ronde een titel."), Length(max=300)])
    vraag = TextAreaField(
        "De vraag aan inwoners", validators=[DataRequired("Vul de vraag in."), Length(max=500)]
    )
    beschrijving = TextAreaField("Toelichting (optioneel)", validators=[Optional(), Length(max=2000)])
    start_datum = DateField("Begindatum", validators=[Optional()])
    eind_datum = DateField("Einddatum", validators=[Optional()])
    wijken = TextAreaField("Wijken (één per regel)", validators=[Optional()])
    doelenbomen = SelectMultipleField("Doelenbomen", choices=[])
    is_open = BooleanField("Open: inwoners kunnen verhalen sturen")
    bewaartermijn_maanden = IntegerField(
        "Bewaartermijn in maanden (leeg: geen termijn)",
        validators=[Optional(), NumberRange(min=1, max=240, message="Kies 1 tot 240 maanden.")],
    )
    # Set when a new bewaartermijn would erase stories: the number the user confirms.
    bevestig_wissen = HiddenField()


class ZelfduidingForm(Formulier):
    """The one-tap questions residents answer about their own story (issue 4)."""

    gevoel_aan = BooleanField("Vraag naar het gevoel (vijf gezichtjes)")
    gevoel_vraag = StringField("Vraag", validators=[Optional(), Length(max=200)])
    onderwerp_aan = BooleanField("Vraag waar het verhaal over ging (de subdoelen van de ronde, plus 'Iets anders')")
    onderwerp_vraag = StringField("Vraag", validators=[Optional(), Length(max=200)])
    onderwerp_labels = TextAreaField(
        "Subdoelen in gewone woorden (één per regel: CODE = woorden)", validators=[Optional(), Length(max=4000)]
    )
    wie_aan = BooleanField("Vraag wie erbij waren")
    wie_vraag = StringField("Vraag", validators=[Optional(), Length(max=200)])
    wie_opties = TextAreaField("Antwoorden (één per regel)", validators=[Optional(), Length(max=2000)])
    extra_vraag = StringField("Eigen extra vraag (niet verplicht)", validators=[Optional(), Length(max=200)])
    extra_opties = TextAreaField("Antwoorden op de eigen vraag (één per regel)", validators=[Optional(), Length(max=2000)])
    extra_meer = BooleanField("Bij de eigen vraag mag men meer dan één antwoord kiezen")
