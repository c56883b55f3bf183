"""The home page's work list: what this user can do next, counted over what they may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import func, select

from verhalenbank.accounts.models import Gebruiker
from verhalenbank.accounts.permissions import Recht, heeft_recht
from verhalenbank.extensions import db

SLUIT_BINNEN_DAGEN = 14


@dataclass(frozen=True)
class Taak:
    """One line of work: a count, what it means, and where to do it."""

    sleutel: str
    aantal: int
    tekst: str
    href: str


@dataclass
class Werkvoorraad:
    verhalen: int
    tellen_over: str  # "alle organisaties" or the aanbieder's own organisation
    taken: list[Taak] = field(default_factory=list)


def _verhalen_zichtbaar(gebruiker: Gebruiker) -> int:
    from verhalenbank.verhalen.operations import zichtbare_verhalen

    return db.session.scalar(select(func.count()).select_from(zichtbare_verhalen(gebruiker).subquery()))


def _labels_te_beoordelen() -> int:
    from verhalenbank.verhalen.models import Tag, TagMethode, Verhaal, VerhaalStatus

    return db.session.scalar(
        select(func.count(Tag.id))
        .join(Verhaal, Tag.verhaal_id == Verhaal.id)
        .where(Tag.methode == TagMethode.AUTO, Tag.bevestigd == False, Tag.afgewezen == False)  # noqa: E712
        .where(Verhaal.status == VerhaalStatus.ACTIEF, Verhaal.tekst_publiek.is_not(None))
    )


def _transcripten_wachtend(gebruiker: Gebruiker) -> int:
    from verhalenbank.transcripten.models import Transcript, TranscriptStatus
    from verhalenbank.transcripten.operations import transcripten_query_voor

    query = transcripten_query_voor(gebruiker).where(
        Transcript.status.in_((TranscriptStatus.TE_BEOORDELEN, TranscriptStatus.VERWERKEN))
    )
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _rondes_sluiten_binnenkort(vandaag: date) -> int:
    from verhalenbank.rondes.models import Ronde

    return db.session.scalar(
        select(func.count(Ronde.id)).where(
            Ronde.is_open == True,  # noqa: E712
            Ronde.eind_datum.is_not(None),
            Ronde.eind_datum >= vandaag,
            Ronde.eind_datum <= vandaag + timedelta(days=SLUIT_BINNEN_DAGEN),
        )
    )


def _pakketten() -> int:
    from verhalenbank.pakketten.models import Pakket

    return db.session.scalar(select(func.count(Pakket.id)))


def _te_wissen() -> int:
    from verhalenbank.rondes.operations import opschonen

    return opschonen(dry_run=True).totaal  # what the daily opschonen would erase now (wachttijd kept)


def werkvoorraad(gebruiker: Gebruiker, vandaag: date | None = None) -> Werkvoorraad:
    """Counters and tasks for the home page; every count covers only what this user may open."""
    vandaag = vandaag or date.today()
    organisatie = gebruiker.organisatie.naam if gebruiker.organisatie_id and gebruiker.organisatie else None
    eigen = gebruiker.rol == "aanbieder"
    voorraad = Werkvoorraad(
        verhalen=_verhalen_zichtbaar(gebruiker),
        tellen_over=(organisatie or "uw organisatie") if eigen else "alle organisaties",
    )
    taken = voorraad.taken
    if heeft_recht(gebruiker, Recht.TRANSCRIPTEN):
        aantal = _transcripten_wachtend(gebruiker)
        taken.append(Taak("transcripten", aantal, "transcripten wachten op controle", url_for("transcripten.lijst")))
    if heeft_recht(gebruiker, Recht.TAGS_BEOORDELEN):
        taken.append(Taak("labels", _labels_te_beoordelen(), "voorgestelde labels om te beoordelen", url_for("nlp.beoordelen")))
    if heeft_recht(gebruiker, Recht.RONDES_BEHEREN):
        taken.append(Taak(
            "rondes", _rondes_sluiten_binnenkort(vandaag),
            f"rondes sluiten binnen {SLUIT_BINNEN_DAGEN} dagen", url_for("rondes.lijst"),
        ))
    if heeft_recht(gebruiker, Recht.PAKKETTEN):
        taken.append(Taak("pakketten", _pakketten(), "feedbackpakketten klaar om te printen", url_for("pakketten.lijst")))
    if heeft_recht(gebruiker, Recht.VERWIJDEREN):
        taken.append(Taak(
            "wissen", _te_wissen(), "verhalen over hun bewaartermijn: wissen met ‘verhalenbank opschonen’",
            url_for("rondes.lijst"),
        ))
    return voorraad
