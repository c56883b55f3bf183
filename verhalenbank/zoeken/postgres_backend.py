"""PostgreSQL full-text back end: the scale path, one index shared by several app servers.

Same adapter and query semantics as Whoosh:
- documents are indexed with the built-in `dutch` configuration (Snowball Dutch stemmer and
  stop words, the same ones `analyse.py` uses); accents are folded in Python before
  `to_tsvector`, so no `unaccent` extension is needed and café = cafe on every server;
- compound parts (see `analyse.compound_parts`) go into a low-weight part of the tsvector;
- the query tree of `zoekvraag.py` is compiled to a tsquery (`to_tsquery('dutch', ...)`
  per word, `phraseto_tsquery` for phrases, `:*` for prefixes, `&&` `||` `!!`);
- typo tolerance uses the `zoekwoorden` vocabulary table and the same edit-distance rule as
  Whoosh (pg_trgm is not required);
- snippets are made by `analyse.highlight_snippet` (escape first, then <mark>), identical for
  both back ends, instead of ts_headline, whose output would need unescaping tricks.
- facet counts, filters and sorting run on numpy bitmaps that each app server caches per
  "generation" (set by every write in its own transaction, table `zoekgeneratie`);
  a search reads the counter, the text matches and the page in one REPEATABLE READ snapshot,
  so counts are exact right after a write on any server. PostgreSQL finds the text matches
  with the GIN index; counting facets in SQL (unnest per row) took seconds at 100k stories.
  The tsvectors live in a narrow table of their own (`zoekvectoren`), so matching and
  ranking a common word reads a few thousand small pages, not the texts beside them. The
  matches come back as one row of arrays, and with filters only the stories left after them
  are ranked. At a million stories a common word's matches are spread over most pages of
  that table: the server's `shared_buffers` should hold it (README, "Search at scale").
Writes are upserts in short transactions, retried on deadlock, so concurrent writers lose
nothing.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterable, Iterator

import numpy as np

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from verhalenbank.core.models import Base
from verhalenbank.zoeken.analyse import (
    allowed_typos,
    compound_text,
    fold_accents,
    forget_texts,
    stem,
    spelling_alternatives,
    word_forms,
)
from verhalenbank.zoeken.backend import (
    MULTI_VALUED_FIELDS,
    ReentrantLock,
    ZoekBackend,
    ZoekDocument,
    Zoekopdracht,
    Zoekresultaat,
    date_number,
    filter_count_and_page,
    page_result,
)
from verhalenbank.zoeken.models import ZOEK_TABLES
from verhalenbank.zoeken.zoekvraag import And, Not, Or, Phrase, Prefix, Term, parse_query

CONFIG = "dutch"
BATCH_SIZE = 500
WORK_MEM = "64MB"
RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock, serialization failure
WRITE_LOCK_KEY = 0x76626B7A  # "vbkz": the advisory lock of write_lock (one index per database)

_UPSERT = text(
    """
    INSERT INTO zoekdocumenten (
        verhaal_id, titel, tekst_publiek, doelenboom, subdoel, subdoel_bevestigd,
        subdoel_voorgesteld, indicator, indicator_bevestigd, indicator_voorgesteld,
        ronde, wijk, bron, aanbieder, gevoel, datum, status, bijgewerkt_op)
    VALUES (
        :verhaal_id, :titel, :tekst_publiek, :doelenboom, :subdoel, :subdoel_bevestigd,
        :subdoel_voorgesteld, :indicator, :indicator_bevestigd, :indicator_voorgesteld,
        :ronde, :wijk, :bron, :aanbieder, :gevoel, :datum, :status, now())
    ON CONFLICT (verhaal_id) DO UPDATE SET
        titel = EXCLUDED.titel, tekst_publiek = EXCLUDED.tekst_publiek,
        doelenboom = EXCLUDED.doelenboom, subdoel = EXCLUDED.subdoel,
        subdoel_bevestigd = EXCLUDED.subdoel_bevestigd,
        subdoel_voorgesteld = EXCLUDED.subdoel_voorgesteld, indicator = EXCLUDED.indicator,
        indicator_bevestigd = EXCLUDED.indicator_bevestigd,
        indicator_voorgesteld = EXCLUDED.indicator_voorgesteld,
        ronde = EXCLUDED.ronde, wijk = EXCLUDED.wijk, bron = EXCLUDED.bron,
        aanbieder = EXCLUDED.aanbieder, gevoel = EXCLUDED.gevoel, datum = EXCLUDED.datum,
        status = EXCLUDED.status, bijgewerkt_op = EXCLUDED.bijgewerkt_op
    """
)

# The text a search matches and ranks, in its own narrow table (see models.ZoekVector).
_UPSERT_VECTOR = text(
    f"""
    INSERT INTO zoekvectoren (verhaal_id, tsv)
    VALUES (
        :verhaal_id,
        setweight(to_tsvector('{CONFIG}', :titel_gevouwen), 'A')
          || setweight(to_tsvector('{CONFIG}', :tekst_gevouwen), 'B')
          || setweight(to_tsvector('{CONFIG}', :extra_gevouwen), 'D'))
    ON CONFLICT (verhaal_id) DO UPDATE SET tsv = EXCLUDED.tsv
    """
)

# The words as written (see analyse.word_forms), for prefixes and typo tolerance. Sorted so
# concurrent writers take the vocabulary row locks in the same order (no deadlock).
_VOCABULARY = text(
    """
    INSERT INTO zoekwoorden (woord)
    SELECT DISTINCT w FROM unnest(CAST(:words AS text[])) AS w
    ORDER BY w
    ON CONFLICT DO NOTHING
    """
)


# Set in the same transaction as every change to zoekdocumenten, to that transaction's id:
# unique for the server's lifetime, so a cache never mistakes another state for its own (a
# counter would repeat after TRUNCATE or a restore). The row lock also queues writers, and
# as every writer takes it last, no two writers wait for each other in a cycle.
_BUMP_GENERATION = text(
    """
    INSERT INTO zoekgeneratie (id, generatie) VALUES (1, txid_current())
    ON CONFLICT (id) DO UPDATE SET generatie = txid_current()
    RETURNING generatie
    """
)
_LOCK_GENERATION = text("SELECT generatie FROM zoekgeneratie WHERE id = 1 FOR UPDATE")


def _row(document: ZoekDocument) -> dict:
    try:
        return _row_of(document)
    finally:
        forget_texts()


def _row_of(document: ZoekDocument) -> dict:
    facets = document.facet_values()
    extra = " ".join(
        part
        for part in (
            document.lemmas or "",
            " ".join(document.trefwoorden or []),
            compound_text(document.titel or "", document.tekst_publiek or ""),
        )
        if part
    )
    row = {
        "verhaal_id": int(document.id),
        "titel": document.titel or "",
        "tekst_publiek": document.tekst_publiek or "",
        "ronde": document.ronde,
        "wijk": document.wijk,
        "bron": document.bron,
        "aanbieder": document.aanbieder,
        "gevoel": document.gevoel,
        "datum": document.datum,
        "status": document.status,
        "titel_gevouwen": fold_accents(document.titel or ""),
        "tekst_gevouwen": fold_accents(document.tekst_publiek or ""),
        "extra_gevouwen": fold_accents(extra),
        "vormen": word_forms(document.titel or "", document.tekst_publiek or "", extra),
    }
    for name in MULTI_VALUED_FIELDS:
        row[name] = facets[name]
    return row


def _quoted(word: str) -> str:
    """A normalised word (only \\w characters) as a tsquery operand."""
    return "'" + word.replace("'", "''").replace("\\", "") + "'"


class _Compiler:
    """Builds a tsquery SQL expression with bound parameters from the query tree."""

    def __init__(self):
        self.params: dict[str, object] = {}

    def param(self, value) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def compile(self, node, expansions: dict[str, list[str]], prefix_lexemes: dict[str, list[str]] | None = None) -> str:
        prefix_lexemes = prefix_lexemes or {}
        if isinstance(node, Term):
            candidates = expansions.get(node.word)
            if candidates:
                # The word and its near spellings; the `dutch` configuration stems them all.
                words = [node.word, *candidates]
                return f"to_tsquery('{CONFIG}', {self.param(' | '.join(_quoted(w) for w in words))})"
            return f"to_tsquery('{CONFIG}', {self.param(_quoted(node.word))})"
        if isinstance(node, Prefix):
            query = f"to_tsquery('{CONFIG}', {self.param(_quoted(node.word) + ':*')})"
            lexemes = prefix_lexemes.get(node.word)
            if lexemes:
                # Already lexemes: 'simple' keeps them as they are.
                query = (f"({query} || to_tsquery('simple', "
                         f"{self.param(' | '.join(_quoted(lexeme) for lexeme in lexemes))}))")
            return query
        if isinstance(node, Phrase):
            return f"phraseto_tsquery('{CONFIG}', {self.param(fold_accents(node.text))})"
        if isinstance(node, Not):
            return f"(!! {self.compile(node.child, expansions, prefix_lexemes)})"
        if isinstance(node, And):
            return "(" + " && ".join(self.compile(child, expansions, prefix_lexemes) for child in node.children) + ")"
        if isinstance(node, Or):
            return "(" + " || ".join(self.compile(child, expansions, prefix_lexemes) for child in node.children) + ")"
        raise TypeError(f"unknown query node {node!r}")


def _terms(node, kind=Term) -> list:
    found: list = []

    def walk(current) -> None:
        if isinstance(current, kind):
            found.append(current)
        elif isinstance(current, Not):
            walk(current.child)
        elif isinstance(current, (And, Or)):
            for child in current.children:
                walk(child)

    if node is not None:
        walk(node)
    return found


class _Snapshot:
    """Every document's id, date and facet values as numpy arrays, for one generation.

    Facet fields are loaded when a search first needs them, inside a transaction that sees
    the same generation, so they always match the ids.
    """

    def __init__(self, generation: int, ids: np.ndarray, dates: np.ndarray):
        self.generation = generation
        self.ids = ids  # sorted story ids; a document's position is its index here
        self.dates = dates
        self.size = len(ids)
        self.live = np.ones(self.size, dtype=bool)
        self._masks: dict[tuple[str, str], np.ndarray] = {}
        self._values: dict[str, list[str]] = {}
        self._empty = np.zeros(self.size, dtype=bool)
        self.lock = threading.Lock()

    @classmethod
    def load(cls, connection, generation: int) -> "_Snapshot":
        rows = connection.execute(text("SELECT verhaal_id, datum FROM zoekdocumenten ORDER BY verhaal_id")).all()
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        dates = np.fromiter((date_number(row[1]) for row in rows), dtype=np.int64, count=len(rows))
        return cls(generation, ids, dates)

    def locate(self, story_ids) -> tuple[np.ndarray, np.ndarray]:
        """(positions of the ids found, which of the given ids were found)."""
        story_ids = np.asarray(story_ids, dtype=np.int64)
        if not self.size or not story_ids.size:
            return np.zeros(0, dtype=np.int64), np.zeros(story_ids.size, dtype=bool)
        found = np.minimum(np.searchsorted(self.ids, story_ids), self.size - 1)
        known = self.ids[found] == story_ids
        return found[known], known

    def ensure_fields(self, connection, fields: Iterable[str]) -> None:
        with self.lock:
            for field in fields:
                if field in self._values:
                    continue
                if field in MULTI_VALUED_FIELDS:
                    sql = (f"SELECT v, array_agg(d.verhaal_id) FROM zoekdocumenten d, unnest(d.{field}) AS v "
                           "GROUP BY v")
                else:
                    sql = (f"SELECT d.{field}::text, array_agg(d.verhaal_id) FROM zoekdocumenten d "
                           f"WHERE d.{field} IS NOT NULL GROUP BY d.{field}")
                values = []
                for value, story_ids in connection.execute(text(sql)):
                    mask = np.zeros(self.size, dtype=bool)
                    mask[self.locate(story_ids)[0]] = True
                    self._masks[(field, value)] = mask
                    values.append(value)
                self._values[field] = values

    def value_mask(self, field: str, value: str) -> np.ndarray:
        return self._masks.get((field, value), self._empty)

    def with_changes(self, generation: int, documents: Iterable[ZoekDocument], removed: Iterable[int]) -> "_Snapshot":
        """A new snapshot: this one with documents added or replaced and ids removed.

        Copy on write, so searches still running on this snapshot are not disturbed.
        Removed stories keep their position, marked not live.
        """
        documents = list(documents)
        with self.lock:
            masks = dict(self._masks)
            values = {field: list(field_values) for field, field_values in self._values.items()}
        new_ids = np.setdiff1d(np.array([d.id for d in documents], dtype=np.int64), self.ids)
        if new_ids.size:
            at = np.searchsorted(self.ids, new_ids)
            snapshot = _Snapshot(generation, np.insert(self.ids, at, new_ids), np.insert(self.dates, at, 0))
            snapshot.live = np.insert(self.live, at, False)
            masks = {key: np.insert(mask, at, False) for key, mask in masks.items()}
            copied = set(masks)
        else:
            snapshot = _Snapshot(generation, self.ids, self.dates.copy())
            snapshot.live = self.live.copy()
            copied = set()

        def writable(key: tuple[str, str]) -> np.ndarray:
            if key not in masks:
                masks[key] = np.zeros(snapshot.size, dtype=bool)
                values[key[0]].append(key[1])
                copied.add(key)
            elif key not in copied:
                masks[key] = masks[key].copy()
                copied.add(key)
            return masks[key]

        def clear(position: int) -> None:
            for field, field_values in values.items():
                for value in field_values:
                    if masks[(field, value)][position]:
                        writable((field, value))[position] = False

        removed_positions, _ = snapshot.locate(list(removed))
        for position in removed_positions:
            snapshot.live[position] = False
            clear(int(position))
        for document in documents:
            position = int(np.searchsorted(snapshot.ids, document.id))
            snapshot.live[position] = True
            snapshot.dates[position] = date_number(document.datum)
            clear(position)
            facet_values = document.facet_values()
            for field in values:
                for value in facet_values[field]:
                    writable((field, value))[position] = True
        snapshot._masks = masks
        snapshot._values = values
        return snapshot

    def field_values(self, field: str) -> list[str]:
        return self._values.get(field, [])


# When the filters leave at most this share of the text matches, those are ranked by
# primary-key lookups; more are ranked in one pass over the matches again, which is cheaper
# than that many lookups (at a million stories: 17,000 of 83,000 in 136 ms by key, 192 ms by pass).
RANK_BY_ID_SHARE = 0.5


def _match_sql(query_sql: str, condition: str, *, with_rank: bool) -> str:
    """The ids (and ts_rank scores) of the documents meeting `condition`, as two arrays.

    One row of arrays, not a row per match: at a million stories a common word matches 80,000,
    and turning those into result rows cost more in the driver than the query on the server.
    No ORDER BY: the planner would walk the primary key and test every row, where the GIN
    bitmap visits only the matches (_Snapshot.locate takes the ids in any order)."""
    rank = "array_agg(ts_rank(d.tsv, q.query))" if with_rank else "NULL"
    return (f"WITH q AS (SELECT {query_sql} AS query) "
            f"SELECT array_agg(d.verhaal_id), {rank} FROM zoekvectoren d, q WHERE {condition}")


def _ranker(connection, snapshot: "_Snapshot", query_sql: str, params: dict, matches: int):
    """Scores for the positions that passed the filters, ranked only when the page is made."""

    def rank(positions: np.ndarray) -> np.ndarray:
        ids = snapshot.ids[positions]
        if len(ids) <= RANK_BY_ID_SHARE * matches:
            sql = _match_sql(query_sql, "d.verhaal_id = ANY(:rank_ids)", with_rank=True)
            found_ids, ranks = connection.execute(text(sql), {**params, "rank_ids": ids.tolist()}).one()
        else:
            found_ids, ranks = connection.execute(
                text(_match_sql(query_sql, "d.tsv @@ q.query", with_rank=True)), params
            ).one()
        found, known = snapshot.locate(found_ids or [])
        scores = np.zeros(snapshot.size, dtype=np.float64)
        scores[found] = np.asarray(ranks or [], dtype=np.float64)[known]
        return scores[positions]

    return rank


class PostgresBackend(ZoekBackend):
    naam = "postgres"

    def __init__(self, engine: Engine, *, create_tables: bool = True):
        if engine.dialect.name != "postgresql":
            raise ValueError("PostgresBackend needs a PostgreSQL database")
        self.engine = engine
        self._snapshot: _Snapshot | None = None
        self._snapshot_lock = threading.Lock()
        self._write_lock = ReentrantLock(self._advisory_lock)
        if create_tables:
            Base.metadata.create_all(engine, tables=list(ZOEK_TABLES), checkfirst=True)

    # --- writing ------------------------------------------------------------------------

    def write_lock(self):
        """A transaction-scoped advisory lock on a connection of its own, held for the block:
        every process and machine that writes this index takes it (ZoekBackend.write_lock).
        It ends with the transaction, also when the connection is lost. Threads of a process
        queue before it (ReentrantLock), so waiting never holds more than one pooled
        connection (the holder needs more for its reads and writes)."""
        return self._write_lock()

    @contextmanager
    def _advisory_lock(self) -> Iterator[None]:
        with self.engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
            yield

    def _run_with_retry(self, work):
        delay = 0.05
        for attempt in range(8):
            try:
                with self.engine.begin() as connection:
                    result = work(connection)
                return result
            except DBAPIError as error:
                sqlstate = getattr(error.orig, "sqlstate", None)
                if sqlstate not in RETRYABLE_SQLSTATES or attempt == 7:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    @staticmethod
    def _bump_generation(connection) -> tuple[int | None, int]:
        """(generation before, generation after) this transaction's write."""
        before = connection.execute(_LOCK_GENERATION).scalar()
        return before, connection.execute(_BUMP_GENERATION).scalar_one()

    def _write_batch(self, connection, batch: list[ZoekDocument]) -> tuple[int | None, int]:
        rows = [_row(document) for document in batch]
        forms = set().union(*(row.pop("vormen") for row in rows))
        connection.execute(_UPSERT, rows)
        connection.execute(_UPSERT_VECTOR, rows)
        connection.execute(_VOCABULARY, {"words": sorted(forms)})
        return self._bump_generation(connection)

    def _apply_locally(self, generations: tuple[int | None, int], documents=(), removed=()) -> None:
        """After our own committed write: update the cached snapshot instead of reloading it,
        if nobody else wrote in between (then the next search reloads, as on other servers)."""
        before, after = generations
        with self._snapshot_lock:
            snapshot = self._snapshot
            if snapshot is not None and before is not None and snapshot.generation == before:
                self._snapshot = snapshot.with_changes(after, documents, removed)

    def add(self, documents: Iterable[ZoekDocument]) -> int:
        documents = sorted(documents, key=lambda document: document.id)  # stable lock order
        for start in range(0, len(documents), BATCH_SIZE):
            batch = documents[start:start + BATCH_SIZE]
            generations = self._run_with_retry(lambda connection: self._write_batch(connection, batch))
            self._apply_locally(generations, documents=batch)
        return len(documents)

    def remove(self, ids: Iterable[int]) -> int:
        ids = sorted({int(document_id) for document_id in ids})
        if ids:
            def delete(connection) -> tuple[int | None, int]:
                connection.execute(text("DELETE FROM zoekdocumenten WHERE verhaal_id = ANY(:ids)"), {"ids": ids})
                connection.execute(text("DELETE FROM zoekvectoren WHERE verhaal_id = ANY(:ids)"), {"ids": ids})
                return self._bump_generation(connection)

            self._apply_locally(self._run_with_retry(delete), removed=ids)
        return len(ids)

    def rebuild(self, documents: Iterable[ZoekDocument], *, processes: int | None = None) -> int:
        """`processes` is not used: the server analyses the texts (to_tsvector) itself."""
        written = 0
        # One transaction: searches keep seeing the old index until the new one is complete.
        with self.engine.begin() as connection:
            connection.execute(text("DELETE FROM zoekdocumenten"))
            connection.execute(text("DELETE FROM zoekvectoren"))
            connection.execute(text("DELETE FROM zoekwoorden"))
            batch: list[ZoekDocument] = []
            for document in documents:
                batch.append(document)
                if len(batch) >= BATCH_SIZE:
                    self._write_batch(connection, batch)
                    written += len(batch)
                    batch = []
            if batch:
                self._write_batch(connection, batch)
                written += len(batch)
            self._bump_generation(connection)
        return written

    # --- reading ------------------------------------------------------------------------

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM zoekdocumenten")).scalar_one())

    def ids(self) -> set[int]:
        with self.engine.connect() as connection:
            return set(connection.execute(text("SELECT verhaal_id FROM zoekdocumenten")).scalars())

    def _typo_expansions(self, connection, node) -> dict[str, list[str]]:
        """For each query word not in the index as written: near indexed spellings."""
        words = sorted({term.word for term in _terms(node)})
        if not words:
            return {}
        known = set(
            connection.execute(
                text("SELECT woord FROM zoekwoorden WHERE woord = ANY(CAST(:words AS text[]))"), {"words": words}
            ).scalars()
        )

        def vocabulary_near(word: str):
            def vocabulary(first_letter: str):
                limit = allowed_typos(word)
                return connection.execute(
                    text(
                        "SELECT woord FROM zoekwoorden WHERE woord LIKE :first "
                        "AND length(woord) BETWEEN :shortest AND :longest"
                    ),
                    {"first": first_letter + "%", "shortest": len(word) - limit, "longest": len(word) + limit},
                ).scalars()

            return vocabulary

        expansions: dict[str, list[str]] = {}
        for word in words:
            if allowed_typos(word) == 0:
                continue
            candidates = spelling_alternatives(word, word in known, vocabulary_near(word))
            if candidates:
                expansions[word] = candidates
        return expansions

    def _prefix_lexemes(self, connection, node) -> dict[str, list[str]]:
        """For each prefix: lexemes of indexed words that start with it as written but whose
        stem doesn't start with the prefix's stem ("vandaa*": "vandaag" is lexeme "vandag")."""
        prefixes = sorted({prefix.word for prefix in _terms(node, Prefix)})
        found: dict[str, list[str]] = {}
        for prefix in prefixes:
            pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            lexemes = connection.execute(
                text(
                    f"""
                    SELECT DISTINCT lexeme
                    FROM zoekwoorden w,
                         unnest(ts_lexize('{CONFIG}_stem', w.woord)) AS lexeme,
                         coalesce((ts_lexize('{CONFIG}_stem', :prefix))[1], :prefix) AS stam
                    WHERE w.woord LIKE :pattern AND left(lexeme, length(stam)) <> stam
                    ORDER BY lexeme
                    """
                ),
                {"prefix": prefix, "pattern": pattern},
            ).scalars().all()
            if lexemes:
                found[prefix] = lexemes
        return found

    def _current_snapshot(self, connection) -> _Snapshot:
        generation = connection.execute(text("SELECT generatie FROM zoekgeneratie WHERE id = 1")).scalar()
        if generation is None:
            # Nothing written since the table was made: nothing to tell states apart by.
            return _Snapshot.load(connection, -1)
        snapshot = self._snapshot
        if snapshot is None or snapshot.generation != generation:
            with self._snapshot_lock:
                snapshot = self._snapshot
                if snapshot is None or snapshot.generation != generation:
                    snapshot = self._snapshot = _Snapshot.load(connection, generation)
        return snapshot

    def search(self, opdracht: Zoekopdracht) -> Zoekresultaat:
        opdracht.validate()
        node = parse_query(opdracht.tekst)
        # One snapshot for the generation, the text matches, the facet values and the page.
        with self.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
            snapshot = self._current_snapshot(connection)
            snapshot.ensure_fields(connection, set(opdracht.active_filters()) | set(opdracht.facetten))
            expansions = self._typo_expansions(connection, node) if node is not None else {}
            prefix_lexemes = self._prefix_lexemes(connection, node) if node is not None else {}
            by_relevance = node is not None and opdracht.sortering == "relevantie"
            scores = None
            if node is None:
                text_mask = snapshot.live
            else:
                compiler = _Compiler()
                query_sql = compiler.compile(node, expansions, prefix_lexemes)
                narrowed = bool(opdracht.active_filters() or opdracht.datum_van or opdracht.datum_tot)
                # Without filters every match may reach the page: ranked in the same pass. With
                # filters or a period, only the stories left after them are ranked (_ranker).
                rank_now = by_relevance and not narrowed
                ids, ranks = connection.execute(
                    text(_match_sql(query_sql, "d.tsv @@ q.query", with_rank=rank_now)), compiler.params
                ).one()
                matched, known = snapshot.locate(ids or [])
                text_mask = np.zeros(snapshot.size, dtype=bool)
                text_mask[matched] = True
                if rank_now:
                    scores = np.zeros(snapshot.size, dtype=np.float64)
                    scores[matched] = np.asarray(ranks or [], dtype=np.float64)[known]
                elif by_relevance:
                    scores = _ranker(connection, snapshot, query_sql, compiler.params, len(matched))
            total, facets, page = filter_count_and_page(
                opdracht,
                text_mask=text_mask,
                scores=scores,
                dates=snapshot.dates,
                idnums=snapshot.ids,
                value_mask=snapshot.value_mask,
                field_values=snapshot.field_values,
            )
            page_ids = [int(snapshot.ids[position]) for position, _ in page]
            texts = dict(
                connection.execute(
                    text("SELECT verhaal_id, tekst_publiek FROM zoekdocumenten WHERE verhaal_id = ANY(:ids)"),
                    {"ids": page_ids},
                ).all()
            ) if page_ids else {}
            rows = [(verhaal_id, texts.get(verhaal_id, ""), score) for verhaal_id, (_, score) in zip(page_ids, page)]

        matched_stems = {stem(candidate) for candidates in expansions.values() for candidate in candidates}
        for lexemes in prefix_lexemes.values():
            matched_stems.update(lexemes)
        return page_result(opdracht, node, total=total, facets=facets, rows=rows, matched_stems=matched_stems,
                           corrections=expansions)
