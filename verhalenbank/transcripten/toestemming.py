"""Consent per speaker, read from what a transcript itself says.

A vertelsessie's header often records consent ("Alle deelnemers gaven vooraf toestemming. Joke
wil niet geciteerd worden.") and participants sometimes say it themselves ("ik blijf liever
anoniem"). These notes prefill the review screen; the person reviewing confirms or changes them.

Values are three-valued: True (said yes), False (said no), None (nothing known). A story is
quoted only when its quote consent is True: unknown is never quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# "wil niet geciteerd worden", "niet citeren", "liever anoniem", "geen citaten", "niet letterlijk".
_NIET_CITEREN = re.compile(
    r"\b(?:niet|nooit)\s+(?:\w+\s+){0,3}?(?:geciteerd|citeren|geciteerd\s+worden|letterlijk)"
    r"|\bliever\s+(?:\w+\s+){0,2}?anoniem|\banoniem\s+blijven|\bgeen\s+citaten?\b|\bniet\s+met\s+naam",
    re.IGNORECASE,
)
_WEL_CITEREN = re.compile(r"\b(?:mag|mogen)\s+(?:\w+\s+){0,3}?(?:geciteerd|citeren)", re.IGNORECASE)
_GEEN_TOESTEMMING = re.compile(
    r"\bgeen\s+toestemming\b|\bniet\s+(?:\w+\s+){0,2}?(?:opgeslagen|gebruikt|bewaard)\s+worden|"
    r"\btoestemming\s+(?:\w+\s+){0,2}?(?:ingetrokken|geweigerd)",
    re.IGNORECASE,
)
_TOESTEMMING = re.compile(r"\btoestemming\b", re.IGNORECASE)
_IEDEREEN = re.compile(r"\b(?:alle\s+deelnemers|iedereen|allen|alle\s+aanwezigen|alle\s+vertellers)\b", re.IGNORECASE)
_ZIN = re.compile(r"(?<=[.!?;])\s+")


@dataclass
class Toestemmingen:
    """Per speaker: consent to store/use (`toestemming`) and to quote (`citeren`), with why."""

    toestemming: dict[str, bool | None] = field(default_factory=dict)
    citeren: dict[str, bool | None] = field(default_factory=dict)
    bron: dict[str, str] = field(default_factory=dict)  # speaker -> the sentence it came from


def _genoemd(zin: str, sprekers: list[str]) -> list[str]:
    return [s for s in sprekers if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", zin)]


def lees_kop(kop: list[str], sprekers: list[str]) -> Toestemmingen:
    """Consent notes in the header lines, per speaker (a speaker not mentioned stays unknown)."""
    uitkomst = Toestemmingen(
        toestemming={s: None for s in sprekers}, citeren={s: None for s in sprekers}
    )
    zinnen = [zin for regel in kop for zin in _ZIN.split(regel) if zin.strip()]
    # General sentences first, so "Joke wil niet geciteerd worden" wins over "iedereen mag".
    zinnen.sort(key=lambda zin: 0 if _IEDEREEN.search(zin) and not _genoemd(zin, sprekers) else 1)
    for zin in zinnen:
        wie = _genoemd(zin, sprekers)
        if not wie:
            if not _IEDEREEN.search(zin):
                continue
            wie = list(sprekers)
        if _GEEN_TOESTEMMING.search(zin):
            for s in wie:
                uitkomst.toestemming[s] = False
                uitkomst.citeren[s] = False
                uitkomst.bron[s] = zin.strip()
            continue
        if _TOESTEMMING.search(zin):
            for s in wie:
                uitkomst.toestemming[s] = True
        if _NIET_CITEREN.search(zin):
            for s in wie:
                uitkomst.citeren[s] = False
                uitkomst.bron[s] = zin.strip()
        elif _WEL_CITEREN.search(zin):
            for s in wie:
                uitkomst.citeren[s] = True
    return uitkomst


def wil_niet_geciteerd(tekst: str) -> bool:
    """Does a participant say, in their own words, that they do not want to be quoted?"""
    return bool(_NIET_CITEREN.search(tekst or ""))


def als_keuze(waarde: bool | None) -> str:
    """Form value for a three-valued consent: 'ja', 'nee' or '' (unknown)."""
    return "" if waarde is None else ("ja" if waarde else "nee")


def uit_keuze(waarde: str | None) -> bool | None:
    return {"ja": True, "nee": False}.get((waarde or "").strip())
