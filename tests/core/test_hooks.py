"""Request edges that were a 500 (issue 16 item 10): ids beyond the database's range in any URL
or parameter, CR/LF in ?next=, deeply nested JSON on the public API, NUL in the public form;
WTForms' own messages in Dutch."""

from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from verhalenbank.extensions import db
from verhalenbank.rondes.operations import RondeGegevens, create_ronde
from verhalenbank.verhalen.models import Verhaal

HUGE = (2**63, 10**30, 2**31)


@pytest.fixture
def ronde(app, voorbeeld_bomen):
    gemaakt = create_ronde(RondeGegevens(slug="rand-ronde", titel="Randgevallen", wijken=["Atolwijk"],
                                         doelenboom_codes=["lelystad-sociaal-krachtige-wijken"]))
    db.session.commit()
    return gemaakt


def _int_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not any(isinstance(c, IntegerConverter) for c in rule._converters.values()):  # noqa: SLF001
            continue
        methode = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        routes.append((methode, rule.rule))
    return routes


def test_ids_beyond_the_database_range_are_404_on_every_route(app, client, login, ronde):
    login("beheerder")
    routes = _int_routes(app)
    assert len(routes) >= 25
    fouten = []
    for methode, regel in routes:
        for waarde in HUGE:
            pad = re.sub(r"<(?:int:)?\w+>", lambda m: str(waarde) if m.group(0).startswith("<int:") else "rand-ronde", regel)
            g.pop("_login_user", None)
            response = client.open(pad, method=methode)
            # 404; 405 where the same path with a non-id segment belongs to another method's rule
            if response.status_code not in (404, 405):
                fouten.append(f"{methode} {pad}: {response.status_code}")
    assert fouten == []


@pytest.mark.parametrize("pad", ["/verhalen/", "/logboek", "/rondes/rand-ronde", "/beoordelen"])
def test_huge_page_and_id_parameters_are_no_server_error(client, login, ronde, pad):
    login("beheerder")
    for waarde in ("99999999999999999999999", "-5", "abc"):
        g.pop("_login_user", None)
        response = client.get(f"{pad}?pagina={waarde}&boom={waarde}")
        assert response.status_code == 200, (pad, waarde, response.status_code)


@pytest.mark.parametrize("volgende", ["/zoeken/\r\nSet-Cookie: x=y", "/x\nLocation: //evil", "/\\evil.example", "//evil.example"])
def test_unsafe_next_targets_go_home(client, make_user, volgende):
    gebruiker = make_user("facilitator")
    response = client.post("/inloggen", query_string={"next": volgende},
                           data={"email": gebruiker.email, "wachtwoord": "geheim-wachtwoord-123"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_safe_next_target_is_kept(client, make_user):
    gebruiker = make_user("facilitator")
    response = client.post("/inloggen?next=/zoeken/%3Fq%3Dbuurt", data={"email": gebruiker.email, "wachtwoord": "geheim-wachtwoord-123"})
    assert response.headers["Location"] == "/zoeken/?q=buurt"


def test_deeply_nested_json_on_the_public_api_is_refused_plainly(client, ronde):
    voor = db.session.scalar(select(func.count(Verhaal.id)))
    body = '{"tekst": "Een verhaal.", "toestemming": true, "titel": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post("/api/v1/rondes/rand-ronde/verhalen", data=body, content_type="application/json")
    assert response.status_code == 422
    assert "te diep genest" in response.get_json()["fout"]
    response = client.post("/api/v1/rondes/rand-ronde/verhalen", data='{"tekst": "x", "toestemming": true, "titel": ' + "9" * 5000 + "}",
                           content_type="application/json")
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Verhaal.id))) == voor


def test_nul_in_the_public_form_is_dropped_and_the_story_kept(client, ronde):
    tekst = "Sinds de buurtkamer\x00 open is, drink ik koffie met Ans."
    response = client.post("/r/rand-ronde", data={"tekst": tekst, "titel": "Ko\x00ffie", "toestemming": "y",
                                                  "inzend_sleutel": "sleutel-" + "b" * 24})
    assert response.status_code == 303, response.status_code  # to the thank-you page
    verhaal = db.session.scalar(select(Verhaal))
    assert verhaal.tekst == tekst.replace("\x00", "")
    assert verhaal.titel == "Koffie"


def test_wtforms_own_messages_are_dutch(client, login):
    login("beheerder")
    response = client.post("/gebruikers", data={"email": "nieuw@gemeente.nl", "rol": "koning"})
    html = response.get_data(as_text=True)
    assert "Not a valid choice" not in html
    assert "Ongeldige keuze" in html


@pytest.mark.parametrize("waarde, verwacht_ms", [("5", 5000), ("", 30000), ("veel", 30000), ("0", 100)])
def test_sqlite_wait_for_a_held_lock_is_a_setting(tmp_path, monkeypatch, waarde, verwacht_ms):
    from sqlalchemy import create_engine, text

    from verhalenbank.core.hooks import engine_options

    monkeypatch.setenv("VERHALENBANK_SQLITE_WACHTTIJD", waarde)
    url = f"sqlite:///{tmp_path / 'wacht.db'}"
    engine = create_engine(url, **engine_options(url))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == verwacht_ms
    finally:
        engine.dispose()
