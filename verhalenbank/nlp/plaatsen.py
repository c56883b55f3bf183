"""Where a story comes from, and which doelenbomen can therefore apply to it.

A doelenboom belongs to a municipality (its ``gemeente`` field, e.g. "Bollenstreek (Lisse,
Teylingen, Hillegom)"). A story told in Lisse is not evidence for Lelystad's goals, however
much its words resemble them: without this, a bank with several municipalities' trees suggests
every story in every tree. A story's place is read from

1. its wijk, when that names a place of a tree's gemeente ("Lisse", "Hoorn-Noord");
2. its wijk as the bank knows it: wijken of stories collected in rondes for a municipality's
   trees ("Warande" was told in a Lelystad ronde), or of stories a person confirmed in its trees;
3. a place of a tree's gemeente named in the story itself ("hier in Hillegom").

When nothing says where a story comes from, or the evidence points to several municipalities,
every tree stays in play. Trees without a gemeente are never excluded. There are no tuned
constants here: it is a rule, not a score.

Pure functions on plain data; the database side lives in ``nlp.operations``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

_SPLIT = re.compile(r"[(),;/&]|\s+en\s+|\s+-\s+", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:de\s+)?gemeenten?\s+", re.IGNORECASE)
_MIN_PLACE = 3  # shorter strings are abbreviations, not place names
T = TypeVar("T")


def gemeente_sleutel(gemeente: str | None) -> str | None:
    """One key per municipality as a tree names it (case and spacing ignored)."""
    if not gemeente or not gemeente.strip():
        return None
    return " ".join(_fold(gemeente).split())


def plaatsnamen(gemeente: str | None) -> set[str]:
    """The place names in a tree's gemeente field: "Bollenstreek (Lisse, Teylingen, Hillegom)"
    gives bollenstreek, lisse, teylingen and hillegom."""
    if not gemeente:
        return set()
    names = set()
    for part in _SPLIT.split(gemeente):
        name = " ".join(_PREFIX.sub("", part.strip()).split())
        if len(name) >= _MIN_PLACE and any(ch.isalpha() for ch in name):
            names.add(_fold(name))
    return names


class Plaatswijzer:
    """Answers "which municipalities can this story be from?" for the trees of one bank."""

    def __init__(self, gemeenten: Iterable[str | None], bekende_wijken: Mapping[str, set[str]] | None = None):
        self._place_to_keys: dict[str, set[str]] = {}
        for gemeente in gemeenten:
            key = gemeente_sleutel(gemeente)
            if key is None:
                continue
            for name in plaatsnamen(gemeente):
                self._place_to_keys.setdefault(name, set()).add(key)
        self._wijken: dict[str, set[str]] = {}
        for wijk, keys in (bekende_wijken or {}).items():
            if wijk and keys:
                self._wijken.setdefault(" ".join(_fold(wijk).split()), set()).update(keys)
        names = sorted(self._place_to_keys, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)
            if names else None
        )

    def gemeenten(self, wijk: str | None, tekst: str | None = None) -> set[str] | None:
        """The municipality keys this story may belong to, or None when nothing says."""
        if wijk and wijk.strip():
            named = self._named_in(wijk, capitalised_only=False)
            if named:
                return named
            known = self._wijken.get(" ".join(_fold(wijk).split()))
            if known:
                return set(known)
        if tekst:
            named = self._named_in(tekst, capitalised_only=True)
            if named:
                return named
        return None

    def _named_in(self, text: str, capitalised_only: bool) -> set[str]:
        """Places named in the text; in running text only written with a capital ("Hoorn", not
        "een hoorn")."""
        if self._pattern is None:
            return set()
        found: set[str] = set()
        for match in self._pattern.finditer(_strip_accents(text)):
            if capitalised_only and not match.group(1)[0].isupper():
                continue
            found |= self._place_to_keys[match.group(1).lower()]
        return found


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _fold(text: str) -> str:
    """Lower case without accents, so "Súdwest-Fryslân" and "sudwest-fryslan" meet."""
    return _strip_accents(text).lower()


def bomen_voor(gemeenten: set[str] | None, bomen: Iterable[T], gemeente_van: Callable[[T], str | None]) -> list[T]:
    """The trees a story can belong to: all of them when its place is unknown; otherwise the
    trees of its municipalities plus every tree that names no municipality."""
    bomen = list(bomen)
    if not gemeenten:
        return bomen
    return [b for b in bomen if (key := gemeente_sleutel(gemeente_van(b))) is None or key in gemeenten]
