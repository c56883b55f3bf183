"""Over time: a doelenboom's rondes side by side (e.g. voorjaar 2026 against voorjaar 2027).

Per subdoel the confirmed counts per ronde, their share of the ronde's stories, what changed,
and stories of the latest ronde that show it: first those a panel chose, then the pack's
representative stories. This closes the loop from na-waarderen back to voorwaarderen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from verhalenbank.core.errors import NietGevonden, Ongeldig
from verhalenbank.doelenbomen.models import Doelenboom
from verhalenbank.extensions import db
from verhalenbank.pakketten import operations as pakket_operations
from verhalenbank.pakketten.gegevens import VerhaalWeergave
from verhalenbank.rondes.models import Ronde

MAX_RONDES = 4
VERHALEN_PER_SUBDOEL = 2


@dataclass
class RondeKolom:
    slug: str
    titel: str
    periode: str
    verhalen: int


@dataclass
class SubdoelRij:
    code: str
    titel: str
    aantallen: list[int]  # confirmed stories per ronde, same order as the columns
    knelpunten: list[int]
    aandelen: list[int]  # percentage of the ronde's stories
    verandering: str  # B1 sentence
    verhalen: list[VerhaalWeergave] = field(default_factory=list)  # latest ronde, showing the change
    gekozen: list[str] = field(default_factory=list)  # keys of those a panel chose


@dataclass
class Vergelijking:
    boom_code: str
    boom_titel: str
    rondes: list[RondeKolom]
    subdoelen: list[SubdoelRij]


def bomen_met_rondes() -> list[tuple[Doelenboom, list[Ronde]]]:
    """Trees with two or more rondes: what can be compared."""
    uit = []
    for boom in db.session.scalars(select(Doelenboom).order_by(Doelenboom.titel)):
        rondes = [r for r in db.session.scalars(select(Ronde).order_by(Ronde.start_datum, Ronde.id))
                  if boom in r.doelenbomen]
        if len(rondes) >= 2:
            uit.append((boom, rondes))
    return uit


def _verandering(voor: int, na: int, aandeel_voor: int, aandeel_na: int) -> str:
    if voor == 0 and na == 0:
        return "In geen van beide rondes verhalen over dit doel."
    if voor == 0:
        return f"Nieuw: nu {na} {'verhaal' if na == 1 else 'verhalen'}, eerst geen."
    if na == 0:
        return f"Eerst {voor} {'verhaal' if voor == 1 else 'verhalen'}, nu geen meer."
    verschil = aandeel_na - aandeel_voor
    if abs(verschil) < 5:
        return f"Ongeveer gelijk: {aandeel_voor}% en nu {aandeel_na}% van de verhalen."
    richting = "Meer" if verschil > 0 else "Minder"
    return f"{richting} verhalen over dit doel: van {aandeel_voor}% naar {aandeel_na}% van alle verhalen."


def vergelijk(boom_code: str, ronde_slugs: list[str]) -> Vergelijking:
    boom = db.session.scalar(select(Doelenboom).where(Doelenboom.code == (boom_code or "")))
    if boom is None:
        raise NietGevonden(f"Doelenboom '{boom_code}' bestaat niet.", veld="boom")
    slugs = list(dict.fromkeys(s for s in ronde_slugs if s))
    if len(slugs) < 2 or len(slugs) > MAX_RONDES:
        raise Ongeldig(f"Kies twee tot {MAX_RONDES} rondes om te vergelijken.", veld="ronde")
    rondes = []
    for slug in slugs:
        ronde = db.session.scalar(select(Ronde).where(Ronde.slug == slug))
        if ronde is None:
            raise NietGevonden(f"Ronde '{slug}' bestaat niet.", veld="ronde")
        if boom not in ronde.doelenbomen:
            raise Ongeldig(f"Ronde '{ronde.titel}' hoort niet bij deze doelenboom.", veld="ronde")
        rondes.append(ronde)
    vernauwing = pakket_operations.Vernauwing(doelenboom=boom)
    inhouden = [pakket_operations.build_inhoud_voor_ronde(r, vernauwing) for r in rondes]

    kolommen = [
        RondeKolom(r.slug, r.titel, inhoud.omslag.periode, inhoud.omslag.aantal_verhalen)
        for r, (_, inhoud) in zip(rondes, inhouden)
    ]
    rijen = []
    for i, subdoel in enumerate(boom.subdoelen):
        secties = [inhoud.bomen[0].subdoelen[i] for _, inhoud in inhouden]
        aantallen = [s.aantal for s in secties]
        aandelen = [round(100 * s.aantal / k.verhalen) if k.verhalen else 0 for s, k in zip(secties, kolommen)]
        laatste = secties[-1]
        gekozen = [g.verhaal for g in laatste.groepskeuzes]
        verhalen = [g.verhaal for g in laatste.groepskeuzes][:VERHALEN_PER_SUBDOEL]
        for v in laatste.representatief:
            if len(verhalen) >= VERHALEN_PER_SUBDOEL:
                break
            if v.sleutel not in {w.sleutel for w in verhalen}:
                verhalen.append(v)
        rijen.append(SubdoelRij(
            code=subdoel.code, titel=subdoel.titel, aantallen=aantallen,
            knelpunten=[s.knelpunten for s in secties], aandelen=aandelen,
            verandering=_verandering(aantallen[0], aantallen[-1], aandelen[0], aandelen[-1]),
            verhalen=verhalen, gekozen=[v.sleutel for v in gekozen],
        ))
    return Vergelijking(boom.code, boom.titel, kolommen, rijen)
