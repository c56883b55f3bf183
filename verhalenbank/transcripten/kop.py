"""What a transcript's header says about the session: date, place/wijk and ronde.

"Datum: donderdag 16 april 2026, 10.30-11.45 uur" and "Plaats: De Schakel, grote zaal,
Atolwijk, Lelystad" fill in what the uploader left empty, so the stories get a date and a wijk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MAANDEN = {
    naam: nummer
    for nummer, namen in enumerate(
        [("januari", "jan"), ("februari", "feb"), ("maart", "mrt", "mar"), ("april", "apr"), ("mei",),
         ("juni", "jun"), ("juli", "jul"), ("augustus", "aug"), ("september", "sep", "sept"),
         ("oktober", "okt", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for naam in namen
}
_DATUM_WOORDEN = re.compile(r"\b(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})\b", re.IGNORECASE)
_DATUM_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DATUM_CIJFERS = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b")

_SLEUTELS_DATUM = ("datum", "date")
_SLEUTELS_WIJK = ("wijk", "buurt")
_SLEUTELS_PLAATS = ("plaats", "locatie", "waar")
_SLEUTELS_RONDE = ("ronde", "verhalenronde")


@dataclass
class Kopgegevens:
    datum: date | None = None
    wijk: str | None = None
    ronde_slug: str | None = None


def lees_datum(tekst: str) -> date | None:
    """The first date in a Dutch text ('donderdag 16 april 2026', '16-4-2026', '2026-04-16')."""
    for patroon, volgorde in ((_DATUM_ISO, "jmd"), (_DATUM_CIJFERS, "dmj")):
        treffer = patroon.search(tekst)
        if treffer:
            waarden = dict(zip(volgorde, (int(deel) for deel in treffer.groups())))
            try:
                return date(waarden["j"], waarden["m"], waarden["d"])
            except ValueError:
                return None
    for treffer in _DATUM_WOORDEN.finditer(tekst):
        maand = MAANDEN.get(treffer.group(2).lower())
        if maand:
            try:
                return date(int(treffer.group(3)), maand, int(treffer.group(1)))
            except ValueError:
                return None
    return None


def _waarde(kopgegevens: dict[str, str], sleutels: tuple[str, ...]) -> str | None:
    for sleutel, waarde in kopgegevens.items():
        if sleutel.strip().lower() in sleutels and waarde.strip():
            return waarde.strip()
    return None


def wijk_uit_plaats(plaats: str, bekende_wijken: list[str] | None = None) -> str | None:
    """The wijk in 'De Schakel, grote zaal, Atolwijk, Lelystad': a known wijk of the ronde,
    else a part that names a wijk or buurt, else nothing (a guess would mislead)."""
    delen = [deel.strip() for deel in plaats.split(",") if deel.strip()]
    bekend = {wijk.casefold(): wijk for wijk in bekende_wijken or []}
    for deel in delen:
        if deel.casefold() in bekend:
            return bekend[deel.casefold()]
    for deel in delen:
        if re.search(r"(wijk|buurt|kwartier|dorp)$", deel, re.IGNORECASE) and " " not in deel.strip():
            return deel
    return None


def lees_kopgegevens(kopgegevens: dict[str, str], bekende_wijken: list[str] | None = None) -> Kopgegevens:
    datum_tekst = _waarde(kopgegevens, _SLEUTELS_DATUM)
    wijk = _waarde(kopgegevens, _SLEUTELS_WIJK)
    if wijk is None:
        plaats = _waarde(kopgegevens, _SLEUTELS_PLAATS)
        wijk = wijk_uit_plaats(plaats, bekende_wijken) if plaats else None
    ronde = _waarde(kopgegevens, _SLEUTELS_RONDE)
    return Kopgegevens(
        datum=lees_datum(datum_tekst) if datum_tekst else None,
        wijk=wijk[:200] if wijk else None,
        ronde_slug=ronde.split()[0][:100] if ronde else None,
    )
