from __future__ import annotations

from verhalenbank.core.forms import Formulier, keuzes
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from verhalenbank.accounts.models import Rol


class InlogForm(Formulier):
    email = EmailField("E-mailadres", validators=[DataRequired("Vul uw e-mailadres in.")])
    wachtwoord = PasswordField("Wachtwoord", validators=[DataRequired("Vul uw wachtwoord in.")])


class GebruikerForm(Formulier):
    email = EmailField(
        "E-mailadres", validators=[DataRequired("Vul een e-mailadres in."), Email("Dit is geen geldig e-mailadres.")]
    )
    naam = StringField("Naam", validators=[Optional(), Length(max=200)])
    rol = SelectField("Rol", choices=keuzes((r.value, r.label) for r in Rol))
    organisatie = StringField(
        "Organisatie (voor aanbieders)", validators=[Optional(), Length(max=200)]
    )


class LegeForm(Formulier):
    """For POST-only buttons: carries the CSRF token."""


class WachtwoordWijzigenForm(Formulier):
    huidig = PasswordField("Huidig wachtwoord", validators=[DataRequired("Vul uw huidige wachtwoord in.")])
    nieuw = PasswordField(
        "Nieuw wachtwoord",
        validators=[
            DataRequired("Vul een nieuw wachtwoord in."),
            Length(min=12, message="Het nieuwe wachtwoord moet minstens 12 tekens lang zijn."),
        ],
    )
    herhaal = PasswordField(
        "Nieuw wachtwoord nog een keer",
        validators=[DataRequired("Vul het nieuwe wachtwoord nog een keer in."), EqualTo("nieuw", "De twee nieuwe wachtwoorden zijn niet gelijk.")],
    )


class ApiTokenForm(Formulier):
    naam = StringField(
        "Naam van het token",
        validators=[DataRequired("Geef het token een naam, bijvoorbeeld waar u het voor gebruikt."), Length(max=100)],
    )
    dagen = SelectField(
        "Geldig voor",
        choices=keuzes([("7", "1 week"), ("30", "30 dagen"), ("90", "90 dagen"), ("365", "1 jaar")]),
        default="90",
    )
    alleen_lezen = BooleanField("Alleen lezen (het token kan niets wijzigen of toevoegen)")
