"""Accounts, pages and the axe check shared by the end-to-end journeys and the fault tests."""

from __future__ import annotations

from tests.browser import serious_axe_violations
from tests.e2e.omgeving import ARTIFACTS

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


def new_page(browser, *, phone: bool):
    # bypass_csp only so axe can be injected; the app's own pages never need inline scripts.
    viewport = {"width": 360, "height": 640} if phone else {"width": 1366, "height": 900}
    context = browser.new_context(viewport=viewport, bypass_csp=True, locale="nl-NL", accept_downloads=True)
    context.set_default_timeout(30_000)
    return context.new_page()


KLIK_SCRIPT = """document.addEventListener('pointerdown', (e) => {
  if (e.isTrusted && window.__telKlik) { window.__telKlik(); }
}, true);"""


class Klikteller:
    """Counts what a user clicks in a browser context, across page loads: every trusted
    pointerdown (a click, a tick in a box, opening a folded part); typing is not a click."""

    def __init__(self, context):
        self.aantal = 0
        context.expose_function("__telKlik", self._tel)
        context.add_init_script(KLIK_SCRIPT)

    def _tel(self) -> None:
        self.aantal += 1


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
