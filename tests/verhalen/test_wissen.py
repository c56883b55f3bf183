"""Erasure that leaves nothing (issue 16 item 8): ids are never reused, and once the erasure
commits no file in the data directory (database, -wal, -shm, photos, the search index) holds a
byte of the story, without the test checkpointing or purging anything itself."""

from __future__ import annotations

from pathlib import Path

from flask import g
from sqlalchemy import select

from tests.verhalen.test_avg import MERKMAIL, MERKTEKST, _store_full_story, ronde  # noqa: F401  (fixture)
from tests.support.jobs import run_worker_once
from verhalenbank.cli import main
from verhalenbank.extensions import db
from verhalenbank.verhalen import operations as verhalen_ops
from verhalenbank.verhalen.models import Verhaal

TELEFOON = "0612345678"


def _files_holding(mappen: list[Path], *woorden: str) -> list[str]:
    gevonden = []
    for map_ in mappen:
        for pad in sorted(map_.rglob("*")):
            if not pad.is_file():
                continue
            inhoud = pad.read_bytes()
            gevonden += [f"{pad.name}: {woord}" for woord in woorden if woord.encode() in inhoud]
    return gevonden


def _paden_met(map_: Path, woord: str) -> list[Path]:
    return [pad for pad in map_.rglob("*") if pad.is_file() and woord.encode() in pad.read_bytes()]


def _mappen(app) -> list[Path]:
    mappen = [app.config["VERHALENBANK"].data_dir]
    if db.engine.dialect.name == "sqlite":
        mappen.append(Path(db.engine.url.database).parent)
    return mappen


def test_no_file_in_the_data_directory_holds_the_erased_story(app, client, login, ronde):  # noqa: F811
    verhaal = _store_full_story(app, ronde)
    verhaal_id = verhaal.id
    login("beheerder")
    index_dir = app.config["VERHALENBANK"].index_dir
    db.session.commit()
    # Before: the words are on disk (so the checks below can fail).
    assert _files_holding(_mappen(app), MERKTEKST, TELEFOON)

    assert _paden_met(index_dir, MERKTEKST)  # indexed before

    g.pop("_login_user", None)
    assert client.post(f"/verhalen/{verhaal_id}/wissen", data={"reden": "Verzoek van de verteller"}).status_code == 302
    db.session.commit()  # what a real request's teardown does; no checkpoint or purge of our own
    # Not even the search index's files: the erasure rewrites the segments that held the story
    # (on the background worker when served), without waiting for the daily opschonen.
    assert _files_holding(_mappen(app), MERKTEKST, TELEFOON, MERKMAIL) == []


def test_a_served_erasure_leaves_the_index_rewrite_to_the_worker(app, client, login, ronde):  # noqa: F811
    app.config["VERHALENBANK"].achtergrond_verwerking = True
    verhaal = _store_full_story(app, ronde)
    verhaal_id = verhaal.id
    login("beheerder")
    db.session.commit()
    index_dir = app.config["VERHALENBANK"].index_dir
    g.pop("_login_user", None)
    assert client.post(f"/verhalen/{verhaal_id}/wissen", data={"reden": "Verzoek van de verteller"}).status_code == 302
    db.session.rollback()  # end the shared session's transaction, as a served request does
    assert run_worker_once() >= 1  # the request left the index rewrite to a worker
    assert _paden_met(index_dir, MERKTEKST) == []


def test_retention_erasure_by_opschonen_leaves_no_file_holding_the_story(app, runner, ronde):  # noqa: F811
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import update

    verhaal = _store_full_story(app, ronde)
    db.session.execute(
        update(Verhaal).where(Verhaal.id == verhaal.id).values(created_at=datetime.now(timezone.utc) - timedelta(days=400))
    )
    db.session.commit()
    result = runner.invoke(main, ["opschonen"])
    assert result.exit_code == 0 and "1 story deleted" in result.output, result.output
    db.session.commit()
    assert _files_holding(_mappen(app), MERKTEKST, TELEFOON, MERKMAIL) == []


def test_an_erased_id_is_never_given_to_a_new_story(app, client, login, ronde):  # noqa: F811
    beheerder = login("beheerder")
    eerste = verhalen_ops.store_verhaal(verhalen_ops.VerhaalInvoer(tekst="Het eerste verhaal.", toestemming=True), ronde=ronde)
    db.session.commit()
    eerste_id = eerste.id
    g.pop("_login_user", None)
    assert client.post(f"/verhalen/{eerste_id}/origineel", data={"reden": "Controle"}).status_code == 200
    g.pop("_login_user", None)
    assert client.post(f"/verhalen/{eerste_id}/wissen", data={"reden": "Verzoek"}).status_code == 302
    db.session.commit()

    nieuw = verhalen_ops.store_verhaal(verhalen_ops.VerhaalInvoer(tekst="Een later verhaal.", toestemming=True), ronde=ronde)
    db.session.commit()
    assert nieuw.id > eerste_id
    g.pop("_login_user", None)
    export = client.get(f"/avg/verhalen/{nieuw.id}.json").get_json()
    assert [regel["actie"] for regel in export["logboek"]] == []  # nothing of the erased story
    assert db.session.scalar(select(Verhaal.id).where(Verhaal.id == eerste_id)) is None
    assert beheerder.id  # the export itself is logged after it is built
