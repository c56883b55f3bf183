"""Small Dutch text helpers for the pack: tokens for TF-IDF and a generic negative-cue score.

The negative cues are a short, general list of Dutch words for trouble, disappointment and
absence. They are deliberately not tuned to any example tree or story: the pack must work for
a doelenboom nobody here has seen.
"""

from __future__ import annotations

import importlib.util
import math
import re
import runpy
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from verhalenbank.nlp.dutch import zipf_in_dutch

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
    "morgen", "ochtend", "middag", "avond", "begin", "begon", "eind", "einde", "manier", "stuk",
    "kant", "keren", "soort", "deel", "maandag", "dinsdag", "woensdag", "donderdag",
    "vrijdag", "zaterdag", "zondag", "maand", "maanden", "via",
}


@lru_cache(maxsize=1)
def stopwoorden() -> frozenset[str]:
    """spaCy's Dutch stop words plus the everyday filler above.

    The list is read from spaCy's own file without importing spaCy, whose import takes
    seconds: a pack (or a command that never makes one) must not pay for the NLP pipeline.
    """
    spec = importlib.util.find_spec("spacy")
    bestand = Path(spec.submodule_search_locations[0]) / "lang" / "nl" / "stop_words.py" if spec else None
    if bestand is not None and bestand.is_file():
        spacy_lijst = runpy.run_path(str(bestand))["STOP_WORDS"]
    else:  # an unusual installation: the ordinary, slower way
        from spacy.lang.nl.stop_words import STOP_WORDS as spacy_lijst
    return frozenset(spacy_lijst) | frozenset(_EXTRA_STOP)

# Tone of the wording: short, general Dutch cue lists (word starts), not tuned to any tree.
# Trouble, disappointment, struggle, cost:
_NEGATIEVE_CUES = (
    "helaas", "jammer", "moeilijk", "lastig", "probleem", "problemen", "zwaar", "eenzaam",
    "boos", "verdriet", "teleurgesteld", "teleurstel", "bang", "angst", "stress",
    "uitgeput", "slecht", "vervelend", "frustr", "drempel", "wachtlijst", "wachttijd",
    "opgegeven", "ellende", "klacht", "klagen", "pijn", "ruzie", "overlast", "onveilig", "tekort",
    "genegeerd", "afgewezen", "geweigerd", "mislukt", "hopeloos", "zinloos", "schaam",
    "onbegrip", "onzeker", "ontevreden", "zorgelijk", "overbelast", "overvraagd",
    "nergens", "niemand", "kwijtgeraakt", "opgezegd", "wegbezuinigd", "duur ", "duur.", "duurder",
    "kost me", "kosten", "onbetaalbaar", "ingewikkeld", "troep", "gehuild", "huilen", "moe ",
    "klaar mee", "durf niet", "durf het", "snapt er niks", "niks terug", "gebeurt niks", "volhoud",
    "volhield", "kan niet", "kon niet", "niet meer", "te veel", "te weinig", "te laat", "smokkel",
    "klein gemaakt", "psycho", "geheim", "annuleerd", "weigert", "missen", "gemist",
)
# Support, joy, things that worked:
_POSITIEVE_CUES = (
    "fijn", "blij", "trots", "geweldig", "heerlijk", "gezellig", "leuk", "mooi", "dankbaar",
    "gelukt", "lukt", "geholpen", "helpt", "steun", "gesteund", "vriend", "welkom", "rustig",
    "opgelucht", "genieten", "gelachen", "lachen", "luisterde", "luistert", "begrip", "snapt",
    "snappen", "groeten", "groet", "moedig", "beter", "tevreden", "samen", "elkaar", "uitkijk",
    "voor het eerst", "doorgeslapen", "gratis", "gelukkig", "graag", "vanzelf", "de moeite waard",
    "sindsdien", "nu ga ik", "nu komt", "nu komen", "weer", "meteen", "gebaar", "waardering",
    "opgeknapt",
)
_NEGATIES = frozenset({"niet", "geen", "nooit", "niks", "niets"})


def _cue_patroon(cues: Iterable[str]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True)) + r")")


_NEGATIEF = _cue_patroon(_NEGATIEVE_CUES)
_POSITIEF = _cue_patroon(_POSITIEVE_CUES)
_ZINSGRENS = re.compile(r"(?<=[.!?])\s+|\n+")

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

# Tone above which a story counts as telling of a knelpunt: more trouble than good in its
# wording. Measured on the labelled examples by benchmarks/bench_pakket_gevoel.py.
KNELPUNT_DREMPEL = 0.1


# Words this common in Dutch at large (wordfreq's Zipf scale: 5.5 = 300 per million words,
# e.g. "samen", "elkaar", "per", "werk") say nothing about one ronde's stories.
ALGEMEEN_ZIPF = 5.5


def is_algemeen(woord: str) -> bool:
    """True for a word too common in Dutch to characterise stories (see ALGEMEEN_ZIPF)."""
    return zipf_in_dutch(woord) >= ALGEMEEN_ZIPF


def vraagwoorden(vragen: Iterable[str]) -> frozenset[str]:
    """The words of the questions the residents were asked (the ronde's question, etc.)."""
    woorden_: set[str] = set()
    for vraag in vragen:
        woorden_.update(w for w in _WOORD.findall((vraag or "").lower()) if len(w) >= 3)
    return frozenset(woorden_)


def is_vraagwoord(woord: str, vraag: frozenset[str]) -> bool:
    """The word, or another form of it ("vertelde" for "vertellen"), was in a question."""
    if woord in vraag:
        return True
    for v in vraag:
        kort = min(len(v), len(woord))
        if kort < 5:
            continue
        gedeeld = 0
        for a, b in zip(v, woord):
            if a != b:
                break
            gedeeld += 1
        if gedeeld >= max(5, kort - 2):
            return True
    return False


_ONDERWERP = frozenset({"ik", "je", "jij", "u", "hij", "ze", "zij", "we", "wij", "jullie", "men"})
_LIDWOORD = frozenset({"de", "het", "een", "mijn", "je", "jouw", "zijn", "haar", "onze", "ons", "hun", "uw", "die", "dat", "deze"})


_VOEGWOORD = frozenset({"en", "maar", "want", "dat", "als", "omdat", "toen", "die", "of", "dus", "wat", "waar"})
_ZINSDEEL = re.compile(r"[.!?;:,\n]+")


def werkwoordvormen(teksten: Iterable[str]) -> set[str]:
    """Word forms used as verbs: right after a subject pronoun that opens a clause ("ik woon",
    "maar ik begin"), or right before one as the clause's first or second word ("nu woon ik"),
    or ending in -dt.

    Small taggers call "woon" a noun; on paper "Vaak genoemd: woon" reads as a fragment.
    A form counts as a verb when it is used so more often than right after an article.
    """
    als_werkwoord: dict[str, int] = {}
    na_lidwoord: dict[str, int] = {}
    vormen: set[str] = set()
    for tekst in teksten:
        for deel in _ZINSDEEL.split(zonder_plaatshouders(tekst).lower()):
            reeks = _WOORD.findall(deel)
            for i, woord in enumerate(reeks):
                if woord.endswith("dt"):
                    vormen.add(woord)
                vorige = reeks[i - 1] if i else ""
                if vorige in _LIDWOORD:
                    na_lidwoord[woord] = na_lidwoord.get(woord, 0) + 1
                    continue
                opent = i >= 1 and (i == 1 or reeks[i - 2] in _VOEGWOORD)
                na_onderwerp = vorige in _ONDERWERP and opent
                voor_onderwerp = i <= 1 and i + 1 < len(reeks) and reeks[i + 1] in ("ik", "jij", "wij", "we")
                if na_onderwerp or voor_onderwerp:
                    als_werkwoord[woord] = als_werkwoord.get(woord, 0) + 1
    vormen.update(w for w, n in als_werkwoord.items() if n > na_lidwoord.get(w, 0))
    return vormen


def zonder_plaatshouders(tekst: str) -> str:
    return _PLAATSHOUDER.sub(" ", tekst)


def woorden(tekst: str) -> list[str]:
    """Lower-case word tokens, placeholders removed, no stop words or very short words."""
    schoon = zonder_plaatshouders(tekst).lower().replace("_", "")
    return [w for w in _WOORD.findall(schoon) if len(w) >= 3 and w not in stopwoorden()]


def alle_woordvormen(teksten: Iterable[str]) -> set[str]:
    """Every lower-case word form in these texts (placeholders removed)."""
    vormen: set[str] = set()
    for tekst in teksten:
        vormen.update(_WOORD.findall(zonder_plaatshouders(tekst).lower()))
    return vormen


def is_cue(woord: str) -> bool:
    """True for a word that is itself a tone cue (it says 'bad', not what the story is about)."""
    return bool(_NEGATIEF.match(woord + " ") or _POSITIEF.match(woord + " "))


def negatief_in_tekst(tekst: str) -> float:
    """Tone of the wording: > 0 when it tells more of trouble than of good, < 0 the other way.

    Each sentence counts its negative cues minus its positive ones (a positive cue right after
    "niet"/"geen"/"nooit" counts as negative: "niet fijn"). Later sentences weigh up to twice as
    much: a story's last lines usually say how it turned out ("... maar nu ga ik elke week").
    Divided by the square root of the number of sentences, so length matters little.
    """
    zinnen = [z for z in _ZINSGRENS.split(zonder_plaatshouders(tekst).lower()) if z.strip()]
    if not zinnen:
        return 0.0
    laatste = len(zinnen) - 1
    totaal = 0.0
    for i, zin in enumerate(zinnen):
        gewicht = 1.0 + (i / laatste if laatste else 1.0)
        saldo = len(_NEGATIEF.findall(zin))
        for treffer in _POSITIEF.finditer(zin):
            ervoor = _WOORD.findall(zin[max(0, treffer.start() - 25):treffer.start()])[-3:]
            saldo += 1 if _NEGATIES & set(ervoor) else -1
        totaal += gewicht * saldo
    return totaal / math.sqrt(len(zinnen))


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
        return max(score, 0.0) + 1.0
    if richting > 0:
        return min(score, 0.0) - 1.0
    return score


def is_knelpunt(tekst: str, antwoorden: Mapping[str, str], gevoel: int | None = None) -> bool:
    return negatief_signaal(tekst, antwoorden, gevoel) >= KNELPUNT_DREMPEL


TITEL_WOORDEN = 8


def titel_uit_tekst(tekst: str) -> str:
    """A title for an untitled story: the start of its first line, at most eight words."""
    for regel in (tekst or "").splitlines():
        regel = " ".join(regel.split())
        if not regel:
            continue
        zin = re.split(r"(?<=[.!?])\s", regel, maxsplit=1)[0]
        woorden_ = zin.split()
        kort = " ".join(woorden_[:TITEL_WOORDEN]).rstrip(",;:")
        if len(woorden_) > TITEL_WOORDEN:
            return kort + " …"
        return kort.rstrip(".")
    return "Verhaal zonder titel"
