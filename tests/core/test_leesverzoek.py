"""SQLite: pages that only read (@alleen_lezen) neither wait for a writer nor hold one up.

Every other transaction on SQLite begins IMMEDIATE and queues (core/sqlite_rij.py). The
public form page, its thank-you page and /gezondheid begin DEFERRED on GET, so under a rush
of residents only the POSTs that store a story take turns."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from flask import jsonify
from sqlalchemy import event, func, select

from verhalenbank.accounts.permissions import publiek
from verhalenbank.core.sqlite_rij import LeesVerzoekSchrijft, alleen_lezen
from verhalenbank.extensions import db
from verhalenbank.rondes.models import Ronde
from verhalenbank.verhalen.models import Verhaal

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _ronde(voorbeeld_bomen):
    from tests.support.factories import make_ronde

    return make_ronde("leesronde", boom=voorbeeld_bomen[0]).slug


def _get_while_a_writer_holds_the_database(app, urls: list[str]) -> dict[str, int]:
    """GET each url while another connection holds SQLite's write lock; status per url
    (a request that waits for the lock does not answer within the limit)."""
    pad = db.engine.url.database
    schrijver = sqlite3.connect(pad, isolation_level=None, timeout=1)
    schrijver.execute("BEGIN IMMEDIATE")
    schrijver.execute("UPDATE rondes SET titel = titel")
    statussen: dict[str, int] = {}

    def haal_op() -> None:
        client = app.test_client()
        for url in urls:
            statussen[url] = client.get(url).status_code

    draad = threading.Thread(target=haal_op, daemon=True)
    try:
        draad.start()
        draad.join(timeout=5)  # the busy timeout is 30 s: a waiting request is still waiting
        assert not draad.is_alive(), f"waited for the writer; answered so far: {statussen}"
    finally:
        schrijver.execute("ROLLBACK")
        schrijver.close()
        draad.join(timeout=60)
    return statussen


def test_the_form_page_and_the_health_check_answer_while_a_writer_holds_the_lock(app, voorbeeld_bomen):
    slug = _ronde(voorbeeld_bomen)
    db.session.commit()
    db.session.remove()
    assert _get_while_a_writer_holds_the_database(app, [f"/r/{slug}", "/gezondheid"]) == {
        f"/r/{slug}": 200, "/gezondheid": 200,
    }


def test_a_page_that_is_not_marked_read_only_still_queues(app, voorbeeld_bomen):
    slug = _ronde(voorbeeld_bomen)

    @publiek
    def leest():
        return jsonify(titel=db.session.scalar(select(Ronde.titel).where(Ronde.slug == slug)))

    app.add_url_rule("/test-leest", "leest", leest)
    db.session.commit()
    db.session.remove()
    with pytest.raises(AssertionError, match="waited for the writer"):
        _get_while_a_writer_holds_the_database(app, ["/test-leest"])


def test_a_write_in_a_read_only_request_is_refused_at_once(app, voorbeeld_bomen):
    slug = _ronde(voorbeeld_bomen)
    db.session.commit()

    @publiek
    @alleen_lezen
    def schrijft_toch():
        ronde = db.session.scalar(select(Ronde).where(Ronde.slug == slug))
        ronde.titel = "Gewijzigd"
        db.session.commit()
        return jsonify(ok=True)

    app.add_url_rule("/test-schrijft-toch", "schrijft_toch", schrijft_toch)
    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(LeesVerzoekSchrijft):
        app.test_client().get("/test-schrijft-toch")
    db.session.remove()
    assert db.session.scalar(select(Ronde.titel).where(Ronde.slug == slug)) != "Gewijzigd"


def test_a_residents_post_reads_and_checks_without_waiting_and_only_storing_queues(app, client, voorbeeld_bomen):
    """While another connection holds the write lock, a POST that fails a check answers at
    once (it never needed the lock); a POST that stores waits for its turn, then stores."""
    slug = _ronde(voorbeeld_bomen)
    db.session.commit()
    db.session.remove()
    pad = db.engine.url.database
    schrijver = sqlite3.connect(pad, isolation_level=None, timeout=1)
    schrijver.execute("BEGIN IMMEDIATE")
    schrijver.execute("UPDATE rondes SET titel = titel")
    antwoorden: dict[str, int] = {}

    def post(naam: str, data: dict) -> None:
        antwoorden[naam] = app.test_client().post(f"/r/{slug}", data=data).status_code

    zonder_toestemming = threading.Thread(target=post, args=("geweigerd", {"tekst": "Een verhaal zonder toestemming."}))
    met_toestemming = threading.Thread(target=post, args=("opgeslagen", {
        "tekst": "Sinds de buurtkamer open is, zie ik mijn buren weer.", "toestemming": "y", "website": ""}))
    try:
        zonder_toestemming.start()
        zonder_toestemming.join(timeout=5)
        assert antwoorden == {"geweigerd": 400}
        met_toestemming.start()
        met_toestemming.join(timeout=1)
        assert met_toestemming.is_alive()  # storing waits for the lock
    finally:
        schrijver.execute("ROLLBACK")
        schrijver.close()
    met_toestemming.join(timeout=60)
    assert antwoorden == {"geweigerd": 400, "opgeslagen": 303}
    assert db.session.scalar(select(func.count(Verhaal.id))) == 1


def test_a_residents_post_takes_one_short_write_turn(app, voorbeeld_bomen):
    """Storing a story takes the write turn once, for its inserts only: nothing read earlier is
    reloaded inside it, the withdrawal code goes in with the row (no UPDATE after the INSERT),
    and nothing after the commit queues for a second turn."""
    app.config["VERHALENBANK"].achtergrond_verwerking = True  # as served: a worker analyses
    slug = _ronde(voorbeeld_bomen)
    db.session.commit()
    db.session.remove()
    statements: list[str] = []

    def noteer(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(" ".join(statement.split()[:3]))

    event.listen(db.engine, "before_cursor_execute", noteer)
    try:
        antwoord = app.test_client().post(f"/r/{slug}", data={
            "tekst": "Sinds de buurtkamer open is, zie ik mijn buren weer.", "toestemming": "y",
            "website": "", "inzend_sleutel": "schrijfbeurt-" + "b" * 24,
        })
    finally:
        event.remove(db.engine, "before_cursor_execute", noteer)
    assert antwoord.status_code == 303
    assert statements.count("BEGIN IMMEDIATE") == 1
    beurt = statements[statements.index("BEGIN IMMEDIATE") + 1:]
    assert [s for s in beurt if s.startswith("UPDATE")] == []
    assert [s for s in beurt if "rondes" in s] == []
    assert sum(s.startswith("INSERT INTO verhalen") for s in beurt) == 1
    verhaal = db.session.scalar(select(Verhaal))
    assert verhaal.intrekcode_hash is not None
