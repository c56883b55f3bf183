"""Profile page: own password, personal API tokens; CSRF page; secure cookie settings."""

from __future__ import annotations

import re

from flask import g
from sqlalchemy import select

from verhalenbank.accounts.models import ApiToken, AuditLog, Gebruiker
from verhalenbank.extensions import db

WACHTWOORD = "geheim-wachtwoord-123"


def _fresh(client):
    # The test keeps one app context for all requests; let each request load its own user.
    g.pop("_login_user", None)
    return client


def test_profile_needs_login(client):
    response = client.get("/profiel")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_change_own_password_requires_the_current_one(client, login):
    gebruiker = login("facilitator")
    response = client.post("/profiel/wachtwoord", data={"huidig": "fout-wachtwoord-1", "nieuw": "een-nieuw-wachtwoord", "herhaal": "een-nieuw-wachtwoord"})
    assert response.status_code == 400
    assert "Het huidige wachtwoord klopt niet." in response.get_data(as_text=True)
    response = client.post("/profiel/wachtwoord", data={"huidig": WACHTWOORD, "nieuw": "kort", "herhaal": "kort"})
    assert response.status_code == 400 and "minstens 12 tekens" in response.get_data(as_text=True)
    response = client.post("/profiel/wachtwoord", data={"huidig": WACHTWOORD, "nieuw": "een-nieuw-wachtwoord", "herhaal": "iets-anders-dan-dat"})
    assert response.status_code == 400 and "niet gelijk" in response.get_data(as_text=True)

    response = client.post("/profiel/wachtwoord", data={"huidig": WACHTWOORD, "nieuw": "een-nieuw-wachtwoord", "herhaal": "een-nieuw-wachtwoord"})
    assert response.status_code == 302
    _fresh(client).post("/uitloggen")
    assert _fresh(client).post("/inloggen", data={"email": gebruiker.email, "wachtwoord": WACHTWOORD}).status_code == 400
    assert _fresh(client).post("/inloggen", data={"email": gebruiker.email, "wachtwoord": "een-nieuw-wachtwoord"}).status_code == 302
    assert db.session.scalar(select(AuditLog).where(AuditLog.actie == "eigen_wachtwoord_gewijzigd")) is not None


def test_create_token_shown_once_and_revoke_it(client, login):
    gebruiker = login("beleidsadviseur")
    response = client.post("/profiel/tokens", data={"naam": "Koppeling registratie"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    token = re.search(r"<code>(vb_[A-Za-z0-9_-]+)</code>", html).group(1)
    assert "no-store" in response.headers["Cache-Control"]
    record = db.session.scalar(select(ApiToken).where(ApiToken.gebruiker_id == gebruiker.id))
    assert record.naam == "Koppeling registratie" and token not in record.token_hash

    # The profile page never shows the token again, only its prefix.
    pagina = _fresh(client).get("/profiel").get_data(as_text=True)
    assert token not in pagina and record.prefix in pagina

    api = {"Authorization": f"Bearer {token}"}
    assert _fresh(client).get("/api/v1/rondes", headers=api).status_code == 200
    assert _fresh(client).post(f"/profiel/tokens/{record.id}/intrekken").status_code == 302
    assert _fresh(client).get("/api/v1/rondes", headers=api).status_code == 401
    acties = set(db.session.scalars(select(AuditLog.actie).where(AuditLog.object_type == "api_token")))
    assert acties == {"api_token_gemaakt", "api_token_ingetrokken"}


def test_cannot_revoke_someone_elses_token(client, login, make_user):
    from verhalenbank.accounts import operations

    ander = make_user("beheerder")
    record, token = operations.create_api_token(ander, "van een ander")
    db.session.commit()
    login("beheerder")
    assert client.post(f"/profiel/tokens/{record.id}/intrekken").status_code == 404
    db.session.refresh(record)
    assert record.ingetrokken_op is None


def test_token_name_is_required(client, login):
    login("aanbieder")
    response = client.post("/profiel/tokens", data={"naam": ""})
    assert response.status_code == 400 and "Geef het token een naam" in response.get_data(as_text=True)


def test_csrf_failure_shows_a_friendly_dutch_page(app, client, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    gebruiker = make_user("beheerder")
    response = client.post("/inloggen", data={"email": gebruiker.email, "wachtwoord": WACHTWOORD})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "De pagina was verlopen" in html and "Er is niets opgeslagen" in html
    assert "Bad Request" not in html


def test_session_api_writes_need_csrf_token_writes_do_not(app, client, make_user, voorbeeld_bomen):
    from verhalenbank.accounts import operations
    from verhalenbank.verhalen.operations import VerhaalInvoer, store_verhaal

    verhaal = store_verhaal(VerhaalInvoer(tekst="Een verhaal.", toestemming=True), ronde=None)
    gebruiker = make_user("beheerder")
    _, token = operations.create_api_token(gebruiker, "csrf-test")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/api/v1/verhalen/{verhaal.id}/tags"
    body = {"subdoel": "LW1", "doelenboom": "lelystad-sociaal-krachtige-wijken"}

    # Token: no CSRF needed (another site cannot send our Authorization header).
    assert client.post(url, json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 201

    # Browser session: log in with the form's CSRF token, then an API write without one is refused.
    pagina = _fresh(client).get("/inloggen").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', pagina).group(1)
    assert _fresh(client).post("/inloggen", data={"email": gebruiker.email, "wachtwoord": WACHTWOORD, "csrf_token": csrf_token}).status_code == 302
    response = _fresh(client).post(url, json=body)
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert "CSRF" in response.get_json()["fout"]
    # ... and accepted with the CSRF token in the X-CSRFToken header.
    pagina = _fresh(client).get("/profiel").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', pagina).group(1)
    assert _fresh(client).post(url, json=body, headers={"X-CSRFToken": csrf_token}).status_code == 200
    # Reading through the session needs no token.
    assert _fresh(client).get(f"/api/v1/verhalen/{verhaal.id}").status_code == 200


def test_secure_cookies_when_served_over_https(tmp_path, monkeypatch):
    from verhalenbank.app import create_app

    gewoon = create_app({"data_dir": tmp_path, "database_url": f"sqlite:///{tmp_path}/a.db", "secret_key": "x"})
    assert gewoon.config["SESSION_COOKIE_SECURE"] is False and gewoon.config["REMEMBER_COOKIE_SECURE"] is False
    monkeypatch.setenv("VERHALENBANK_HTTPS", "1")
    https = create_app({"data_dir": tmp_path, "database_url": f"sqlite:///{tmp_path}/a.db", "secret_key": "x"})
    assert https.config["SESSION_COOKIE_SECURE"] is True and https.config["REMEMBER_COOKIE_SECURE"] is True
    assert https.config["SESSION_COOKIE_HTTPONLY"] is True and https.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_init_prints_how_to_make_the_first_beheerder(runner):
    from verhalenbank.cli import main

    result = runner.invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "verhalenbank gebruiker add EMAIL --rol beheerder" in result.output
    result = runner.invoke(
        main, ["gebruiker", "add", "baas@test.nl", "--rol", "beheerder", "--wachtwoord", "lang-genoeg-wachtwoord"]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Gebruiker).where(Gebruiker.email == "baas@test.nl")) is not None
    # End this test's own read: on SQLite it holds the write lock the next command queues for.
    db.session.rollback()
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "Database is bijgewerkt" in result.output
    assert "Er is nog geen beheerder" not in result.output


def test_easy_passwords_are_refused_everywhere(client, login, runner):
    from verhalenbank.accounts import operations as accounts_ops
    from verhalenbank.cli import main
    from verhalenbank.core.errors import Ongeldig

    for zwak in ("wachtwoord1234", "aaaaaaaaaaaaaa", "121212121212", "Welkom!Welkom!", "piet.jansen2026"):
        try:
            accounts_ops.check_wachtwoord_sterkte(zwak, "piet.jansen@gemeente.nl")
        except Ongeldig as fout:
            assert "te makkelijk" in fout.bericht
        else:
            raise AssertionError(f"{zwak!r} was accepted")
    accounts_ops.check_wachtwoord_sterkte("paard-batterij-nietje-correct", "piet.jansen@gemeente.nl")

    login("facilitator")
    response = client.post("/profiel/wachtwoord", data={"huidig": WACHTWOORD, "nieuw": "Wachtwoord2026", "herhaal": "Wachtwoord2026"})
    assert response.status_code == 400 and "te makkelijk te raden" in response.get_data(as_text=True)
    result = runner.invoke(main, ["gebruiker", "add", "baas@test.nl", "--rol", "beheerder", "--wachtwoord", "qwerty123456"])
    assert result.exit_code != 0 and "te makkelijk" in result.output
