"""Several processes and threads writing to one index at once must not lose updates."""

from __future__ import annotations

import functools
import subprocess
import sys
import textwrap
import threading

import pytest

from sqlalchemy import select

from tests.zoeken.test_zoekpagina import LW, LW1, geladen, zoek_app  # noqa: F401 (fixtures)
from verhalenbank.doelenbomen.models import Doelenboom, Subdoel
from verhalenbank.extensions import db
from verhalenbank.verhalen.models import Tag, TagMethode
from verhalenbank.zoeken import operations
from verhalenbank.zoeken.backend import ZoekDocument, Zoekopdracht
from verhalenbank.zoeken.postgres_backend import PostgresBackend
from verhalenbank.zoeken.whoosh_backend import WhooshBackend

PROCESSES = 4
DOCUMENTS_PER_PROCESS = 12

_WRITER_SCRIPT = textwrap.dedent(
    """
    import sys
    from verhalenbank.zoeken.backend import ZoekDocument
    kind, target, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if kind == "whoosh":
        from verhalenbank.zoeken.whoosh_backend import WhooshBackend
        backend = WhooshBackend(target)
    else:
        from sqlalchemy import create_engine
        from verhalenbank.zoeken.postgres_backend import PostgresBackend
        backend = PostgresBackend(create_engine(target), create_tables=False)
    for n in range(count):
        document_id = worker * 1000 + n
        # One commit per story, as the app does on every create/edit.
        backend.add([ZoekDocument(id=document_id, titel=f"Verhaal {document_id}",
                                  tekst_publiek=f"Buren helpen elkaar woord{worker}x{n} in de wijk.",
                                  wijk=f"Wijk {worker}", status="actief")])
    """
)


def _run_writers(kind: str, target: str) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER_SCRIPT, kind, target, str(worker), str(DOCUMENTS_PER_PROCESS)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in range(1, PROCESSES + 1)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors


def _run_together(*calls, timeout: float = 60) -> list[BaseException]:
    """Run the calls on threads of their own at once; what they raised, and a TimeoutError
    when one still runs after `timeout` (empty: all finished well)."""
    errors: list[BaseException] = []

    def run(call) -> None:
        try:
            call()
        except BaseException as error:  # noqa: BLE001 - returned to the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,), daemon=True) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if any(thread.is_alive() for thread in threads):
        errors.append(TimeoutError(f"a thread still runs after {timeout} s"))
    return errors


def _expected_ids() -> set[int]:
    return {worker * 1000 + n for worker in range(1, PROCESSES + 1) for n in range(DOCUMENTS_PER_PROCESS)}


def test_whoosh_concurrent_processes_lose_nothing(tmp_path):
    index_dir = tmp_path / "index"
    WhooshBackend(index_dir).close()
    _run_writers("whoosh", str(index_dir))
    backend = WhooshBackend(index_dir)
    assert backend.ids() == _expected_ids()
    result = backend.search(Zoekopdracht(tekst="buren", facetten=("wijk",)))
    assert result.totaal == PROCESSES * DOCUMENTS_PER_PROCESS
    assert result.facetten["wijk"] == {f"Wijk {w}": DOCUMENTS_PER_PROCESS for w in range(1, PROCESSES + 1)}


def test_postgres_concurrent_processes_lose_nothing(pg_backend, pg_engine):
    _run_writers("pg", pg_engine.url.render_as_string(hide_password=False))
    assert pg_backend.ids() == _expected_ids()
    assert pg_backend.search(Zoekopdracht(tekst="buren")).totaal == PROCESSES * DOCUMENTS_PER_PROCESS


def test_whoosh_concurrent_threads_lose_nothing(tmp_path):
    backend = WhooshBackend(tmp_path / "index")

    def write(worker: int) -> None:
        for n in range(8):
            backend.add([ZoekDocument(id=worker * 100 + n, tekst_publiek="koffie met de buren", status="actief")])
            backend.search(Zoekopdracht(tekst="koffie"))

    assert _run_together(*(functools.partial(write, worker) for worker in range(1, 5))) == []
    assert backend.count() == 32
    assert backend.search(Zoekopdracht(tekst="koffie")).totaal == 32


def test_add_and_remove_interleaved_keep_the_last_state(tmp_path, pg_backend):
    for backend in (WhooshBackend(tmp_path / "index"), pg_backend):
        backend.add([ZoekDocument(id=1, tekst_publiek="eerste versie over de moestuin", status="actief")])
        backend.add([ZoekDocument(id=1, tekst_publiek="tweede versie over de bibliotheek", status="actief")])
        backend.remove([1])
        backend.add([ZoekDocument(id=1, tekst_publiek="derde versie over het buurthuis", status="actief")])
        assert backend.ids() == {1}
        assert backend.search(Zoekopdracht(tekst="buurthuis")).ids == [1]
        assert backend.search(Zoekopdracht(tekst="moestuin OF bibliotheek")).ids == []


def test_postgres_backend_refuses_sqlite():
    from sqlalchemy import create_engine

    try:
        PostgresBackend(create_engine("sqlite://"))
    except ValueError as error:
        assert "PostgreSQL" in str(error)
    else:  # pragma: no cover - the assertion message explains
        raise AssertionError("PostgresBackend accepted SQLite")


def test_postgres_app_servers_count_each_others_writes_at_once(pg_backend, pg_engine):
    """Each server caches facet bitmaps; a write on another server must show in the next search."""
    other_server = PostgresBackend(pg_engine, create_tables=False)

    def wijken() -> tuple[int, dict[str, int], list[int]]:
        result = other_server.search(Zoekopdracht(facetten=("wijk",), sortering="datum"))
        return result.totaal, result.facetten["wijk"], sorted(result.ids)

    pg_backend.add([ZoekDocument(id=1, tekst_publiek="buren", wijk="Atolwijk", status="actief")])
    assert wijken() == (1, {"Atolwijk": 1}, [1])
    pg_backend.add([ZoekDocument(id=2, tekst_publiek="buren", wijk="Zwaag", status="actief")])
    assert wijken() == (2, {"Atolwijk": 1, "Zwaag": 1}, [1, 2])
    pg_backend.add([ZoekDocument(id=1, tekst_publiek="buren", wijk="Zwaag", status="actief")])
    assert wijken() == (2, {"Zwaag": 2}, [1, 2])
    pg_backend.remove([2])
    assert wijken() == (1, {"Zwaag": 1}, [1])
    assert other_server.search(Zoekopdracht(tekst="buren", filters={"wijk": ["Zwaag"]})).ids == [1]


def test_postgres_own_writes_update_the_cached_facets_without_a_reload(pg_backend, pg_engine, monkeypatch):
    """The writing server patches its cached bitmaps; the result must equal a fresh load."""
    from datetime import date

    from verhalenbank.zoeken import postgres_backend
    from tests.zoeken.zoekcorpus import make_corpus

    pg_backend.add(make_corpus())
    everything = Zoekopdracht(sortering="datum", per_pagina=50)
    pg_backend.search(everything)  # loads the snapshot with every facet field
    loads = []
    original_load = postgres_backend._Snapshot.load.__func__
    monkeypatch.setattr(
        postgres_backend._Snapshot, "load",
        classmethod(lambda cls, connection, generation: loads.append(generation) or original_load(cls, connection, generation)),
    )

    def same_as_fresh() -> None:
        for opdracht in (everything, Zoekopdracht(tekst="buren", filters={"wijk": ["Zwaag", "Atolwijk"]})):
            fresh = PostgresBackend(pg_engine, create_tables=False).search(opdracht)
            loads.pop()  # the fresh server's own load
            mine = pg_backend.search(opdracht)
            assert (mine.totaal, mine.ids, mine.facetten) == (fresh.totaal, fresh.ids, fresh.facetten)

    pg_backend.add([ZoekDocument(id=2, tekst_publiek="koffie met de buren", wijk="Zwaag", gevoel=3,
                                 subdoelen_bevestigd=["x:NIEUW1"], datum=date(2026, 1, 5), status="actief")])
    same_as_fresh()
    pg_backend.remove([1, 4])
    same_as_fresh()
    pg_backend.add([ZoekDocument(id=99, tekst_publiek="buren in een nieuwe wijk", wijk="Nieuwland", status="actief"),
                    ZoekDocument(id=1, tekst_publiek="weer terug bij de buren", wijk="Atolwijk", status="actief")])
    same_as_fresh()
    assert loads == [], "the writing server reloaded instead of updating its cache"


def test_an_index_write_that_read_a_story_earlier_never_lands_after_a_newer_one(zoek_app, geladen, monkeypatch):  # noqa: F811
    """A worker's index job reads a story with a suggestion; meanwhile a beleidsadviseur confirms
    the tag and that story is indexed again. The job's older write must not land last."""
    lw1 = db.session.scalar(select(Subdoel).join(Doelenboom).where(Doelenboom.code == LW, Subdoel.code == "LW1"))
    with_lw1 = set(db.session.scalars(select(Tag.verhaal_id).where(Tag.subdoel_id == lw1.id)))
    verhaal_id = min(set(geladen.values()) - with_lw1)
    tag = Tag(verhaal_id=verhaal_id, subdoel_id=lw1.id, score=0.5, methode=TagMethode.AUTO)
    db.session.add(tag)
    db.session.commit()
    operations.index_verhalen([verhaal_id])

    def confirmed() -> bool:
        opdracht = Zoekopdracht(filters={"subdoel_bevestigd": [LW1]}, per_pagina=100, facetten=())
        return verhaal_id in operations.get_backend().search(opdracht).ids

    backend = operations.get_backend()
    real_add = backend.add
    old_job_read, go_on = threading.Event(), threading.Event()

    def add_after_a_pause(documents):
        if threading.current_thread().name == "oude-indexeertaak":
            old_job_read.set()  # it has read the story with its suggestion
            assert go_on.wait(30)
        return real_add(documents)

    monkeypatch.setattr(backend, "add", add_after_a_pause)
    # The second write comes from another process (the web, the worker has the old job): its
    # own back end object, so only the lock between processes (flock, advisory lock) orders them.
    other_process = _another_process_backend(zoek_app)
    real_get_backend = operations.get_backend
    monkeypatch.setattr(operations, "get_backend", lambda: other_process if threading.current_thread().name
                        == "na-de-beslissing" else real_get_backend())
    errors: list[BaseException] = []

    def index_in_own_context() -> None:
        try:
            with zoek_app.app_context():
                operations.index_verhalen([verhaal_id])
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    old_job = threading.Thread(target=index_in_own_context, name="oude-indexeertaak")
    old_job.start()
    assert old_job_read.wait(30)
    tag.bevestigd = True
    tag.methode = TagMethode.HANDMATIG
    db.session.commit()
    after_decision = threading.Thread(target=index_in_own_context, name="na-de-beslissing")
    after_decision.start()
    after_decision.join(timeout=2)  # without the lock it writes now, before the old job
    go_on.set()
    old_job.join(timeout=30)
    after_decision.join(timeout=30)
    if isinstance(other_process, WhooshBackend):
        other_process.close()
    assert errors == []
    assert not old_job.is_alive()
    assert not after_decision.is_alive()
    assert confirmed()


def test_postgres_index_writers_of_one_process_wait_without_holding_the_connections(pg_backend, pg_engine):
    """Twenty threads of one app server write the index at once, each under the write lock.
    They queue inside the process, so the waiting ones hold no pooled connection and the one
    writing still gets what it needs (the lock's connection and the write's: a pool of three)."""
    from sqlalchemy import create_engine

    small_pool = create_engine(pg_engine.url, pool_size=2, max_overflow=1, pool_timeout=5)
    backend = PostgresBackend(small_pool, create_tables=False)

    def write(n: int) -> None:
        with backend.write_lock():
            backend.add([ZoekDocument(id=n, tekst_publiek=f"buren van huis {n}", status="actief")])

    errors = _run_together(*(functools.partial(write, n) for n in range(1, 21)))
    small_pool.dispose()
    assert errors == []
    assert pg_backend.ids() == set(range(1, 21))



def _another_process_backend(app):
    """A second back end on the same index, as another process would have."""
    if isinstance(operations.get_backend(), PostgresBackend):
        return PostgresBackend(db.engine, create_tables=False)
    return WhooshBackend(app.config["VERHALENBANK"].index_dir)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_index_write_never_waits_for_the_database_while_holding_the_index_lock(app, voorbeeld_rondes):
    """On SQLite a transaction holds the write queue, and a writer may wait for the index lock
    while holding it (an erasure, a tag decision): the index job that holds the index lock
    then must not wait for the queue in turn, or both wait for ever."""
    from verhalenbank.verhalen.models import Verhaal

    verhaal = Verhaal(titel="Buren", tekst="Mijn buren helpen mij.", tekst_publiek="Mijn buren helpen mij.")
    db.session.add(verhaal)
    db.session.commit()
    verhaal_id = verhaal.id
    db.session.remove()
    holds_the_queue, holds_the_index_lock = threading.Event(), threading.Event()
    done: list[str] = []
    errors: list[BaseException] = []
    real_documents_for = operations._documents_for

    def documents_for(ids):
        holds_the_index_lock.set()
        return real_documents_for(ids)

    def index_job() -> None:
        try:
            with app.app_context():
                assert holds_the_queue.wait(30)
                operations.index_verhalen([verhaal_id])
                db.session.remove()
            done.append("index")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def decision_in_a_transaction() -> None:
        try:
            with app.app_context():
                db.session.get(Verhaal, verhaal_id)  # a transaction: on SQLite, the write queue
                holds_the_queue.set()
                assert holds_the_index_lock.wait(30)
                operations.get_backend().remove([999_999])  # waits for the index lock
                db.session.rollback()
                db.session.remove()
            done.append("decision")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    operations._documents_for = documents_for
    try:
        threads = [threading.Thread(target=index_job, daemon=True),
                   threading.Thread(target=decision_in_a_transaction, daemon=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        operations._documents_for = real_documents_for
    assert errors == []
    assert sorted(done) == ["decision", "index"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_reindex_on_sqlite_lets_stories_be_stored_meanwhile(app, monkeypatch):
    """`reindex` reads every story while it rebuilds (minutes at 100,000): it only reads, so a
    resident's story is stored meanwhile instead of waiting for the write queue."""
    from verhalenbank.verhalen.models import Verhaal

    db.session.add(Verhaal(titel="Eerste", tekst="Buren helpen.", tekst_publiek="Buren helpen."))
    db.session.commit()
    backend = operations.get_backend()
    real_rebuild = backend.rebuild
    stored: list[int] = []

    def store_a_story() -> None:
        with app.app_context():
            verhaal = Verhaal(titel="Tijdens het herbouwen", tekst="Een nieuw verhaal.")
            db.session.add(verhaal)
            db.session.commit()
            stored.append(verhaal.id)
            db.session.remove()

    def rebuild_with_a_resident_meanwhile(documents, *, processes=None):
        documents = list(documents)  # the rebuild has read the stories, its transaction open
        resident = threading.Thread(target=store_a_story, daemon=True)
        resident.start()
        resident.join(timeout=10)
        return real_rebuild(documents, processes=processes)

    monkeypatch.setattr(backend, "rebuild", rebuild_with_a_resident_meanwhile)
    assert operations.reindex_all() == 1
    assert len(stored) == 1


def test_a_story_erased_during_a_reindex_does_not_come_back_in_the_index(zoek_app, monkeypatch):  # noqa: F811
    """The reindex has read a batch with the story; the erasure then commits and removes it
    from the index. The rebuild must not write the story back from what it read."""
    from verhalenbank.verhalen.models import Verhaal

    app = zoek_app

    verhalen = [Verhaal(titel=f"Verhaal {n}", tekst="Buren helpen.", tekst_publiek="Buren helpen.") for n in range(3)]
    db.session.add_all(verhalen)
    db.session.commit()
    erased_id = verhalen[0].id
    real_load = operations._load_verhalen
    erasure = threading.Thread(target=lambda: None)

    def erase() -> None:
        with app.app_context():
            db.session.delete(db.session.get(Verhaal, erased_id))
            db.session.commit()
            operations.remove_verhalen([erased_id])
            db.session.remove()

    def load_then_erase(ids):
        nonlocal erasure
        loaded = real_load(ids)
        erasure = threading.Thread(target=erase, daemon=True)
        erasure.start()
        erasure.join(timeout=3)  # without the lock held from the first read, it is done now
        return loaded

    monkeypatch.setattr(operations, "_load_verhalen", load_then_erase)
    operations.reindex_all()
    erasure.join(timeout=30)
    assert not erasure.is_alive()
    assert erased_id not in operations.get_backend().ids()
    assert operations.get_backend().ids() == {v.id for v in verhalen[1:]}


def test_indexing_with_uncommitted_changes_is_refused_not_rolled_back(app):
    from verhalenbank.verhalen.models import Verhaal

    verhaal = Verhaal(titel="Nog niet bewaard", tekst="Buren.")
    db.session.add(verhaal)
    db.session.flush()  # written in the transaction, not committed
    with pytest.raises(RuntimeError, match="uncommitted"):
        operations.index_verhalen([verhaal.id])
    db.session.commit()  # the flushed story was not rolled back
    assert db.session.get(Verhaal, verhaal.id) is not None


def test_flushed_changes_count_as_uncommitted_until_the_outer_transaction_ends(app):
    """A savepoint's end (an import line) leaves the outer transaction's writes uncommitted."""
    from verhalenbank.core.hooks import heeft_ongecommitteerde_wijzigingen
    from verhalenbank.verhalen.models import Verhaal

    db.session.add(Verhaal(titel="Eerste", tekst="Buren."))
    db.session.flush()
    with db.session.begin_nested():
        db.session.add(Verhaal(titel="Tweede", tekst="Buren."))
    assert heeft_ongecommitteerde_wijzigingen(db.session)
    db.session.commit()
    assert not heeft_ongecommitteerde_wijzigingen(db.session)
    db.session.add(Verhaal(titel="Derde", tekst="Buren."))
    db.session.flush()
    db.session.rollback()
    assert not heeft_ongecommitteerde_wijzigingen(db.session)
