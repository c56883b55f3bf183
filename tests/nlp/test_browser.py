"""The review queue and the quality page in a real browser (Debian's Chromium, phone size)."""

from __future__ import annotations


import pytest
from sqlalchemy import select

from tests.browser import import_example_trees, migrated_sqlite_app, served, serious_axe_violations

pytestmark = pytest.mark.browser

EMAIL = "adviseur@test.nl"
WACHTWOORD = "geheim-wachtwoord-123"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    from verhalenbank.accounts.operations import create_gebruiker
    from verhalenbank.extensions import db
    from verhalenbank.rondes.operations import RondeGegevens, create_ronde
    from verhalenbank.verhalen.operations import VerhaalInvoer, store_verhaal
    from verhalenbank.verhalen.verwerking import verwerk_verhalen

    app = migrated_sqlite_app(tmp_path_factory.mktemp("nlp-browser"))
    with app.app_context():
        lelystad = import_example_trees()
        ronde = create_ronde(RondeGegevens(slug="lelystad-test", titel="Lelystad", doelenboom_codes=[lelystad.code]))
        teksten = [
            "Sinds de buurtkamer open is maak ik vaker een praatje met de buren. We doen samen dingen.",
            "Ik ben trots op mijn wijk. Ik help mijn buurvrouw Ans met de tuin en leer de kinderen fietsen repareren.",
            "In onze straat groet niemand elkaar. Ik ken na drie jaar nog steeds niemand.",
        ]
        verhalen = [store_verhaal(VerhaalInvoer(tekst=t, toestemming=True), ronde=ronde) for t in teksten]
        create_gebruiker(EMAIL, "beleidsadviseur", wachtwoord=WACHTWOORD)
        db.session.commit()
        verwerk_verhalen([v.id for v in verhalen])
        db.session.remove()
    with served(app) as base:
        yield app, base



def _decisions(app):
    from verhalenbank.extensions import db
    from verhalenbank.verhalen.models import Tag

    with app.app_context():
        db.session.remove()
        tags = list(db.session.scalars(select(Tag).where((Tag.bevestigd == True) | (Tag.afgewezen == True))))  # noqa: E712
        result = [(t.bevestigd, t.afgewezen, t.beoordeeld_door_id is not None) for t in tags]
        db.session.remove()
        return result


def test_review_with_the_keyboard_on_a_phone(live_app, browser):
    app, base = live_app
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="nl-NL")
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{base}/inloggen")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=wachtwoord]", WACHTWOORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{base}/beoordelen")
    assert page.locator("#knop-bevestigen").is_visible()
    assert "Ans" not in page.inner_text("main") if page.locator("main").count() else True
    # Buttons fit the phone screen (no horizontal scrolling needed to reach them).
    box = page.locator("#knop-afwijzen").bounding_box()
    assert box and box["x"] + box["width"] <= 360 and box["height"] >= 44
    with page.expect_navigation():
        page.keyboard.press("j")
    assert (True, False, True) in _decisions(app)
    if page.locator("#knop-afwijzen").count():
        with page.expect_navigation():
            page.keyboard.press("n")
        assert (False, True, True) in _decisions(app)
    page.goto(f"{base}/tagger")
    page.click("text=Sociaal krachtige wijken")
    assert "Wat betekenen deze cijfers?" in page.content()
    assert csp_errors == []
    context.close()


def test_review_pages_have_no_serious_accessibility_problems(live_app, browser):
    app, base = live_app
    # bypass_csp only so axe can be injected; the pages themselves need no inline scripts.
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="nl-NL", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/inloggen")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=wachtwoord]", WACHTWOORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    from verhalenbank.extensions import db
    from verhalenbank.verhalen.models import Tag

    with app.app_context():
        suggestion = db.session.scalar(select(Tag).where(Tag.bevestigd == False, Tag.afgewezen == False))  # noqa: E712
        story_page = f"/verhalen/{suggestion.verhaal_id}"
        db.session.remove()
    # The story page carries the same review controls (Klopt / Klopt niet / add a subdoel).
    for path in ("/beoordelen", "/tagger", story_page):
        page.goto(f"{base}{path}")
        if path == story_page:
            assert page.locator("button[value=afwijzen]").count() and page.locator("select[name=subdoel]").count()
        violations = serious_axe_violations(page)
        assert violations == [], (path, violations)
    context.close()
