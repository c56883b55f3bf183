"""Account management in a real browser (Debian's Chromium via Playwright), at 360 and 1280 px."""

from __future__ import annotations

import re

import pytest

from tests.browser import migrated_sqlite_app, served

pytestmark = pytest.mark.browser

WACHTWOORD = "geheim-wachtwoord-123"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    from verhalenbank.accounts import operations
    from verhalenbank.extensions import db

    app = migrated_sqlite_app(tmp_path_factory.mktemp("accounts-browser"))
    with app.app_context():
        operations.create_gebruiker("beheer@gemeente.nl", "beheerder", wachtwoord=WACHTWOORD)
        db.session.commit()
        db.session.remove()
    with served(app) as base:
        yield app, base


def _inloggen(page, base: str, email: str, wachtwoord: str) -> None:
    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(wachtwoord)
    page.get_by_role("button", name="Inloggen").click()


@pytest.mark.parametrize("breedte", [360, 1280])
def test_beheerder_creates_an_account_in_the_browser(browser, live_app, breedte):
    app, base = live_app
    email = f"adviseur-{breedte}@gemeente.nl"
    context = browser.new_context(viewport={"width": breedte, "height": 800}, locale="nl-NL")
    page = context.new_page()
    try:
        _inloggen(page, base, "beheer@gemeente.nl", WACHTWOORD)
        response = page.goto(f"{base}/gebruikers")
        assert response.status == 200
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Naam", exact=True).fill("Sanne Adviseur")
        page.get_by_label("Rol").select_option("beleidsadviseur")
        with page.expect_response(lambda r: r.url.endswith("/gebruikers") and r.request.method == "POST") as info:
            page.get_by_role("button", name="Toevoegen").click()
        assert info.value.status == 200
        melding = page.locator(".melding", has_text="getoond").inner_text()
        wachtwoord = re.search(r"getoond\):\s*(\S+)", melding).group(1)
        assert page.get_by_role("cell", name=email, exact=True).count() == 1
    finally:
        context.close()

    # The new account works: the password shown once logs the new user in.
    context = browser.new_context(viewport={"width": breedte, "height": 800}, locale="nl-NL")
    page = context.new_page()
    try:
        _inloggen(page, base, email, wachtwoord)
        assert page.url.rstrip("/") == base
        assert page.goto(f"{base}/zoeken/").status == 200
    finally:
        context.close()
