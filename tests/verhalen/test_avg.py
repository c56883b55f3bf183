"""AVG: erasure leaves no trace (database, files, index, search), models are marked for
retraining, the export of one story, and the audit log. Retention (`verhalenbank opschonen`)
is tested in tests/rondes/test_opschonen.py."""

from __future__ import annotations

import json
import os

import pytest
from flask import g
from sqlalchemy import inspect, select, text

from verhalenbank.accounts.models import AuditLog
from verhalenbank.extensions import db
from verhalenbank.media.models import Foto
from verhalenbank.nlp.models import TaggerModel
from verhalenbank.rondes import operations as rondes_ops
from verhalenbank.verhalen import operations as verhalen_ops
from verhalenbank.doelenbomen.models import Subdoel
from verhalenbank.verhalen.models import Tag, Verhaal
from verhalenbank.verhalen.verwerking import verwerk_verhalen

MERKTEKST = "zeldzaamwoordquokka"
MERKMAIL = "verteller-quokka@voorbeeld.nl"


@pytest.fixture
def ronde(app, voorbeeld_bomen):
    gemaakt = rondes_ops.create_ronde(
        rondes_ops.RondeGegevens(slug="avg-ronde", titel="AVG-ronde", wijken=["Atolwijk"],
                                 doelenboom_codes=["lelystad-sociaal-krachtige-wijken"], bewaartermijn_maanden=12)
    )
    db.session.commit()
    return gemaakt


def _store_full_story(app, ronde) -> Verhaal:
    """A story with everything that can hang on it: tags, answers, contact, photo files, code."""
    verhaal = verhalen_ops.store_verhaal(
        verhalen_ops.VerhaalInvoer(
            tekst=f"Bij de buurtkamer vertelde ik over de {MERKTEKST} in onze straat.", titel=f"De {MERKTEKST}",
            wijk="Atolwijk", toestemming=True, toestemming_versie="2026-1", labels=["LW1"],
            zelfduiding={"gevoel": ["4"], "wie": [MERKTEKST]},
            contact={"naam": "Quokka Verteller", "email": MERKMAIL, "telefoon": "0612345678"},
            inzend_sleutel="quokka-sleutel-0123456789",
        ),
        ronde=ronde,
    )
    verhalen_ops.create_intrekcode(verhaal)
    photo_dir = app.config["VERHALENBANK"].photo_dir
    photo_dir.mkdir(parents=True, exist_ok=True)
    for naam in ("a1b2c3d4e5.jpg", "a1b2c3d4e5-klein.jpg"):
        (photo_dir / naam).write_bytes(b"\xff\xd8\xff" + MERKTEKST.encode())
    db.session.add(Foto(verhaal=verhaal, bestand="a1b2c3d4e5.jpg", miniatuur="a1b2c3d4e5-klein.jpg", breedte=10, hoogte=10))
    boom = ronde.doelenbomen[0]
    db.session.add(TaggerModel(doelenboom_id=boom.id, pad="model.joblib", moet_hertrainen=False))
    db.session.commit()
    verwerk_verhalen([verhaal.id])
    return db.session.get(Verhaal, verhaal.id)


def _own_connection(engine):
    """A connection of its own, to see what is committed. The test client's requests share the
    test's app context and so its session; a view that reads after its commit leaves that
    session in a transaction (on SQLite: BEGIN IMMEDIATE, the write lock) which only the
    request teardown of a real server would end. End it first, as that teardown would."""
    db.session.commit()
    return engine.connect()


def _all_rows_as_text(engine) -> dict[str, str]:
    tekst = {}
    with _own_connection(engine) as connection:
        for tabel in inspect(connection).get_table_names():
            rows = connection.execute(text(f'SELECT * FROM "{tabel}"')).all()
            tekst[tabel] = "\n".join(repr(tuple(row)) for row in rows)
    return tekst


def _rows_referring_to(engine, verhaal_id: int) -> dict[str, int]:
    """Rows in every table that point at the story: its own row and every `verhaal_id` column."""
    gevonden = {}
    with _own_connection(engine) as connection:
        # Inspect through this same connection: a second one would wait for our own read lock.
        inspector = inspect(connection)
        for tabel in inspector.get_table_names():
            kolommen = {k["name"] for k in inspector.get_columns(tabel)}
            for kolom in ("verhaal_id", "id" if tabel == "verhalen" else None):
                if kolom in kolommen:
                    aantal = connection.execute(
                        text(f'SELECT COUNT(*) FROM "{tabel}" WHERE "{kolom}" = :id'), {"id": verhaal_id}
                    ).scalar()
                    if aantal:
                        gevonden[f"{tabel}.{kolom}"] = aantal
    return gevonden


def _sqlite_files_mentioning(woord: str) -> list[str]:
    """The SQLite database and WAL files holding the word, after a checkpoint moved the WAL in."""
    import sqlite3

    database = db.engine.url.database
    db.session.commit()
    checkpoint = sqlite3.connect(database, isolation_level=None)
    assert checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0  # 0: not blocked
    checkpoint.close()
    gevonden = []
    for pad in (database, database + "-wal"):
        if os.path.exists(pad):
            with open(pad, "rb") as bestand:
                if woord.encode() in bestand.read():
                    gevonden.append(os.path.basename(pad))
    return gevonden


def _index_files_mentioning(app, woord: str) -> list[str]:
    """Index files that still hold the word: a deletion that only marks the document leaves
    its terms and stored text on disk until the segment is merged away."""
    index_dir = app.config["VERHALENBANK"].index_dir
    return sorted(
        pad.name for pad in index_dir.rglob("*") if pad.is_file() and woord.encode() in pad.read_bytes()
    )


def _search_ids(runner, query: str) -> list[int]:
    from verhalenbank.cli import main

    result = runner.invoke(main, ["zoek", query, "--json"])
    assert result.exit_code == 0, result.output
    return [hit["id"] for hit in json.loads(result.output)["treffers"]]


def test_erasure_leaves_no_trace(app, client, login, runner, ronde):
    from verhalenbank.zoeken.operations import get_backend

    verhaal = _store_full_story(app, ronde)
    verhaal_id = verhaal.id
    photo_dir = app.config["VERHALENBANK"].photo_dir
    beheerder = login("beheerder")

    # Before: the story is everywhere the test looks (so each check below can fail).
    assert client.post(f"/verhalen/{verhaal_id}/origineel", data={"reden": "Controle voor AVG-verzoek"}).status_code == 200
    voor = _all_rows_as_text(db.engine)
    assert MERKTEKST in voor["verhalen"] and MERKMAIL in voor["contactgegevens"]
    assert MERKTEKST in voor["zelfduiding_antwoorden"]
    assert {"verhalen.id", "tags.verhaal_id", "fotos.verhaal_id", "contactgegevens.verhaal_id"} <= set(
        _rows_referring_to(db.engine, verhaal_id)
    )
    assert (photo_dir / "a1b2c3d4e5.jpg").exists()
    assert verhaal_id in get_backend().ids()
    assert verhaal_id in _search_ids(runner, MERKTEKST)
    if db.engine.dialect.name == "sqlite":
        assert _sqlite_files_mentioning(MERKTEKST)
    if app.config["VERHALENBANK"].search_backend == "whoosh":
        assert _index_files_mentioning(app, MERKTEKST)

    g.pop("_login_user", None)
    assert client.get(f"/avg/verhalen/{verhaal_id}.json").status_code == 200  # the resident asked for a copy
    g.pop("_login_user", None)
    response = client.post(f"/verhalen/{verhaal_id}/wissen", data={"reden": "Verzoek van de verteller"})
    assert response.status_code == 302
    db.session.expire_all()

    # Database: no row points at the story, and its words are nowhere — except that the audit
    # log keeps who did what to story <id> (accountability), without any of its content.
    assert _rows_referring_to(db.engine, verhaal_id) == {}
    na = _all_rows_as_text(db.engine)
    for tabel, inhoud in na.items():
        assert MERKTEKST not in inhoud and MERKMAIL not in inhoud and "quokka" not in inhoud.lower(), tabel
    acties = db.session.scalars(
        select(AuditLog.actie).where(AuditLog.object_type == "verhaal", AuditLog.object_id == str(verhaal_id))
        .order_by(AuditLog.id)
    ).all()
    # The beheerder may see contact details, so the original-text view also showed (and logged) them.
    assert acties == ["originele_tekst_bekeken", "contactgegevens_bekeken", "avg_export", "verhaal_gewist"]
    gewist = db.session.scalar(select(AuditLog).where(AuditLog.actie == "verhaal_gewist"))
    assert gewist.gebruiker_id == beheerder.id and gewist.reden == "Verzoek van de verteller"
    # What erasure cannot reach is noted: the copy handed out above still holds the story.
    assert gewist.details["exports_sinds_opslaan"] == 1 and "back-ups" in gewist.details["let_op"]

    # The database files themselves: deleted rows must not linger in free pages (SQLite).
    if db.engine.dialect.name == "sqlite":
        assert _sqlite_files_mentioning(MERKTEKST) == []

    # Files, index and search results.
    assert not (photo_dir / "a1b2c3d4e5.jpg").exists() and not (photo_dir / "a1b2c3d4e5-klein.jpg").exists()
    assert verhaal_id not in get_backend().ids()
    assert _search_ids(runner, MERKTEKST) == []
    # The erasure rewrote the index files already; the daily `opschonen` finds nothing left.
    from verhalenbank.cli import main

    result = runner.invoke(main, ["opschonen"])
    assert result.exit_code == 0 and "Total: 0 stories deleted." in result.output, result.output
    assert _index_files_mentioning(app, MERKTEKST) == []
    assert verhaal_id not in get_backend().ids() and _search_ids(runner, "buurtkamer") == []

    # The tagger of the story's tree must forget it.
    assert db.session.scalar(select(TaggerModel.moet_hertrainen)) is True


def test_erasing_a_story_from_a_transcript_takes_it_out_of_the_transcript_too(app, ronde):
    """The passage is in the stored proposal and in the original file: both must go, and the
    speaker's name too once nothing of theirs is left; the other participants' stories stay."""
    from verhalenbank.transcripten import operations as transcripten_ops
    from verhalenbank.transcripten.models import Transcript

    regels = [
        "Gespreksleider: Marieke", "",
        "Marieke: Wat betekent de buurtkamer voor u, Quokkadina?", "",
        f"Quokkadina: Sinds de {MERKTEKST} ben ik minder alleen. Ik kom er elke week.", "",
        "Marieke: En voor u, Gerrit?", "",
        "Gerrit: Ik kom er voor de koffie en de mensen zijn aardig tegen mij.",
    ]
    transcript = transcripten_ops.upload_transcript(
        "\n".join(regels).encode(), "sessie.txt",
        transcripten_ops.TranscriptInvoer(ronde=ronde, gespreksleider="Marieke", toestemming_bevestigd=True),
        door=None, achtergrond=False,
    )
    verhalen = transcripten_ops.sla_verhalen_op(transcript, door=None)
    db.session.commit()
    pad = transcripten_ops.bestand_pad(transcript)
    assert pad.is_file() and MERKTEKST in pad.read_text()
    assert "Quokkadina" in repr(transcript.voorstel) and len(verhalen) == 2
    quokka = next(v for v in verhalen if MERKTEKST in v.tekst)
    gerrit_id = next(v.id for v in verhalen if v is not quokka)

    verhalen_ops.erase_verhaal(quokka, door=None, reden="Verzoek van de verteller")
    db.session.commit()

    na = _all_rows_as_text(db.engine)
    for tabel, inhoud in na.items():
        assert "quokka" not in inhoud.lower(), tabel
    assert not pad.exists()
    bewaard = db.session.get(Transcript, transcript.id)
    assert bewaard.bestand is None and "gewist" in bewaard.melding
    assert [p["spreker"] for p in bewaard.voorstel["passages"]] == ["Gerrit"]
    assert db.session.get(Verhaal, gerrit_id) is not None


def test_withdrawal_by_the_resident_also_marks_models_and_is_audited(app, client, ronde):
    verhaal = _store_full_story(app, ronde)
    code = verhalen_ops.create_intrekcode(verhaal)
    db.session.commit()
    response = client.post("/r/intrekken", data={"code": code, "bevestig": "y"})
    assert response.status_code == 200
    assert db.session.scalar(select(Verhaal.id).where(Verhaal.id == verhaal.id)) is None
    assert db.session.scalar(select(TaggerModel.moet_hertrainen)) is True
    regel = db.session.scalar(select(AuditLog).where(AuditLog.actie == "verhaal_gewist"))
    assert regel.gebruiker_id is None and regel.reden == "ingetrokken door verteller"


def test_models_of_other_trees_are_not_marked(app, ronde, voorbeeld_bomen):
    verhaal = _store_full_story(app, ronde)
    andere_boom = next(b for b in voorbeeld_bomen if b.code == "hoorn-samenleven")
    db.session.add(TaggerModel(doelenboom_id=andere_boom.id, moet_hertrainen=False))
    db.session.commit()
    verhalen_ops.erase_verhaal(verhaal, door=None, reden="test")
    db.session.commit()
    gemarkeerd = dict(db.session.execute(select(TaggerModel.doelenboom_id, TaggerModel.moet_hertrainen)).all())
    assert gemarkeerd[andere_boom.id] is False
    assert gemarkeerd[ronde.doelenbomen[0].id] is True


def test_avg_export_of_one_story_is_complete_and_audited(app, client, login, ronde):
    verhaal = _store_full_story(app, ronde)
    beheerder = login("beheerder")
    response = client.get(f"/avg/verhalen/{verhaal.id}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    gegevens = json.loads(response.get_data(as_text=True))
    assert MERKTEKST in gegevens["verhaal"]["tekst"]
    assert gegevens["verhaal"]["toestemming_versie"] == "2026-1" and gegevens["verhaal"]["toestemming_op"]
    assert gegevens["contactgegevens"]["email"] == MERKMAIL
    assert {"vraag": "wie", "antwoord": MERKTEKST} in gegevens["zelfduiding"]
    # Every tag stored on the story: the manual label, and whatever the tagger suggested.
    handmatig = [(t["subdoel"], t["bevestigd"]) for t in gegevens["tags"] if t["methode"] == "handmatig"]
    assert handmatig == [("LW1", True)]
    opgeslagen = db.session.execute(select(Subdoel.code, Tag.methode).join(Tag.subdoel).where(Tag.verhaal_id == verhaal.id)).all()
    assert sorted((t["subdoel"], t["methode"]) for t in gegevens["tags"]) == sorted(map(tuple, opgeslagen))
    assert [f["bestand"] for f in gegevens["fotos"]] == ["a1b2c3d4e5.jpg"]
    regel = db.session.scalar(select(AuditLog).where(AuditLog.actie == "avg_export"))
    assert regel.gebruiker_id == beheerder.id and regel.object_id == str(verhaal.id)
    assert client.get("/avg/verhalen/999999.json").status_code == 404


@pytest.mark.parametrize("rol", ["beleidsadviseur", "facilitator", "aanbieder"])
def test_avg_export_is_for_the_beheerder_only(client, login, ronde, rol):
    verhaal = verhalen_ops.store_verhaal(verhalen_ops.VerhaalInvoer(tekst="Kort.", toestemming=True), ronde=ronde)
    db.session.commit()
    login(rol)
    assert client.get(f"/avg/verhalen/{verhaal.id}.json").status_code == 403


def test_audit_log_page_shows_original_text_views(client, login, ronde):
    verhaal = verhalen_ops.store_verhaal(verhalen_ops.VerhaalInvoer(tekst="Kort verhaal.", toestemming=True), ronde=ronde)
    db.session.commit()
    beheerder = login("beheerder")
    client.post(f"/verhalen/{verhaal.id}/origineel", data={"reden": "Nodig voor terugkoppeling"})
    g.pop("_login_user", None)
    pagina = client.get("/logboek").get_data(as_text=True)
    assert "originele_tekst_bekeken" in pagina and beheerder.email in pagina and "Nodig voor terugkoppeling" in pagina
    assert "Originele tekst bekeken" in pagina  # in plain words, not only the code


def test_story_page_links_to_its_avg_export_and_its_log(client, login, ronde):
    ander = verhalen_ops.store_verhaal(verhalen_ops.VerhaalInvoer(tekst="Ander verhaal.", toestemming=True), ronde=ronde)
    verhaal = verhalen_ops.store_verhaal(verhalen_ops.VerhaalInvoer(tekst="Kort verhaal.", toestemming=True), ronde=ronde)
    db.session.commit()
    login("beheerder")
    for v in (ander, verhaal):
        client.post(f"/verhalen/{v.id}/origineel", data={"reden": f"Controle van verhaal {v.id}"})
        g.pop("_login_user", None)
    pagina = client.get(f"/verhalen/{verhaal.id}").get_data(as_text=True)
    assert f"/avg/verhalen/{verhaal.id}.json" in pagina
    g.pop("_login_user", None)
    logboek = client.get(f"/logboek?object_type=verhaal&object_id={verhaal.id}").get_data(as_text=True)
    assert f"Controle van verhaal {verhaal.id}" in logboek and f"Controle van verhaal {ander.id}" not in logboek


def test_story_page_offers_no_avg_export_to_others(client, login, ronde):
    verhaal = verhalen_ops.store_verhaal(verhalen_ops.VerhaalInvoer(tekst="Kort verhaal.", toestemming=True), ronde=ronde)
    db.session.commit()
    login("beleidsadviseur")
    assert "/avg/verhalen/" not in client.get(f"/verhalen/{verhaal.id}").get_data(as_text=True)


def test_photo_files_go_only_when_the_erasure_commits(app, ronde):
    verhaal = _store_full_story(app, ronde)
    photo = app.config["VERHALENBANK"].photo_dir / "a1b2c3d4e5.jpg"
    verhalen_ops.erase_verhaal(verhaal, door=None, reden="test")
    assert photo.exists(), "files must wait for the commit"
    db.session.rollback()  # e.g. the database refused the commit
    assert photo.exists() and db.session.get(Verhaal, verhaal.id) is not None

    verhalen_ops.erase_verhaal(db.session.get(Verhaal, verhaal.id), door=None, reden="test")
    db.session.commit()
    assert not photo.exists() and not photo.with_name("a1b2c3d4e5-klein.jpg").exists()
