"""Self-signification: one-tap questions with which the teller gives meaning to their own story.

As in SenseMaker and Sprockler, the resident does a small part of the analysis: how it felt,
what it was about (the ronde's subdoelen in plain words), who was involved. A ronde stores its
own configuration in ``Ronde.zelfduiding``; ``None`` means the defaults below.

Stored configuration (JSON)::

    {"vragen": [
        {"code": "gevoel", "vraag": "Hoe voelde dit voor u?", "soort": "gezicht"},
        {"code": "onderwerp", "vraag": "Waar ging uw verhaal over?", "soort": "onderwerp",
         "labels": {"LW1": "Contact met buren"}},
        {"code": "wie", "vraag": "Wie waren erbij?", "soort": "keuzes", "opties": ["Familie", ...]}
    ]}

Answers are stored as ``ZelfduidingAntwoord(vraag=<code>, antwoord=<value>)``, one row per
chosen value: ``gevoel`` 1–5, ``onderwerp`` ``<doelenboom code>:<subdoel code>`` or ``anders``,
other questions the option text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from verhalenbank.core.errors import Ongeldig

SOORT_GEZICHT = "gezicht"  # one of five faces
SOORT_ONDERWERP = "onderwerp"  # chips with the ronde's subdoelen + "iets anders"
SOORT_KEUZE = "keuze"  # one option
SOORT_KEUZES = "keuzes"  # any number of options
SOORTEN = (SOORT_GEZICHT, SOORT_ONDERWERP, SOORT_KEUZE, SOORT_KEUZES)

ANDERS = "anders"
ANDERS_LABEL = "Iets anders"
FIELD_PREFIX = "zd_"
MAX_VRAGEN = 6
MAX_OPTIES = 12
MAX_LABEL = 80
MAX_VRAAG = 200
CODE_PATROON = re.compile(r"^[a-z][a-z0-9_]{0,29}$")

# Value, label read aloud by screen readers and shown under the face, and the face itself.
GEZICHTEN = (
    ("1", "Heel naar", "😢"),
    ("2", "Naar", "🙁"),
    ("3", "Gewoon", "😐"),
    ("4", "Fijn", "🙂"),
    ("5", "Heel fijn", "😄"),
)

STANDAARD_WIE = ("Alleen ik", "Familie", "Buren", "Vrienden", "Vrijwilligers", "Professionals", "Anderen")

STANDAARD_CONFIG = {
    "vragen": [
        {"code": "gevoel", "vraag": "Hoe voelde dit voor u?", "soort": SOORT_GEZICHT},
        {"code": "onderwerp", "vraag": "Waar ging uw verhaal over?", "soort": SOORT_ONDERWERP},
        {"code": "wie", "vraag": "Wie waren erbij?", "soort": SOORT_KEUZES, "opties": list(STANDAARD_WIE)},
    ]
}


@dataclass(frozen=True)
class Optie:
    waarde: str
    label: str
    symbool: str | None = None


@dataclass(frozen=True)
class Vraag:
    code: str
    vraag: str
    soort: str
    opties: tuple[Optie, ...] = field(default_factory=tuple)

    @property
    def meer_keuzes(self) -> bool:
        return self.soort in (SOORT_ONDERWERP, SOORT_KEUZES)

    @property
    def veldnaam(self) -> str:
        return FIELD_PREFIX + self.code

    @property
    def hint(self) -> str:
        return "U mag meer dan één kiezen. Niet verplicht." if self.meer_keuzes else "Kies er één. Niet verplicht."

    def label_van(self, waarde: str) -> str:
        for optie in self.opties:
            if optie.waarde == waarde:
                return optie.label
        return waarde


@dataclass(frozen=True)
class SubdoelKeuze:
    """A subdoel as the form needs it; built by the caller from the ronde's doelenbomen."""

    doelenboom_code: str
    code: str
    titel: str

    @property
    def waarde(self) -> str:
        return f"{self.doelenboom_code}:{self.code}"


def config_of(ronde_config: dict | None) -> dict:
    return ronde_config if ronde_config else STANDAARD_CONFIG


def build_questions(ronde_config: dict | None, subdoelen: Iterable[SubdoelKeuze]) -> list[Vraag]:
    """The questions to show for a ronde, options filled in."""
    subdoelen = list(subdoelen)
    vragen = []
    for item in config_of(ronde_config).get("vragen", []):
        soort = item.get("soort")
        if soort == SOORT_GEZICHT:
            opties = tuple(Optie(waarde, label, gezicht) for waarde, label, gezicht in GEZICHTEN)
        elif soort == SOORT_ONDERWERP:
            labels = item.get("labels") or {}
            opties = tuple(
                Optie(subdoel.waarde, labels.get(subdoel.code) or labels.get(subdoel.waarde) or subdoel.titel)
                for subdoel in subdoelen
            ) + (Optie(ANDERS, ANDERS_LABEL),)
        elif soort in (SOORT_KEUZE, SOORT_KEUZES):
            opties = tuple(Optie(optie, optie) for optie in item.get("opties", []))
        else:
            continue  # an unknown kind in stored JSON is skipped, not fatal for the public form
        if opties:
            vragen.append(Vraag(code=item["code"], vraag=item["vraag"], soort=soort, opties=opties))
    return vragen


def parse_answers(vragen: Iterable[Vraag], formulier: Mapping) -> dict[str, list[str]]:
    """Chosen values per question code from submitted form data; unknown values are ignored.

    ``formulier`` is a werkzeug MultiDict (``getlist``) or a plain dict of lists.
    """
    antwoorden: dict[str, list[str]] = {}
    for vraag in vragen:
        if hasattr(formulier, "getlist"):
            gekozen = formulier.getlist(vraag.veldnaam)
        else:
            gekozen = list(formulier.get(vraag.veldnaam, []))
        geldig = {optie.waarde for optie in vraag.opties}
        waarden: list[str] = []
        for waarde in gekozen:
            if waarde in geldig and waarde not in waarden:
                waarden.append(waarde)
        if not vraag.meer_keuzes:
            waarden = waarden[:1]
        if waarden:
            antwoorden[vraag.code] = waarden
    return antwoorden


# Verbs that end the policy subject of a subdoel title ("Bewoners hebben ...", "Mantelzorgers ervaren ...").
_BELEIDSWERKWOORDEN = frozenset({
    "hebben", "heeft", "voelen", "voelt", "ervaren", "ervaart", "krijgen", "krijgt", "worden", "wordt",
    "zijn", "is", "kunnen", "kan", "nemen", "neemt", "doen", "doet", "weten", "weet", "vinden", "vindt",
})
_WEGLATEN_NA_WERKWOORD = frozenset({"zich", "zichzelf", "meer", "minder"})


def voorstel_label(titel: str) -> str:
    """A first suggestion for a topic chip from a subdoel title, for the organiser to edit:
    the policy subject and its verb are dropped ("Mantelzorgers ervaren passende financiële
    compensatie" -> "Passende financiële compensatie")."""
    woorden = titel.split()
    for index, woord in enumerate(woorden[:5]):
        if woord.lower() in _BELEIDSWERKWOORDEN and index + 1 < len(woorden):
            rest = woorden[index + 1:]
            while len(rest) > 1 and rest[0].lower() in _WEGLATEN_NA_WERKWOORD:
                rest = rest[1:]
            woorden = rest
            break
    zin = " ".join(woorden)
    if len(zin) > MAX_LABEL:
        zin = zin[:MAX_LABEL].rsplit(" ", 1)[0]
    return zin[:1].upper() + zin[1:]


def ontbrekende_labels(ronde_config: dict | None, subdoelen: Iterable[SubdoelKeuze]) -> list[SubdoelKeuze]:
    """Subdoelen the form would show in policy words: the topic question is on and has no label for them."""
    vraag = next((v for v in config_of(ronde_config)["vragen"] if v["soort"] == SOORT_ONDERWERP), None)
    if vraag is None:
        return []
    labels = vraag.get("labels") or {}
    return [s for s in subdoelen if not (labels.get(s.code) or labels.get(s.waarde))]


def validate_config(config: dict) -> dict:
    """Check a configuration made in the management screen; returns a cleaned copy."""
    vragen = config.get("vragen")
    if not isinstance(vragen, list):
        raise Ongeldig("De vragenlijst ontbreekt.", veld="zelfduiding")
    if len(vragen) > MAX_VRAGEN:
        raise Ongeldig(f"Gebruik hoogstens {MAX_VRAGEN} vragen: meer houdt niemand vol op een telefoon.", veld="zelfduiding")
    schoon, codes = [], set()
    for index, item in enumerate(vragen, 1):
        code = str(item.get("code", "")).strip()
        vraag = str(item.get("vraag", "")).strip()
        soort = item.get("soort")
        if not CODE_PATROON.match(code):
            raise Ongeldig(f"Vraag {index}: de code '{code}' mag alleen kleine letters, cijfers en _ bevatten.", veld="zelfduiding")
        if code in codes:
            raise Ongeldig(f"Vraag {index}: de code '{code}' komt twee keer voor.", veld="zelfduiding")
        if soort not in SOORTEN:
            raise Ongeldig(f"Vraag {index}: onbekend soort vraag '{soort}'.", veld="zelfduiding")
        if not vraag:
            raise Ongeldig(f"Vraag {index}: de vraag is leeg.", veld="zelfduiding")
        if len(vraag) > MAX_VRAAG:
            raise Ongeldig(f"Vraag {index}: de vraag is te lang (hoogstens {MAX_VRAAG} tekens).", veld="zelfduiding")
        codes.add(code)
        cleaned = {"code": code, "vraag": vraag, "soort": soort}
        if soort in (SOORT_KEUZE, SOORT_KEUZES):
            opties = _clean_options(item.get("opties") or [], index)
            if len(opties) < 2:
                raise Ongeldig(f"Vraag {index}: geef minstens twee antwoorden om uit te kiezen.", veld="zelfduiding")
            cleaned["opties"] = opties
        if soort == SOORT_ONDERWERP and item.get("labels"):
            cleaned["labels"] = {
                str(key).strip(): str(value).strip()[:MAX_LABEL]
                for key, value in dict(item["labels"]).items()
                if str(key).strip() and str(value).strip()
            }
        schoon.append(cleaned)
    return {"vragen": schoon}


def _clean_options(opties: Iterable, index: int) -> list[str]:
    schoon: list[str] = []
    for optie in opties:
        optie = str(optie).strip()
        if not optie or optie in schoon:
            continue
        if len(optie) > MAX_LABEL:
            raise Ongeldig(f"Vraag {index}: het antwoord '{optie[:30]}…' is te lang (hoogstens {MAX_LABEL} tekens).", veld="zelfduiding")
        schoon.append(optie)
    if len(schoon) > MAX_OPTIES:
        raise Ongeldig(f"Vraag {index}: gebruik hoogstens {MAX_OPTIES} antwoorden.", veld="zelfduiding")
    return schoon


def parse_labels(text: str) -> dict[str, str]:
    """'LW1 = Contact met buren' per line → {'LW1': 'Contact met buren'} (management form)."""
    labels: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        code, sep, label = line.partition("=")
        if not sep or not code.strip() or not label.strip():
            raise Ongeldig(
                f"Regel {number}: schrijf het als 'CODE = woorden', bijvoorbeeld 'LW1 = Contact met buren'.",
                veld="onderwerp_labels",
            )
        labels[code.strip()] = label.strip()[:MAX_LABEL]
    return labels


@dataclass(frozen=True)
class Vergelijking:
    """One subdoel as seen by the teller and by the tagger, for the story page."""

    subdoel_waarde: str
    label: str
    door_inwoner: bool
    door_tagger: bool

    @property
    def eens(self) -> bool:
        return self.door_inwoner and self.door_tagger

    @property
    def uitleg(self) -> str:
        if self.eens:
            return "Inwoner en automatische analyse zijn het eens"
        if self.door_inwoner:
            return "Alleen de inwoner koos dit"
        return "Alleen de automatische analyse vond dit"


def compare_with_tags(
    onderwerp_antwoorden: Iterable[str], tag_subdoelen: Mapping[str, str], labels: Mapping[str, str]
) -> list[Vergelijking]:
    """Line up the teller's chosen subdoelen with the (visible) tags' subdoelen.

    ``tag_subdoelen`` maps '<boom>:<code>' of each visible tag to its title; ``labels`` gives the
    title for chosen values that have no tag. 'anders' is not a subdoel and is left out here.
    """
    gekozen = [waarde for waarde in onderwerp_antwoorden if waarde != ANDERS]
    alles = list(dict.fromkeys(gekozen + list(tag_subdoelen)))
    return [
        Vergelijking(
            subdoel_waarde=waarde,
            label=tag_subdoelen.get(waarde) or labels.get(waarde) or waarde,
            door_inwoner=waarde in gekozen,
            door_tagger=waarde in tag_subdoelen,
        )
        for waarde in alles
    ]
