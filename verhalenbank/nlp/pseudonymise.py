"""Pseudonymisation: replace what identifies people by readable placeholders.

Placeholders (one scheme everywhere, documented in nlp_models/README.md):

    [naam 1], [naam 2]   a person; the same person keeps the same number within a story, also
                         when later mentioned by first name or surname only
    [telefoonnummer]     [e-mail]   [postcode]   [adres]   [bsn]   [iban]

Forms of address and relation words stay ("mevrouw [naam 1]", "mijn buurvrouw [naam 2]"), so
the story still reads naturally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from verhalenbank.nlp.dutch import (
    MONTHS, STOP_WORDS as _STOP_WORDS, WEEKDAYS, SeenInDutch, common_in_dutch, is_person_verb, looks_like_finite_verb,
    rare_in_dutch, split_compound, unseen_in_dutch, zipf_in_dutch,
)
from verhalenbank.nlp.names import name_lists
from verhalenbank.nlp.normalise import Normalised, normalise

# --- Patterns ------------------------------------------------------------------------------------

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
# Written out so that a machine would not see it: "naam [at] gmail [dot] com", "naam (at) gmail
# [punt] nl", "naam at gmail dot com". Bracketed forms are unambiguous; with bare words ("at",
# "dot", "punt") the address must end in a common top-level domain.
_AT_BRACKETED = r"(?:\s*[\[({<]\s*(?:at|@|apenstaartje)\s*[\])}>]\s*|\s*@\s*)"
_DOT_BRACKETED = r"\s*[\[({<]\s*(?:dot|punt|\.)\s*[\])}>]\s*"
_AT_WORD = r"\s+(?:at|apenstaartje)\s+"
_DOT_WORD = r"\s+(?:dot|punt)\s+"
_TLDS = r"(?:com|nl|org|net|be|eu|info|de|fr|uk|tr|ma|pl|ua|biz|io|me|nu|online)"
OBFUSCATED_EMAIL_RE = re.compile(
    rf"(?<![\w.+-])[\w.+-]+(?:{_AT_BRACKETED}[\w-]+(?:(?:{_DOT_BRACKETED}|{_DOT_WORD}|\s*\.\s*)[\w-]+)*"
    rf"(?:{_DOT_BRACKETED}|{_DOT_WORD}|\s*\.\s*)[a-zA-Z]{{2,}}"
    rf"|{_AT_WORD}[\w-]+(?:(?:{_DOT_BRACKETED}|{_DOT_WORD}|\.)[\w-]+)*(?:{_DOT_BRACKETED}|{_DOT_WORD}|\.){_TLDS})(?![\w-])",
    re.IGNORECASE,
)
# Dutch numbers: 0 + 9 digits, or +31/0031 + 9 digits; single separators (space, dot, hyphen,
# brackets) allowed between digits: 06-12345678, 06 1234 5678, 020-1234567, 0320 123456,
# +31 6 12345678, +31 (0)20 123 4567.
PHONE_RE = re.compile(
    r"(?<![\w+/])(?:(?:\+|00)31[\s.-]?(?:\(0\)[\s.-]?)?|\(0|0)(?:\d[\s.)/-]{0,3}){8}\d(?![\d])"
)
POSTCODE_RE = re.compile(r"(?<![\w-])[1-9]\d{3}\s?(?!SA\b|SD\b|SS\b)[A-Z]{2}(?![\w-])")
BSN_RE = re.compile(r"(?<![\d.-])(?:\d{4}[.\s]\d{2}[.\s]\d{3}|\d{3}[.\s]\d{3}[.\s]\d{3}|\d{9})(?![\d-])")
IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?(?![A-Za-z0-9])")

_STREET_SUFFIXES = (
    "straat|laan|weg|plein|dijk|hof|gracht|kade|singel|pad|steeg|dreef|park|plantsoen|markt|erf|"
    "akker|baan|ring|wal|haven|hoek|veld|zijde|burg|poort|boulevard|allee|oord|horst|waard|weide|"
    "dam|kamp|lei|straatje|laantje|hofje|passage|promenade|kwartier|vaart|gaarde|tuin|bosch|berg"
)
_HOUSE_NUMBER = r"\d{1,4}(?:\s?[a-zA-Z](?![a-zA-Z]))?(?:\s?-\s?\d{1,4})?"
_NAME_WORD = r"[A-ZÀ-Ý][\w'’-]*"
# Capitalised street name ending in a street word, optionally preceded by capitalised words
# ("Burgemeester Ritmeesterweg 3", "Lange Nieuwstraat 12a"), then a house number.
STREET_RE = re.compile(
    rf"(?<![\w-])(?:{_NAME_WORD}\s)*?[A-ZÀ-Ý][\w'’-]*?(?:{_STREET_SUFFIXES})\s{_HOUSE_NUMBER}(?![\w])"
)
# Any capitalised name + house number directly followed by a postcode ("Schelphoek 112, 1625 XR").
STREET_BEFORE_POSTCODE_RE = re.compile(
    rf"(?<![\w-])(?:{_NAME_WORD}\s)*{_NAME_WORD}\s{_HOUSE_NUMBER}(?=,?\s[1-9]\d{{3}}\s?[A-Z]{{2}}(?![\w-]))"
)

TITLES = frozenset(
    "mevrouw meneer mevr mw dhr heer juffrouw juf meester dokter dr zuster mr ir drs ing prof "
    "tante oom opa oma".split()
)
RELATION_WORDS = frozenset(
    """
    buurvrouw buurman buurjongen buurmeisje buren overbuurvrouw overbuurman vriend vriendin
    vriendje vriendinnetje zoon dochter man vrouw moeder vader broer zus zwager schoonzus
    schoonmoeder schoonvader schoonzoon schoondochter kleinzoon kleindochter kleinkind neef nicht
    partner echtgenoot echtgenote collega begeleider begeleidster coach consulent huisarts
    wijkverpleegkundige verpleegkundige thuishulp mantelzorger vrijwilliger vrijwilligster
    kennis leraar lerares docent mentor jongen meisje baas chef leidinggevende casemanager
    """.split()
)
NAME_INTRODUCERS = (("naam", "is"), ("heet",), ("heten",), ("genaamd",), ("noemen", "me"))
PARTICLES = frozenset("van de der den ter ten te 't von du da di le la".split())
ARTICLES = frozenset({"de", "het", "'t", "den", "der"})
CAPITALISED_PARTICLES = frozenset({"Van", "De", "Der", "Den", "Ter", "Ten", "El", "Al", "Ben", "Bin", "Abu", "Ait", "Aït"})
# Everyday Dutch shop names that begin with a first name (not people).
NOT_PERSONS = frozenset({"albert heijn", "jan linders"})
# Particles of Arabic surnames, written capitalised mid-sentence ("El Idrissi", "Ben Salah").
ARABIC_PARTICLES = frozenset({"El", "Al", "Ben", "Bin", "Abu", "Ait", "Aït", "Ould"})
PLACE_PREPOSITIONS = frozenset("in naar uit te vanuit richting via nabij".split())
# Turkish and Polish letters that no Dutch word has.
FOREIGN_LETTERS = frozenset("şŞğĞıİłŁżŻźŹśŚćĆńŃęĘąĄ")
PLACE_ONLY_PREPOSITIONS = frozenset("in uit te vanuit nabij".split())
WITH_PERSON = frozenset({"met"})  # "samen met X": X is a person far more often than a place
# Pronouns open many sentences ("Niemand lacht hem uit.") and are never a person's name.
PRONOUNS = frozenset(
    "ik jij je u hij zij ze het wij we jullie men niemand iemand iedereen allemaal alles niets niks"
    " mijn jouw uw zijn haar ons onze hun hen elkaar zelf dit dat deze die wie wat".split()
)
# Entity labels of the two kinds of Dutch pipeline: the stand-in model's PER/LOC/ORG and the
# official nl_core_news_* labels (PERSON, GPE, FAC, NORP, PRODUCT, ...). A place, and an entity that is
# no person at all; PER/PERSON is handled where the entities are read.
PLACE_LABELS = frozenset({"LOC", "GPE", "FAC"})
NOT_PERSON_LABELS = frozenset({"ORG", "NORP", "LANGUAGE", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})
NO_PERSON_LABELS = PLACE_LABELS | NOT_PERSON_LABELS
# Labels that only the official pipelines give: precise enough to overrule a name list ("spreekt
# Khmer", "een Mercedes"), where the stand-in's ORG and LOC fall on many real names.
THING_LABELS = NOT_PERSON_LABELS - {"ORG"}

NOT_NAMES = MONTHS | WEEKDAYS | PRONOUNS | frozenset(
    "god here gemeente wmo ggz uwv pgb digid zorg jeugdzorg".split()
)
# Latin and German loans that begin with a short first name (An, Ad, Ab): "An sich is dat goed".
LOAN_PHRASES = frozenset({("an", "sich"), ("ad", "hoc"), ("ad", "interim"), ("ab", "initio")})


def _loan_phrase_at(doc, i: int) -> bool:
    """"An sich", "Ad hoc", also "Ad hoc-overleg" (one token)."""
    if i + 1 >= len(doc):
        return False
    following = doc[i + 1].lower_
    return any(doc[i].lower_ == first and (following == second or following.startswith(second + "-"))
               for first, second in LOAN_PHRASES)


@dataclass
class Replacement:
    start: int
    end: int
    kind: str  # naam, telefoonnummer, e-mail, postcode, adres, bsn, iban
    person_key: str | None = None


@dataclass
class PersonRegistry:
    """Numbers people within one story; shared between a story's title and text."""

    people: list[set[str]] = field(default_factory=list)

    def number_for(self, name_tokens: list[str]) -> int:
        parts = {
            t.lower().strip(".") for t in name_tokens
            if len(t.strip(".")) > 1 and (t[:1].isupper() or t.lower() not in PARTICLES)
        }
        parts -= {p.lower() for p in CAPITALISED_PARTICLES}
        if not parts:
            parts = {" ".join(name_tokens).lower()}
        for number, known in enumerate(self.people, start=1):
            if parts & known:
                known.update(parts)
                return number
        self.people.append(set(parts))
        return len(self.people)

    def knows(self, token_text: str) -> bool:
        lowered = token_text.lower()
        return any(lowered in known for known in self.people)


@dataclass
class PseudonymisedText:
    text: str
    registry: PersonRegistry
    replaced: list[tuple[int, int, str]]  # character spans of the doc's text, with kind

    def covers(self, start: int, end: int) -> bool:
        return any(start < r_end and end > r_start for r_start, r_end, _ in self.replaced)


# --- Checks --------------------------------------------------------------------------------------


def is_valid_bsn(digits: str) -> bool:
    """The Dutch 11-test: 9·d1 + 8·d2 + … + 2·d8 − d9 is divisible by 11."""
    digits = re.sub(r"\D", "", digits)
    if len(digits) != 9 or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


def is_valid_iban(text: str) -> bool:
    value = re.sub(r"\s", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", value):
        return False
    if value.startswith("NL") and len(value) != 18:
        return False
    rearranged = value[4:] + value[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def _digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def pattern_replacements(text: str) -> list[Replacement]:
    found: list[Replacement] = []
    for pattern in (EMAIL_RE, OBFUSCATED_EMAIL_RE):
        for match in pattern.finditer(text):
            found.append(Replacement(match.start(), match.end(), "e-mail"))
    for match in IBAN_RE.finditer(text):
        if is_valid_iban(match.group()):
            found.append(Replacement(match.start(), match.end(), "iban"))
    for match in PHONE_RE.finditer(text):
        value = match.group().rstrip(" .-)/")
        digits = _digit_count(value)
        international = value.startswith(("+", "00"))
        if digits == (11 if international and not value.startswith("00") else 13 if value.startswith("00") else 10) or (
            international and "(0)" in value and digits == 12
        ):
            found.append(Replacement(match.start(), match.start() + len(value), "telefoonnummer"))
    for match in BSN_RE.finditer(text):
        if is_valid_bsn(match.group()):
            found.append(Replacement(match.start(), match.end(), "bsn"))
    for match in STREET_RE.finditer(text):
        found.append(Replacement(match.start(), match.end(), "adres"))
    for match in STREET_BEFORE_POSTCODE_RE.finditer(text):
        found.append(Replacement(match.start(), match.end(), "adres"))
    for match in POSTCODE_RE.finditer(text):
        found.append(Replacement(match.start(), match.end(), "postcode"))
    return found


# --- Names ---------------------------------------------------------------------------------------

# Formal forms of address: what follows is a name even when it is also a word ("mevrouw visser").
FORMAL_TITLES = frozenset("mevrouw meneer mevr mw dhr heer juffrouw".split())
# Verbs that want a person as subject: "Roos zei …" is Roos, "Roos is mooi" may be a flower.
SAYING_VERBS = frozenset(
    """
    zei zegt zeiden vertelde vertelt vertelden vroeg vraagt riep roept belde belt antwoordde
    antwoordt lachte lacht schreef schrijft appte appt mailde mailt huilde knikte glimlachte
    """.split()
)


def _is_capitalised(text: str) -> bool:
    return bool(text) and text[0].isupper() and any(ch.isalpha() for ch in text) and not text.isupper()


def _is_initial(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]\.(?:[A-Z]\.)*", text))


def _starts_sentence(doc, i: int) -> bool:
    """A sentence start by the text, or by the parser where the text leaves room for one. Not
    right after a word or a comma: Dutch gives a word there a capital only as a name, and small
    models start a sentence before many unknown names ("Ik ken | Hilayda al twintig jaar")."""
    if i == 0 or _after_sentence_end(doc, i):
        return True
    previous = doc[i - 1]
    return bool(doc[i].is_sent_start) and not (previous.text == "," or (previous.is_alpha and previous.text.islower()))


def _after_sentence_end(doc, i: int) -> bool:
    """A sentence start by the text alone, not the parser's guess (small models start a new
    sentence inside "Shermayra Girigorie brengt")."""
    if i == 0:
        return True
    previous = doc[i - 1].text
    return previous in {".", "!", "?", ":", "'", '"', "‘", "“", "'s", "\n"} or previous.endswith("\n")


def _looks_like_common_word(doc, i: int, common_words: frozenset[str] | None) -> bool:
    """Sentence-initial capitals hide whether a word is a name: check a word list (the
    pipeline's own vocabulary, snapshotted before any story was processed)."""
    if common_words is None:
        return doc[i].pos_ != "PROPN"
    return doc[i].text.lower() in common_words


def _is_word(lower: str, lists) -> bool:
    """A known name that is also an ordinary Dutch word or place ("roos", "visser", "hoorn")."""
    return lower in lists.words or lower in _STOP_WORDS


def _is_compound(lower: str, common_words: frozenset[str]) -> bool:
    """A compound of words Dutch text has ("buurtsportcoach"), not a split into strings a model's
    vocabulary happens to hold ("okseniia": "oks" + "iia")."""
    return bool(split_compound(lower, SeenInDutch(common_words)))


def _unknown_capitalised(doc, i: int, lists, common_words: frozenset[str] | None) -> bool:
    """A capitalised word that no word list knows and that is no compound of known words: in a
    Dutch sentence nearly always a name ("Tsymbaliuk", "Hryhorii"), not "Buurtsportcoach"."""
    if i >= len(doc) or common_words is None:
        return False
    token = doc[i]
    lower = token.lower_
    return (
        _is_capitalised(token.text) and token.is_alpha and len(token.text) >= 3
        and lower not in common_words and lower not in _STOP_WORDS and lower not in NOT_NAMES
        and lower not in TITLES and lower not in RELATION_WORDS and not _is_word(lower, lists)
        and not _is_compound(lower, common_words)
    )


def _unknown_name_at(doc, i: int, lists, common_words: frozenset[str] | None) -> tuple[int, int] | None:
    """Names no list knows, by their shape in the sentence: two capitalised words of which at
    least one is unknown and the other unknown or a known name ("Odarka Tsymbaliuk brengt"), or
    an unknown capitalised word opening a sentence before a verb ("Hryhorii helpt mij")."""
    if i > 0 and doc[i - 1].lower_ in PLACE_PREPOSITIONS:
        return None  # "in Nieuw-Vennep", "naar Sint Oedenrode": a place
    if not _is_capitalised(doc[i].text) or i + 1 >= len(doc):
        return None
    this_unknown = _unknown_capitalised(doc, i, lists, common_words)
    this_name = this_unknown or doc[i].text in lists.first or doc[i].text in lists.last
    nxt = doc[i + 1]
    if this_name and _is_capitalised(nxt.text) and not _after_sentence_end(doc, i + 1):
        next_unknown = _unknown_capitalised(doc, i + 1, lists, common_words)
        next_name = next_unknown or nxt.text in lists.last or nxt.text in lists.first
        if (this_unknown or next_unknown) and next_name:
            return i, _extend_name(doc, i + 1)
    if (
        this_unknown and _starts_sentence(doc, i) and nxt.text.islower() and doc[i].ent_type_ not in NO_PERSON_LABELS
        and _name_shaped(doc[i]) and (nxt.pos_ in ("VERB", "AUX") or _mistagged_verb(nxt))
    ):
        return i, i + 1
    return None


# Tags a small model gives a verb it does not recognise after an unknown word ("Savak helpt":
# ADJ), unlike the tags of function words.
_MISTAGGED_VERB_POS = frozenset({"ADJ", "NOUN", "PROPN", "X", ""})


def _mistagged_verb(token) -> bool:
    """A finite verb by its form where a small model's tag is another content word's."""
    return token.pos_ in _MISTAGGED_VERB_POS and looks_like_finite_verb(token.lower_)


def _name_shaped(token) -> bool:
    """Rare in Dutch text and no capital inside ("Savak", not "Yoga", "Koffie" or "WhatsApp")."""
    return token.text[1:].islower() and rare_in_dutch(token.lower_)


# Words after which a capitalised word is a place, a building or an organisation far more often
# than a person ("in de Zuiderpolder", "het Energieloket", "bij Werkfit", "als geboren Hemmerveener").
AFTER_NO_PERSON = ARTICLES | frozenset({"een", "bij", "als"})


# After "voor" care words ("ik zorg voor Hilayda", "ik kook elke week voor Massinissa") outweigh
# work words before them ("ik werk als vrijwilliger en zorg voor ...").
CARE_WORDS = frozenset(
    "zorg zorgt zorgen zorgde zorgden gezorgd kook kookt koken kookte kookten gekookt mantelzorger "
    "mantelzorgster mantelzorg boodschappen oppas oppassen".split()
)
# ... but one works for an organisation ("ik werk voor Incluzio", "vrijwilliger voor Kwadraad"):
# welfare organisations' names are as unknown to Dutch text at large as residents' names. Only
# words that stand before an employer: one has "dienst" or "een opdracht" for a person as often
# ("ik had dienst voor Dewiyanti"), and a leaked name weighs more than a replaced organisation.
WORK_WORDS = frozenset(
    "werk werkt werken werkte werkten gewerkt vrijwilliger vrijwilligster vrijwilligers vrijwilligerswerk "
    "solliciteer solliciteert solliciteerde gesolliciteerd".split()
)


def _words_before(doc, k: int, words: frozenset[str]) -> bool:
    """Whether one of the three words before position `k` is one of `words`."""
    return any(doc[j].lower_ in words for j in range(max(0, k - 3), k))


# "bij Werkfit" is mostly where someone works or gets help; "bij Hilayda op bezoek" is a person.
VISIT_WORDS = (("op", "bezoek"), ("op", "visite"), ("thuis",), ("langs",), ("logeren",), ("eten",), ("slapen",))


def _visit_after(doc, k: int) -> bool:
    """Whether the words from `k` on say a visit to someone's home ("op bezoek", "thuis")."""
    words = tuple(token.lower_ for token in doc[k:k + 2])
    return any(words[:len(visit)] == visit for visit in VISIT_WORDS)


# Endings of place names (wijken, villages, streets): "voor Atolwijk", "zorg voor Haveldorp". Not
# endings that names have too: Kanwal, Gurveen, Habtewolde, Chandal, Marloo, Ashlei, Goldberg.
_PLACE_ENDINGS = tuple(
    "wijk dorp buurt polder stad kwartier kerk huizen hoven meer zand broek drecht recht woude "
    "straat laan weg plein dijk gracht kade singel pad steeg dreef park plantsoen markt haven veld "
    "kamp oord waard weide vaart gaarde tuin".split()
)


def _named_place(token) -> bool:
    """Whether the model calls a word a place and it ends like one (longer than the ending):
    only both together outweigh the context of a person."""
    lower = token.lower_
    return token.ent_type_ in PLACE_LABELS and any(
        lower.endswith(ending) and len(lower) > len(ending) + 2 for ending in _PLACE_ENDINGS)


def _unseen_capitalised_inside_sentence(doc, i: int, lists, common_words: frozenset[str] | None) -> bool:
    """A capitalised word inside a sentence that no word list knows, that is no compound of known
    words and that Dutch text practically never has (wordfreq Zipf < 1): a name ("De fiets van
    Tsymbaliuk", "Wij vroegen Tewolde"), unless it follows a place preposition ("uit Kisumu") or
    the model calls it a place or a thing."""
    token = doc[i]
    if _starts_sentence(doc, i) or len(token.text) < 4 or not _unknown_capitalised(doc, i, lists, common_words):
        return False
    previous = doc[i - 1].lower_
    unseen = unseen_in_dutch(token.lower_)
    if previous == "voor" or (previous == "bij" and _visit_after(doc, i + 1)):
        # One does something for a person ("een cadeau voor Massinissa", "ik zorg voor Hilayda")
        # and visits one at home; the small models call many unknown names a place. A word the
        # model calls a place and that ends like one stays ("een speeltuin voor Bolderwijk"), and
        # so does an employer ("ik werk voor Incluzio"), unless care words say otherwise.
        employer = (previous == "voor" and _words_before(doc, i - 1, WORK_WORDS)
                    and not _words_before(doc, i - 1, CARE_WORDS))
        return unseen and token.ent_type_ not in NOT_PERSON_LABELS and not _named_place(token) and not employer
    return (
        previous not in PLACE_PREPOSITIONS and previous not in AFTER_NO_PERSON
        and token.ent_type_ not in NO_PERSON_LABELS and unseen
    )


def _extend_name(doc, start: int) -> int:
    """End (exclusive) of a name starting at ``start``: surname, particles, initials."""
    end = start + 1
    while end < len(doc):
        text = doc[end].text
        if _is_capitalised(text) and text.lower() not in NOT_NAMES and not doc[end].is_punct:
            end += 1
            continue
        if _is_initial(text):
            end += 1
            continue
        # Lowercase particles count only when a capitalised word follows them ("de Boer").
        look = end
        while look < len(doc) and doc[look].text in PARTICLES:
            look += 1
        if look > end and look < len(doc) and _is_capitalised(doc[look].text):
            end = look + 1
            continue
        break
    return end


def _rare_surname(doc, k: int, lists, common_words: frozenset[str] | None, unseen: bool = False) -> bool:
    """A lower-case word that is a surname in the list (any rank), no ordinary word, unknown to
    the pipeline's vocabulary and rare in Dutch at large ("kopciuch", "maduro", "yüksel"; not
    "rozen", "dure" or "verhoogt", which are surnames too but which a small model's vocabulary
    and the word list's flag can miss), and not tagged a verb, adverb or preposition.
    ``unseen``: practically never seen in Dutch text ("kopciuch"; not "crypto", "trekhaak")."""
    if common_words is None or k >= len(doc):
        return False
    token = doc[k]
    word = token.lower_
    return (
        token.text.islower() and token.is_alpha and len(word) >= 4 and word in lists.last_lower_all
        and word not in common_words and not _is_word(word, lists) and word not in _STOP_WORDS
        and token.pos_ not in ("VERB", "AUX", "ADV", "ADP") and not common_in_dutch(word)
        and (not unseen or unseen_in_dutch(word))
    )


def _lowercase_surname_after(doc, start: int, end: int, lists, common_words: frozenset[str] | None) -> int:
    """A known first name written with a capital, then its surname in lower case ("Wiesia
    kopciuch"): the surname goes with it, when the word is practically never seen in Dutch text
    ("kocht Jan crypto" keeps its crypto)."""
    if end == start + 1 and _rare_surname(doc, end, lists, common_words, unseen=True):
        return end + 1
    return end


def _two_first_names_and_surname(doc, found: tuple[int, int], lists, common_words) -> tuple[int, int]:
    """"anna maria kopciuch": two lower-case first names found as a pair, then the surname."""
    start, end = found
    first_names = lists.first_lower | lists.first_lower_all
    if end - start == 2 and all(doc[k].lower_ in first_names for k in (start, start + 1)) and _rare_surname(
        doc, end, lists, common_words, unseen=True
    ):
        return start, end + 1
    return found


# Tokenizers split "Anna’s" and "Kees'" into the name and the ending; "Esra's" stays one token.
POSSESSIVE_ENDINGS = ("'s", "’s")


def possessive_stem(text: str, lists=None) -> str | None:
    """The name in a possessive: "Esra's", and with ``lists`` also "Ahmeds" (a known first name
    and an "s", where the whole word is no name itself: not "Floris", "Thijs")."""
    for ending in POSSESSIVE_ENDINGS:
        if text.endswith(ending) and len(text) > len(ending) + 1:
            return text[: -len(ending)]
    if (
        lists is not None and text.endswith("s") and len(text) >= 4 and text[:-1] in lists.first
        and text not in lists.first and text not in lists.last
    ):
        return text[:-1]
    return None


def _possessive_name(doc, i: int, lists, common_words: frozenset[str] | None) -> bool:
    """A known name with a possessive ending: "Esra's moeder", "Mila's huis", "Ahmeds broer" (not
    "Jumbo's", "Afrika's"); without an apostrophe only where the whole word is none the pipeline or
    a word list knows."""
    token = doc[i]
    if not _is_capitalised(token.text) or common_words is None:
        return False
    stem = possessive_stem(token.text)
    if stem is not None:
        # A common first name may also be a word ("Mila's huis", "Roos's tuin"); a surname that is a
        # word or place may not ("Jumbo's", "Afrika's").
        common_first = stem in lists.first and stem.lower() in lists.first_lower
        return common_first or ((stem in lists.first or stem in lists.last) and not _is_word(stem.lower(), lists))
    stem = possessive_stem(token.text, lists)
    return (
        stem is not None and token.is_alpha and token.lower_ not in common_words
        and not _is_word(token.lower_, lists) and not _is_word(stem.lower(), lists)
    )


# Not a comma ("Lieve Esra, Proficiat") and not "&" ("Klik & Tik" is a course).
COORDINATORS = frozenset({"en", "of"})


def _could_be_coordinated_name(doc, k: int, lists, common_words: frozenset[str] | None) -> bool:
    """A known name, or a capitalised word inside a sentence that no word list knows and that is
    practically never seen in Dutch text: beside a first name with only "en" or "of" between them,
    a person too ("Sharella en Jurensley"; not "Kees en Humanitas", "Khmer en Tigrinya")."""
    if k < 0 or k >= len(doc) or common_words is None or _starts_sentence(doc, k):
        return False
    token = doc[k]
    lower = token.lower_
    if not (_is_capitalised(token.text) and token.is_alpha and len(token.text) >= 3):
        return False
    if lower in _STOP_WORDS or lower in NOT_NAMES or lower in TITLES or lower in RELATION_WORDS:
        return False
    # Beside a first name, the small model's "place" for a word Dutch text never has is weak
    # evidence ("Fatima en Hilayda"); a place it knows, or one that ends like a place, stays.
    if token.ent_type_ in NOT_PERSON_LABELS or (
            token.ent_type_ in PLACE_LABELS and (_named_place(token) or not unseen_in_dutch(lower))):
        return False
    known_name = (token.text in lists.first or token.text in lists.last) and not _is_word(lower, lists)
    return known_name or (_unknown_capitalised(doc, k, lists, common_words) and unseen_in_dutch(lower))


def _coordinated_names(doc, spans: list[tuple[int, int]], lists, common_words) -> list[tuple[int, int]]:
    """Names listed beside a name found ("Sharella en Jurensley", "Tesfay, Awet en Senait")."""
    claimed = {k for start, end in spans for k in range(start, end)}
    found: list[tuple[int, int]] = []
    todo = list(spans)
    while todo:
        start, end = todo.pop()
        # Only beside a known first name that is no word, or a name Dutch text never has ("voor
        # Massinissa en Hilayda"), standing after no article: "Eneco en Essent" are firms,
        # "Phnom Penh" a city, "Frans" also a language, "De Bijenkorf" a shop.
        if not any((doc[k].text in lists.first or unseen_in_dutch(doc[k].lower_))
                   and not _is_word(doc[k].lower_, lists) for k in range(start, end)):
            continue
        if start > 0 and doc[start - 1].lower_ in ARTICLES:
            continue
        candidates = []
        if end + 1 < len(doc) and doc[end].lower_ in COORDINATORS:
            candidates.append(end + 1)
        if start >= 2 and doc[start - 1].lower_ in COORDINATORS:
            candidates.append(start - 2)
        for k in candidates:
            if k in claimed or not _could_be_coordinated_name(doc, k, lists, common_words):
                continue
            span = (k, _extend_name(doc, k)) if k > start else (k, k + 1)
            claimed.update(range(*span))
            found.append(span)
            todo.append(span)
    return found


def _first_name_before(doc, start: int, lists, common_words: frozenset[str] | None) -> int:
    """Start of a name including an unknown first name right before a known surname ("Jurich
    Winklaar", "Priya Sewdien"): a capitalised word that is no ordinary word or form of address."""
    if start == 0 or _starts_sentence(doc, start):
        return start
    before = doc[start - 1]
    lower = before.lower_
    if not _is_capitalised(before.text) or not before.is_alpha or len(before.text) < 2:
        return start
    if lower in _STOP_WORDS or lower in NOT_NAMES or lower in TITLES or lower in RELATION_WORDS:
        return start
    if before.text in lists.first or common_words is None or lower not in common_words:
        return start - 1
    return start


def _arabic_particle_before(doc, i: int) -> int:
    """Start of a name at ``i`` including a capitalised Arabic particle right before it."""
    if i > 1 and doc[i - 1].text in ARABIC_PARTICLES and not _starts_sentence(doc, i - 1):
        return i - 1
    return i


def _lowercase_surname_end(doc, i: int, lists, after_first_name: bool) -> int | None:
    """End of a lower-case surname starting at ``i`` ("de boer", "yilmaz"), or None. A surname
    that is also a word ("boer", "visser") counts only behind particles or a first name."""
    j = i
    while j < len(doc) and doc[j].lower_ in PARTICLES:
        j += 1
    if j >= len(doc) or doc[j].lower_ not in lists.last_lower or not doc[j].text.islower():
        return None
    if j == i and _is_word(doc[j].lower_, lists) and not after_first_name:
        return None
    return j + 1


def _lowercase_name_at(doc, i: int, lists, word_allowed: bool) -> tuple[int, int] | None:
    """A lower-case name starting at ``i``: a known first name, optionally with a surname
    ("annie de boer"), or a known surname. Words that are also names need ``word_allowed``."""
    token = doc[i]
    lower = token.lower_
    if not token.text.islower() or not token.is_alpha or len(lower) < 3:
        return None
    if lower in lists.first_lower and (word_allowed or not _is_word(lower, lists)):
        return i, _lowercase_surname_end(doc, i + 1, lists, True) or i + 1
    end = _lowercase_surname_end(doc, i, lists, word_allowed)
    if end is not None:
        return i, end
    return None


def _rare_lowercase_pair_at(doc, i: int, lists, common_words: frozenset[str] | None) -> tuple[int, int] | None:
    """A lower-case first name of any rank followed by a surname ("shermayra isenia", "hagos
    tewolde"): both in the name list, neither an ordinary word nor a word the pipeline knows."""
    if common_words is None or doc[i].lower_ not in lists.first_lower_all or doc[i].lower_ in common_words:
        return None
    j = i + 1
    while j < len(doc) and doc[j].lower_ in PARTICLES and doc[j].text.islower():
        j += 1
    if j >= len(doc) or not doc[j].text.islower() or not doc[j].is_alpha or len(doc[j].text) < 3:
        return None
    surname = doc[j].lower_
    if surname in common_words or _is_word(surname, lists):
        return None
    if surname in lists.last_lower_all or (j == i + 1 and doc[j].pos_ in ("PROPN", "NOUN", "X", "")):
        return i, j + 1
    return None


def _lowercase_full_name_at(doc, i: int, lists, common_words: frozenset[str] | None) -> tuple[int, int] | None:
    """Without a title before it, a lower-case name needs a first name and a surname ("annie de
    boer", "esra yilmaz"), not both words the pipeline knows ("lieve mensen")."""
    if doc[i].lower_ not in lists.first_lower:
        return _rare_lowercase_pair_at(doc, i, lists, common_words)
    found = _lowercase_name_at(doc, i, lists, word_allowed=False)
    if not found:
        return None
    if found[1] == i + 1:
        # A known first name followed by a word that is in no word list: an unknown surname
        # ("eduard avramchuk").
        j = i + 1
        if (
            common_words is not None and j < len(doc) and doc[j].text.islower() and doc[j].is_alpha
            and len(doc[j].text) >= 3 and doc[j].lower_ not in common_words
            and not _is_word(doc[j].lower_, lists)
            and (doc[j].pos_ in ("PROPN", "NOUN", "X", "") or doc[j].lower_ in lists.last_lower_all)
        ):
            return i, j + 1
        return None
    start, end = found
    if common_words is not None and end == start + 2 and all(
        doc[k].lower_ in common_words for k in (start, start + 1)
    ):
        return None
    return found


def _inflected_adjective(word: str, lists, common_words: frozenset[str]) -> bool:
    """An inflected adjective whose base form is a known word ("boze" from "boos", "grote" from
    "groot", "lieve" from "lief"): the word lists hold base forms, so the inflection is undone
    (drop the -e, z -> s, v -> f, a single vowel doubled or a doubled consonant halved). A base
    form that is itself a first name does not count ("sanne" is not "san" inflected)."""
    if len(word) < 4 or not word.endswith("e"):
        return False
    stem = word[:-1]
    stem = stem[:-1] + {"z": "s", "v": "f"}.get(stem[-1], stem[-1])
    candidates = {stem}
    if len(stem) >= 3 and stem[-2] in "aeou" and stem[-3] not in "aeiou":
        candidates.add(stem[:-1] + stem[-2] + stem[-1])  # boz -> boos, grot -> groot
    if len(stem) >= 3 and stem[-1] == stem[-2]:
        candidates.add(stem[:-1])  # witt -> wit
    return any(
        len(candidate) >= 3 and candidate in common_words and candidate not in lists.first_lower_all
        for candidate in candidates
    )


def _lowercase_pair_at(doc, i: int, lists, common_words: frozenset[str] | None) -> tuple[int, int] | None:
    """Two lower-case words that together are a name, where no title or verb of saying helps:
    - a common first name that is no Dutch word and no inflected adjective ("boze"), then a
      surname or a word no list knows ("ivan prins", "hanna zabila"). The pair goes: a lower-case
      writer's "khadija kookt" loses its verb, but a surname never stays behind;
    - a first name of any rank, then a surname or first name, neither a Dutch word;
    - a word no list knows (no compound of known words, not tagged a noun), then a first name or
      surname that is no Dutch word, both of four letters or more ("sittik yaman"; chat
      shorthand like "gwn" is short, "klantmanager sanne" is a compound; "lahana sarma" is a dish,
      so an unknown word the tagger calls a noun does not count);
    - a common first name the pipeline does not know, particles, and an unknown word the tagger
      calls a noun or a name ("koen van de klashorst").
    Neither word may be a stop word, a month or a form of address."""
    if common_words is None:
        return None

    def plain(k: int) -> bool:
        return k < len(doc) and doc[k].text.islower() and doc[k].is_alpha and len(doc[k].text) >= 3

    if not plain(i) or doc[i].lower_ in _STOP_WORDS or doc[i].lower_ in NOT_NAMES:
        return None  # most words, before the closures below are made

    def known_lemma(k: int) -> bool:
        # An inflected word ("buien") may be unknown where its lemma ("bui") is not.
        lemma = doc[k].lemma_.lower()
        return bool(lemma) and lemma != doc[k].lower_ and (lemma in common_words or _is_word(lemma, lists))

    def unknown(k: int) -> bool:
        word = doc[k].lower_
        return (word not in common_words and not _is_word(word, lists) and word not in _STOP_WORDS
                and word not in NOT_NAMES and word not in TITLES and word not in RELATION_WORDS
                and not known_lemma(k))

    j = i + 1
    while j < len(doc) and doc[j].lower_ in PARTICLES and doc[j].text.islower():
        j += 1
    if not (plain(i) and plain(j)):
        return None
    first, second = doc[i].lower_, doc[j].lower_
    if first in NOT_NAMES or first in _STOP_WORDS or second in NOT_NAMES or second in _STOP_WORDS:
        return None
    second_is_name = second in lists.last_lower_all or second in lists.first_lower_all
    common_first = first in lists.first_lower and not _is_word(first, lists) and not known_lemma(i)
    # After particles, an unknown word is a surname only where the tagger calls it a noun or a
    # name ("fatima van de buurtkamer" still goes: a name and where to find her).
    surname_like = doc[j].pos_ in ("PROPN", "NOUN", "X", "") and unknown(j)
    if j == i + 1:
        if common_first and not _inflected_adjective(first, lists, common_words) and (
            second in lists.last_lower or second_is_name or unknown(j)
        ):
            return i, j + 1
        if first in lists.first_lower_all and second_is_name:
            return i, j + 1
        if (
            first in lists.first_lower and doc[i].pos_ not in _WORD_POS and _rare_surname(doc, j, lists, common_words)
            and not _inflected_adjective(first, lists, common_words)
        ):
            return i, j + 1
        if (
            unknown(i) and not _is_compound(first, common_words) and doc[i].pos_ != "NOUN"
            and second_is_name and second not in common_words and not common_in_dutch(second)
            and min(len(first), len(second)) >= 4
        ):
            return i, j + 1
        return None
    if first in lists.first_lower and first not in common_words and surname_like:
        return i, j + 1
    return None


# A word at least this common in Dutch text (once per 100,000 words: "hoop", "centrum", "zon") is
# an ordinary word at a sentence start whatever follows it.
VERY_COMMON_ZIPF = 5.0


def _person_doing(doc, i: int, lists) -> bool:
    """A first name that is also a word, opening a sentence (by its punctuation, not the parser's
    guess) before a verb people do: "Noor helpt mij", "Roos kookt", not "Roos bloeit" or "Hoop
    doet leven". Only names ranked in an origin group, not names merely common in any country,
    which include ordinary words ("Thee helpt", "Mee helpt"), and no very common word."""
    token = doc[i]
    return (
        _after_sentence_end(doc, i) and i + 1 < len(doc) and is_person_verb(doc[i + 1].lower_)
        and token.text in lists.first_local and zipf_in_dutch(token.lower_) < VERY_COMMON_ZIPF
    )


# Parts of speech that make a sentence-initial known name an ordinary word ("Lieve mensen").
_WORD_POS = frozenset({"ADJ", "ADV", "ADP", "AUX", "CCONJ", "DET", "NUM", "PRON", "SCONJ", "VERB", "INTJ"})


def _ordinary_at_sentence_start(token, lists, common_words: frozenset[str] | None) -> bool:
    """Whether a sentence-initial known name is more likely an ordinary word. Both the word list
    and the pipeline's vocabulary must know it as a word ("Roos", "Hoop"; not "Kees", whose
    lower-case form is a rare dog breed), or the tagger must call it no noun or name."""
    lower = token.lower_
    if lower in _STOP_WORDS:
        return True
    in_vocabulary = common_words is None or lower in common_words
    return in_vocabulary and (lower in lists.words or token.pos_ in _WORD_POS)


def _name_after(doc, i: int, lists, lowercase_words: bool) -> tuple[int, int] | None:
    """A name starting right after position ``i`` (skipping a '.' of an abbreviation)."""
    j = i + 1
    if j < len(doc) and doc[j].text == ".":
        j += 1
    if j >= len(doc):
        return None
    first = doc[j].text
    if _is_initial(first) or first in CAPITALISED_PARTICLES:
        end = _extend_name(doc, j)
        if end > j + 1 and any(_is_capitalised(doc[k].text) and not _is_initial(doc[k].text)
                               for k in range(j, end)):
            return j, end
        return None
    if first in PARTICLES:
        # "van der Meer" after a title
        look = j
        while look < len(doc) and doc[look].text in PARTICLES:
            look += 1
        if look < len(doc) and _is_capitalised(doc[look].text):
            return j, _extend_name(doc, look)
        if not lowercase_words:
            return None
        end = _lowercase_surname_end(doc, j, lists, True)  # "meneer de boer"
        return (j, end) if end is not None else None
    if _is_capitalised(first) and first.lower() not in NOT_NAMES and not doc[j].is_punct:
        return j, _extend_name(doc, j)
    return _lowercase_name_at(doc, j, lists, lowercase_words)


def name_spans(doc, use_entities: bool, common_words: frozenset[str] | None = None) -> list[tuple[int, int]]:
    """Token spans (start, end) that are person names."""
    lists = name_lists()
    firsts = lists.first
    surnames = lists.last
    cores = lists.cores
    spans: list[tuple[int, int]] = []
    lowercase_until = 0  # end of the last lower-case name found: its surname starts no new one
    for i, token in enumerate(doc):
        lower = token.text.lower().rstrip(".")
        # Forms of address and relation words followed by a name.
        if lower in TITLES or lower in RELATION_WORDS:
            found = _name_after(doc, i, lists, lowercase_words=lower in FORMAL_TITLES)
            if found:
                start, end = found
                if lower in RELATION_WORDS and end == start + 1 and _is_capitalised(doc[start].text):
                    word = doc[start].text
                    # "mijn buurvrouw Ans": accept a known first name or a word that is no
                    # ordinary Dutch word; a place ("mijn zoon Amsterdam…") is rare after these.
                    if word not in firsts and _looks_like_common_word(doc, start, common_words):
                        continue
                    # Not LOC: small models call many unknown names a place, and a place
                    # right after "mijn buurman" is not Dutch.
                    if doc[start].ent_type_ in NOT_PERSON_LABELS:
                        continue
                spans.append((start, end))
            continue
        # "Mijn naam is Fatma", "ik heet Kees", "ik heet annie de boer".
        for pattern in NAME_INTRODUCERS:
            if token.lower_ == pattern[0] and all(
                i + k < len(doc) and doc[i + k].lower_ == word for k, word in enumerate(pattern)
            ):
                found = _name_after(doc, i + len(pattern) - 1, lists, lowercase_words=True)
                if found:
                    spans.append(found)
        if not _is_capitalised(token.text):
            # Lower case needs more: first name + surname ("annie de boer", "esra yilmaz"), and
            # not right after "in", "uit", "te": "in hong kong", "uit santa cruz" are places.
            after_place_word = i > 0 and doc[i - 1].lower_ in PLACE_ONLY_PREPOSITIONS
            found = (
                _lowercase_full_name_at(doc, i, lists, common_words) or _lowercase_pair_at(doc, i, lists, common_words)
            ) if i >= lowercase_until and not after_place_word else None
            if found:
                # "anna maria kopciuch": two first names, then the surname.
                found = _two_first_names_and_surname(doc, found, lists, common_words)
                spans.append(found)
                lowercase_until = found[1]
            continue
        if _possessive_name(doc, i, lists, common_words):
            spans.append((i, i + 1))
            continue
        # Known first names.
        after_article = i > 0 and doc[i - 1].lower_ in ("de", "het", "'t", "een", "der", "den")
        # "in Kabul", "uit Ede": a place; "naar Esra" may be a visit, "naar Ede" is a trip.
        previous = doc[i - 1].lower_ if i > 0 else ""
        place_like = previous in PLACE_ONLY_PREPOSITIONS or (
            previous in PLACE_PREPOSITIONS and token.lower_ in lists.words
        )
        if token.ent_type_ in THING_LABELS:
            continue
        if token.text in firsts and not after_article and not place_like and not _loan_phrase_at(doc, i):
            next_capitalised = i + 1 < len(doc) and _is_capitalised(doc[i + 1].text)
            saying = i + 1 < len(doc) and doc[i + 1].lower_ in SAYING_VERBS
            if _starts_sentence(doc, i) and _ordinary_at_sentence_start(token, lists, common_words) and not (
                next_capitalised or saying or _person_doing(doc, i, lists)
            ):
                continue
            end = _lowercase_surname_after(doc, i, _extend_name(doc, i), lists, common_words)
            spans.append((_arabic_particle_before(doc, i), end))
        # First name lists miss many surnames; a known surname right after a capitalised word.
        elif token.text in surnames and i > 0 and doc[i - 1].text in firsts:
            spans.append((i - 1, i + 1))
        # A known surname on its own inside a sentence ("Samen met Wolters"), or after
        # lowercase particles ("van der Veen"); sentence-initial words may be ordinary words.
        elif not _starts_sentence(doc, i) and token.text.lower() not in NOT_NAMES:
            start = i
            while start > 0 and doc[start - 1].text in PARTICLES:
                start -= 1
            start = _arabic_particle_before(doc, start)  # "belde El Idrissi"
            particles = [doc[k].text for k in range(start, i)]
            if particles and all(p in ARTICLES for p in particles):
                continue  # "bij de Molen", "in de Grote Waal": a named place, not a person
            if not particles and doc[i - 1].text == "Den":
                continue  # Den Bosch, Den Haag
            # "de burgemeester van Haarlem": a noun before a single "van" means a place.
            of_a_place = particles == ["van"] and start > 0 and doc[start - 1].pos_ in ("NOUN", "PROPN")
            # A surname that is also a place ("Hoorn") needs more than capitals: "naar Hoorn".
            # And so does a bare surname after "in", "naar", "uit": "uit Kabul" is rarely a person.
            place_like = not particles and start == i and doc[i - 1].lower_ in PLACE_PREPOSITIONS
            # The small models call many surnames a place: LOC counts only for known places.
            located = token.ent_type_ in NOT_PERSON_LABELS or (token.ent_type_ in PLACE_LABELS and lower in lists.words)
            if (token.text in surnames and not located and not place_like) or (
                particles and token.text in cores and not of_a_place
                and (len(particles) > 1 or token.ent_type_ not in PLACE_LABELS)
            ):
                spans.append((start, i + 1))
    # An unknown name with a verb of saying ("Jurich zei …", "toen vroeg Oleksij …"), or with
    # letters no Dutch word has ("Şerafeddin", "Gülsiye", "Małgorzata"), unless a place ("uit Łódź").
    for i, token in enumerate(doc):
        found = _unknown_name_at(doc, i, lists, common_words)
        if found:
            spans.append(found)
            continue
        if (
            _is_capitalised(token.text) and FOREIGN_LETTERS.intersection(token.text)
            and (common_words is None or token.lower_ not in common_words)
            and not (i > 0 and doc[i - 1].lower_ in PLACE_PREPOSITIONS)
            and token.ent_type_ not in NO_PERSON_LABELS
        ):
            spans.append((i, _extend_name(doc, i)))
            continue
        # "samen met Kahir", "met Shermayra": inside a Dutch sentence only proper nouns have
        # capitals, and one right after "met" that no word list knows is nearly always a person.
        if (
            i > 0 and doc[i - 1].lower_ in WITH_PERSON and not _starts_sentence(doc, i)
            and _is_capitalised(token.text) and token.is_alpha and len(token.text) >= 3
            and common_words is not None and token.lower_ not in common_words
            and not _is_word(token.lower_, lists) and token.lower_ not in NOT_NAMES
            # The small models call many unknown names after "met" a place; no known place here.
            and token.ent_type_ not in NOT_PERSON_LABELS
        ):
            spans.append((i, _extend_name(doc, i)))
            continue
        if (
            _is_capitalised(token.text) and token.is_alpha and len(token.text) >= 3
            and token.lower_ not in _STOP_WORDS and token.lower_ not in NOT_NAMES
            and (common_words is None or token.lower_ not in common_words)
            and token.lower_ not in TITLES and token.lower_ not in RELATION_WORDS
            and ((i + 1 < len(doc) and doc[i + 1].lower_ in SAYING_VERBS)
                 or (i > 0 and doc[i - 1].lower_ in SAYING_VERBS))
        ):
            spans.append((i, _extend_name(doc, i)))
            continue
        if _unseen_capitalised_inside_sentence(doc, i, lists, common_words):
            spans.append((i, _extend_name(doc, i)))
    if use_entities:
        for ent in doc.ents:
            if ent.label_ not in ("PER", "PERSON"):
                continue
            tokens = [t for t in ent if _is_capitalised(t.text) and t.text.lower() not in NOT_NAMES]
            if not tokens:
                continue
            start = ent.start
            single = ent.end - start == 1
            if single and _starts_sentence(doc, start) and (
                (doc[start].text not in firsts and doc[start].text not in surnames)
                or _ordinary_at_sentence_start(doc[start], lists, common_words)
            ):
                continue  # the small models call many sentence-initial words a person
            spans.append((start, max(ent.end, _extend_name(doc, ent.end - 1))))
    spans = [(_first_name_before(doc, start, lists, common_words), end) for start, end in spans]
    return spans + _coordinated_names(doc, spans, lists, common_words)


# --- Putting it together -----------------------------------------------------------------------


def _name_parts(doc, start: int, end: int, lists) -> list[str]:
    """The words of a name span, a possessive ending taken off ("Esra's", "Ahmeds" -> "Esra", "Ahmed")."""
    return [possessive_stem(doc[k].text, lists) or doc[k].text for k in range(start, end)]


def _is_not_a_person(doc, start: int, end: int) -> bool:
    return doc[start:end].text.lower() in NOT_PERSONS or (
        end - start == 1 and start + 1 < len(doc) and doc[start:start + 2].text.lower() in NOT_PERSONS
    )


def _merge(replacements: list[Replacement]) -> list[Replacement]:
    """Drop overlaps: longer spans win, then patterns (which are precise) over names."""
    priority = {"e-mail": 0, "iban": 1, "bsn": 2, "telefoonnummer": 3, "adres": 4, "postcode": 5, "naam": 6}
    chosen: list[Replacement] = []
    for candidate in sorted(replacements, key=lambda r: (-(r.end - r.start), priority[r.kind])):
        if all(candidate.end <= c.start or candidate.start >= c.end for c in chosen):
            chosen.append(candidate)
    return sorted(chosen, key=lambda r: r.start)


def pseudonymise(
    doc,
    registry: PersonRegistry | None = None,
    use_entities: bool = True,
    common_words: frozenset[str] | None = None,
    source: Normalised | None = None,
) -> PseudonymisedText:
    """The public text with placeholders; the registry numbers the people found.

    ``doc`` is the pipeline's doc of ``source.text`` (see :func:`normalise`: zero-width and bidi
    characters out, NFKC), and the public text is built from ``source.visible``, each placeholder
    covering the whole obfuscated span. Without ``source`` the doc's text is used as it is.
    ``replaced`` holds character spans of ``doc.text``."""
    registry = registry or PersonRegistry()
    text = doc.text
    if source is None or source.text != text:
        source = Normalised(text, text, text, None)
    replacements = pattern_replacements(text)
    spans = name_spans(doc, use_entities, common_words)
    # Later mentions of a known person by one part of the name ("Kok" after "meneer Kok"),
    # also in lower case when that part is no ordinary word ("esra" after "Esra Yılmaz").
    claimed = {k for s, e in spans for k in range(s, e)}
    known = PersonRegistry([set(p) for p in registry.people])
    lists = name_lists()
    for start, end in spans:
        known.number_for(_name_parts(doc, start, end, lists))
    for i, token in enumerate(doc):
        if i in claimed or not known.knows(possessive_stem(token.text, lists) or token.text):
            continue
        if _is_capitalised(token.text):
            if token.text.lower() not in NOT_NAMES and token.text not in CAPITALISED_PARTICLES:
                spans.append((i, i + 1))
        elif token.is_alpha and len(token.text) >= 3 and token.text.islower() and not _is_word(token.lower_, lists):
            spans.append((i, i + 1))
    for start, end in spans:
        if _is_not_a_person(doc, start, end):
            continue
        span = doc[start:end]
        # "Esra's moeder" -> "[naam 1]'s moeder": the ending stays, the number is Esra's.
        stem = possessive_stem(doc[end - 1].text, lists)
        end_char = span.end_char - (len(doc[end - 1].text) - len(stem) if stem else 0)
        replacements.append(
            Replacement(span.start_char, end_char, "naam", person_key=" ".join(_name_parts(doc, start, end, lists)))
        )
    pieces: list[str] = []
    merged = _merge(replacements)
    shown = source.visible
    cursor = 0
    for item in merged:
        start, end = source.visible_span(item.start, item.end)
        if start < cursor:  # two matches inside one obfuscated stretch
            start = cursor
        pieces.append(shown[cursor:start])
        if item.kind == "naam":
            number = registry.number_for(item.person_key.split())
            pieces.append(f"[naam {number}]")
        else:
            pieces.append(f"[{item.kind}]")
        cursor = max(cursor, end)
    pieces.append(shown[cursor:])
    return PseudonymisedText("".join(pieces), registry, [(r.start, r.end, r.kind) for r in merged])
