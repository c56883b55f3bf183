"""A beheerder makes an account with the form on /gebruikers (issue 16 item 1: POST /gebruikers
was always a 500, because WTForms' Email() needs email_validator). The browser journey is in
test_browser.py; this one runs on both databases without a browser."""

from __future__ import annotations

import importlib.util
import re

from flask import g
from sqlalchemy import func, select

from verhalenbank.accounts.models import AuditLog, Gebruiker
from verhalenbank.extensions import db


def test_email_validator_is_installed():
    assert importlib.util.find_spec("email_validator") is not None


def test_beheerder_creates_an_account_with_the_form(client, login):
    beheerder = login("beheerder")
    g.pop("_login_user", None)
    response = client.post("/gebruikers", data={"email": "sanne@gemeente.nl", "naam": "Sanne", "rol": "beleidsadviseur"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Gebruiker sanne@gemeente.nl is aangemaakt." in html
    nieuw = db.session.scalar(select(Gebruiker).where(Gebruiker.email == "sanne@gemeente.nl"))
    assert nieuw.rol == "beleidsadviseur"
    regel = db.session.scalar(select(AuditLog).where(AuditLog.actie == "gebruiker_aangemaakt"))
    assert regel.gebruiker_id == beheerder.id
    assert regel.object_id == str(nieuw.id)

    # The password shown once logs the new user in.
    wachtwoord = re.search(r"getoond\):\s*(?:<[^>]+>\s*)*([^\s<]+)", html).group(1)
    client.post("/uitloggen")
    g.pop("_login_user", None)
    assert client.post("/inloggen", data={"email": "sanne@gemeente.nl", "wachtwoord": wachtwoord}).status_code == 302


def test_a_bad_address_is_refused_in_dutch_and_nothing_is_stored(client, login):
    login("beheerder")
    g.pop("_login_user", None)
    response = client.post("/gebruikers", data={"email": "geen-adres", "rol": "beleidsadviseur"})
    assert response.status_code == 200
    assert "Dit is geen geldig e-mailadres." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Gebruiker.id)).where(Gebruiker.email == "geen-adres")) == 0
