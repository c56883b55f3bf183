"""Tokens for the API only (scoped, expiring, read-only) and sessions bound to a per-user secret
that changes on logout, on a password change and on a beheerder's reset (issue 16 items 6, 7)."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import g
from sqlalchemy import select

from verhalenbank.accounts import operations
from verhalenbank.accounts.models import ApiToken, Gebruiker
from verhalenbank.core.models import utcnow
from verhalenbank.extensions import db

WACHTWOORD = "geheim-wachtwoord-123"


def _fresh(client):
    g.pop("_login_user", None)
    g.pop("api_token", None)
    return client


def _token(gebruiker, **kwargs) -> tuple[ApiToken, dict]:
    record, token = operations.create_api_token(gebruiker, "test", **kwargs)
    db.session.commit()
    return record, {"Authorization": f"Bearer {token}"}


def test_a_token_opens_no_page_outside_the_api(client, make_user):
    beheerder = make_user("beheerder")
    ander = make_user("beleidsadviseur")
    hash_voor = ander.wachtwoord_hash
    _, api = _token(beheerder)
    assert _fresh(client).get("/api/v1/rondes", headers=api).status_code == 200
    for pad in ("/gebruikers", "/logboek", "/profiel"):
        response = _fresh(client).get(pad, headers=api)
        assert response.status_code == 302, pad
        assert "/inloggen" in response.headers["Location"]
    response = _fresh(client).post(f"/gebruikers/{ander.id}/wachtwoord", headers=api)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Gebruiker, ander.id).wachtwoord_hash == hash_voor


def test_an_expired_token_is_refused(client, make_user):
    record, api = _token(make_user("beheerder"))
    assert _fresh(client).get("/api/v1/rondes", headers=api).status_code == 200
    record.verloopt_op = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = _fresh(client).get("/api/v1/rondes", headers=api)
    assert response.status_code == 401
    assert "verlopen" in response.get_json()["fout"]


def test_a_read_only_token_reads_but_cannot_write(client, make_user, voorbeeld_bomen):
    from verhalenbank.verhalen.models import Tag
    from verhalenbank.verhalen.operations import VerhaalInvoer, store_verhaal

    verhaal = store_verhaal(VerhaalInvoer(tekst="Een verhaal over de buurtkamer.", toestemming=True), ronde=None)
    db.session.commit()
    _, api = _token(make_user("beheerder"), alleen_lezen=True)
    assert _fresh(client).get(f"/api/v1/verhalen/{verhaal.id}", headers=api).status_code == 200
    tags_voor = db.session.scalar(select(db.func.count(Tag.id)))
    body = {"subdoel": "LW1", "doelenboom": "lelystad-sociaal-krachtige-wijken"}
    response = _fresh(client).post(f"/api/v1/verhalen/{verhaal.id}/tags", json=body, headers=api)
    assert response.status_code == 403
    assert response.get_json()["fout"] == "Dit API-token mag alleen lezen."
    assert db.session.scalar(select(db.func.count(Tag.id))) == tags_voor


def test_profile_makes_a_read_only_token_with_an_expiry_date(client, login):
    gebruiker = login("beleidsadviseur")
    response = client.post("/profiel/tokens", data={"naam": "Dashboard", "dagen": "7", "alleen_lezen": "y"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r"<code>(vb_[A-Za-z0-9_-]+)</code>", html)
    assert "alleen lezen" in html
    record = db.session.scalar(select(ApiToken).where(ApiToken.gebruiker_id == gebruiker.id))
    assert record.alleen_lezen is True
    verloopt = record.verloopt_op.replace(tzinfo=None)
    verwacht = (utcnow() + timedelta(days=7)).replace(tzinfo=None)
    assert abs(verloopt - verwacht) < timedelta(minutes=5)


def test_a_token_for_longer_than_a_year_is_refused(client, login):
    gebruiker = login("beleidsadviseur")
    assert client.post("/profiel/tokens", data={"naam": "Te lang", "dagen": "3650"}).status_code == 400
    assert db.session.scalar(select(ApiToken).where(ApiToken.gebruiker_id == gebruiker.id)) is None


def _tweede_apparaat(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    kopie = app.test_client()
    kopie.set_cookie("session", client.get_cookie("session").value)
    return kopie


def test_logout_ends_the_session_everywhere(app, client, login):
    login("beleidsadviseur")
    kopie = _tweede_apparaat(app, client)
    assert _fresh(kopie).get("/profiel").status_code == 200
    assert _fresh(client).post("/uitloggen").status_code == 302
    response = _fresh(kopie).get("/profiel")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client, login):
    login("beleidsadviseur")
    kopie = _tweede_apparaat(app, client)
    assert _fresh(kopie).get("/profiel").status_code == 200
    response = _fresh(client).post(
        "/profiel/wachtwoord",
        data={"huidig": WACHTWOORD, "nieuw": "drie losse woorden hier", "herhaal": "drie losse woorden hier"},
    )
    assert response.status_code == 302
    assert _fresh(client).get("/profiel").status_code == 200
    response = _fresh(kopie).get("/profiel")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_reset_by_the_beheerder_ends_the_users_sessions(app, client, login, make_user):
    gebruiker = make_user("facilitator")
    zijn_browser = app.test_client()
    assert _fresh(zijn_browser).post("/inloggen", data={"email": gebruiker.email, "wachtwoord": WACHTWOORD}).status_code == 302
    assert _fresh(zijn_browser).get("/profiel").status_code == 200
    login("beheerder")
    assert _fresh(client).post(f"/gebruikers/{gebruiker.id}/wachtwoord").status_code == 200
    response = _fresh(zijn_browser).get("/profiel")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_session_id_without_the_current_secret_is_no_session(make_user):
    gebruiker = make_user("beheerder")
    assert operations.gebruiker_voor_sessie(gebruiker.get_id()) is gebruiker
    assert operations.gebruiker_voor_sessie(str(gebruiker.id)) is None  # the old cookie format
    assert operations.gebruiker_voor_sessie(f"{gebruiker.id}.verkeerd") is None
    assert operations.gebruiker_voor_sessie("9" * 30 + ".x") is None


def test_concurrent_wrong_passwords_get_no_more_checks_than_the_limit(app, make_user, monkeypatch):
    """12 logins at once with a wrong password: at most MAX_MISLUKTE_POGINGEN password checks
    (without an atomic check-and-record, PostgreSQL let all 12 through)."""
    import threading
    import time

    from verhalenbank.accounts.operations import MAX_MISLUKTE_POGINGEN
    from verhalenbank.core.errors import Gebruikersfout

    gebruiker = make_user("beleidsadviseur")
    email = gebruiker.email
    db.session.remove()
    controles = []
    echte_controle = operations.check_password_hash

    def trage_controle(*args):
        controles.append(1)
        time.sleep(0.05)  # a real scrypt check takes this long; widens the race
        return echte_controle(*args)

    monkeypatch.setattr(operations, "check_password_hash", trage_controle)
    start = threading.Barrier(12)
    uitkomsten: list[str] = []

    def poging(adres: str) -> None:
        with app.app_context():
            start.wait()
            try:
                operations.authenticate(email, "helemaal-fout-wachtwoord", adres)
            except Gebruikersfout as exc:
                uitkomsten.append(exc.bericht)
            finally:
                db.session.commit()
                db.session.remove()

    # Different addresses: only the per-account limit (5) applies.
    threads = [threading.Thread(target=poging, args=(f"10.0.0.{i}",)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(uitkomsten) == 12
    assert len(controles) <= MAX_MISLUKTE_POGINGEN
    assert sum("Te veel mislukte pogingen" in u for u in uitkomsten) >= 12 - MAX_MISLUKTE_POGINGEN
