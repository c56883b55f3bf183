"""The query language, parsed once into a small tree that every back end compiles.

Syntax: words (all must occur), "a phrase", prefix*, EN/OF/NIET and AND/OR/NOT (upper case;
lower-case "en"/"of"/"niet" are ordinary words), -word for NIET, and parentheses.
A malformed query raises ZoekvraagFout with a message a beleidsadviseur understands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from verhalenbank.core.errors import Ongeldig
from verhalenbank.zoeken.analyse import is_stopword, positioned_terms, stem, words

MAX_QUERY_LENGTH = 500

AND_WORDS = {"EN", "AND"}
OR_WORDS = {"OF", "OR"}
NOT_WORDS = {"NIET", "NOT"}


class ZoekvraagFout(Ongeldig):
    """The query can't be read; the message says why, in plain Dutch."""


# --- tree -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word, already analysed: `stem` is what the index holds; `word` as typed (folded)."""

    word: str
    stem: str


@dataclass(frozen=True)
class Prefix:
    word: str  # normalised text before the '*'
    stem: str  # the same text stemmed, as PostgreSQL does with 'word:*'


@dataclass(frozen=True)
class Phrase:
    text: str  # the phrase as typed (for back ends that analyse phrases themselves)
    stems: tuple[str, ...]  # stop words removed, in order
    # Positions between consecutive stems (1 = adjacent; 3 for "koffie met de buren"):
    # stop words are not searched for, but they still stand between the words.
    gaps: tuple[int, ...] = ()

    def __post_init__(self):
        if not self.gaps:
            object.__setattr__(self, "gaps", (1,) * max(0, len(self.stems) - 1))


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


Node = Term | Prefix | Phrase | And | Or | Not


def positive_stems(node: Node | None) -> tuple[set[str], set[str]]:
    """(stems, prefixes) that count as hits for highlighting; negated parts excluded."""
    stems: set[str] = set()
    prefixes: set[str] = set()

    def walk(current) -> None:
        if isinstance(current, Term):
            stems.add(current.stem)
        elif isinstance(current, Prefix):
            prefixes.add(current.stem)
        elif isinstance(current, Phrase):
            stems.update(current.stems)
        elif isinstance(current, (And, Or)):
            for child in current.children:
                walk(child)

    if node is not None:
        walk(node)
    return stems, prefixes


# --- tokenizer ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<phrase>"[^"]*")      |
    (?P<open_quote>")        |
    (?P<lparen>\()           |
    (?P<rparen>\))           |
    (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)


@dataclass
class _Token:
    kind: str  # phrase | lparen | rparen | and | or | not | word | minus_word
    value: str


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group()
        if kind == "open_quote":
            raise ZoekvraagFout(
                'Er staat een aanhalingsteken (") zonder tweede aanhalingsteken. '
                "Zet een zin tussen twee aanhalingstekens, bijvoorbeeld \"samen koken\"."
            )
        if kind == "phrase":
            tokens.append(_Token("phrase", value[1:-1]))
        elif kind in ("lparen", "rparen"):
            tokens.append(_Token(kind, value))
        elif value in AND_WORDS:
            tokens.append(_Token("and", value))
        elif value in OR_WORDS:
            tokens.append(_Token("or", value))
        elif value in NOT_WORDS:
            tokens.append(_Token("not", value))
        elif value.startswith("-") and len(value) > 1:
            tokens.append(_Token("not", "-"))
            tokens.append(_Token("word", value[1:]))
        else:
            tokens.append(_Token("word", value))
    return tokens


# --- parser ---------------------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.position = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self):
        node = self.parse_or()
        token = self.peek()
        if token is not None:
            if token.kind == "rparen":
                raise ZoekvraagFout(
                    "Er staat een haakje sluiten ')' zonder haakje openen '('. "
                    "Haal het haakje weg of voeg het ontbrekende haakje toe."
                )
            raise ZoekvraagFout(f"De zoekvraag is niet te lezen bij '{token.value}'.")
        return node

    def parse_or(self):
        children = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "or":
            operator = self.take()
            if self.peek() is None or self.peek().kind in ("or", "and", "rparen"):
                raise _missing_operand(operator.value, after=True)
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else ("or", children)

    def parse_and(self):
        children = [self.parse_unary()]
        while (token := self.peek()) is not None and token.kind not in ("or", "rparen"):
            if token.kind == "and":
                operator = self.take()
                if self.peek() is None or self.peek().kind in ("or", "and", "rparen"):
                    raise _missing_operand(operator.value, after=True)
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else ("and", children)

    def parse_unary(self):
        token = self.peek()
        if token is None:
            raise ZoekvraagFout("De zoekvraag houdt te vroeg op. Maak haar af of haal het laatste woord weg.")
        if token.kind == "not":
            operator = self.take()
            following = self.peek()
            if following is None or following.kind in ("or", "and", "rparen", "not"):
                raise _missing_operand(operator.value if operator.value != "-" else "NIET", after=True)
            return ("not", self.parse_unary())
        if token.kind in ("and", "or"):
            raise _missing_operand(token.value, after=False)
        return self.parse_atom()

    def parse_atom(self):
        token = self.take()
        if token.kind == "lparen":
            if self.peek() is not None and self.peek().kind == "rparen":
                raise ZoekvraagFout("Tussen de haakjes ( ) staat niets. Zet er woorden tussen of haal ze weg.")
            node = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise ZoekvraagFout(
                    "Er staat een haakje openen '(' zonder haakje sluiten ')'. "
                    "Voeg het ontbrekende haakje toe."
                )
            self.take()
            return node
        if token.kind == "rparen":
            raise ZoekvraagFout(
                "Er staat een haakje sluiten ')' zonder haakje openen '('. "
                "Haal het haakje weg of voeg het ontbrekende haakje toe."
            )
        if token.kind == "phrase":
            return ("phrase", token.value)
        return ("word", token.value)


def _missing_operand(operator: str, *, after: bool) -> ZoekvraagFout:
    where = "na" if after else "voor"
    return ZoekvraagFout(
        f"Er ontbreekt een woord {where} '{operator}'. "
        f"Schrijf bijvoorbeeld: buren {operator if operator not in NOT_WORDS | {'-'} else 'NIET'} koffie."
    )


# --- analysis of the raw tree ---------------------------------------------------------------


def _phrase(text: str) -> Phrase:
    positioned = positioned_terms(text)
    return Phrase(
        text=text,
        stems=tuple(term for term, _ in positioned),
        gaps=tuple(second - first for (_, first), (_, second) in zip(positioned, positioned[1:])),
    )


def _analyse(raw) -> Node | None:
    """Turn the raw parse into analysed nodes; stop words drop out (None)."""
    kind = raw[0]
    if kind == "word":
        value: str = raw[1]
        if value.endswith("*"):
            body = value.rstrip("*")
            if "*" in body:
                raise ZoekvraagFout(f"Een * mag alleen aan het eind van een woord staan ('{value}').")
            normalised = "".join(words(body))
            if len(normalised) < 2:
                raise ZoekvraagFout(
                    f"Zet minstens twee letters voor de * ('{value}'), bijvoorbeeld buur*."
                )
            return Prefix(word=normalised, stem=stem(normalised))
        if "*" in value:
            raise ZoekvraagFout(f"Een * mag alleen aan het eind van een woord staan ('{value}').")
        parts = [word for word in words(value) if not is_stopword(word)]
        if not parts:
            return None
        if len(parts) == 1:
            return Term(word=parts[0], stem=stem(parts[0]))
        # "buurt-kamer" or "LW1.2": the parts must stand together, like a phrase.
        return _phrase(" ".join(words(value)))
    if kind == "phrase":
        terms = [word for word in words(raw[1]) if not is_stopword(word)]
        if not terms:
            return None
        if len(terms) == 1:
            return Term(word=terms[0], stem=stem(terms[0]))
        return _phrase(raw[1])
    if kind == "not":
        child = _analyse(raw[1])
        return None if child is None else Not(child)
    children = [child for child in (_analyse(item) for item in raw[1]) if child is not None]
    if not children:
        return None
    if len(children) == 1:
        return children[0]
    return And(tuple(children)) if kind == "and" else Or(tuple(children))


def parse_query(text: str | None) -> Node | None:
    """Parse a query; None means "no text condition" (empty, or only stop words)."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_QUERY_LENGTH:
        raise ZoekvraagFout(f"De zoekvraag is te lang (meer dan {MAX_QUERY_LENGTH} tekens). Maak haar korter.")
    tokens = _tokenize(text)
    if not tokens:
        return None
    raw = _Parser(tokens).parse()
    node = _analyse(raw)
    if node is None:
        raise ZoekvraagFout(
            "De zoekvraag bevat alleen woorden die te vaak voorkomen om op te zoeken "
            "(zoals 'de', 'het', 'niet'). Gebruik een ander woord."
        )
    if isinstance(node, Not) or (
        isinstance(node, Or) and any(isinstance(child, Not) for child in node.children)
    ):
        # "NIET koffie" alone would return almost everything; say what to do instead.
        raise ZoekvraagFout(
            "Zoek eerst op iets en sluit daarna uit, bijvoorbeeld: buren NIET koffie."
        )
    if isinstance(node, And) and all(isinstance(child, Not) for child in node.children):
        raise ZoekvraagFout(
            "Zoek eerst op iets en sluit daarna uit, bijvoorbeeld: buren NIET koffie."
        )
    return node
