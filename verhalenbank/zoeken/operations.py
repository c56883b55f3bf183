"""Keeping the search index in step with the database, and searching from the app and CLI.

Back end choice (INTERFACES §1 plus one variable):
- Whoosh (default): an index folder `<VERHALENBANK_DATA_DIR>/zoekindex`, one per server.
- PostgreSQL full-text search: when `DATABASE_URL` is PostgreSQL and
  `VERHALENBANK_ZOEKBACKEND=postgres`; the index lives in the tables `zoekdocumenten` and
  `zoekwoorden`, so several app servers share it. With SQLite, `postgres` falls back to
  Whoosh with a warning.

The index holds only what others may see (`tekst_publiek`, `titel_publiek`), tags that were
not rejected (confirmed and suggested apart, as "<doelenboom>:<code>") and the teller's own
feeling (self-signification question `gevoel`, 1–5).
"""

from __future__ import annotations

import logging
import threading
from typing import Iterable, Iterator

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from verhalenbank.core.hooks import heeft_ongecommitteerde_wijzigingen
from verhalenbank.core.sqlite_rij import alleen_lezend
from verhalenbank.extensions import db
from verhalenbank.verhalen.models import Tag, Verhaal, VerhaalStatus
from verhalenbank.zoeken.backend import ZoekBackend, ZoekDocument, qualified_code

logger = logging.getLogger(__name__)

POSTGRES_NAMES = {"postgres", "postgresql", "pg"}
REINDEX_BATCH = 500

_backends: dict[tuple, ZoekBackend] = {}
_backends_lock = threading.Lock()


def subdoel_codes(boom_codes: Iterable[str] = ()) -> list[str]:
    """Qualified codes ("<boom>:<subdoel>") of every subdoel in these trees; all trees if none."""
    from verhalenbank.doelenbomen.models import Doelenboom, Subdoel

    query = select(Doelenboom.code, Subdoel.code).join(Subdoel, Subdoel.doelenboom_id == Doelenboom.id)
    codes = [code for code in boom_codes if code]
    if codes:
        query = query.where(Doelenboom.code.in_(codes))
    return [qualified_code(boom, subdoel) for boom, subdoel in db.session.execute(query.order_by(Doelenboom.code, Subdoel.code))]


def backend_name(settings) -> str:
    wanted = (settings.search_backend or "whoosh").lower()
    if wanted in POSTGRES_NAMES:
        if settings.database_url.startswith("postgresql"):
            return "postgres"
        logger.warning("VERHALENBANK_ZOEKBACKEND=%s needs a PostgreSQL DATABASE_URL; using Whoosh", wanted)
    return "whoosh"


def get_backend() -> ZoekBackend:
    """The search back end of the current app (one per data dir / database, reused)."""
    settings = current_app.config["VERHALENBANK"]
    name = backend_name(settings)
    key = (name, str(settings.index_dir) if name == "whoosh" else settings.database_url)
    backend = _backends.get(key)
    if backend is None:
        with _backends_lock:
            backend = _backends.get(key)
            if backend is None:
                if name == "postgres":
                    from verhalenbank.zoeken.postgres_backend import PostgresBackend

                    # Tables come from the migrations; don't create them behind Alembic's back.
                    backend = PostgresBackend(db.engine, create_tables=False)
                else:
                    from verhalenbank.zoeken.whoosh_backend import WhooshBackend

                    backend = WhooshBackend(settings.index_dir)
                _backends[key] = backend
    return backend


# --- building documents ---------------------------------------------------------------------


def _gevoel(verhaal: Verhaal) -> int | None:
    for antwoord in verhaal.zelfduiding_antwoorden:
        if antwoord.vraag == "gevoel" and antwoord.antwoord.strip().isdigit():
            value = int(antwoord.antwoord.strip())
            if 1 <= value <= 5:
                return value
    return None


def build_zoekdocument(verhaal: Verhaal) -> ZoekDocument:
    """What the index knows about a verhaal: public text only, tags, facets."""
    document = ZoekDocument(
        id=verhaal.id,
        titel=verhaal.titel_publiek or "",
        tekst_publiek=verhaal.tekst_publiek or "",
        lemmas=verhaal.lemmas or "",
        trefwoorden=[str(word) for word in (verhaal.trefwoorden or [])],
        ronde=verhaal.ronde.slug if verhaal.ronde else None,
        wijk=verhaal.wijk or None,
        bron=verhaal.bron or None,
        aanbieder=verhaal.organisatie.slug if verhaal.organisatie else None,
        gevoel=_gevoel(verhaal),
        datum=verhaal.datum or (verhaal.created_at.date() if verhaal.created_at else None),
        status=verhaal.status or VerhaalStatus.ACTIEF,
    )
    trees: dict[str, None] = {}
    if verhaal.ronde:
        for doelenboom in verhaal.ronde.doelenbomen:
            trees.setdefault(doelenboom.code, None)
    for tag in verhaal.tags:
        if tag.afgewezen or tag.subdoel is None:
            continue
        tree_code = tag.subdoel.doelenboom.code
        trees.setdefault(tree_code, None)
        subdoel = qualified_code(tree_code, tag.subdoel.code)
        indicator = qualified_code(tree_code, tag.indicator.code) if tag.indicator else None
        if tag.bevestigd:
            document.subdoelen_bevestigd.append(subdoel)
            if indicator:
                document.indicatoren_bevestigd.append(indicator)
        else:
            document.subdoelen_voorgesteld.append(subdoel)
            if indicator:
                document.indicatoren_voorgesteld.append(indicator)
    document.doelenbomen = list(trees)
    return document


def verhalen_in_volgorde(ids: list[int]) -> list[Verhaal]:
    """The stories with these ids, in this order, with what a result list shows loaded."""
    by_id = {verhaal.id: verhaal for verhaal in _load_verhalen(ids)} if ids else {}
    return [by_id[verhaal_id] for verhaal_id in ids if verhaal_id in by_id]


def _load_verhalen(ids: list[int]) -> list[Verhaal]:
    from verhalenbank.doelenbomen.models import Subdoel
    from verhalenbank.rondes.models import Ronde

    return list(
        db.session.scalars(
            select(Verhaal)
            .where(Verhaal.id.in_(ids))
            .options(
                selectinload(Verhaal.tags).selectinload(Tag.subdoel).selectinload(Subdoel.doelenboom),
                selectinload(Verhaal.tags).selectinload(Tag.indicator),
                selectinload(Verhaal.zelfduiding_antwoorden),
                selectinload(Verhaal.ronde).selectinload(Ronde.doelenbomen),
                selectinload(Verhaal.organisatie),
            )
        )
    )


def _documents_for(ids: list[int]) -> Iterator[ZoekDocument]:
    """Batch by batch, each read in a transaction of its own that ends before the batch is
    handed on (with the index lock held, a change committed between two batches is indexed
    after this write): no reader holds a snapshot for minutes, which would keep an erasure's
    WAL checkpoint waiting, and the loaded stories leave memory."""
    for start in range(0, len(ids), REINDEX_BATCH):
        documents = [build_zoekdocument(verhaal) for verhaal in _load_verhalen(ids[start:start + REINDEX_BATCH])]
        _lezen_klaar()
        yield from documents


# --- keeping the index in step ----------------------------------------------------------------


def index_verhalen(verhaal_ids: Iterable[int]) -> int:
    """Add or replace these stories in the index; ids no longer in the database are removed."""
    ids = sorted({int(verhaal_id) for verhaal_id in verhaal_ids})
    if not ids:
        return 0
    backend = get_backend()
    _geen_open_transactie()  # no database turn held while waiting for the index lock
    # Read under the index's write lock: this write then lands after any write that read the
    # stories earlier, so a worker's index job never overwrites a newer retag or decision.
    # The read only reads (alleen_lezend): holding the index lock it must never wait for the
    # database's write queue, whose holder may be waiting for the index lock.
    with backend.write_lock():
        with alleen_lezend():
            documents = list(_documents_for(ids))
        backend.add(documents)
        gone = set(ids) - {document.id for document in documents}
        if gone:
            backend.remove(gone)
    return len(documents)


def _geen_open_transactie() -> None:
    """Before taking the index lock: end this session's read transaction, which on SQLite
    holds the database's write queue (every writer would wait as long as the index lock is
    held). Indexing with uncommitted changes is a programming error: the index would show what
    may still be rolled back."""
    if heeft_ongecommitteerde_wijzigingen(db.session):
        raise RuntimeError("The search index is written after the commit; this session has uncommitted changes")
    db.session.rollback()


def _lezen_klaar() -> None:
    """End the read transaction before writing the index: on SQLite every transaction holds the
    write lock, and a Whoosh write can take seconds when it merges segments (5 s measured while
    retagging 720 stories), time the public form would wait. Only when nothing is uncommitted
    (pending or flushed: a rollback would lose it)."""
    if not heeft_ongecommitteerde_wijzigingen(db.session):
        db.session.rollback()


def remove_verhalen(verhaal_ids: Iterable[int]) -> int:
    """Take stories out of the index at once (erasure, withdrawal), under the index's write
    lock, so a write that read the stories before they were erased lands before this removal,
    never after it (PostgreSQL search; Whoosh's removal takes the same lock itself)."""
    backend = get_backend()
    _lezen_klaar()  # hold no database turn while waiting (an erasure is never refused here)
    with backend.write_lock():
        return backend.remove(verhaal_ids)


def reindex_all(*, processes: int | None = None) -> int:
    """Rebuild the whole index from the database (Whoosh: in `processes` processes, default
    the cores, when there are many stories)."""
    backend = get_backend()
    _geen_open_transactie()
    # Under the index lock from the first read on: an erasure, decision or new story committed
    # meanwhile is indexed after the rebuild, never overwritten by it. Only reading (see
    # index_verhalen), which on SQLite also lets residents' stories be stored meanwhile: a
    # rebuild of 100,000 stories takes minutes.
    with backend.write_lock(), alleen_lezend():
        ids = list(db.session.scalars(select(Verhaal.id).order_by(Verhaal.id)))
        _lezen_klaar()
        return backend.rebuild(_documents_for(ids), processes=processes)


def detect_drift() -> dict[str, list[int]]:
    """Stories missing from the index, and index entries without a story (logged if any)."""
    in_database = set(db.session.scalars(select(Verhaal.id)))
    in_index = get_backend().ids()
    drift = {
        "ontbreekt_in_index": sorted(in_database - in_index),
        "niet_meer_in_database": sorted(in_index - in_database),
    }
    if drift["ontbreekt_in_index"] or drift["niet_meer_in_database"]:
        logger.warning(
            "Search index out of step with the database: %d stories missing from the index, "
            "%d index entries without a story. Run `verhalenbank reindex`.",
            len(drift["ontbreekt_in_index"]),
            len(drift["niet_meer_in_database"]),
        )
    return drift


def check_drift_at_startup(app) -> None:
    """Called from create_app(): report drift, never block start-up (e.g. before `init`)."""
    try:
        with app.app_context():
            from verhalenbank.core.migrate import pending_revisions

            if pending_revisions(db.engine):
                return  # not initialised yet: nothing to compare
            detect_drift()
    except OperationalError as exc:
        # Database unreachable: the command that started the app says so itself, in one line.
        logger.debug("Database unreachable at start-up: %s", str(exc.orig).splitlines()[0])
    except Exception:  # noqa: BLE001 - a broken index must not stop the app; it is logged
        logger.exception("Could not compare the search index with the database")


def index_after_commit(verhaal_ids: Iterable[int]) -> None:
    """Job-step wrapper: index, and log (never raise) on failure; `reindex` repairs drift."""
    try:
        index_verhalen(verhaal_ids)
    except Exception:  # noqa: BLE001 - see docstring
        logger.exception("Indexing stories %s failed", list(verhaal_ids))


def index_all_after_commit() -> None:
    """After tags changed across many stories (retagging a tree): refresh every story, in batches."""
    index_after_commit(db.session.scalars(select(Verhaal.id)).all())


def remove_after_commit(verhaal_ids: Iterable[int]) -> None:
    try:
        remove_verhalen(verhaal_ids)
    except Exception:  # noqa: BLE001 - see index_after_commit
        logger.exception("Removing stories %s from the index failed", list(verhaal_ids))


def purge_search_index() -> int:
    """After erasures: make the search index drop erased stories from its files too (Whoosh;
    PostgreSQL deletes rows at once). Returns how many index segments were rewritten. Erasure
    (verhalen.operations.purge_erased) reaches it through a hook, wired in verhalenbank/app.py."""
    purge = getattr(get_backend(), "purge_deleted", None)
    return purge() if purge is not None else 0


