"""The search adapter: what the app puts into the index and what a search gives back.

Two back ends implement it with the same query semantics (see `zoekvraag.py`):
Whoosh (`whoosh_backend.WhooshBackend`, default, one index folder per data dir) and
PostgreSQL full-text search (`postgres_backend.PostgresBackend`, shared by several app
servers). Facet counts are "disjunctive": the counts of one field ignore that field's own
filter, so a chosen wijk still shows how many stories the other wijken have.
"""

from __future__ import annotations

import abc
import threading
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterable, Iterator

from markupsafe import Markup

from verhalenbank.core.errors import Ongeldig
from verhalenbank.zoeken.analyse import highlight_snippet
from verhalenbank.zoeken.zoekvraag import ZoekvraagFout, parse_query, positive_stems  # noqa: F401 (re-export)

# Every filterable field; each is also a facet. Multi-valued fields hold lists.
# `subdoel`/`indicator` are confirmed OR suggested; the *_bevestigd/*_voorgesteld keep them apart.
# Subdoel and indicator codes are qualified by their tree: "lelystad-...:LW1", "...:LW1.2".
_BOOM_FIELDS: tuple[str, ...] = (
    "doelenboom",
    "subdoel",
    "subdoel_bevestigd",
    "subdoel_voorgesteld",
    "indicator",
    "indicator_bevestigd",
    "indicator_voorgesteld",
)
FACET_FIELDS: tuple[str, ...] = (
    *_BOOM_FIELDS,
    "ronde",
    "wijk",
    "bron",
    "aanbieder",
    "gevoel",
    "status",
)
MULTI_VALUED_FIELDS = frozenset(_BOOM_FIELDS)  # the tree fields hold lists
SORTS = ("relevantie", "datum", "datum_oud")
MAX_PER_PAGE = 200


def qualified_code(doelenboom_code: str, code: str) -> str:
    """'lelystad-sociaal-krachtige-wijken', 'LW1' -> 'lelystad-sociaal-krachtige-wijken:LW1'."""
    return f"{doelenboom_code}:{code}"


@dataclass
class ZoekDocument:
    """One verhaal as the index sees it. Holds only what others may see (tekst_publiek)."""

    id: int
    titel: str = ""
    tekst_publiek: str = ""
    lemmas: str = ""
    trefwoorden: list[str] = field(default_factory=list)
    doelenbomen: list[str] = field(default_factory=list)
    subdoelen_bevestigd: list[str] = field(default_factory=list)
    subdoelen_voorgesteld: list[str] = field(default_factory=list)
    indicatoren_bevestigd: list[str] = field(default_factory=list)
    indicatoren_voorgesteld: list[str] = field(default_factory=list)
    ronde: str | None = None
    wijk: str | None = None
    bron: str | None = None
    aanbieder: str | None = None
    gevoel: int | None = None
    datum: date | None = None
    status: str = "actief"

    def facet_values(self) -> dict[str, list[str]]:
        """Field -> values as indexed for filtering and counting (strings, no blanks)."""

        def one(value) -> list[str]:
            return [] if value is None or value == "" else [str(value)]

        def unique(*lists: Iterable[str]) -> list[str]:
            seen: dict[str, None] = {}
            for values in lists:
                for value in values:
                    if value:
                        seen.setdefault(value, None)
            return list(seen)

        return {
            "doelenboom": unique(self.doelenbomen),
            "subdoel": unique(self.subdoelen_bevestigd, self.subdoelen_voorgesteld),
            "subdoel_bevestigd": unique(self.subdoelen_bevestigd),
            "subdoel_voorgesteld": unique(self.subdoelen_voorgesteld),
            "indicator": unique(self.indicatoren_bevestigd, self.indicatoren_voorgesteld),
            "indicator_bevestigd": unique(self.indicatoren_bevestigd),
            "indicator_voorgesteld": unique(self.indicatoren_voorgesteld),
            "ronde": one(self.ronde),
            "wijk": one(self.wijk),
            "bron": one(self.bron),
            "aanbieder": one(self.aanbieder),
            "gevoel": one(self.gevoel),
            "status": one(self.status),
        }


@dataclass
class Zoekopdracht:
    """A search: text, filters (OR within a field, AND across fields), period, sort, page."""

    tekst: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    datum_van: date | None = None
    datum_tot: date | None = None  # inclusive
    sortering: str = "relevantie"
    pagina: int = 1
    per_pagina: int = 20
    facetten: tuple[str, ...] = FACET_FIELDS

    def validate(self) -> None:
        unknown = set(self.filters) - set(FACET_FIELDS)
        if unknown:
            raise Ongeldig(f"Onbekend filter: {', '.join(sorted(unknown))}.")
        unknown_facets = set(self.facetten) - set(FACET_FIELDS)
        if unknown_facets:
            raise Ongeldig(f"Onbekende telling: {', '.join(sorted(unknown_facets))}.")
        if self.sortering not in SORTS:
            raise Ongeldig("Sorteer op relevantie of op datum.")
        if self.pagina < 1 or not 1 <= self.per_pagina <= MAX_PER_PAGE:
            raise Ongeldig(f"Kies een pagina vanaf 1 en hooguit {MAX_PER_PAGE} resultaten per pagina.")
        if self.datum_van and self.datum_tot and self.datum_van > self.datum_tot:
            raise Ongeldig("De begindatum ligt na de einddatum.")

    def active_filters(self) -> dict[str, list[str]]:
        return {name: [str(v) for v in values] for name, values in self.filters.items() if values}


@dataclass
class Treffer:
    id: int
    score: float
    fragment: Markup  # safe HTML: the public text escaped, only <mark> added


@dataclass
class Zoekresultaat:
    totaal: int
    treffers: list[Treffer]
    facetten: dict[str, dict[str, int]]
    pagina: int = 1
    per_pagina: int = 20
    # Query words that were unknown and searched as their near spellings instead.
    verbeteringen: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return [hit.id for hit in self.treffers]

    @property
    def aantal_paginas(self) -> int:
        return max(1, -(-self.totaal // self.per_pagina))


def date_number(value: date | None) -> int:
    """A date as yyyymmdd (0 for none), for numpy date filters and sorting."""
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def filter_count_and_page(
    opdracht: Zoekopdracht,
    *,
    text_mask,
    scores,
    dates,
    idnums,
    value_mask: Callable[[str, str], object],
    field_values: Callable[[str], Iterable[str]],
) -> tuple[int, dict[str, dict[str, int]], list[tuple[int, float]]]:
    """Period and filters, disjunctive facet counts and one page, over numpy arrays.

    Both back ends hand in per-document arrays (position = document): `text_mask` (bool,
    live documents matching the text), `scores` (float, or None to sort by date), `dates`
    (yyyymmdd ints) and `idnums` (story ids, for stable ties); `value_mask(field, value)`
    gives the documents holding a facet value. `scores` may also be a function from the
    positions left after the filters to their scores, so a back end that ranks at a cost per
    document (PostgreSQL's ts_rank) ranks only those. Returns (total, facets, [(position, score)]).
    """
    import numpy as np

    size = len(text_mask)
    base = text_mask
    if opdracht.datum_van or opdracht.datum_tot:
        low = date_number(opdracht.datum_van) or 1
        high = date_number(opdracht.datum_tot) or 99991231
        base = base & (dates >= low) & (dates <= high)

    filters = opdracht.active_filters()
    field_masks = {}
    for name, values in filters.items():
        mask = np.zeros(size, dtype=bool)
        for value in values:
            mask |= value_mask(name, value)
        field_masks[name] = mask

    allowed = base.copy()
    for mask in field_masks.values():
        allowed &= mask
    total = int(np.count_nonzero(allowed))

    facets: dict[str, dict[str, int]] = {}
    for name in opdracht.facetten:
        facet_base = base.copy()
        for other, mask in field_masks.items():
            if other != name:
                facet_base &= mask
        counts: dict[str, int] = {}
        selected = set(filters.get(name, []))
        if facet_base.any():
            for value in field_values(name):
                count = int(np.count_nonzero(facet_base & value_mask(name, value)))
                if count or value in selected:
                    counts[value] = count
        for value in selected:
            counts.setdefault(value, 0)
        facets[name] = counts

    start = (opdracht.pagina - 1) * opdracht.per_pagina
    end = start + opdracht.per_pagina
    page: list[tuple[int, float]] = []
    if total and start < total:
        positions = np.flatnonzero(allowed)
        if scores is not None:
            position_scores = scores(positions) if callable(scores) else scores[positions]
            # Best score first; ties by id so paging is stable.
            order = first_in_order(-position_scores, idnums[positions], end)
            page = [(int(positions[i]), float(position_scores[i])) for i in order[start:end]]
        else:
            # By date, ties by id, so paging is stable; undated stories come last (or first).
            sign = 1 if opdracht.sortering == "datum_oud" else -1
            order = first_in_order(sign * dates[positions], sign * idnums[positions], end)
            page = [(int(positions[i]), 0.0) for i in order[start:end]]
    return total, facets, page


def page_result(
    opdracht: Zoekopdracht,
    node,
    *,
    total: int,
    facets: dict[str, dict[str, int]],
    rows: Iterable[tuple[int, str, float]],
    matched_stems: Iterable[str],
    corrections: dict[str, list[str]],
) -> Zoekresultaat:
    """The result of one search as both back ends return it.

    `rows` are the page's (story id, public text, score); the fragments mark the query's
    words, plus `matched_stems` (the stems of near spellings and expanded prefixes that
    matched too)."""
    stems, prefixes = positive_stems(node)
    stems.update(matched_stems)
    prefix_tuple = tuple(prefixes)

    def matches_term(term: str) -> bool:
        return term in stems or (bool(prefix_tuple) and term.startswith(prefix_tuple))

    hits = [
        Treffer(id=int(verhaal_id), score=float(score), fragment=highlight_snippet(tekst or "", matches_term))
        for verhaal_id, tekst, score in rows
    ]
    return Zoekresultaat(
        totaal=total,
        treffers=hits,
        facetten=facets,
        pagina=opdracht.pagina,
        per_pagina=opdracht.per_pagina,
        verbeteringen=corrections,
    )


def first_in_order(primary, secondary, count: int):
    """Indices of the `count` smallest (primary, secondary) pairs, in that order.

    The same as the first `count` of a full lexsort, without sorting every match: a page of
    the newest of a million stories took 60 ms to sort, and partitioning takes a few. Ties
    on `primary` at the cut are all kept for the exact sort, so the result never differs.
    """
    import numpy as np

    if count >= len(primary):
        return np.lexsort((secondary, primary))
    threshold = np.partition(primary, count - 1)[count - 1]
    candidates = np.flatnonzero(primary <= threshold)
    order = np.lexsort((secondary[candidates], primary[candidates]))
    return candidates[order[:count]]


class ReentrantLock:
    """A lock between processes (`acquire`: a flock, an advisory lock) that the threads of
    this process queue for on an RLock, so only one of them waits on it, and that a thread
    holding it may enter again without waiting for itself."""

    def __init__(self, acquire: Callable[[], AbstractContextManager]):
        self._acquire = acquire
        self._thread_lock = threading.RLock()
        self._depth = 0  # only read and written by the thread holding _thread_lock

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._thread_lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with self._acquire():
                self._depth = 1
                try:
                    yield
                finally:
                    self._depth = 0


class ZoekBackend(abc.ABC):
    """Add-or-replace, remove, search, rebuild; count/ids to detect drift with the database."""

    naam: str = ""

    @abc.abstractmethod
    def add(self, documents: Iterable[ZoekDocument]) -> int:
        """Add or replace documents (by id). Returns how many were written."""

    @abc.abstractmethod
    def remove(self, ids: Iterable[int]) -> int:
        """Remove documents; unknown ids are ignored. Returns how many ids were given."""

    @abc.abstractmethod
    def search(self, opdracht: Zoekopdracht) -> Zoekresultaat:
        """Run a search. Raises ZoekvraagFout for a malformed query."""

    @abc.abstractmethod
    def rebuild(self, documents: Iterable[ZoekDocument], *, processes: int | None = None) -> int:
        """Replace the whole index with these documents; `processes` caps the processes a back
        end that builds in parallel may use (None: its own choice)."""

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Held while a caller reads from the database what it then writes here, so writes of the
        same story land in the order they were read: a write that read a story before a change
        committed can never land after the write that read it afterwards (a worker's index job
        against a retag or a confirmed tag). A back end with one writer needs nothing."""
        yield

    @abc.abstractmethod
    def count(self) -> int:
        """Number of documents in the index."""

    @abc.abstractmethod
    def ids(self) -> set[int]:
        """Every document id in the index."""

    def close(self) -> None:  # pragma: no cover - trivial default
        pass
