"""Topic chips in residents' words: suggested from the subdoel titles, required before a ronde opens."""

from __future__ import annotations

import pytest

from tests.support.factories import import_voorbeeld_bomen, lelystad, make_ronde


@pytest.mark.parametrize(
    ("titel", "voorstel"),
    [
        ("Bewoners hebben duurzaam en blijvend contact met elkaar", "Duurzaam en blijvend contact met elkaar"),
        ("Mantelzorgers ervaren passende financiële compensatie", "Passende financiële compensatie"),
        ("Minder inwoners voelen zich eenzaam, in het bijzonder jongeren", "Eenzaam, in het bijzonder jongeren"),
        ("Mantelzorgers krijgen erkenning op werk of school", "Erkenning op werk of school"),
    ],
)
def test_suggestion_drops_the_policy_subject_and_verb(titel, voorstel):
    from verhalenbank.rondes.zelfduiding import voorstel_label

    assert voorstel_label(titel) == voorstel


def test_suggestion_is_never_longer_than_a_label():
    from verhalenbank.rondes.zelfduiding import MAX_LABEL, voorstel_label

    lang = "Bewoners hebben " + " ".join(["heel"] * 40) + " veel contact"
    assert len(voorstel_label(lang)) <= MAX_LABEL


@pytest.fixture
def gesloten_ronde(app):
    boom = lelystad(import_voorbeeld_bomen())
    return make_ronde("lelystad-najaar", boom=boom, is_open=False)


def test_ronde_does_not_open_while_topics_are_in_policy_words(client, login, gesloten_ronde):
    from verhalenbank.extensions import db

    login("facilitator")
    antwoord = client.post("/rondes/lelystad-najaar/open", data={"open": "1"})
    assert antwoord.status_code == 302
    assert antwoord.headers["Location"].endswith("/rondes/lelystad-najaar/zelfduiding")
    db.session.refresh(gesloten_ronde)
    assert gesloten_ronde.is_open is False
    pagina = client.get("/rondes/lelystad-najaar/zelfduiding").get_data(as_text=True)
    assert "De ronde kan nog niet open" in pagina
    # The organiser finds a suggestion made from the subdoel titles, ready to edit.
    assert "LW1 = Duurzaam en blijvend contact met elkaar" in pagina
    assert 'id="onderwerpen-voorstel"' in pagina


def test_ronde_opens_once_every_topic_has_residents_words(client, login, gesloten_ronde):
    from verhalenbank.extensions import db

    login("facilitator")
    detail = client.get("/rondes/lelystad-najaar").get_data(as_text=True)
    assert "data-onderwerpen-zonder-woorden" in detail
    antwoord = client.post("/rondes/lelystad-najaar/zelfduiding", data={
        "gevoel_aan": "y", "gevoel_vraag": "Hoe voelde dit voor u?",
        "onderwerp_aan": "y", "onderwerp_vraag": "Waar ging uw verhaal over?",
        "onderwerp_labels": "LW1 = Contact met buren\nLW2 = Zorgen voor elkaar en de buurt",
    })
    assert antwoord.status_code == 302
    assert client.post("/rondes/lelystad-najaar/open", data={"open": "1"}).status_code == 302
    db.session.refresh(gesloten_ronde)
    assert gesloten_ronde.is_open is True
    assert "data-onderwerpen-zonder-woorden" not in client.get("/rondes/lelystad-najaar").get_data(as_text=True)
    formulier = client.get("/r/lelystad-najaar").get_data(as_text=True)
    assert "Contact met buren" in formulier
    assert "Bewoners hebben duurzaam en blijvend contact met elkaar" not in formulier


def test_closing_needs_no_labels(client, login, app):
    from verhalenbank.extensions import db

    boom = lelystad(import_voorbeeld_bomen())
    ronde = make_ronde("lelystad-open", boom=boom)
    login("facilitator")
    assert client.post("/rondes/lelystad-open/open", data={"open": "0"}).status_code == 302
    db.session.refresh(ronde)
    assert ronde.is_open is False


def test_demo_rondes_have_residents_words_for_every_topic(app):
    from sqlalchemy import select

    from verhalenbank.demo import load_demo_data
    from verhalenbank.extensions import db
    from verhalenbank.rondes.models import Ronde
    from verhalenbank.rondes.operations import onderwerpen_zonder_woorden

    load_demo_data()
    rondes = list(db.session.scalars(select(Ronde)))
    assert len(rondes) == 3
    for ronde in rondes:
        assert onderwerpen_zonder_woorden(ronde) == [], ronde.slug


def test_new_ronde_from_the_web_stays_closed_until_topics_have_words(client, login, app):
    from sqlalchemy import select

    from verhalenbank.extensions import db
    from verhalenbank.rondes.models import Ronde

    import_voorbeeld_bomen()
    login("facilitator")
    antwoord = client.post("/rondes/nieuw", data={
        "slug": "hoorn-2027", "titel": "Hoorn 2027", "vraag": "Vertel eens",
        "doelenbomen": ["hoorn-samenleven"], "is_open": "y",
    })
    assert antwoord.status_code == 302
    assert antwoord.headers["Location"].endswith("/rondes/hoorn-2027/zelfduiding")
    assert db.session.scalar(select(Ronde.is_open).where(Ronde.slug == "hoorn-2027")) is False
    assert client.get("/r/hoorn-2027").status_code != 200


def test_editing_a_closed_ronde_to_open_is_refused_without_words(client, login, gesloten_ronde):
    from verhalenbank.extensions import db

    login("facilitator")
    antwoord = client.post("/rondes/lelystad-najaar/bewerken", data={
        "slug": "lelystad-najaar", "titel": "Lelystad najaar", "vraag": "Vertel eens",
        "doelenbomen": ["lelystad-sociaal-krachtige-wijken"], "is_open": "y",
    })
    assert antwoord.status_code == 400
    assert "De ronde kan nog niet open" in antwoord.get_data(as_text=True)
    db.session.refresh(gesloten_ronde)
    assert gesloten_ronde.is_open is False
