"""Browser fixtures for the end-to-end journeys: a served Verhalenbank, Debian's Chromium,
accounts per role, and an axe-core check that also keeps a screenshot of every page."""

from __future__ import annotations

import re

import pytest

from tests.browser import serious_axe_violations
from tests.e2e.omgeving import ARTIFACTS, Server, omgeving, prepare

E2E_ARTIFACTS = ARTIFACTS / "e2e"
RONDE = "buurtkamer-atolwijk"
WACHTWOORD = "e2e-wachtwoord-verhalenbank"
ORGANISATIE = "Welzijn Lelystad"
GEBRUIKERS = {
    "beheerder": "beheerder@e2e.test",
    "aanbieder": "aanbieder@e2e.test",
    "beleidsadviseur": "beleid@e2e.test",
    "facilitator": "facilitator@e2e.test",
}


def _create_users(omg) -> None:
    from verhalenbank.accounts import operations
    from verhalenbank.app import create_app
    from verhalenbank.extensions import db

    app = create_app({"data_dir": omg.data_dir, "database_url": omg.database_url, "secret_key": "x"})
    with app.app_context():
        organisatie = operations.get_or_create_organisatie(ORGANISATIE)
        for rol, email in GEBRUIKERS.items():
            operations.create_gebruiker(
                email, rol, naam=rol.capitalize(), wachtwoord=WACHTWOORD,
                organisatie=organisatie if rol == "aanbieder" else None,
            )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def verhalenbank(request, tmp_path_factory):
    """`verhalenbank serve` (waitress, the default) on its own data dir and database."""
    with omgeving(request.param, tmp_path_factory.mktemp("e2e")) as omg:
        prepare(omg, ronde=RONDE)
        _create_users(omg)
        server = Server(omg).start()
        try:
            yield server
        finally:
            server.stop()



def new_page(browser, *, phone: bool):
    # bypass_csp only so axe can be injected; the app's own pages never need inline scripts.
    viewport = {"width": 360, "height": 640} if phone else {"width": 1366, "height": 900}
    context = browser.new_context(viewport=viewport, bypass_csp=True, locale="nl-NL", accept_downloads=True)
    context.set_default_timeout(30_000)
    return context.new_page()


def login(page, base_url: str, rol: str) -> None:
    page.goto(f"{base_url}/inloggen")
    page.fill("input[name=email]", GEBRUIKERS[rol])
    page.fill("input[name=wachtwoord]", WACHTWOORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert "/inloggen" not in page.url, f"login as {rol} failed: {page.inner_text('main')[:300]}"


class Controle:
    """Scan the current page with axe-core and keep a screenshot, numbered in visiting order."""

    def __init__(self, kind: str, journey: str):
        self.folder = E2E_ARTIFACTS / kind / journey
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count = 0

    def __call__(self, page, name: str) -> None:
        self.count += 1
        page.wait_for_load_state()
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)
        serious = serious_axe_violations(page, best_practice=True)
        assert serious == [], f"axe on {name} ({page.url}): {serious}"


@pytest.fixture
def controle(verhalenbank, request):
    journey = re.sub(r"\W+", "-", request.node.originalname.removeprefix("test_"))
    return Controle(verhalenbank.omg.kind, journey)
