"""Retagging after a tree import never blocks the public form (issue 16 item 4, "long jobs never
block the public form"): the stories are retagged a batch at a time, each batch committed, so
another writer gets the database between batches; in the browser and the API it runs on the
background worker, after the answer."""

from __future__ import annotations

import sqlite3

import pytest
from flask import g
from sqlalchemy import create_engine, func, select

from tests.nlp.test_operations import STORIES
from tests.support.jobs import run_worker_once
from verhalenbank.accounts import operations as accounts_ops
from verhalenbank.cli import main
from verhalenbank.doelenbomen.models import Doelenboom, Subdoel
from verhalenbank.extensions import db
from verhalenbank.nlp import operations as nlp_operations
from verhalenbank.verhalen import verwerking
from verhalenbank.verhalen.models import Tag, Verhaal
from verhalenbank.verhalen.operations import VerhaalInvoer, store_verhaal
from verhalenbank.verhalen.verwerking import verwerk_verhalen

BOOM = (
    "code: testdorp-geld\ntitel: Geld in Testdorp\nhoofddoel: Minder geldzorgen.\nsubdoelen:\n"
    "  - code: GZ\n    titel: Inwoners hebben minder schulden\n"
    "    beschrijving: Inwoners met geldzorgen krijgen hulp bij schulden en rekeningen.\n"
    "  - code: SP\n    titel: Inwoners sporten bij een vereniging\n"
)


@pytest.fixture
def verhalen(app) -> list[int]:
    """The nine analysed stories of tests/nlp, without a ronde (every tree applies to them)."""
    opgeslagen = [store_verhaal(VerhaalInvoer(tekst=tekst, toestemming=True)) for _, tekst in STORIES]
    db.session.commit()
    ids = [v.id for v in opgeslagen]
    verwerk_verhalen(ids)
    return ids


def _tags_van_boom(verbinding, verhaal_ids: list[int]) -> int:
    """Tags of testdorp-geld on these stories, as another connection sees them (committed)."""
    if not verhaal_ids:
        return 0
    query = (
        select(func.count(Tag.id)).join(Subdoel, Tag.subdoel_id == Subdoel.id).join(Doelenboom)
        .where(Doelenboom.code == "testdorp-geld", Tag.verhaal_id.in_(verhaal_ids))
    )
    return verbinding.execute(query).scalar_one()


def _met_geldzorg(verhaal_ids: list[int]) -> set[int]:
    """Which of these stories carry the new tree's subdoel GZ."""
    return set(db.session.scalars(
        select(Tag.verhaal_id).join(Subdoel, Tag.subdoel_id == Subdoel.id)
        .where(Subdoel.code == "GZ", Tag.verhaal_id.in_(verhaal_ids))
    ))


def _schrijver_komt_erdoor() -> bool:
    """Can another writer take the database right now, without waiting at all?"""
    if db.engine.dialect.name != "sqlite":
        return True  # PostgreSQL locks rows, not the database; the visibility check covers it
    verbinding = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        verbinding.execute("BEGIN IMMEDIATE")
        verbinding.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        verbinding.close()


def test_cli_tree_import_retags_batch_by_batch_and_lets_other_writers_in(app, runner, tmp_path, verhalen, monkeypatch):
    monkeypatch.setattr(verwerking, "RETAG_BATCH", 2)
    monkeypatch.setattr(verwerking, "PAUZE_TUSSEN_BATCHES", 0)
    echt = nlp_operations.tag_verhalen
    anders = create_engine(db.engine.url)
    batches: list[list[int]] = []
    gezien: list[tuple[list[int], int, bool]] = []  # (stories done so far, their tags seen from outside, writer got in)

    def tag_verhalen(ids):
        klaar = [i for batch in batches for i in batch]
        schrijver = _schrijver_komt_erdoor()  # first: the app's engines begin every SQLite read IMMEDIATE too
        with anders.connect() as verbinding:
            gezien.append((klaar, _tags_van_boom(verbinding, klaar), schrijver))
        batches.append(list(ids))
        return echt(ids)

    monkeypatch.setattr(nlp_operations, "tag_verhalen", tag_verhalen)
    bestand = tmp_path / "geld.yaml"
    bestand.write_text(BOOM, encoding="utf-8")
    result = runner.invoke(main, ["doelenboom", "import", str(bestand)])
    assert result.exit_code == 0, result.output
    assert "Retagged 9 stories (batches of 2)." in result.output

    assert [len(b) for b in batches] == [2, 2, 2, 2, 1]
    assert sorted(i for b in batches for i in b) == sorted(verhalen)
    # Before every batch, another writer could get in at once, and the batches before it were
    # committed: another connection sees exactly their final tags.
    assert [schrijver for _, _, schrijver in gezien] == [True] * 5
    db.session.rollback()
    with anders.connect() as verbinding:
        eindstand = [_tags_van_boom(verbinding, klaar) for klaar, _, _ in gezien]
    anders.dispose()
    assert [buiten for _, buiten, _ in gezien] == eindstand
    assert eindstand[-1] > 0
    # The money stories got the new tree's money subdoel, as one big retag would have done.
    geld = [vid for (soort, _), vid in zip(STORIES, verhalen) if soort == "GE"]
    assert _met_geldzorg(geld) == set(geld)


def test_a_failing_batch_does_not_stop_the_others(app, verhalen, monkeypatch, caplog):
    monkeypatch.setattr(verwerking, "RETAG_BATCH", 4)
    monkeypatch.setattr(verwerking, "PAUZE_TUSSEN_BATCHES", 0)
    echt = nlp_operations.tag_verhalen
    aanroepen = []

    def eerste_kapot(ids):
        aanroepen.append(list(ids))
        if len(aanroepen) == 1:
            raise RuntimeError("kapot")
        return echt(ids)

    monkeypatch.setattr(nlp_operations, "tag_verhalen", eerste_kapot)
    from verhalenbank.doelenbomen.exchange import parse_doelenboom
    from verhalenbank.doelenbomen.operations import save_doelenboom

    boom, _ = save_doelenboom(parse_doelenboom(BOOM, "geld.yaml"), door=None)
    db.session.commit()
    assert verwerking.verwerk_boomwijziging([boom.id]) == 5  # 9 stories: 4 failed, 4 + 1 retagged
    assert [len(a) for a in aanroepen] == [4, 4, 1]
    assert "retagging stories" in caplog.text


def test_api_tree_import_answers_first_and_retags_on_the_worker(app, client, make_user, verhalen):
    app.config["VERHALENBANK"].achtergrond_verwerking = True
    _, token = accounts_ops.create_api_token(make_user("beheerder"), "bomen")
    db.session.commit()
    g.pop("_login_user", None)
    response = client.post("/api/v1/doelenbomen", data=BOOM.encode(),
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/yaml"})
    assert response.status_code == 201, response.get_data(as_text=True)
    db.session.rollback()  # end the shared session's transaction, as a served request does
    with db.engine.connect() as verbinding:
        assert _tags_van_boom(verbinding, verhalen) == 0  # answered before any retagging
    assert run_worker_once() >= 1  # the retag waited as a job
    db.session.expire_all()
    geld = [vid for (soort, _), vid in zip(STORIES, verhalen) if soort == "GE"]
    assert _met_geldzorg(geld) == set(geld)
    assert db.session.scalar(select(func.count(Verhaal.id))) == len(STORIES)