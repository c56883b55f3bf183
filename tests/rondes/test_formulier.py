"""The public story form /r/<slug>: intake, refusals that keep the text, idempotency, withdrawal.

Runs on SQLite and PostgreSQL (the `app` fixture is parametrised).
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from verhalenbank.extensions import db
from verhalenbank.media.models import Foto
from verhalenbank.rondes.operations import RondeGegevens, create_ronde
from verhalenbank.verhalen.models import AnalyseStatus, Contactgegevens, Verhaal, ZelfduidingAntwoord

VERHAAL = "Sinds de buurtkamer open is, drink ik elke dinsdag koffie met mijn buurvrouw Ans."


@pytest.fixture
def ronde(app, voorbeeld_bomen):
    lelystad = next(boom for boom in voorbeeld_bomen if boom.code.startswith("lelystad"))
    ronde = create_ronde(
        RondeGegevens(
            slug="buurtkamer-voorjaar",
            titel="Buurtkamer Atolwijk, voorjaar",
            vraag="Vertel over een moment in de buurtkamer dat voor u belangrijk was",
            wijken=["Atolwijk", "Centrum"],
            doelenboom_codes=[lelystad.code],
        )
    )
    db.session.commit()
    return ronde


def story_count() -> int:
    return db.session.scalar(select(func.count(Verhaal.id)))


def form_data(**extra):
    data = {"tekst": VERHAAL, "toestemming": "y", "inzend_sleutel": "sleutel-" + "a" * 24}
    data.update(extra)
    return data


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "iPhone 13"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (5.0, 28.0, 40.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (40, 120, 60)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_form_shows_the_rondes_question_and_one_tap_questions(client, ronde):
    response = client.get("/r/buurtkamer-voorjaar")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vertel over een moment in de buurtkamer dat voor u belangrijk was" in html
    assert 'name="zd_gevoel"' in html and "Heel fijn" in html
    assert f'value="{ronde.doelenbomen[0].code}:LW1"' in html and "Iets anders" in html
    assert "Atolwijk" in html and 'name="inzend_sleutel"' in html
    assert "<script>" not in html and " style=" not in html and " onclick" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_have_no_staff_links_and_say_plainly_what_happens_to_a_photo(client, ronde):
    for pad in ("/r/buurtkamer-voorjaar", "/r/bestaat-niet", "/r/intrekken"):
        pagina = client.get(pad).get_data(as_text=True)
        assert "/inloggen" not in pagina and "Inloggen" not in pagina, pad
    pagina = client.get("/r/buurtkamer-voorjaar").get_data(as_text=True)
    assert "halen we de plaats en de datum eruit. Die gegevens bewaren we dus niet." in pagina
    # Staff pages still offer it.
    assert "/inloggen" in client.get("/zoeken", follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("slug, status", [("bestaat-niet", 404), ("gesloten", 410)])
def test_unknown_or_closed_ronde_gets_a_friendly_page(client, ronde, slug, status):
    create_ronde(RondeGegevens(slug="gesloten", titel="Oude ronde", is_open=False))
    db.session.commit()
    response = client.get(f"/r/{slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert ("kennen wij niet" in html) if status == 404 else ("gesloten" in html)
    assert "Traceback" not in html


def test_closed_ronde_gives_the_typed_text_back(client, ronde):
    create_ronde(RondeGegevens(slug="verlopen", titel="Verlopen", eind_datum=date.today() - timedelta(days=1),
                               start_datum=date.today() - timedelta(days=30)))
    db.session.commit()
    response = client.post("/r/verlopen", data=form_data())
    assert response.status_code == 410
    assert VERHAAL.replace(",", ",") in response.get_data(as_text=True).replace("&#39;", "'")
    assert story_count() == 0


def test_story_is_stored_with_consent_answers_and_contact_apart(client, ronde):
    boom = ronde.doelenbomen[0].code
    response = client.post(
        "/r/buurtkamer-voorjaar",
        data=form_data(
            titel="Koffie op dinsdag", bron="mantelzorger", wijk="Atolwijk", citeren="y",
            zd_gevoel="5", zd_onderwerp=[f"{boom}:LW1", "anders"], zd_wie=["Buren"],
            naam="Ans de Vries", email="ans@example.nl", telefoon="06-12345678",
        ),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/r/buurtkamer-voorjaar/bedankt")

    verhaal = db.session.scalars(select(Verhaal)).one()
    assert verhaal.tekst == VERHAAL and verhaal.titel == "Koffie op dinsdag"
    assert verhaal.bron == "mantelzorger" and verhaal.wijk == "Atolwijk" and verhaal.ronde_id == ronde.id
    assert verhaal.toestemming and verhaal.toestemming_op is not None and verhaal.toestemming_versie
    assert verhaal.citeren is True
    assert verhaal.inzend_sleutel == "sleutel-" + "a" * 24
    assert verhaal.intrekcode_hash and len(verhaal.intrekcode_hash) == 64
    antwoorden = sorted((a.vraag, a.antwoord) for a in db.session.scalars(select(ZelfduidingAntwoord)))
    assert antwoorden == sorted([("gevoel", "5"), ("onderwerp", f"{boom}:LW1"), ("onderwerp", "anders"), ("wie", "Buren")])
    contact = db.session.scalars(select(Contactgegevens)).one()
    assert (contact.naam, contact.email, contact.telefoon) == ("Ans de Vries", "ans@example.nl", "06-12345678")
    assert "Ans de Vries" not in verhaal.tekst


def test_thank_you_page_shows_the_withdrawal_code_once(client, ronde):
    client.post("/r/buurtkamer-voorjaar", data=form_data())
    first = client.get("/r/buurtkamer-voorjaar/bedankt")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    assert "Wat gebeurt er nu?" in html
    code = re.search(r'id="intrekcode">([0-9A-F-]+)<', html).group(1)
    assert f"/r/intrekken?code={code}" in html
    verhaal = db.session.scalars(select(Verhaal)).one()
    assert code not in (verhaal.intrekcode_hash or "")
    assert code not in client.get("/r/buurtkamer-voorjaar/bedankt").get_data(as_text=True)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"tekst": "   "}, "tekst", "nog geen verhaal geschreven"),
        ({"toestemming": ""}, "toestemming", "Zet een vinkje"),
        ({"email": "geen-adres"}, "email", "e-mailadres klopt niet"),
    ],
)
def test_invalid_input_reshows_the_form_with_the_text(client, ronde, data, field, message):
    sent = form_data(titel="Mijn titel", **data)
    response = client.post("/r/buurtkamer-voorjaar", data=sent)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'role="alert"' in html and f'href="#{field}"' in html
    assert f'id="{field}-fout"' in html and f'{field}-fout"' in html.split(f'id="{field}"')[0][-400:] + html.split(f'id="{field}"')[1][:400]
    if sent["tekst"].strip():
        assert "drink ik elke dinsdag koffie" in html
    assert 'value="Mijn titel"' in html
    assert story_count() == 0


def test_too_long_story_gets_a_friendly_message_and_keeps_the_text(client, ronde):
    lang = "Heel lang verhaal. " * 1200
    response = client.post("/r/buurtkamer-voorjaar", data=form_data(tekst=lang))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Uw verhaal is te lang" in html and "20000 tekens" in html
    assert html.count("Heel lang verhaal.") >= 1200
    assert story_count() == 0


def test_photo_is_stored_without_gps_and_resized(client, ronde, app):
    response = client.post(
        "/r/buurtkamer-voorjaar",
        data=form_data(foto=(io.BytesIO(jpeg_with_gps()), "IMG_0001.JPG", "image/jpeg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    foto = db.session.scalars(select(Foto)).one()
    assert "IMG_0001" not in foto.bestand
    assert (foto.breedte, foto.hoogte) == (1600, 1200)
    stored = app.config["VERHALENBANK"].photo_dir / foto.bestand
    with Image.open(stored) as image:
        assert not image.getexif() and "exif" not in image.info
    assert b"iPhone" not in stored.read_bytes() and b"GPS" not in stored.read_bytes()


def test_bad_photo_keeps_the_text_and_stores_nothing(client, ronde, app):
    response = client.post(
        "/r/buurtkamer-voorjaar",
        data=form_data(foto=(io.BytesIO(b"dit is geen foto"), "vakantie.jpg", "image/jpeg")),
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "geen foto die wij kunnen lezen" in html and "zonder foto versturen" in html
    assert "drink ik elke dinsdag koffie" in html
    assert 'aria-describedby="foto-hint foto-fout"' in html
    assert story_count() == 0
    assert list(app.config["VERHALENBANK"].photo_dir.glob("**/*")) == []  # absent or empty


def test_photo_over_the_request_limit_still_keeps_the_text(client, ronde):
    big = b"\xff\xd8" + b"\x00" * (16 * 1024 * 1024)
    response = client.post(
        "/r/buurtkamer-voorjaar",
        data=form_data(foto=(io.BytesIO(big), "groot.jpg", "image/jpeg")),
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "te groot" in html and "drink ik elke dinsdag koffie" in html
    assert story_count() == 0


def test_story_survives_failing_analysis(client, ronde, monkeypatch):
    from verhalenbank.core.jobs import Job, JobStatus
    from verhalenbank.verhalen import verwerking

    def broken_analysis(payloads, teksten=None):
        raise RuntimeError("spaCy model kapot")

    monkeypatch.setattr(verwerking, "analyseer_job", broken_analysis)
    response = client.post("/r/buurtkamer-voorjaar", data=form_data(zd_gevoel="2"))
    assert response.status_code == 303
    db.session.expire_all()
    verhaal = db.session.scalars(select(Verhaal)).one()
    assert verhaal.tekst == VERHAAL
    assert verhaal.analyse_status == AnalyseStatus.MISLUKT
    assert verhaal.analyse_fout == "Analysefout: RuntimeError: spaCy model kapot"
    assert [a.antwoord for a in verhaal.zelfduiding_antwoorden] == ["2"]
    # The job keeps the reason and waits for another attempt.
    job = db.session.scalars(select(Job)).one()
    assert (job.status, job.attempts, job.error) == (JobStatus.WAITING.value, 1, "RuntimeError: spaCy model kapot")
    assert client.get("/r/buurtkamer-voorjaar/bedankt").status_code == 200


def test_story_survives_failing_photo_storage(client, ronde, monkeypatch):
    from verhalenbank.media import images

    def disk_full(prepared, photo_dir):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(images, "save_prepared_photo", disk_full)
    response = client.post(
        "/r/buurtkamer-voorjaar",
        data=form_data(foto=(io.BytesIO(jpeg_with_gps()), "a.jpg", "image/jpeg")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert story_count() == 1
    assert "foto kon helaas niet" in client.get("/r/buurtkamer-voorjaar/bedankt").get_data(as_text=True)


def test_resending_with_the_same_key_never_makes_two_stories(client, ronde):
    first = client.post("/r/buurtkamer-voorjaar", data=form_data(), headers={"Accept": "application/json"})
    again = client.post("/r/buurtkamer-voorjaar", data=form_data(), headers={"Accept": "application/json"})
    plain = client.post("/r/buurtkamer-voorjaar", data=form_data())
    assert first.status_code == 201 and first.json["status"] == "opgeslagen"
    assert again.status_code == 200 and again.json["bedankt_url"] == first.json["bedankt_url"]
    assert plain.status_code == 303
    assert story_count() == 1
    other = client.post("/r/buurtkamer-voorjaar", data=form_data(inzend_sleutel="ander-" + "b" * 24))
    assert other.status_code == 303 and story_count() == 2


def test_json_answers_for_the_offline_script(client, ronde):
    refused = client.post("/r/buurtkamer-voorjaar", data=form_data(toestemming=""), headers={"Accept": "application/json"})
    assert refused.status_code == 422 and "toestemming" in refused.json["fouten"]
    closed = client.post("/r/bestaat-niet", data=form_data(), headers={"Accept": "application/json"})
    assert closed.status_code == 404 and closed.json["status"] == "onbekend"


def test_honeypot_refuses_but_keeps_the_text(client, ronde):
    response = client.post("/r/buurtkamer-voorjaar", data=form_data(website="http://spam.example"))
    assert response.status_code == 400
    assert "drink ik elke dinsdag koffie" in response.get_data(as_text=True)
    assert story_count() == 0


def test_rate_limit_per_address_per_ronde_keeps_the_text(client, ronde, app):
    app.config["VERHALENBANK_INZEND_LIMIET"] = 2
    for number in range(2):
        assert client.post("/r/buurtkamer-voorjaar", data=form_data(inzend_sleutel=f"k{number}" + "c" * 20)).status_code == 303
    limited = client.post("/r/buurtkamer-voorjaar", data=form_data(inzend_sleutel="k9" + "c" * 20))
    assert limited.status_code == 429
    assert "drink ik elke dinsdag koffie" in limited.get_data(as_text=True)
    assert story_count() == 2
    # Another address is not affected.
    other = client.post("/r/buurtkamer-voorjaar", data=form_data(inzend_sleutel="k8" + "c" * 20),
                        environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 303 and story_count() == 3


def test_withdrawal_erases_story_photo_answers_and_contact(client, ronde, app):
    client.post(
        "/r/buurtkamer-voorjaar",
        data=form_data(zd_gevoel="4", naam="Ans", foto=(io.BytesIO(jpeg_with_gps()), "a.jpg", "image/jpeg")),
        content_type="multipart/form-data",
    )
    html = client.get("/r/buurtkamer-voorjaar/bedankt").get_data(as_text=True)
    code = re.search(r'id="intrekcode">([0-9A-F-]+)<', html).group(1)
    photo_dir = app.config["VERHALENBANK"].photo_dir
    assert len(list(photo_dir.iterdir())) == 2

    page = client.get(f"/r/intrekken?code={code}")
    assert page.status_code == 200 and f'value="{code}"' in page.get_data(as_text=True)
    not_confirmed = client.post("/r/intrekken", data={"code": code})
    assert not_confirmed.status_code == 400 and story_count() == 1

    done = client.post("/r/intrekken", data={"code": code.lower(), "bevestig": "y"})
    assert done.status_code == 200 and "Uw verhaal is gewist" in done.get_data(as_text=True)
    assert story_count() == 0
    for model in (Foto, ZelfduidingAntwoord, Contactgegevens):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0
    assert list(photo_dir.iterdir()) == []


def test_wrong_withdrawal_code_is_refused_and_guessing_is_limited(client, ronde):
    client.post("/r/buurtkamer-voorjaar", data=form_data())
    for _ in range(10):
        response = client.post("/r/intrekken", data={"code": "0000-0000-0000", "bevestig": "y"})
        assert response.status_code == 400 and "kennen wij niet" in response.get_data(as_text=True)
    assert client.post("/r/intrekken", data={"code": "0000-0000-0000", "bevestig": "y"}).status_code == 429
    assert story_count() == 1


def test_service_worker_is_served_from_the_root(client, app):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "application/javascript"
    assert "verhalenbank-publiek" in response.get_data(as_text=True)


def test_stale_csrf_token_reshows_the_form_with_the_text(app, client, ronde):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/r/buurtkamer-voorjaar").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        stale = client.post("/r/buurtkamer-voorjaar", data=form_data(csrf_token="verlopen-token"))
        html = stale.get_data(as_text=True)
        assert stale.status_code == 400
        assert "De pagina was verlopen" in html and "drink ik elke dinsdag koffie" in html
        assert story_count() == 0
        as_json = client.post("/r/buurtkamer-voorjaar", data=form_data(csrf_token="verlopen-token"),
                              headers={"Accept": "application/json"})
        assert as_json.status_code == 400 and as_json.json["status"] == "csrf"
        good = client.post("/r/buurtkamer-voorjaar", data=form_data(csrf_token=token))
        assert good.status_code == 303 and story_count() == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_story_survives_when_the_nlp_step_itself_breaks(client, ronde, monkeypatch):
    from verhalenbank.nlp import operations as nlp_operations

    def broken(ids):
        raise MemoryError("model past niet in het geheugen")

    monkeypatch.setattr(nlp_operations, "analyse_verhalen", broken)
    response = client.post("/r/buurtkamer-voorjaar", data=form_data(), headers={"Accept": "application/json"})
    assert response.status_code == 201
    db.session.expire_all()
    verhaal = db.session.scalars(select(Verhaal)).one()
    assert verhaal.tekst == VERHAAL
    assert verhaal.analyse_status == AnalyseStatus.MISLUKT


def test_thank_you_page_does_not_wait_for_analysis(app, client, ronde, monkeypatch):
    """With background processing, the request only stores the story and its analysis job: the
    resident's answer comes first, a worker analyses after, and a batch that fails is tried
    again without stopping the worker."""
    from verhalenbank.core.jobs import Job, JobStatus
    from verhalenbank.verhalen import verwerking
    from tests.support.jobs import make_retries_due, run_worker_once

    app.config["VERHALENBANK"].achtergrond_verwerking = True
    echt = verwerking.analyseer_job
    aanroepen: list[list[dict]] = []

    def eerst_kapot(payloads, teksten=None):
        aanroepen.append(list(payloads))
        if len(aanroepen) == 1:
            raise RuntimeError("spaCy model kapot")
        echt(payloads, teksten)

    monkeypatch.setattr(verwerking, "analyseer_job", eerst_kapot)
    eerste = client.post("/r/buurtkamer-voorjaar", data=form_data())
    assert eerste.status_code == 303  # answered; nothing analysed yet
    tweede = client.post(
        "/r/buurtkamer-voorjaar", data=form_data(tekst="Ik ken nu mijn buren.", inzend_sleutel="sleutel-" + "b" * 24)
    )
    assert tweede.status_code == 303
    db.session.expire_all()
    assert [v.analyse_status for v in db.session.scalars(select(Verhaal))] == [AnalyseStatus.TE_ANALYSEREN] * 2
    assert aanroepen == []
    assert [j.status for j in db.session.scalars(select(Job))] == [JobStatus.WAITING.value] * 2
    db.session.rollback()

    assert run_worker_once() == 2  # one batch of both stories, which fails
    assert len(aanroepen) == 1 and len(aanroepen[0]) == 2
    make_retries_due()
    # The retried batch, its one index write, then tagging the bank's first stories again (the
    # bank passed its checkpoints of 1 and 2 stories).
    assert run_worker_once() == 4
    db.session.expire_all()
    statussen = {v.tekst: v.analyse_status for v in db.session.scalars(select(Verhaal))}
    assert statussen == {VERHAAL: AnalyseStatus.GEANALYSEERD, "Ik ken nu mijn buren.": AnalyseStatus.GEANALYSEERD}
    assert {j.status for j in db.session.scalars(select(Job))} == {JobStatus.DONE.value}



def test_sending_a_story_takes_few_statements_and_the_thank_you_page_none(app, client, ronde, monkeypatch):
    """Under a rush every round trip to the database waits its turn: a story's POST reads the
    ronde with its subdoelen in one query, looks its key up once, and stores; the thank-you
    page reads only the session. (As served: the analysis is left to the worker.)"""
    from sqlalchemy import event

    monkeypatch.setattr(app.config["VERHALENBANK"], "achtergrond_verwerking", True)
    statements: list[str] = []

    def tel(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", tel)
    try:
        response = client.post("/r/buurtkamer-voorjaar", data=form_data())
        assert response.status_code == 303
        na_post = list(statements)
        assert client.get(response.headers["Location"]).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", tel)
    assert story_count() == 1
    # ronde (+ trees and subdoelen), key, rate limit; story, job, attempt.
    assert na_post.count("SELECT") == 3, na_post
    assert na_post.count("INSERT") == 3, na_post
    assert statements[len(na_post):] == []
