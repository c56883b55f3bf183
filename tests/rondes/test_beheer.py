"""Ronde management for issue 4: one-tap questions, QR code, poster and flyer downloads,
and the story page / ronde page showing the teller's own answers beside the tags."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from verhalenbank.extensions import db
from verhalenbank.rondes.operations import RondeGegevens, create_ronde
from verhalenbank.verhalen.models import Verhaal


@pytest.fixture
def ronde(app, voorbeeld_bomen):
    lelystad = next(boom for boom in voorbeeld_bomen if boom.code.startswith("lelystad"))
    ronde = create_ronde(RondeGegevens(slug="buurtkamer", titel="Buurtkamer", vraag="Vertel over de buurtkamer.",
                                       doelenboom_codes=[lelystad.code]))
    db.session.commit()
    return ronde


@pytest.mark.parametrize("pad, mimetype", [
    ("qr.png", "image/png"), ("qr.svg", "image/svg+xml"),
    ("poster-a4.pdf", "application/pdf"), ("flyer-a6.pdf", "application/pdf"), ("poster-a4.png", "image/png"),
])
def test_downloads_for_the_ronde(client, login, ronde, pad, mimetype):
    login("facilitator")
    response = client.get(f"/rondes/buurtkamer/{pad}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "attachment" in response.headers["Content-Disposition"]
    if pad.endswith(".pdf"):
        assert len(PdfReader(io.BytesIO(response.data)).pages) == 1
    elif pad.endswith(".png"):
        assert Image.open(io.BytesIO(response.data)).size[0] > 100


def test_downloads_need_the_right(client, login, ronde):
    assert client.get("/rondes/buurtkamer/qr.png").status_code == 302  # to the login page
    login("aanbieder")
    assert client.get("/rondes/buurtkamer/poster-a4.pdf").status_code == 403


def test_ronde_page_links_to_poster_and_questions(client, login, ronde):
    login("beleidsadviseur")
    html = client.get("/rondes/buurtkamer").get_data(as_text=True)
    for pad in ("/rondes/buurtkamer/zelfduiding", "/rondes/buurtkamer/poster-a4.pdf", "/rondes/buurtkamer/qr.svg", "/r/buurtkamer"):
        assert pad in html


def test_ronde_page_leads_each_role_to_its_next_step(client, login, ronde):
    login("aanbieder")
    html = client.get("/rondes/buurtkamer").get_data(as_text=True)
    assert "/transcripten/nieuw?ronde=buurtkamer" in html and "Terugkoppelpakket" not in html
    login("facilitator")
    html = client.get("/rondes/buurtkamer").get_data(as_text=True)
    assert "Terugkoppelpakket maken" in html and "/transcripten/nieuw" not in html


@pytest.mark.parametrize("slug", ["intrekken", "sw-js"])
def test_addresses_of_the_form_itself_cannot_become_a_ronde(app, slug):
    from verhalenbank.core.errors import Ongeldig

    with pytest.raises(Ongeldig, match="in gebruik door Verhalenbank"):
        create_ronde(RondeGegevens(slug=slug, titel="Test"))


def test_questions_can_be_set_per_ronde_and_show_on_the_form(client, login, ronde):
    login("beleidsadviseur")
    page = client.get("/rondes/buurtkamer/zelfduiding")
    assert page.status_code == 200 and "Hoe voelde dit voor u?" in page.get_data(as_text=True)
    response = client.post("/rondes/buurtkamer/zelfduiding", data={
        "gevoel_aan": "y", "gevoel_vraag": "Hoe was het?",
        "onderwerp_aan": "y", "onderwerp_vraag": "Waarover?", "onderwerp_labels": "LW1 = Contact met buren",
        "extra_vraag": "Komt u nog eens?", "extra_opties": "Ja\nNee\nWeet ik niet",
    })
    assert response.status_code == 302
    db.session.refresh(ronde)
    assert [v["code"] for v in ronde.zelfduiding["vragen"]] == ["gevoel", "onderwerp", "eigen"]
    form = client.get("/r/buurtkamer").get_data(as_text=True)
    assert "Hoe was het?" in form and "Contact met buren" in form and "Komt u nog eens?" in form
    assert "Wie waren erbij?" not in form


def test_bad_question_config_is_refused_in_dutch(client, login, ronde):
    login("beleidsadviseur")
    response = client.post("/rondes/buurtkamer/zelfduiding", data={"extra_vraag": "Eén antwoord?", "extra_opties": "Ja"})
    assert response.status_code == 400 and "minstens twee" in response.get_data(as_text=True)
    response = client.post("/rondes/buurtkamer/zelfduiding", data={"onderwerp_aan": "y", "onderwerp_labels": "zomaar"})
    assert response.status_code == 400 and "CODE = woorden" in response.get_data(as_text=True)
    db.session.refresh(ronde)
    assert ronde.zelfduiding is None


def test_story_page_shows_answers_beside_tags_and_the_photo(client, login, ronde, app):
    from verhalenbank.doelenbomen.models import Subdoel
    from verhalenbank.verhalen.models import Tag

    boom = ronde.doelenbomen[0]
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), "red").save(buf, "JPEG")
    client.post("/r/buurtkamer", data={
        "tekst": "Ik ken nu mijn buren.", "toestemming": "y", "zd_gevoel": "5",
        "zd_onderwerp": [f"{boom.code}:LW1"], "foto": (io.BytesIO(buf.getvalue()), "x.jpg"),
    }, content_type="multipart/form-data")
    verhaal = db.session.scalars(select(Verhaal)).one()
    lw2 = db.session.scalars(select(Subdoel).where(Subdoel.doelenboom_id == boom.id, Subdoel.code == "LW2")).one()
    # Whatever the tagger suggested, set a known situation: the tagger says LW2, the teller LW1.
    for tag in list(verhaal.tags):
        db.session.delete(tag)
    db.session.flush()
    db.session.add(Tag(verhaal_id=verhaal.id, subdoel_id=lw2.id, score=0.8))
    db.session.commit()

    login("beleidsadviseur")
    html = client.get(f"/verhalen/{verhaal.id}").get_data(as_text=True)
    assert "Wat de verteller zelf zegt" in html and "Heel fijn" in html
    assert "Alleen de inwoner koos dit" in html and "Alleen de automatische analyse vond dit" in html
    foto_url = html.split('src="/media/fotos/')[1].split('"')[0]
    photo = client.get(f"/media/fotos/{foto_url}")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert client.get("/media/fotos/..%2Fsecret_key").status_code == 404

    ronde_page = client.get("/rondes/buurtkamer").get_data(as_text=True)
    assert "Zelf gezegd" in ronde_page and "Heel fijn" in ronde_page


def test_photos_are_not_public(client, ronde):
    assert client.get("/media/fotos/" + "a" * 32 + ".jpg").status_code == 302
