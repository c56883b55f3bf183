"""Dutch text analysis shared by every search back end.

Documents and queries go through the same steps: lower case, accent folding (café = cafe),
Dutch stop words, the Snowball Dutch stemmer (the same algorithm as PostgreSQL's built-in
`dutch` configuration), and for long words the parts of a compound ("buurtkamer" is also
found with "kamer"). Snippets are highlighted here too, so both back ends show the same HTML.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Callable, Iterable

from markupsafe import Markup, escape
from rapidfuzz import process as rapidfuzz_process
from rapidfuzz.distance import OSA
from whoosh.lang import stemmer_for_language, stopwords_for_language

WORD_PATTERN = re.compile(r"\w+", re.UNICODE)

# The Snowball Dutch stop word list: the same list PostgreSQL's `dutch` configuration uses.
STOPWOORDEN: frozenset[str] = frozenset(stopwords_for_language("nl"))

_snowball_stem = stemmer_for_language("nl")

# Word parts that occur in compounds of the social domain. Kept short on purpose: a part is
# only split off when both halves are known, so "buurtkamer" yields "buurt" + "kamer" but a
# word like "kameraad" is left alone.
COMPOUND_PARTS: frozenset[str] = frozenset(
    """
    buurt wijk straat dorp stad huis thuis kamer tuin moestuin plek punt plaats centrum
    zorg mantel mantelzorg zorger hulp steun werk werker vrijwilliger vrijwilligers
    jongeren jongere ouderen oudere kinderen kind ouder ouders vader moeder familie buren
    koffie thee eten maaltijd maal tafel keuken kook ochtend middag avond dag week weekend
    besteding activiteit activiteiten ontmoeting ontmoetings groep club vereniging team
    feest markt winkel school taal les cursus sport voetbal wandel fiets bus auto
    kerk bibliotheek gemeente loket team coach consulent dokter huisarts ziekenhuis
    gesprek gesprekken verhaal verhalen contact contacten netwerk vriend vrienden
    eenzaamheid gezondheid geld schuld schulden armoede baan
    """.split()
)

_LINKERS = ("", "s", "e", "en")


def fold_accents(text: str) -> str:
    """Strip diacritics: 'café' -> 'cafe', 'één' -> 'een'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def normalise_word(word: str) -> str:
    # Cached: indexing normalises every word of every story, and texts reuse few words.
    return fold_accents(word.lower())


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem a normalised (lower-case, folded) word with Snowball Dutch."""
    return _snowball_stem(word)


def is_stopword(normalised_word: str) -> bool:
    return normalised_word in STOPWOORDEN


@lru_cache(maxsize=32)
def words(text: str) -> tuple[str, ...]:
    """Normalised words of a text, stop words included (callers decide).

    Cached for the last few texts: indexing a story reads the words of its title and text
    several times (pairs, forms, compound parts), which was half the work of preparing it.
    The index writers call `forget_texts` once a story's fields are made."""
    return tuple([normalise_word(match.group()) for match in WORD_PATTERN.finditer(text or "")])


def forget_texts() -> None:
    """Drop the texts `words` remembers, so this cache holds no story's text after its index
    fields were made (a story erased later must not linger there). The word-level caches
    (`normalise_word`, `stem`, `compound_parts`) keep single words, as they did before."""
    words.cache_clear()


def analyse_terms(text: str) -> list[str]:
    """Index/query terms of a text: normalised, stop words removed, stemmed."""
    return [stem(word) for word in words(text) if not is_stopword(word)]


def positioned_terms(text: str) -> list[tuple[str, int]]:
    """(stem, position) of the words that are not stop words; positions count every word,
    stop words included, as PostgreSQL's tsvector does ("ringvaart en drie": 0 and 2)."""
    return [(stem(word), position) for position, word in enumerate(words(text)) if not is_stopword(word)]


# Two indexed words further apart than this (more stop words between them) form no pair.
MAX_PAIR_GAP = 4


def pair_term(first: str, second: str, gap: int) -> str:
    """The index term for two neighbouring stems `gap` positions apart ("koffi_bur" when
    adjacent, "koffi_3_bur" for "koffie met de buren")."""
    return f"{first}_{second}" if gap == 1 else f"{first}_{gap}_{second}"


def word_pairs(text: str) -> list[str]:
    """Pair terms of consecutive non-stop words, with the number of positions between them,
    so a phrase matches only words that stand as written (stop words are not skipped)."""
    terms = positioned_terms(text)
    return [
        pair_term(first, second, second_at - first_at)
        for (first, first_at), (second, second_at) in zip(terms, terms[1:])
        if second_at - first_at <= MAX_PAIR_GAP
    ]


def word_forms(*texts: str) -> set[str]:
    """The words of the texts as written (normalised, not stemmed, no stop words): what a
    prefix (`vandaa*`) and typo tolerance (`witen` -> `weten`) are matched against."""
    forms: set[str] = set()
    for text in texts:
        forms.update(word for word in words(text) if not is_stopword(word))
    return forms


@lru_cache(maxsize=100_000)
def compound_parts(normalised_word: str) -> tuple[str, ...]:
    """Split a compound into two known parts (with an optional linking s/e/en), else ()."""
    if len(normalised_word) < 7:
        return ()
    for split_at in range(3, len(normalised_word) - 2):
        head = normalised_word[:split_at]
        if head not in COMPOUND_PARTS:
            continue
        rest = normalised_word[split_at:]
        for linker in _LINKERS:
            if linker and not rest.startswith(linker):
                continue
            tail = rest[len(linker):]
            if len(tail) >= 3 and tail in COMPOUND_PARTS:
                return (head, tail)
    return ()


def compound_text(*texts: str) -> str:
    """The compound parts found in the texts, as one space-separated string to index."""
    parts: list[str] = []
    for text in texts:
        for word in words(text):
            parts.extend(compound_parts(word))
    return " ".join(parts)


def edit_distance_within(a: str, b: str, limit: int) -> bool:
    """True when a and b are at most `limit` edits apart.

    Edits are insertions, deletions, substitutions and swaps of two neighbouring letters
    (optimal string alignment), so "koffei" is one edit from "koffie".
    """
    return OSA.distance(a, b, score_cutoff=limit) <= limit


def allowed_typos(term: str) -> int:
    """How many edits a query term may be off: none for short words, more for long ones."""
    if len(term) < 4:
        return 0
    if len(term) < 8:
        return 1
    return 2


def spelling_alternatives(word: str, known_form: bool, vocabulary: Callable[[str], Iterable[str]]) -> list[str]:
    """Near spellings to search as well, for a query word not in the index as written.

    `vocabulary(first_letter)` gives the indexed word forms. Candidates that stem to the
    query word's own stem add nothing ("buurtkamers" already finds "buurtkamer")."""
    if known_form:
        return []
    own_stem = stem(word)
    return [candidate for candidate in typo_candidates(word, vocabulary(word[:1])) if stem(candidate) != own_stem]


def typo_candidates(term: str, vocabulary: Iterable[str]) -> list[str]:
    """Indexed words close to a word unknown to the index (same first letter, few edits).

    Matched on the word as typed, not its stem: "witen" (stem "wit") is one edit from
    "weten" (stem "wet"), while the stems are too short to allow any edit."""
    limit = allowed_typos(term)
    if limit == 0:
        return []
    shortest, longest = len(term) - limit, len(term) + limit
    same_start = [
        candidate
        for candidate in vocabulary
        if candidate != term and candidate[:1] == term[:1] and shortest <= len(candidate) <= longest
    ]
    # rapidfuzz compares in C: a 95,000-word vocabulary (a first letter's few thousand words)
    # in about a millisecond, where the same alignment in Python took over 100 ms.
    near = rapidfuzz_process.extract(term, same_start, scorer=OSA.distance, score_cutoff=limit, limit=None)
    return sorted({candidate for candidate, _, _ in near})


# --- snippets -------------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def _token_terms(raw: str) -> tuple[str, ...]:
    """The index terms a word of running text stands for: its stem and its compound parts."""
    word = normalise_word(raw)
    if is_stopword(word):
        return ()
    return (stem(word), *(stem(part) for part in compound_parts(word)))

SNIPPET_WORDS = 32


def highlight_snippet(
    text: str,
    matches_term: Callable[[str], bool],
    *,
    window: int = SNIPPET_WORDS,
) -> Markup:
    """A fragment of `text` around the densest cluster of matching words, as safe HTML.

    The text is escaped piece by piece; the only markup added is <mark>…</mark> around
    words whose stem (or a compound part's stem) satisfies `matches_term`.
    """
    text = text or ""
    tokens = list(WORD_PATTERN.finditer(text))
    if not tokens:
        return Markup(escape(text[:300]))

    def token_matches(raw: str) -> bool:
        return any(matches_term(term) for term in _token_terms(raw))

    hits = [token_matches(token.group()) for token in tokens]
    # Sliding window with the most matching words; the first such window wins.
    best_start, best_count = 0, -1
    running = sum(hits[:window])
    if len(tokens) <= window:
        best_start, best_count = 0, running
    else:
        best_count = running
        for start in range(1, len(tokens) - window + 1):
            running += hits[start + window - 1] - hits[start - 1]
            if running > best_count:
                best_start, best_count = start, running
    # Start a little before the first hit so the reader gets some context.
    if best_count > 0 and best_start > 0:
        first_hit = next(i for i in range(best_start, len(tokens)) if hits[i])
        best_start = max(0, min(best_start, first_hit - 4))
    end_index = min(len(tokens), best_start + window)

    begin_offset = 0 if best_start == 0 else tokens[best_start].start()
    end_offset = len(text) if end_index == len(tokens) else tokens[end_index - 1].end()

    pieces: list[str] = []
    if begin_offset > 0:
        pieces.append("… ")
    cursor = begin_offset
    for index in range(best_start, end_index):
        token = tokens[index]
        if not hits[index]:
            continue
        pieces.append(str(escape(text[cursor:token.start()])))
        pieces.append("<mark>" + str(escape(token.group())) + "</mark>")
        cursor = token.end()
    pieces.append(str(escape(text[cursor:end_offset])))
    if end_offset < len(text):
        pieces.append(" …")
    return Markup("".join(pieces).replace("\n", " "))
