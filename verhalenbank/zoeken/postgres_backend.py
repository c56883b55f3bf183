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
Writes are upserts in short transactions, retried on deadlock, so concurrent writers lose
nothing.
"""

from __future__ import annotations

import time
from typing import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from verhalenbank.core.models import Base
from verhalenbank.zoeken.analyse import compound_text, fold_accents, highlight_snippet, typo_candidates
from verhalenbank.zoeken.backend import (
    FACET_FIELDS,
    MULTI_VALUED_FIELDS,
    Treffer,
    ZoekBackend,
    ZoekDocument,
    Zoekopdracht,
    Zoekresultaat,
)
from verhalenbank.zoeken.models import ZOEK_TABLES
from verhalenbank.zoeken.zoekvraag import And, Not, Or, Phrase, Prefix, Term, parse_query, positive_stems

CONFIG = "dutch"
BATCH_SIZE = 500
RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock, serialization failure

_UPSERT = text(
    f"""
    INSERT INTO zoekdocumenten (
        verhaal_id, titel, tekst_publiek, doelenboom, subdoel, subdoel_bevestigd,
        subdoel_voorgesteld, indicator, indicator_bevestigd, indicator_voorgesteld,
        ronde, wijk, bron, aanbieder, gevoel, datum, status, tsv, bijgewerkt_op)
    VALUES (
        :verhaal_id, :titel, :tekst_publiek, :doelenboom, :subdoel, :subdoel_bevestigd,
        :subdoel_voorgesteld, :indicator, :indicator_bevestigd, :indicator_voorgesteld,
        :ronde, :wijk, :bron, :aanbieder, :gevoel, :datum, :status,
        setweight(to_tsvector('{CONFIG}', :titel_gevouwen), 'A')
          || setweight(to_tsvector('{CONFIG}', :tekst_gevouwen), 'B')
          || setweight(to_tsvector('{CONFIG}', :extra_gevouwen), 'D'),
        now())
    ON CONFLICT (verhaal_id) DO UPDATE SET
        titel = EXCLUDED.titel, tekst_publiek = EXCLUDED.tekst_publiek,
        doelenboom = EXCLUDED.doelenboom, subdoel = EXCLUDED.subdoel,
        subdoel_bevestigd = EXCLUDED.subdoel_bevestigd,
        subdoel_voorgesteld = EXCLUDED.subdoel_voorgesteld, indicator = EXCLUDED.indicator,
        indicator_bevestigd = EXCLUDED.indicator_bevestigd,
        indicator_voorgesteld = EXCLUDED.indicator_voorgesteld,
        ronde = EXCLUDED.ronde, wijk = EXCLUDED.wijk, bron = EXCLUDED.bron,
        aanbieder = EXCLUDED.aanbieder, gevoel = EXCLUDED.gevoel, datum = EXCLUDED.datum,
        status = EXCLUDED.status, tsv = EXCLUDED.tsv, bijgewerkt_op = EXCLUDED.bijgewerkt_op
    """
)

# Sorted so concurrent writers take the vocabulary row locks in the same order (no deadlock).
_VOCABULARY = text(
    """
    INSERT INTO zoekwoorden (woord)
    SELECT DISTINCT w FROM zoekdocumenten d, unnest(tsvector_to_array(d.tsv)) AS w
    WHERE d.verhaal_id = ANY(:ids)
    ORDER BY w
    ON CONFLICT DO NOTHING
    """
)


def _row(document: ZoekDocument) -> dict:
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

    def compile(self, node, expansions: dict[str, list[str]]) -> str:
        if isinstance(node, Term):
            candidates = expansions.get(node.word)
            if candidates:
                # Already lexemes: 'simple' keeps them as they are.
                return f"to_tsquery('simple', {self.param(' | '.join(_quoted(c) for c in candidates))})"
            return f"to_tsquery('{CONFIG}', {self.param(_quoted(node.word))})"
        if isinstance(node, Prefix):
            return f"to_tsquery('{CONFIG}', {self.param(_quoted(node.word) + ':*')})"
        if isinstance(node, Phrase):
            return f"phraseto_tsquery('{CONFIG}', {self.param(fold_accents(node.text))})"
        if isinstance(node, Not):
            return f"(!! {self.compile(node.child, expansions)})"
        if isinstance(node, And):
            return "(" + " && ".join(self.compile(child, expansions) for child in node.children) + ")"
        if isinstance(node, Or):
            return "(" + " || ".join(self.compile(child, expansions) for child in node.children) + ")"
        raise TypeError(f"unknown query node {node!r}")


def _terms(node) -> list[Term]:
    found: list[Term] = []

    def walk(current) -> None:
        if isinstance(current, Term):
            found.append(current)
        elif isinstance(current, Not):
            walk(current.child)
        elif isinstance(current, (And, Or)):
            for child in current.children:
                walk(child)

    if node is not None:
        walk(node)
    return found


class PostgresBackend(ZoekBackend):
    naam = "postgres"

    def __init__(self, engine: Engine, *, create_tables: bool = True):
        if engine.dialect.name != "postgresql":
            raise ValueError("PostgresBackend needs a PostgreSQL database")
        self.engine = engine
        if create_tables:
            Base.metadata.create_all(engine, tables=list(ZOEK_TABLES), checkfirst=True)

    # --- writing ------------------------------------------------------------------------

    def _run_with_retry(self, work) -> None:
        delay = 0.05
        for attempt in range(8):
            try:
                with self.engine.begin() as connection:
                    work(connection)
                return
            except DBAPIError as error:
                sqlstate = getattr(error.orig, "sqlstate", None)
                if sqlstate not in RETRYABLE_SQLSTATES or attempt == 7:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _write_batch(self, connection, batch: list[ZoekDocument]) -> None:
        rows = [_row(document) for document in batch]
        connection.execute(_UPSERT, rows)
        connection.execute(_VOCABULARY, {"ids": [row["verhaal_id"] for row in rows]})

    def add(self, documents: Iterable[ZoekDocument]) -> int:
        documents = sorted(documents, key=lambda document: document.id)  # stable lock order
        for start in range(0, len(documents), BATCH_SIZE):
            batch = documents[start:start + BATCH_SIZE]
            self._run_with_retry(lambda connection: self._write_batch(connection, batch))
        return len(documents)

    def remove(self, ids: Iterable[int]) -> int:
        ids = sorted({int(document_id) for document_id in ids})
        if ids:
            self._run_with_retry(
                lambda connection: connection.execute(
                    text("DELETE FROM zoekdocumenten WHERE verhaal_id = ANY(:ids)"), {"ids": ids}
                )
            )
        return len(ids)

    def rebuild(self, documents: Iterable[ZoekDocument]) -> int:
        written = 0
        # One transaction: searches keep seeing the old index until the new one is complete.
        with self.engine.begin() as connection:
            connection.execute(text("DELETE FROM zoekdocumenten"))
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
        return written

    # --- reading ------------------------------------------------------------------------

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM zoekdocumenten")).scalar_one())

    def ids(self) -> set[int]:
        with self.engine.connect() as connection:
            return set(connection.execute(text("SELECT verhaal_id FROM zoekdocumenten")).scalars())

    def _typo_expansions(self, connection, node) -> dict[str, list[str]]:
        """For each query word whose lexeme is not in the index: nearby indexed lexemes."""
        terms = {term.word: term for term in _terms(node)}
        if not terms:
            return {}
        words = list(terms)
        rows = connection.execute(
            text(
                f"""
                SELECT w, querytree(to_tsquery('{CONFIG}', quote_literal(w))) AS lexeme,
                       EXISTS (SELECT 1 FROM zoekdocumenten
                               WHERE tsv @@ to_tsquery('{CONFIG}', quote_literal(w))) AS known
                FROM unnest(CAST(:words AS text[])) AS w
                """
            ),
            {"words": words},
        ).all()
        expansions: dict[str, list[str]] = {}
        for word, lexeme, known in rows:
            if known:
                continue
            lexeme = (lexeme or "").strip("'")
            if not lexeme or lexeme == "T":
                continue
            candidates_in_db = connection.execute(
                text(
                    "SELECT woord FROM zoekwoorden WHERE woord LIKE :first "
                    "AND length(woord) BETWEEN :shortest AND :longest"
                ),
                {"first": lexeme[:1] + "%", "shortest": len(lexeme) - 2, "longest": len(lexeme) + 2},
            ).scalars()
            candidates = typo_candidates(lexeme, candidates_in_db)
            if candidates:
                expansions[word] = candidates
        return expansions

    def search(self, opdracht: Zoekopdracht) -> Zoekresultaat:
        opdracht.validate()
        node = parse_query(opdracht.tekst)
        with self.engine.connect() as connection:
            expansions = self._typo_expansions(connection, node) if node is not None else {}
            compiler = _Compiler()
            conditions: list[str] = []
            if node is not None:
                query_sql = compiler.compile(node, expansions)
                conditions.append("d.tsv @@ q.query")
            else:
                query_sql = "NULL::tsquery"
            if opdracht.datum_van:
                conditions.append(f"d.datum >= {compiler.param(opdracht.datum_van)}")
            if opdracht.datum_tot:
                conditions.append(f"d.datum <= {compiler.param(opdracht.datum_tot)}")
            filters = opdracht.active_filters()
            field_conditions: dict[str, str] = {}
            for field, values in filters.items():
                placeholder = compiler.param(values)
                if field in MULTI_VALUED_FIELDS:
                    field_conditions[field] = f"d.{field} && CAST({placeholder} AS text[])"
                elif field == "gevoel":
                    field_conditions[field] = f"d.gevoel::text = ANY(CAST({placeholder} AS text[]))"
                else:
                    field_conditions[field] = f"d.{field} = ANY(CAST({placeholder} AS text[]))"

            base_where = " AND ".join(conditions) or "TRUE"
            needed = [field for field in FACET_FIELDS if field in opdracht.facetten]
            flag_columns = "".join(
                f", ({condition}) AS f_{field}" for field, condition in field_conditions.items()
            )
            if node is not None and opdracht.sortering == "relevantie":
                score_sql = "ts_rank(d.tsv, q.query)"
                order_sql = "m.score DESC, m.verhaal_id"
            else:
                score_sql = "0.0"
                if opdracht.sortering == "datum_oud":
                    order_sql = "m.datum ASC NULLS FIRST, m.verhaal_id ASC"
                else:
                    order_sql = "m.datum DESC NULLS LAST, m.verhaal_id DESC"

            def flags_except(excluded: str | None) -> str:
                parts = [f"m.f_{field}" for field in field_conditions if field != excluded]
                return " AND ".join(parts) or "TRUE"

            # One statement, one pass over the matching rows: total, facet counts and the page.
            selects = [
                f"SELECT 0 AS soort, '' AS veld, '' AS waarde, count(*) AS aantal, NULL::int AS rang "
                f"FROM m WHERE {flags_except(None)}"
            ]
            for field in needed:
                if field in MULTI_VALUED_FIELDS:
                    selects.append(
                        f"SELECT 0, '{field}', v, count(*), NULL FROM m, unnest(m.{field}) AS v "
                        f"WHERE {flags_except(field)} GROUP BY v"
                    )
                else:
                    selects.append(
                        f"SELECT 0, '{field}', m.{field}::text, count(*), NULL FROM m "
                        f"WHERE m.{field} IS NOT NULL AND {flags_except(field)} GROUP BY m.{field}"
                    )
            selects.append(
                "SELECT 1, NULL, p.verhaal_id::text, NULL, p.rang FROM p"
            )
            columns = "".join(f", d.{field}" for field in needed)
            search_sql = (
                f"WITH q AS (SELECT {query_sql} AS query), "
                f"m AS MATERIALIZED (SELECT d.verhaal_id, d.datum, {score_sql} AS score{columns}{flag_columns} "
                f"FROM zoekdocumenten d, q WHERE {base_where}), "
                f"p AS (SELECT m.verhaal_id, row_number() OVER (ORDER BY {order_sql}) AS rang FROM m "
                f"WHERE {flags_except(None)} ORDER BY {order_sql} LIMIT {int(opdracht.per_pagina)} "
                f"OFFSET {int((opdracht.pagina - 1) * opdracht.per_pagina)}) "
                + " UNION ALL ".join(selects)
            )
            total = 0
            facets: dict[str, dict[str, int]] = {field: {} for field in opdracht.facetten}
            page_ids: list[tuple[int, int]] = []
            for soort, field, value, count, rang in connection.execute(text(search_sql), compiler.params):
                if soort == 1:
                    page_ids.append((int(rang), int(value)))
                elif field == "":
                    total = int(count)
                elif value is not None:
                    facets[field][value] = int(count)
            for field, values in filters.items():
                if field in facets:
                    for value in values:
                        facets[field].setdefault(value, 0)
            page_ids.sort()
            rows = []
            if page_ids:
                ids = [verhaal_id for _, verhaal_id in page_ids]
                found = {
                    verhaal_id: (tekst, score)
                    for verhaal_id, tekst, score in connection.execute(
                        text(
                            f"WITH q AS (SELECT {query_sql} AS query) "
                            f"SELECT d.verhaal_id, d.tekst_publiek, {score_sql} FROM zoekdocumenten d, q "
                            "WHERE d.verhaal_id = ANY(:page_ids)"
                        ),
                        {**compiler.params, "page_ids": ids},
                    )
                }
                rows = [(verhaal_id, *found[verhaal_id]) for verhaal_id in ids if verhaal_id in found]

        stems, prefixes = positive_stems(node)
        for candidates in expansions.values():
            stems.update(candidates)
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
            verbeteringen=expansions,
        )
