"""Small Dutch text helpers for the pack: tokens for TF-IDF and a generic negative-cue score.

The negative cues are a short, general list of Dutch words for trouble, disappointment and
absence. They are deliberately not tuned to any example tree or story: the pack must work for
a doelenboom nobody here has seen.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

from spacy.lang.nl.stop_words import STOP_WORDS

# Placeholders left by pseudonymisation ("[naam]", "[nummer]") are not words of the story.
_PLAATSHOUDER = re.compile(r"\[[^\]]{0,40}\]")
_WOORD = re.compile(r"[a-zà-öø-ÿ]+(?:['-][a-zà-öø-ÿ]+)*")

# Everyday filler that the spaCy list lacks but that says nothing about a subdoel.
_EXTRA_STOP = {
    "echt", "heel", "erg", "best", "dingen", "ding", "keer", "jaar", "jaren", "week", "weken",
    "dag", "dagen", "mensen", "mens", "gaan", "gaat", "ging", "gingen", "komen", "komt", "kwam",
    "kwamen", "zeggen", "zegt", "zeg", "zien", "ziet", "zag", "weten", "weet", "wist", "vond",
    "vind", "vinden", "krijgen", "krijg", "krijgt", "kreeg", "kreeg", "laten", "laat", "staan",
    "staat", "stond", "zitten", "zit", "zat", "maken", "maakt", "maak", "maakte", "denk",
    "denken", "dacht", "hoor", "eigenlijk", "beetje", "soms", "allemaal", "waren", "worden",
    "werd", "wordt", "zijn", "hebben", "had", "hadden", "kun", "kunnen", "zou", "willen",
    "wilde", "willen", "moet", "moest", "mag", "nee", "oké", "okee", "enzo", "zeg", "zegt",
    "zei", "zeiden", "nou", "ineens", "gewoon", "helemaal", "daarna", "waar", "ooit", "twee",
    "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "paar", "dus", "hier",
    "daar", "even", "weer", "elkaar", "iedereen", "niemand", "alles", "iets", "niets", "niks",
    "naam", "nummer", "adres", "email", "telefoon", "één", "vorig", "vorige", "volgende",
    "half", "halve", "mee", "uur", "nieuw", "nieuwe", "oud", "oude", "goed", "goede", "groot",
    "grote", "klein", "kleine", "gedaan", "doe", "deed", "deden", "kregen", "gekregen", "elf",
    "twaalf", "twintig", "dertig", "honderd", "eerst", "tweede", "derde", "laatste", "hele",
    "zelf", "echter", "zo'n", "omdat", "want", "toen", "straks", "vandaag", "gisteren",
    "morgen", "ochtend", "middag", "avond", "maandag", "dinsdag", "woensdag", "donderdag",
    "vrijdag", "zaterdag", "zondag", "maand", "maanden", "via",
}
STOPWOORDEN = frozenset(STOP_WORDS) | frozenset(_EXTRA_STOP)

# Strong cues (word starts): trouble, disappointment, struggle.
_STERKE_CUES = (
    "helaas", "jammer", "moeilijk", "lastig", "probleem", "problemen", "zwaar", "eenzaam",
    "eenzaamheid", "boos", "verdriet", "teleurgesteld", "teleurstel", "bang", "angst", "stress",
    "uitgeput", "slecht", "vervelend", "frustr", "drempel", "wachtlijst", "wachttijd",
    "opgegeven", "ellende", "klacht", "pijn", "ruzie", "overlast", "onveilig", "tekort",
    "genegeerd", "afgewezen", "geweigerd", "mislukt", "hopeloos", "zinloos", "schaam",
    "onbegrip", "onzeker", "ontevreden", "zorgelijk", "overbelast", "overvraagd", "eenzame",
    "nergens", "niemand", "alleen gelaten", "niet gehoord", "niet serieus", "niet welkom",
    "niet meer", "geen tijd", "geen geld", "geen hulp", "geen plek", "te weinig", "te duur",
    "te ver", "te druk", "kwijtgeraakt", "gesloten", "opgezegd", "wegbezuinigd",
    "gestopt", "verloren", "mis ", "missen", "gemist",
)
# Weak cues: negations are common in hopeful stories too ("ik had nooit gedacht ...").
_ZWAKKE_CUES = ("niet", "geen", "nooit", "niks", "niets", "maar")

# Matched on lower-cased text; a lookahead for a letter first skips most positions cheaply.
_STERK = re.compile(r"\b(?=[a-z])(?:" + "|".join(re.escape(c) for c in sorted(_STERKE_CUES)) + r")")
_ZWAK = re.compile(r"\b(?:" + "|".join(_ZWAKKE_CUES) + r")\b")

# Self-signification answers that say the experience was bad. Compared after lower-casing;
# the emoji forms are what a one-tap face scale may store.
NEGATIEVE_ANTWOORDEN = frozenset({
    "negatief", "slecht", "niet goed", "heel slecht", "verdrietig", "boos", "bang", "zorgen",
    "bezorgd", "teleurgesteld", "moeilijk", "zwaar", "eenzaam", "gefrustreerd",
    "ontevreden", "naar", "rot", "vervelend", "somber", "😞", "😟", "☹️", "☹", "🙁", "😢", "😠",
    "😡",
})
POSITIEVE_ANTWOORDEN = frozenset({
    "positief", "goed", "heel goed", "blij", "tevreden", "fijn", "trots", "dankbaar",
    "opgelucht", "prettig", "😀", "🙂", "😊", "😃",
})

# Score above which a story counts as telling of a knelpunt from its wording alone.
KNELPUNT_DREMPEL = 1.0


def zonder_plaatshouders(tekst: str) -> str:
    return _PLAATSHOUDER.sub(" ", tekst)


def woorden(tekst: str) -> list[str]:
    """Lower-case word tokens, placeholders removed, no stop words or very short words."""
    schoon = zonder_plaatshouders(tekst).lower().replace("_", "")
    return [w for w in _WOORD.findall(schoon) if len(w) >= 3 and w not in STOPWOORDEN]


def alle_woordvormen(teksten: Iterable[str]) -> set[str]:
    """Every lower-case word form in these texts (placeholders removed)."""
    vormen: set[str] = set()
    for tekst in teksten:
        vormen.update(_WOORD.findall(zonder_plaatshouders(tekst).lower()))
    return vormen


def negatief_in_tekst(tekst: str) -> float:
    """Negative-cue score of the wording, roughly length independent."""
    schoon = zonder_plaatshouders(tekst).lower()
    sterk = len(_STERK.findall(schoon))
    zwak = len(_ZWAK.findall(schoon))
    lengte = max(1, len(_WOORD.findall(schoon)))
    # sqrt: a long story with one "helaas" is less of a knelpunt than a short one with two.
    return (1.4 * sterk + 0.35 * zwak) / math.sqrt(max(1.0, lengte / 25))


def zelfduiding_richting(antwoorden: Mapping[str, str], gevoel: int | None = None) -> int:
    """-1 if the teller marked the story as bad, +1 if as good, else 0.

    `gevoel` is a face-scale answer (1 = heel naar ... 5 = heel fijn); other answers are
    compared with short lists of negative and positive words.
    """
    if gevoel is not None:
        if gevoel <= 2:
            return -1
        if gevoel >= 4:
            return 1
    waarden = {str(a).strip().lower() for a in antwoorden.values()}
    if waarden & NEGATIEVE_ANTWOORDEN:
        return -1
    if waarden & POSITIEVE_ANTWOORDEN:
        return 1
    return 0


def negatief_signaal(tekst: str, antwoorden: Mapping[str, str], gevoel: int | None = None) -> float:
    """Combined score: the teller's own answer weighs more than our reading of the words."""
    richting = zelfduiding_richting(antwoorden, gevoel)
    score = negatief_in_tekst(tekst)
    if richting < 0:
        return score + 2 * KNELPUNT_DREMPEL
    if richting > 0:
        return score - KNELPUNT_DREMPEL
    return score


def is_knelpunt(tekst: str, antwoorden: Mapping[str, str], gevoel: int | None = None) -> bool:
    return negatief_signaal(tekst, antwoorden, gevoel) >= KNELPUNT_DREMPEL
