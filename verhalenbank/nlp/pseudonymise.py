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

from verhalenbank.nlp.dutch import MONTHS, WEEKDAYS
from verhalenbank.nlp.names import first_names, last_names, surname_cores

# --- Patterns ------------------------------------------------------------------------------------

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
# Dutch numbers: 0 + 9 digits, or +31/0031 + 9 digits; single separators (space, dot, hyphen,
# brackets) allowed between digits: 06-12345678, 06 1234 5678, 020-1234567, 0320 123456,
# +31 6 12345678, +31 (0)20 123 4567.
PHONE_RE = re.compile(
    r"(?<![\w+/])(?:(?:\+|00)31[\s.-]?(?:\(0\)[\s.-]?)?|\(0|0)(?:\d[\s.)/-]{0,2}){8}\d(?![\d])"
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
NOT_NAMES = MONTHS | WEEKDAYS | frozenset(
    "god here gemeente wmo ggz uwv pgb digid zorg jeugdzorg ik wij zij hij".split()
)


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
        parts = {t.lower().strip(".") for t in name_tokens if t[:1].isupper() and len(t.strip(".")) > 1}
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
    replaced: list[tuple[int, int, str]]  # character spans of the original text, with kind

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
    for match in EMAIL_RE.finditer(text):
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


def _is_capitalised(text: str) -> bool:
    return bool(text) and text[0].isupper() and any(ch.isalpha() for ch in text) and not text.isupper()


def _is_initial(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]\.(?:[A-Z]\.)*", text))


def _starts_sentence(doc, i: int) -> bool:
    if i == 0:
        return True
    token = doc[i]
    if token.is_sent_start:
        return True
    previous = doc[i - 1].text
    return previous in {".", "!", "?", ":", "'", '"', "‘", "“", "'s", "\n"} or previous.endswith("\n")


def _looks_like_common_word(doc, i: int, common_words: frozenset[str] | None) -> bool:
    """Sentence-initial capitals hide whether a word is a name: check a word list (the
    pipeline's own vocabulary, snapshotted before any story was processed)."""
    if common_words is None:
        return doc[i].pos_ != "PROPN"
    return doc[i].text.lower() in common_words


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


def _name_after(doc, i: int) -> tuple[int, int] | None:
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
        end = _extend_name(doc, j - 1) if j > 0 else j
        # "van der Meer" after a title
        look = j
        while look < len(doc) and doc[look].text in PARTICLES:
            look += 1
        if look < len(doc) and _is_capitalised(doc[look].text):
            return j, _extend_name(doc, look)
        return None
    if _is_capitalised(first) and first.lower() not in NOT_NAMES and not doc[j].is_punct:
        return j, _extend_name(doc, j)
    return None


def name_spans(doc, use_entities: bool, common_words: frozenset[str] | None = None) -> list[tuple[int, int]]:
    """Token spans (start, end) that are person names."""
    firsts = first_names()
    surnames = last_names()
    cores = surname_cores()
    spans: list[tuple[int, int]] = []
    for i, token in enumerate(doc):
        lower = token.text.lower().rstrip(".")
        # Forms of address and relation words followed by a capitalised name.
        if lower in TITLES or lower in RELATION_WORDS:
            found = _name_after(doc, i)
            if found:
                start, end = found
                if lower in RELATION_WORDS and end == start + 1:
                    word = doc[start].text
                    # "mijn buurvrouw Ans": accept a known first name or a word that is no
                    # ordinary Dutch word; a place ("mijn zoon Amsterdam…") is rare after these.
                    if word not in firsts and _looks_like_common_word(doc, start, common_words):
                        continue
                    # Not LOC: small models call many unknown names a place, and a place
                    # right after "mijn buurman" is not Dutch.
                    if doc[start].ent_type_ == "ORG":
                        continue
                spans.append((start, end))
            continue
        # "Mijn naam is Fatma", "ik heet Kees".
        for pattern in NAME_INTRODUCERS:
            if token.lower_ == pattern[0] and all(
                i + k < len(doc) and doc[i + k].lower_ == word for k, word in enumerate(pattern)
            ):
                found = _name_after(doc, i + len(pattern) - 1)
                if found:
                    spans.append(found)
        # Known first names.
        if token.text in firsts and _is_capitalised(token.text):
            next_capitalised = i + 1 < len(doc) and _is_capitalised(doc[i + 1].text)
            if _starts_sentence(doc, i) and _looks_like_common_word(doc, i, common_words) and not next_capitalised:
                continue
            spans.append((i, _extend_name(doc, i)))
        # First name lists miss many surnames; a known surname right after a capitalised word.
        elif token.text in surnames and i > 0 and doc[i - 1].text in firsts:
            spans.append((i - 1, i + 1))
        # A known surname on its own inside a sentence ("Samen met Wolters"), or after
        # lowercase particles ("van der Veen"); sentence-initial words may be ordinary words.
        elif _is_capitalised(token.text) and not _starts_sentence(doc, i) and token.text.lower() not in NOT_NAMES:
            start = i
            while start > 0 and doc[start - 1].text in PARTICLES:
                start -= 1
            particles = [doc[k].text for k in range(start, i)]
            if particles and all(p in ARTICLES for p in particles):
                continue  # "bij de Molen", "in de Grote Waal": a named place, not a person
            if not particles and doc[i - 1].text == "Den":
                continue  # Den Bosch, Den Haag
            # "de burgemeester van Haarlem": a noun before a single "van" means a place.
            of_a_place = particles == ["van"] and start > 0 and doc[start - 1].pos_ in ("NOUN", "PROPN")
            if (token.text in surnames and token.ent_type_ not in ("LOC", "ORG")) or (
                particles and token.text in cores and not of_a_place
                and (len(particles) > 1 or token.ent_type_ != "LOC")
            ):
                spans.append((start, i + 1))
    if use_entities:
        for ent in doc.ents:
            if ent.label_ not in ("PER", "PERSON"):
                continue
            tokens = [t for t in ent if _is_capitalised(t.text) and t.text.lower() not in NOT_NAMES]
            if not tokens:
                continue
            start = ent.start
            single = ent.end - start == 1
            if single and _starts_sentence(doc, start) and doc[start].text not in firsts | surnames:
                continue  # the small models call many sentence-initial words a person
            spans.append((start, max(ent.end, _extend_name(doc, ent.end - 1))))
    return spans


# --- Putting it together -----------------------------------------------------------------------


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
) -> PseudonymisedText:
    """The doc's text with placeholders; the registry numbers the people found."""
    registry = registry or PersonRegistry()
    text = doc.text
    replacements = pattern_replacements(text)
    spans = name_spans(doc, use_entities, common_words)
    # Later mentions of a known person by one part of the name ("Kok" after "meneer Kok").
    claimed = {k for s, e in spans for k in range(s, e)}
    known = PersonRegistry([set(p) for p in registry.people])
    for start, end in spans:
        known.number_for([doc[k].text for k in range(start, end)])
    for i, token in enumerate(doc):
        if i not in claimed and _is_capitalised(token.text) and known.knows(token.text):
            if token.text.lower() not in NOT_NAMES and token.text not in CAPITALISED_PARTICLES:
                spans.append((i, i + 1))
    for start, end in spans:
        if _is_not_a_person(doc, start, end):
            continue
        span = doc[start:end]
        replacements.append(
            Replacement(span.start_char, span.end_char, "naam", person_key=" ".join(t.text for t in span))
        )
    pieces: list[str] = []
    cursor = 0
    merged = _merge(replacements)
    for item in merged:
        pieces.append(text[cursor:item.start])
        if item.kind == "naam":
            number = registry.number_for(item.person_key.split())
            pieces.append(f"[naam {number}]")
        else:
            pieces.append(f"[{item.kind}]")
        cursor = item.end
    pieces.append(text[cursor:])
    return PseudonymisedText("".join(pieces), registry, [(r.start, r.end, r.kind) for r in merged])
