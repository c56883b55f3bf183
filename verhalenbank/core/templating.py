"""Template globals and filters: navigation by role, Dutch dates, labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import Flask, current_app, url_for
from flask_login import current_user

from verhalenbank.accounts.permissions import Recht, heeft_recht

MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    recht: Recht


# Shown in this order, each only to roles that have the right and only once its page exists.
NAVIGATIE = (
    NavItem("verhalen.lijst", "Verhalen", Recht.VERHALEN_LEZEN),
    NavItem("zoeken.zoek", "Zoeken", Recht.ZOEKEN),
    NavItem("zoeken.tellen", "Tellen", Recht.ZOEKEN),
    NavItem("nlp.beoordelen", "Beoordelen", Recht.TAGS_BEOORDELEN),
    NavItem("rondes.lijst", "Rondes", Recht.RONDES_BEHEREN),
    NavItem("doelenbomen.lijst", "Doelenbomen", Recht.VERHALEN_LEZEN),
    NavItem("transcripten.lijst", "Transcripten", Recht.TRANSCRIPTEN),
    NavItem("pakketten.lijst", "Pakketten", Recht.PAKKETTEN),  # short: the desk menu is one row
    NavItem("waarderen.lijst", "Waarderen", Recht.WAARDEREN),
    NavItem("accounts.gebruikers", "Gebruikers", Recht.GEBRUIKERS_BEHEREN),
    NavItem("accounts.logboek", "Logboek", Recht.AUDIT_BEKIJKEN),
    NavItem("accounts.taken", "Taken", Recht.TAKEN_BEHEREN),
)


def navigatie() -> list[tuple[str, str, str]]:
    items = []
    for item in NAVIGATIE:
        if item.endpoint in current_app.view_functions and heeft_recht(current_user, item.recht):
            items.append((item.endpoint, url_for(item.endpoint), item.label))
    return items


def datum_nl(value: date | datetime | None, met_tijd: bool = False) -> str:
    if value is None:
        return ""
    tekst = f"{value.day} {MAANDEN[value.month - 1]} {value.year}"
    if met_tijd and isinstance(value, datetime):
        tekst += f", {value:%H:%M}"
    return tekst


def init_app(app: Flask) -> None:
    from verhalenbank.core.scores import tag_in_woorden
    from verhalenbank.verhalen.models import BRON_LABELS

    app.jinja_env.globals.update(
        navigatie=navigatie,
        heeft_recht=lambda recht: heeft_recht(current_user, Recht(recht)),
        Recht=Recht,
    )
    app.jinja_env.filters["datum"] = datum_nl
    app.jinja_env.filters["bron_label"] = lambda bron: BRON_LABELS.get(bron, bron or "")
    app.jinja_env.filters["tag_woord"] = tag_in_woorden  # a score in words, never as a percentage
