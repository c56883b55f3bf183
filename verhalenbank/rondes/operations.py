"""Ronde operations: create, update, open/close, look up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from verhalenbank.core.errors import NietGevonden, Ongeldig
from verhalenbank.doelenbomen.models import Doelenboom
from verhalenbank.extensions import db
from verhalenbank.rondes.models import STANDAARD_VRAAG, Ronde

SLUG_PATROON = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Paths under /r/ that belong to the public form itself, never to a ronde.
GERESERVEERDE_SLUGS = frozenset({"intrekken", "sw-js", "static", "nieuw"})


@dataclass
class RondeGegevens:
    slug: str
    titel: str
    vraag: str = STANDAARD_VRAAG
    beschrijving: str | None = None
    start_datum: date | None = None
    eind_datum: date | None = None
    is_open: bool = True
    wijken: list[str] = field(default_factory=list)
    doelenboom_codes: list[str] = field(default_factory=list)
    bewaartermijn_maanden: int | None = None


def get_ronde(slug: str) -> Ronde:
    ronde = find_ronde(slug)
    if ronde is None:
        raise NietGevonden(f"Er is geen ronde '{slug}'.")
    return ronde


def find_ronde(slug: str) -> Ronde | None:
    return db.session.scalar(select(Ronde).where(Ronde.slug == slug))


def list_rondes() -> list[Ronde]:
    return list(db.session.scalars(select(Ronde).order_by(Ronde.start_datum.desc().nulls_last(), Ronde.titel)))


def _resolve_doelenbomen(codes: list[str]) -> list[Doelenboom]:
    bomen = []
    for code in codes:
        boom = db.session.scalar(select(Doelenboom).where(Doelenboom.code == code))
        if boom is None:
            raise Ongeldig(f"Er is geen doelenboom met code '{code}'.", veld="doelenbomen")
        bomen.append(boom)
    return bomen


def _validate(gegevens: RondeGegevens) -> None:
    if not SLUG_PATROON.match(gegevens.slug or ""):
        raise Ongeldig(
            f"'{gegevens.slug}' kan geen adres zijn: gebruik kleine letters, cijfers en '-'.", veld="slug"
        )
    if gegevens.slug in GERESERVEERDE_SLUGS:
        raise Ongeldig(f"Het adres '{gegevens.slug}' is al in gebruik door Verhalenbank zelf. Kies een ander adres.", veld="slug")
    if not (gegevens.titel or "").strip():
        raise Ongeldig("Geef de ronde een titel.", veld="titel")
    if gegevens.start_datum and gegevens.eind_datum and gegevens.eind_datum < gegevens.start_datum:
        raise Ongeldig("De einddatum ligt vóór de begindatum.", veld="eind_datum")
    if gegevens.bewaartermijn_maanden is not None and gegevens.bewaartermijn_maanden < 1:
        raise Ongeldig("De bewaartermijn is minstens 1 maand.", veld="bewaartermijn_maanden")


def _clean_wijken(wijken: list[str]) -> list[str]:
    gezien: list[str] = []
    for wijk in wijken:
        wijk = wijk.strip()
        if wijk and wijk not in gezien:
            gezien.append(wijk)
    return gezien


def create_ronde(gegevens: RondeGegevens) -> Ronde:
    _validate(gegevens)
    if find_ronde(gegevens.slug) is not None:
        raise Ongeldig(f"Er is al een ronde met adres '{gegevens.slug}'.", veld="slug")
    ronde = Ronde(slug=gegevens.slug, titel=gegevens.titel.strip())
    _apply(ronde, gegevens)
    db.session.add(ronde)
    db.session.flush()
    return ronde


def update_ronde(ronde: Ronde, gegevens: RondeGegevens) -> Ronde:
    gegevens.slug = ronde.slug  # the public address is printed on posters: it never changes
    _validate(gegevens)
    _apply(ronde, gegevens)
    db.session.flush()
    return ronde


def _apply(ronde: Ronde, gegevens: RondeGegevens) -> None:
    ronde.titel = gegevens.titel.strip()
    ronde.vraag = (gegevens.vraag or "").strip() or STANDAARD_VRAAG
    ronde.beschrijving = gegevens.beschrijving
    ronde.start_datum, ronde.eind_datum = gegevens.start_datum, gegevens.eind_datum
    ronde.is_open = gegevens.is_open
    ronde.wijken = _clean_wijken(gegevens.wijken)
    ronde.bewaartermijn_maanden = gegevens.bewaartermijn_maanden
    ronde.doelenbomen = _resolve_doelenbomen(gegevens.doelenboom_codes)


def set_ronde_open(ronde: Ronde, is_open: bool) -> None:
    ronde.is_open = is_open
    db.session.flush()


def ensure_ronde_for_import(slug: str) -> tuple[Ronde, bool]:
    """A ronde named in an import file that doesn't exist yet: open, linked to every tree."""
    ronde = find_ronde(slug)
    if ronde is not None:
        return ronde, False
    if not SLUG_PATROON.match(slug) or slug in GERESERVEERDE_SLUGS:
        raise Ongeldig(f"'{slug}' is geen geldige ronde-code (kleine letters, cijfers en '-').", veld="ronde")
    ronde = Ronde(
        slug=slug,
        titel=slug.replace("-", " ").capitalize(),
        is_open=True,
        wijken=[],
        doelenbomen=list(db.session.scalars(select(Doelenboom))),
    )
    db.session.add(ronde)
    db.session.flush()
    return ronde, True
