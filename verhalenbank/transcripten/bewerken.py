"""Review edits on a proposed split: edit text, merge, split, delete; and a plain-text summary.

Pure functions on a `Voorstel`; the review page (with or without JavaScript) and the CLI
dry-run use them. They return a new Voorstel and leave the given one untouched.
"""

from __future__ import annotations

import copy
import re

from verhalenbank.core.errors import Ongeldig
from verhalenbank.transcripten.splitter import ROL_LABELS, Passage, Voorstel

ACTIES = ("samenvoegen", "splitsen", "verwijderen")

_LEGE_REGEL = re.compile(r"\n[ \t]*\n+")


def pas_teksten_aan(voorstel: Voorstel, teksten: list[str] | None) -> Voorstel:
    """Apply the texts as edited in the review form (one per passage, in order)."""
    nieuw = copy.deepcopy(voorstel)
    if teksten is None:
        return nieuw
    if len(teksten) != len(nieuw.passages):
        raise Ongeldig("Het voorstel is intussen veranderd. Laad de pagina opnieuw en probeer het nog eens.")
    for passage, tekst in zip(nieuw.passages, teksten):
        passage.tekst = _normaliseer(tekst)
    return nieuw


def voeg_samen(voorstel: Voorstel, index: int) -> Voorstel:
    """Merge passage `index` with the one after it."""
    nieuw = copy.deepcopy(voorstel)
    _controleer_index(nieuw, index)
    if index + 1 >= len(nieuw.passages):
        raise Ongeldig("Dit is het laatste verhaal; er is geen volgend verhaal om mee samen te voegen.")
    eerste, tweede = nieuw.passages[index], nieuw.passages[index + 1]
    if tweede.spreker and tweede.spreker != eerste.spreker:
        toevoeging = f"{tweede.spreker}: {tweede.tekst}"
    else:
        toevoeging = tweede.tekst
    if tweede.context and tweede.context != eerste.context:
        # The question the second answer replied to belongs inside the merged story.
        toevoeging = f"{tweede.context}\n{toevoeging}"
    eerste.tekst = f"{eerste.tekst}\n\n{toevoeging}".strip()
    # A merged story may be used and quoted only as far as both its parts may.
    eerste.toestemming = _strengste(eerste.toestemming, tweede.toestemming)
    eerste.citeren = _strengste(eerste.citeren, tweede.citeren)
    eerste.positie_eind = max(eerste.positie_eind, tweede.positie_eind)
    eerste.eind = tweede.eind or eerste.eind
    del nieuw.passages[index + 1]
    return nieuw


def _strengste(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def pas_toestemming_aan(
    voorstel: Voorstel,
    per_passage: list[tuple[bool | None, bool | None]] | None,
    per_spreker: dict[str, tuple[bool | None, bool | None]] | None = None,
) -> Voorstel:
    """Apply the consent chosen in the review form: per story, then per speaker.

    A speaker whose setting changed passes it on to all their stories; a story set on its own
    keeps its own setting otherwise.
    """
    nieuw = copy.deepcopy(voorstel)
    if per_passage is not None:
        if len(per_passage) != len(nieuw.passages):
            raise Ongeldig("Het voorstel is intussen veranderd. Laad de pagina opnieuw en probeer het nog eens.")
        for passage, (toestemming, citeren) in zip(nieuw.passages, per_passage):
            passage.toestemming, passage.citeren = toestemming, citeren
    for spreker, (toestemming, citeren) in (per_spreker or {}).items():
        if spreker not in nieuw.rollen:
            continue
        veranderd_t = nieuw.toestemming.get(spreker) != toestemming
        veranderd_c = nieuw.citeren.get(spreker) != citeren
        nieuw.toestemming[spreker], nieuw.citeren[spreker] = toestemming, citeren
        for passage in nieuw.passages:
            if passage.spreker != spreker:
                continue
            if veranderd_t:
                passage.toestemming = toestemming
            if veranderd_c:
                passage.citeren = citeren
    return nieuw


def splits(voorstel: Voorstel, index: int, op_teken: int | None = None) -> Voorstel:
    """Split passage `index`: at character `op_teken`, or else at every blank line in its text."""
    nieuw = copy.deepcopy(voorstel)
    _controleer_index(nieuw, index)
    passage = nieuw.passages[index]
    if op_teken is not None:
        delen = [passage.tekst[:op_teken], passage.tekst[op_teken:]]
    else:
        delen = _LEGE_REGEL.split(passage.tekst)
    delen = [_normaliseer(deel) for deel in delen if deel.strip()]
    if len(delen) < 2:
        raise Ongeldig(
            "Er is niets om te splitsen. Zet een lege regel in de tekst op de plek waar het verhaal "
            "gesplitst moet worden, en kies dan opnieuw ‘Splitsen’."
        )
    nieuwe = []
    for volgnummer, deel in enumerate(delen):
        stuk = copy.deepcopy(passage)
        stuk.tekst = deel
        # Where in the recording the split falls is unknown: only the outer times stay.
        if volgnummer > 0:
            stuk.context = None
            stuk.begin = None
        if volgnummer < len(delen) - 1:
            stuk.eind = None
        nieuwe.append(stuk)
    nieuw.passages[index : index + 1] = nieuwe
    return nieuw


def verwijder(voorstel: Voorstel, index: int) -> Voorstel:
    nieuw = copy.deepcopy(voorstel)
    _controleer_index(nieuw, index)
    del nieuw.passages[index]
    return nieuw


def voer_uit(voorstel: Voorstel, actie: str, teksten: list[str] | None = None) -> Voorstel:
    """Apply a review form post: first the edited texts, then an action like "samenvoegen:3"."""
    nieuw = pas_teksten_aan(voorstel, teksten)
    if not actie or actie in ("opslaan", "bewaren"):
        return nieuw
    naam, _, rest = actie.partition(":")
    try:
        index = int(rest)
    except ValueError:
        raise Ongeldig("Onbekende actie.") from None
    if naam == "samenvoegen":
        return voeg_samen(nieuw, index)
    if naam == "splitsen":
        return splits(nieuw, index)
    if naam == "verwijderen":
        return verwijder(nieuw, index)
    raise Ongeldig("Onbekende actie.")


def lege_passages(voorstel: Voorstel) -> list[int]:
    return [index for index, passage in enumerate(voorstel.passages) if not passage.tekst.strip()]


def beschrijf(voorstel: Voorstel, *, naam: str | None = None, breedte: int = 100) -> str:
    """A readable summary of the proposed split (CLI dry-run)."""
    regels: list[str] = []
    kop = f"{naam}: " if naam else ""
    regels.append(f"{kop}{len(voorstel.passages)} voorgestelde verhalen")
    for melding in voorstel.meldingen:
        regels.append(f"Let op: {melding}")
    if voorstel.rollen:
        sprekers = ", ".join(
            f"{spreker} ({ROL_LABELS.get(rol, rol).lower()}, {voorstel.beurten.get(spreker, 0)}x)"
            for spreker, rol in voorstel.rollen.items()
        )
        regels.append(f"Sprekers: {sprekers}")
    for spreker, citeren in voorstel.citeren.items():
        if citeren is False:
            bron = voorstel.toestemming_bron.get(spreker)
            regels.append(f"Niet citeren: {spreker}" + (f" (‘{bron}’)" if bron else ""))
    for nummer, passage in enumerate(voorstel.passages, start=1):
        plaats = f"{passage.positie}" if passage.positie == passage.positie_eind else f"{passage.positie}-{passage.positie_eind}"
        tijd = f", {passage.tijd}" if passage.tijd else ""
        wie = passage.spreker or "(geen spreker)"
        regels.append("")
        regels.append(f"{nummer:>3}. {wie} [{plaats}{tijd}]")
        if passage.context:
            regels.append(f"     vraag: {_afgekort(passage.context.splitlines()[-1], breedte - 12)}")
        regels.append(f"     {_afgekort(passage.tekst, breedte - 5)}")
    if voorstel.slot:
        regels.append("")
        regels.append(f"Niet als verhaal (slot): {_afgekort(voorstel.slot.replace(chr(10), ' | '), breedte - 25)}")
    return "\n".join(regels)


def _afgekort(tekst: str, lengte: int) -> str:
    tekst = " ".join(tekst.split())
    return tekst if len(tekst) <= lengte else tekst[: max(lengte - 1, 1)].rstrip() + "…"


def _normaliseer(tekst: str) -> str:
    tekst = tekst.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(regel.rstrip() for regel in tekst.strip().split("\n"))


def _controleer_index(voorstel: Voorstel, index: int) -> None:
    if not 0 <= index < len(voorstel.passages):
        raise Ongeldig("Dat verhaal bestaat niet (meer) in dit voorstel. Laad de pagina opnieuw.")


__all__ = [
    "ACTIES",
    "pas_toestemming_aan",
    "Passage",
    "beschrijf",
    "lege_passages",
    "pas_teksten_aan",
    "splits",
    "verwijder",
    "voeg_samen",
    "voer_uit",
]
