"""Generic Dutch language resources: stop words, a Snowball-style stemmer, compound splitting.

Nothing here knows about any doelenboom; these are resources for Dutch text in general.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from functools import lru_cache

# Function words and very general verbs/adverbs that carry no topic. Kept generic on purpose.
STOP_WORDS = frozenset(
    """
    aan af al aldus als alsof ben bij binnen boven daar daarbij daarin daarna daarom daarop daarvan
    dan dat de der deze die dit doch door dus echter een eens en er erg ergens even ge haar had hadden
    heb hebben hebt heeft hem hen het hier hij hoe hoewel hun hunne ik in inmiddels is ja je jij jou
    jouw jullie kan kon konden kun kunnen kunt maar mag me men met mij mijn mocht mochten mogen moest
    moesten moet moeten na naar nadat net niet nog nogal nou nu of ofschoon om omdat onder ons onze ook
    op over per reeds sinds te ten ter tot tussen u uit uw van vanaf vandaan via voor voordat waar
    waarom wanneer want waren was wat we wel welk welke werd werden wie wij wil wilde willen word
    worden wordt zal ze zich zij zijn zo zoals zodat zou zouden zulk zullen zeer heel hele echt
    erop eraan erin ervan erover erdoor ermee daarmee waarin waarop waarmee toen dus toch wel
    één een twee drie vier vijf zes zeven acht negen tien elf twaalf honderd duizend
    gaan ging gegaan gaat komen kwam komt gekomen zeggen zegt zei gezegd krijgen kreeg krijgt
    maken maakt maakte gemaakt doen doet deed gedaan staan staat stond zitten zit zat laten liet
    paar keer soms steeds vaak weer wat iets ander andere anders allemaal weinig veel meer minder
    """.split()
)

MONTHS = frozenset(
    "januari februari maart april mei juni juli augustus september oktober november december".split()
)
WEEKDAYS = frozenset("maandag dinsdag woensdag donderdag vrijdag zaterdag zondag".split())

_VOWELS = set("aeiouyè")
_LINKING = ("s", "en", "e", "n")  # tussenklanken between compound parts


def strip_accents(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def clean_lemma(lemma: str, fallback: str) -> str:
    """Lowercase lemma without the UD '_' joins; the surface form when the lemma is unusable."""
    value = (lemma or "").replace("_", "").strip().lower()
    if not value or not any(ch.isalpha() for ch in value):
        value = fallback.lower()
    return value


def lemma_parts(lemma: str) -> list[str]:
    """The parts a UD-style lemma marks with '_' ("opleiding_ploeg" → opleiding, ploeg)."""
    parts = [p.lower() for p in (lemma or "").split("_") if len(p) >= 3]
    return parts if len(parts) > 1 else []


# --- Snowball-style Dutch stemmer --------------------------------------------------------------


def _is_vowel(ch: str) -> bool:
    return ch in _VOWELS


def _regions(word: str) -> tuple[int, int]:
    def region_after(start: int) -> int:
        for i in range(start + 1, len(word)):
            if not _is_vowel(word[i]) and _is_vowel(word[i - 1]):
                return i + 1
        return len(word)

    r1 = max(region_after(0), 3)
    r2 = region_after(r1) if r1 < len(word) else len(word)
    return min(r1, len(word)), r2


def _undouble(word: str) -> str:
    return word[:-1] if word.endswith(("kk", "dd", "tt")) else word


def _valid_en_ending(word: str) -> bool:
    return bool(word) and not _is_vowel(word[-1]) and not word.endswith("gem")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Dutch stem following the Snowball algorithm's steps (suffix removal in regions R1/R2)."""
    word = strip_accents(word.lower())
    if len(word) <= 3 or not word.isalpha():
        return word
    r1, r2 = _regions(word)

    # Step 1: plural and genitive endings.
    if word.endswith("heden") and len(word) - 5 >= r1:
        word = word[:-5] + "heid"
    elif word.endswith("ene") and len(word) - 3 >= r1 and _valid_en_ending(word[:-3]):
        word = _undouble(word[:-3])
    elif word.endswith("en") and len(word) - 2 >= r1 and _valid_en_ending(word[:-2]):
        word = _undouble(word[:-2])
    elif word.endswith("se") and len(word) - 2 >= r1 and word[-3] not in _VOWELS | {"j"}:
        word = word[:-2]
    elif word.endswith("s") and len(word) - 1 >= r1 and word[-2] not in _VOWELS | {"j"}:
        word = word[:-1]

    # Step 2: a final e.
    e_removed = False
    if word.endswith("e") and len(word) - 1 >= r1 and len(word) > 1 and not _is_vowel(word[-2]):
        word = _undouble(word[:-1])
        e_removed = True

    # Step 3a: -heid.
    if word.endswith("heid") and len(word) - 4 >= r2 and not word.endswith("cheid"):
        word = word[:-4]
        if word.endswith("en") and len(word) - 2 >= r1 and _valid_en_ending(word[:-2]):
            word = _undouble(word[:-2])

    # Step 3b: derivational suffixes.
    if word.endswith(("end", "ing")) and len(word) - 3 >= r2:
        word = word[:-3]
        if word.endswith("ig") and len(word) - 2 >= r2 and not word.endswith("eig"):
            word = word[:-2]
        else:
            word = _undouble(word)
    elif word.endswith("ig") and len(word) - 2 >= r2 and not word.endswith("eig"):
        word = word[:-2]
    elif word.endswith("lijk") and len(word) - 4 >= r2:
        word = word[:-4]
        if word.endswith("e") and len(word) - 1 >= r1 and not _is_vowel(word[-2]):
            word = _undouble(word[:-1])
    elif word.endswith("baar") and len(word) - 4 >= r2:
        word = word[:-4]
    elif word.endswith("bar") and len(word) - 3 >= r2 and e_removed:
        word = word[:-3]

    # Step 4: undouble a long vowel in a closed final syllable ("maan" → "man").
    if (
        len(word) >= 4
        and word[-3] == word[-2]
        and word[-2] in "aeou"
        and not _is_vowel(word[-1])
        and word[-1] != "i"
    ):
        word = word[:-2] + word[-1]
    return word


# --- Compound splitting ------------------------------------------------------------------------

_WORD_RE = re.compile(r"^[a-zà-ÿ]+$")


def split_compound(word: str, known: Container[str], min_part: int = 3) -> list[str]:
    """Split a Dutch compound into known parts, e.g. buurtkamer → [buurt, kamer].

    ``known`` is a vocabulary of (lowercase) words seen in the bank's stories and trees. The
    longest known head is preferred (Dutch compounds are right-headed), allowing a linking
    s/e/en between the parts, and the modifier may itself be a compound. Returns [] when no
    split into known parts exists.
    """
    word = word.lower()
    if len(word) < 2 * min_part + 1 or not _WORD_RE.match(word):
        return []
    best: list[str] = []
    for cut in range(min_part, len(word) - min_part + 1):
        head = word[cut:]
        if head not in known or (len(head) < 4 and cut < 5):
            continue
        left = word[:cut]
        candidates = [left]
        for link in _LINKING:
            if left.endswith(link) and len(left) - len(link) >= min_part:
                candidates.append(left[: -len(link)])
        for modifier in candidates:
            if modifier in known:
                parts = [modifier, head]
            else:
                inner = split_compound(modifier, known, min_part)
                if not inner:
                    continue
                parts = inner + [head]
            # Prefer the split with the longest head (first found, as cut grows the head shrinks).
            if not best:
                best = parts
        if best:
            break
    return best


# Words at least this common in Dutch at large (wordfreq's Zipf scale: 3.0 = one per million
# words, e.g. "rozen", "leent", "verhoogt"; rare surnames such as "kopciuch" or "ramautar" are
# near 0, "yilmaz" 2.4) are ordinary words to the pseudonymiser even where a small model's
# vocabulary does not know them.
COMMON_ZIPF = 3.0


def zipf_in_dutch(word: str) -> float:
    """How common a word is in Dutch at large (wordfreq's Zipf scale; 0 for unknown words)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "nl")


@lru_cache(maxsize=65536)
def common_in_dutch(word: str) -> bool:
    return zipf_in_dutch(word) >= COMMON_ZIPF


# Below this a word is practically never seen in Dutch text (Zipf 1.0 = once per 100 million
# words): "jurensley", "kopciuch", "ramautar" are near 0; brands, languages and greetings that a
# small model does not know ("Humanitas" 2.9, "Tigrinya" 1.1, "Proficiat" 3.7) are above.
UNSEEN_ZIPF = 1.0


@lru_cache(maxsize=65536)
def unseen_in_dutch(word: str) -> bool:
    return zipf_in_dutch(word) < UNSEEN_ZIPF


# Below this a word is rare in Dutch text (Zipf 2.0 = once per 10 million words): names a small
# model does not know ("savak" 1.6, "prokhir" 0) are below, the activities, drinks and apps that
# open a sentence the same way ("Yoga helpt", "Koffie helpt", "Duolingo helpt": 2.0-5.3) above.
RARE_ZIPF = 2.0


@lru_cache(maxsize=65536)
def rare_in_dutch(word: str) -> bool:
    return zipf_in_dutch(word) < RARE_ZIPF


class SeenInDutch:
    """Words common in Dutch at large, and longer words of a vocabulary that Dutch text has (Zipf
    >= UNSEEN_ZIPF): a model's vocabulary holds fragments ("oks", "sdag", "tew") that make false
    compounds of names ("Okseniia", "Tewolde"), and lacks words such as "maatje" that make real
    ones ("taalmaatje")."""

    def __init__(self, vocabulary: frozenset[str]):
        self.vocabulary = vocabulary

    def __contains__(self, word: object) -> bool:
        word = str(word)
        return common_in_dutch(word) or (len(word) > 3 and word in self.vocabulary and not unseen_in_dutch(word))



# Common finite verbs whose form does not follow from their infinitive by the rules below.
IRREGULAR_FINITE_VERBS = frozenset(
    """
    is was waren heeft had hadden kan kon konden wil wou wilde mag mocht moet moest zal zou
    kwam kwamen ging gingen gaat zag zagen deed deden stond stonden zat zaten liep liepen gaf
    gaven nam namen hielp hielpen bracht brachten dacht kocht zocht bleef kreeg werd sprak las
    """.split()
)
_SOFTENED = {"f": "v", "s": "z"}  # leeft -> leven, reist -> reizen


def _infinitives(stem_: str) -> set[str]:
    """Infinitives a verb stem may come from: help -> helpen, kook -> koken, zeg -> zeggen,
    leef -> leven."""
    if len(stem_) < 2:
        return set()
    last = stem_[-1]
    bodies = {stem_, stem_[:-1] + _SOFTENED.get(last, last)}
    for body in list(bodies):
        if len(body) >= 3 and body[-2] == body[-3] and body[-2] in "aeou":
            bodies.add(body[:-3] + body[-2] + body[-1])  # kook -> kok(en), woon -> won(en)
        if len(body) >= 2 and body[-2] in "aeiou" and (len(body) < 3 or body[-3] not in "aeiou"):
            bodies.add(body + body[-1])  # zeg -> zegg(en), bel -> bell(en)
    return {body + "en" for body in bodies}


def _infinitives_of(word: str) -> set[str]:
    """Infinitives a finite form may come from, by its ending: present "-t", past "-te"/"-de",
    "-ten"/"-den" ("helpt" -> helpen, "woonden" -> wonen)."""
    stems = []
    if word.endswith("t"):
        stems.append(word[:-1])
    if word.endswith(("te", "de")):
        stems.append(word[:-2])
    if word.endswith(("ten", "den")):
        stems.append(word[:-3])
    return {infinitive for stem_ in stems for infinitive in _infinitives(stem_)}


@lru_cache(maxsize=65536)
def looks_like_finite_verb(word: str) -> bool:
    """Whether a lower-case word is a common finite verb form by its shape and Dutch at large:
    a present "-t" ("helpt", "kookt", "woont") or a past "-te"/"-de"/"-ten"/"-den" ("kookte",
    "woonden") of a common verb, or a common irregular form ("kwam", "bracht"). For small models
    that tag "helpt" after an unknown word as an adjective; not from their tags."""
    if word in IRREGULAR_FINITE_VERBS:
        return True
    if not word.isalpha() or len(word) < 4 or not common_in_dutch(word):
        return False
    return any(common_in_dutch(infinitive) for infinitive in _infinitives_of(word))


# Verbs whose subject is a person (or a pet), hardly ever a thing, the weather or a feeling:
# "Noor helpt mij", "Roos kookt", but "Hoop doet leven", "Storm komt eraan".
PERSON_VERBS = frozenset(
    """
    helpen koken bellen wonen werken zeggen vertellen vragen antwoorden lachen huilen denken
    weten fietsen wandelen zingen dansen bezoeken schrijven lezen praten kletsen luisteren zorgen
    poetsen appen mailen studeren bidden zwemmen sporten knutselen tekenen bakken oppassen
    logeren verhuizen trouwen vieren stofzuigen repareren
    """.split()
)
# Their irregular finite forms.
PERSON_VERB_FORMS = frozenset(
    """
    zei zeiden vroeg vroegen hielp hielpen dacht dachten wist wisten schreef schreven las lazen
    zong zongen zwom zwommen sprak spraken
    """.split()
)


@lru_cache(maxsize=65536)
def is_person_verb(word: str) -> bool:
    """Whether a lower-case word is a finite form of a verb a person does (PERSON_VERBS)."""
    if word in PERSON_VERB_FORMS:
        return True
    return word.isalpha() and not PERSON_VERBS.isdisjoint(_infinitives_of(word))
