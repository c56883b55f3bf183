"""The transcript flow in the browser (test client), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from tests.support.jobs import run_worker_once
from verhalenbank.accounts.models import AuditLog
from verhalenbank.extensions import db
from verhalenbank.transcripten import operations
from verhalenbank.transcripten.models import Transcript, TranscriptStatus
from verhalenbank.verhalen.models import Verhaal

from .fixtures import (
    SESSIE_REGELS,
    SLECHTE_INVOER,
    VOORBEELDEN,
    VTT,
    maak_docx,
    maak_tekst_pdf,
    maak_versleutelde_pdf,
)


@pytest.fixture
def ronde(app):
    from verhalenbank.rondes.operations import RondeGegevens, create_ronde

    ronde = create_ronde(RondeGegevens(slug="lelystad-2026-voorjaar", titel="Lelystad voorjaar 2026"))
    db.session.commit()
    return ronde


def _upload(client, naam: str, inhoud: bytes, **velden):
    data = {
        "bestand": (io.BytesIO(inhoud), naam),
        "ronde": "lelystad-2026-voorjaar",
        "activiteit": "Dagactiviteit De Schakel",
        "datum": "2026-04-16",
        "wijk": "Atolwijk",
        "gespreksleider": "",
        "toestemming": "y",
        "citeren": "y",
    }
    data.update(velden)
    return client.post("/transcripten/nieuw", data=data, content_type="multipart/form-data")


def _transcript_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/transcripten/(\d+)", response.headers["Location"]).group(1))


def _passages(transcript_id: int) -> list[dict]:
    db.session.expire_all()
    return db.session.get(Transcript, transcript_id).voorstel["passages"]


def _tel(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_aanbieder_uploads_reviews_merges_and_saves(client, login, ronde, data_dir):
    gebruiker = login("aanbieder")
    inhoud = (VOORBEELDEN / "transcript-ontmoetingsplek.txt").read_bytes()
    transcript_id = _transcript_id(_upload(client, "transcript-ontmoetingsplek.txt", inhoud))

    pagina = client.get(f"/transcripten/{transcript_id}").get_data(as_text=True)
    assert "7 verhalen" in pagina
    assert pagina.count('name="tekst"') == 7
    assert "Marieke: Wat maakte dat het nu wel lukte?" in pagina  # the follow-up inside Gerrit's story
    # The header's note is shown next to Joke, and her quote consent is prefilled 'Nee'.
    assert "Uit het transcript: ‘Joke wil niet geciteerd worden.’" in pagina
    assert "<script>" not in pagina.replace('<script src=', '')
    # The original is stored under a random name, never the upload name.
    transcript = db.session.get(Transcript, transcript_id)
    assert transcript.organisatie_id == gebruiker.organisatie_id
    assert re.fullmatch(r"[0-9a-f]{32}\.txt", transcript.bestand)
    assert (data_dir / "transcripten" / transcript.bestand).read_bytes() == inhoud

    # Merge the first two (Gerrit and Tineke), without JavaScript: a plain form post.
    teksten = [p["tekst"] for p in _passages(transcript_id)]
    response = client.post(f"/transcripten/{transcript_id}", data={"tekst": teksten, "actie": "samenvoegen:0"})
    assert response.status_code == 302
    passages = _passages(transcript_id)
    assert len(passages) == 6
    assert "Marieke: Herkent iemand dat? Tineke?\nTineke: Ja en nee." in passages[0]["tekst"]
    assert _tel(Verhaal) == 0  # nothing stored before saving
    # Delete Dini's story.
    client.post(f"/transcripten/{transcript_id}", data={"tekst": [p["tekst"] for p in passages], "actie": "verwijderen:5"})
    passages = _passages(transcript_id)
    assert [p["spreker"] for p in passages] == ["Gerrit", "Ahmed", "Wilma", "Joke", "Bert"]

    response = client.post(
        f"/transcripten/{transcript_id}", data={"tekst": [p["tekst"] for p in passages], "actie": "opslaan"}
    )
    assert response.status_code == 302
    verhalen = db.session.scalars(select(Verhaal).order_by(Verhaal.transcript_positie)).all()
    assert len(verhalen) == 5
    eerste = verhalen[0]
    assert eerste.bron == "transcript"
    assert eerste.transcript_id == transcript_id
    assert eerste.transcript_positie == 14
    assert eerste.spreker == "Deelnemer 1"  # Gerrit, pseudonymised
    assert eerste.context.startswith("Gespreksleider: Goedemorgen allemaal")
    assert eerste.ronde_id == ronde.id and eerste.organisatie_id == gebruiker.organisatie_id
    assert eerste.toestemming is True and eerste.citeren is True
    assert str(eerste.datum) == "2026-04-16" and eerste.wijk == "Atolwijk"
    # Joke said (in the header) she does not want to be quoted: her story is stored unquotable,
    # although the upload form said everyone may be quoted.
    joke = next(v for v in verhalen if v.tekst.startswith("Omdat ik dat was."))
    assert joke.toestemming is True and joke.citeren is False
    assert [v.citeren for v in verhalen].count(False) == 1
    wilma = next(v for v in verhalen if v.tekst.startswith("Mag ik daar"))
    assert wilma.spreker == "Vrijwilliger 1"
    assert db.session.get(Transcript, transcript_id).status == TranscriptStatus.OPGESLAGEN

    # They are on the ronde page, and the transcript page lists them.
    assert "Verhalen (5)" in client.get("/rondes/lelystad-2026-voorjaar").get_data(as_text=True)
    assert client.get(f"/transcripten/{transcript_id}").get_data(as_text=True).count("/verhalen/") >= 5
    # Saving twice is refused.
    response = client.post(f"/transcripten/{transcript_id}", data={"actie": "opslaan"})
    assert response.status_code == 400
    assert _tel(Verhaal) == 5


def test_header_fills_date_wijk_and_ronde_and_consent_is_per_speaker(client, login, ronde):
    login("aanbieder")
    inhoud = (VOORBEELDEN / "transcript-ontmoetingsplek.txt").read_bytes()
    # Nothing but the file: ronde, date and wijk come from the transcript's header.
    transcript_id = _transcript_id(_upload(client, "t.txt", inhoud, ronde="", datum="", wijk="",
                                           activiteit="", toestemming="", citeren=""))
    transcript = db.session.get(Transcript, transcript_id)
    assert transcript.ronde_id == ronde.id
    assert str(transcript.datum) == "2026-04-16" and transcript.wijk == "Atolwijk"
    passages = _passages(transcript_id)
    # "Alle deelnemers gaven vooraf toestemming": consent yes; quoting: nobody said yes.
    assert {p["toestemming"] for p in passages} == {True}
    assert {p["citeren"] for p in passages} == {None, False}

    # Per speaker: Gerrit may be quoted; per story: Bert's story may be quoted too.
    voorstel = transcript.voorstel
    sprekers = list(voorstel["rollen"])
    spreker_citeren = ["ja" if naam == "Gerrit" else ("nee" if naam == "Joke" else "") for naam in sprekers]
    per_story = ["ja" if p["spreker"] == "Bert" else ("nee" if p["spreker"] == "Joke" else "") for p in passages]
    response = client.post(f"/transcripten/{transcript_id}", data={
        "tekst": [p["tekst"] for p in passages], "actie": "opslaan",
        "toestemming": ["ja"] * len(passages), "citeren": per_story,
        "spreker": sprekers, "rol": list(voorstel["rollen"].values()),
        "spreker_toestemming": ["ja"] * len(sprekers), "spreker_citeren": spreker_citeren,
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    citeerbaar = sorted(v.spreker for v in db.session.scalars(select(Verhaal).where(Verhaal.citeren.is_(True))))
    assert citeerbaar == ["Deelnemer 1", "Deelnemer 5"]  # Gerrit and Bert; unknown is never quoted
    log = db.session.scalars(select(AuditLog).where(AuditLog.actie == "transcript_opgeslagen")).one()
    assert log.details["citeerbaar"] == 2


def test_split_delete_and_roles_without_javascript(client, login, ronde):
    login("beleidsadviseur")
    transcript_id = _transcript_id(
        _upload(client, "sessie.docx", maak_docx(), gespreksleider="Marieke de Vries")
    )
    passages = _passages(transcript_id)
    assert [p["spreker"] for p in passages] == ["Gerrit", "Tineke"]
    teksten = [passages[0]["tekst"].replace("Dat is fijn", "\n\nDat is fijn"), passages[1]["tekst"]]
    assert client.post(f"/transcripten/{transcript_id}", data={"tekst": teksten, "actie": "splitsen:0"}).status_code == 302
    assert [p["tekst"] for p in _passages(transcript_id)][:2] == [
        "Sinds ik hier kom heb ik weer mensen om mee te praten.", "Dat is fijn, echt waar."
    ]
    # Split at a character offset, as the JavaScript sends it.
    teksten = [p["tekst"] for p in _passages(transcript_id)]
    client.post(f"/transcripten/{transcript_id}", data={"tekst": teksten, "actie": "splitsen:2", "splits_op": "18"})
    assert _passages(transcript_id)[2]["tekst"] == "Ik kom elke week."
    teksten = [p["tekst"] for p in _passages(transcript_id)]
    client.post(f"/transcripten/{transcript_id}", data={"tekst": teksten, "actie": "verwijderen:1"})
    assert len(_passages(transcript_id)) == 3

    # Marieke becomes a participant: the proposal is made again from the file.
    client.post(
        f"/transcripten/{transcript_id}",
        data={"actie": "rollen", "spreker": ["Marieke", "Gerrit", "Tineke"], "rol": ["inwoner", "professional", "inwoner"]},
    )
    passages = _passages(transcript_id)
    # Her short "En voor u, Tineke?" is attached to Gerrit's answer as a reaction.
    assert [p["spreker"] for p in passages] == ["Marieke", "Gerrit", "Tineke"]
    assert passages[1]["tekst"].endswith("[Marieke: En voor u, Tineke?]")
    assert passages[1]["rol"] == "professional"

    # A split without a blank line explains itself next to the form.
    response = client.post(
        f"/transcripten/{transcript_id}", data={"tekst": [p["tekst"] for p in passages], "actie": "splitsen:1"}
    )
    assert response.status_code == 400
    assert "lege regel" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("naam", "maker", "sprekers"),
    [
        ("sessie.txt", lambda: "\n".join(SESSIE_REGELS).encode("cp1252"), ["Gerrit", "Tineke"]),
        ("sessie.docx", maak_docx, ["Gerrit", "Tineke"]),
        ("sessie.pdf", maak_tekst_pdf, ["Gerrit", "Tineke"]),
        ("sessie.vtt", lambda: VTT.encode(), ["Sanne", "Daan"]),
        ("transcript-jongerenwerk.srt", lambda: (VOORBEELDEN / "transcript-jongerenwerk.srt").read_bytes(), None),
    ],
)
def test_all_five_formats_upload_and_save(client, login, ronde, naam, maker, sprekers):
    login("aanbieder")
    transcript_id = _transcript_id(_upload(client, naam, maker()))
    passages = _passages(transcript_id)
    if sprekers:
        assert [p["spreker"] for p in passages] == sprekers
    else:
        assert len(passages) == 6  # one story per participant (Lisa twice)
    client.post(f"/transcripten/{transcript_id}", data={"tekst": [p["tekst"] for p in passages], "actie": "opslaan"})
    assert _tel(Verhaal) == len(passages)
    if naam.endswith((".vtt", ".srt")):
        assert db.session.scalars(select(Verhaal.transcript_tijd)).first().startswith("00:0")


@pytest.mark.parametrize(
    ("naam", "inhoud", "melding"),
    [
        ("leeg.txt", (SLECHTE_INVOER / "leeg.txt").read_bytes(), "is leeg"),
        ("binair.pdf", (SLECHTE_INVOER / "binair.pdf").read_bytes(), "kan niet als PDF gelezen worden"),
        ("geheim.pdf", None, "beveiligd met een wachtwoord"),
        ("sessie.odt", b"Marieke: hallo", "kennen we niet"),
        ("groot.txt", b"a" * (20 * 1024 * 1024 + 1), "te groot"),
    ],
)
def test_bad_files_are_refused_next_to_the_field_and_nothing_is_stored(client, login, ronde, data_dir, naam, inhoud, melding):
    login("aanbieder")
    if inhoud is None:
        inhoud = maak_versleutelde_pdf(gebruikerswachtwoord="geheim")
    response = _upload(client, naam, inhoud)
    assert response.status_code == 400
    pagina = response.get_data(as_text=True)
    assert melding in pagina
    assert 'id="bestand-fout"' in pagina
    assert _tel(Transcript) == 0 and _tel(Verhaal) == 0
    map_ = data_dir / "transcripten"
    assert list(map_.glob("**/*")) == []  # absent or empty


def test_latin1_upload_keeps_accents_and_shows_notice(client, login, ronde):
    login("aanbieder")
    transcript_id = _transcript_id(_upload(client, "latin1.txt", (SLECHTE_INVOER / "latin1.txt").read_bytes()))
    pagina = client.get(f"/transcripten/{transcript_id}").get_data(as_text=True)
    assert "gelezen als ISO-8859-1 (Latin-1)" in pagina
    client.post(f"/transcripten/{transcript_id}", data={"tekst": [p["tekst"] for p in _passages(transcript_id)], "actie": "opslaan"})
    teksten = " ".join(db.session.scalars(select(Verhaal.tekst)))
    assert "Zoë" in teksten and "geïnteresseerd" in teksten and "België" in teksten
    assert "Ã" not in teksten


def test_story_without_consent_is_not_saved_until_someone_confirms(client, login, ronde):
    login("aanbieder")
    transcript_id = _transcript_id(_upload(client, "sessie.txt", "\n".join(SESSIE_REGELS).encode(), toestemming=""))
    passages = _passages(transcript_id)
    assert {p["toestemming"] for p in passages} == {None}
    response = client.post(f"/transcripten/{transcript_id}", data={"tekst": [p["tekst"] for p in passages], "actie": "opslaan"})
    assert response.status_code == 400
    assert "Verhaal 1 (Gerrit) heeft geen toestemming" in response.get_data(as_text=True)
    assert _tel(Verhaal) == 0
    # Setting it per speaker passes it on to their stories.
    sprekers = list(db.session.get(Transcript, transcript_id).voorstel["rollen"])
    response = client.post(f"/transcripten/{transcript_id}", data={
        "tekst": [p["tekst"] for p in passages], "actie": "opslaan",
        "spreker": sprekers, "rol": list(db.session.get(Transcript, transcript_id).voorstel["rollen"].values()),
        "spreker_toestemming": ["ja"] * len(sprekers), "spreker_citeren": [""] * len(sprekers),
    })
    assert response.status_code == 302
    assert _tel(Verhaal) == len(passages)
    assert not any(db.session.scalars(select(Verhaal.citeren)))


def test_large_file_is_read_in_the_background_and_can_be_found_again(app, client, login, ronde, monkeypatch):
    monkeypatch.setattr(operations, "ACHTERGROND_DREMPEL", 100)
    app.config["VERHALENBANK"].achtergrond_verwerking = True
    login("aanbieder")
    transcript_id = _transcript_id(
        _upload(client, "transcript-ontmoetingsplek.txt", (VOORBEELDEN / "transcript-ontmoetingsplek.txt").read_bytes())
    )
    assert client.get(f"/transcripten/{transcript_id}/status").get_json()["status"] == "verwerken"
    db.session.rollback()
    assert run_worker_once() == 1
    status = client.get(f"/transcripten/{transcript_id}/status").get_json()
    assert status == {"status": "te beoordelen", "voortgang": 100, "fout": None}
    lijst = client.get("/transcripten/").get_data(as_text=True)
    assert "transcript-ontmoetingsplek.txt" in lijst and "Klaar om te controleren" in lijst
    assert len(_passages(transcript_id)) == 7


def test_unreadable_large_file_fails_in_the_background_and_keeps_no_file(app, client, login, ronde, monkeypatch, data_dir):
    monkeypatch.setattr(operations, "ACHTERGROND_DREMPEL", 100)
    app.config["VERHALENBANK"].achtergrond_verwerking = True
    login("aanbieder")
    transcript_id = _transcript_id(_upload(client, "kapot.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 100))
    db.session.rollback()
    assert run_worker_once() == 1
    pagina = client.get(f"/transcripten/{transcript_id}").get_data(as_text=True)
    assert "kan niet als PDF gelezen worden" in pagina
    assert "Er is niets opgeslagen" in pagina
    assert not any((data_dir / "transcripten").iterdir())
    assert _tel(Verhaal) == 0


def test_processing_page_shows_progress(app, client, login, ronde, monkeypatch):
    monkeypatch.setattr(operations, "ACHTERGROND_DREMPEL", 100)
    app.config["VERHALENBANK"].achtergrond_verwerking = True  # no worker runs: stays "verwerken"
    login("aanbieder")
    transcript_id = _transcript_id(_upload(client, "sessie.txt", "\n".join(SESSIE_REGELS).encode()))
    pagina = client.get(f"/transcripten/{transcript_id}").get_data(as_text=True)
    assert "<progress" in pagina and "U kunt deze pagina gerust verlaten" in pagina
    assert "Wordt gelezen (0%)" in client.get("/transcripten/").get_data(as_text=True)


def test_aanbieder_sees_only_own_organisation(client, login, make_user, ronde):
    from verhalenbank.accounts import operations as accounts

    andere = accounts.get_or_create_organisatie("Andere organisatie")
    db.session.commit()
    login("aanbieder")
    eigen_id = _transcript_id(_upload(client, "sessie.txt", "\n".join(SESSIE_REGELS).encode()))
    vreemd = Transcript(organisatie_id=andere.id, origineel_naam="vreemd.txt", formaat="txt",
                        status=TranscriptStatus.TE_BEOORDELEN, voorstel={"passages": []})
    db.session.add(vreemd)
    db.session.commit()

    assert "vreemd.txt" not in client.get("/transcripten/").get_data(as_text=True)
    for pad in (f"/transcripten/{vreemd.id}", f"/transcripten/{vreemd.id}/status", f"/transcripten/{vreemd.id}/bestand"):
        assert client.get(pad).status_code == 404
    assert client.post(f"/transcripten/{vreemd.id}/wissen").status_code == 404
    assert client.get(f"/transcripten/{eigen_id}").status_code == 200


def test_facilitator_role_cannot_use_transcripts(client, login):
    login("facilitator")
    assert client.get("/transcripten/").status_code == 403
    assert client.get("/transcripten/nieuw").status_code == 403


def test_original_download_is_audited_and_erase_removes_file(client, login, ronde, data_dir):
    from verhalenbank.accounts.models import AuditLog

    login("aanbieder")
    inhoud = maak_docx()
    transcript_id = _transcript_id(_upload(client, "../../sessie.docx", inhoud))
    transcript = db.session.get(Transcript, transcript_id)
    assert transcript.origineel_naam == "sessie.docx"
    response = client.get(f"/transcripten/{transcript_id}/bestand")
    assert response.status_code == 200 and response.data == inhoud
    assert "sessie.docx" in response.headers["Content-Disposition"]
    client.post(f"/transcripten/{transcript_id}", data={"tekst": [p["tekst"] for p in _passages(transcript_id)], "actie": "opslaan"})

    response = client.post(f"/transcripten/{transcript_id}/wissen", data={"reden": "Verzoek van de deelnemers"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Transcript, transcript_id) is None
    assert not any((data_dir / "transcripten").iterdir())
    # The stories stay (own consent and erasure), without the link.
    assert db.session.scalars(select(Verhaal.transcript_id)).all() == [None, None]
    acties = set(db.session.scalars(select(AuditLog.actie)))
    assert {"transcript_geupload", "transcript_bestand_bekeken", "transcript_opgeslagen", "transcript_gewist"} <= acties


def test_upload_over_the_app_limit_gets_the_message_next_to_the_field(client, login, ronde):
    login("aanbieder")
    response = _upload(client, "heel-groot.txt", b"a" * (26 * 1024 * 1024))
    assert response.status_code == 413
    pagina = response.get_data(as_text=True)
    assert 'id="bestand-fout"' in pagina and "hoogstens 20 MB" in pagina
    assert _tel(Transcript) == 0


def test_reading_whose_worker_died_is_taken_again_after_its_lease(app, client, login, ronde, monkeypatch):
    from datetime import timedelta

    from verhalenbank.core import jobs
    from verhalenbank.core.models import utcnow

    monkeypatch.setattr(operations, "ACHTERGROND_DREMPEL", 100)
    app.config["VERHALENBANK"].achtergrond_verwerking = True
    login("aanbieder")
    transcript_id = _transcript_id(_upload(client, "sessie.txt", "\n".join(SESSIE_REGELS).encode()))
    db.session.rollback()
    geclaimd = jobs.claim("dode-verwerker")  # a worker takes the job, then dies (kill -9)
    assert [c.payload for c in geclaimd] == [{"transcript_id": transcript_id}]
    assert run_worker_once() == 0  # its lease still runs: maybe still busy elsewhere, left alone
    assert "Wordt gelezen" in client.get("/transcripten/").get_data(as_text=True)

    job = db.session.get(jobs.Job, geclaimd[0].id)
    job.lease_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert run_worker_once() == 1
    assert "Controleer de verhalen" in client.get(f"/transcripten/{transcript_id}").get_data(as_text=True)
    db.session.expire_all()
    job = db.session.get(jobs.Job, geclaimd[0].id)
    assert (job.status, job.attempts, job.worker) == ("done", 2, "test-worker")
