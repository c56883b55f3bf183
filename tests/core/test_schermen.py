"""Staff screens on a phone (360×640) and a desk (1280×800), on the demo data, in Chromium:
no sideways scrolling, a compact header with Uitloggen in view, results before filters on
Zoeken, a styled primary action and honest shortcuts in Beoordelen, a readable transcript
review, and a home page per role. A screenshot of every staff page is kept under
test-artifacts/schermen/<width>/."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from tests.browser import migrated_sqlite_app, served, serious_axe_violations
from tests.support.paths import PROJECT_ROOT, VOORBEELDEN

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "schermen"
SCHERMEN = {360: (360, 640), 1280: (1280, 800)}
STAF_PAGINAS = (
    "/", "/zoeken/", "/zoeken/tellen", "/verhalen/", "/verhalen/1", "/beoordelen", "/rondes/",
    "/rondes/lelystad-2026-voorjaar", "/transcripten/", "/transcripten/nieuw", "/pakketten/",
    "/doelenbomen/", "/doelenbomen/lelystad-sociaal-krachtige-wijken", "/gebruikers", "/logboek",
    "/profiel", "/tagger", "/waarderen/",
)
# px: the header was 217–368 px of a 640 px phone screen, and 117–211 px on a desk.
MAX_KOP = {360: 64, 1280: 110}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo installation (three trees, 90 stories, one account per role), served."""
    from verhalenbank.demo import DEMO_WACHTWOORD, load_demo_data
    from verhalenbank.extensions import db

    app = migrated_sqlite_app(tmp_path_factory.mktemp("schermen"))
    with app.app_context():
        load_demo_data()
        db.session.remove()
    with served(app) as base:
        yield app, base, DEMO_WACHTWOORD


def _pagina(browser, breedte: int):
    width, height = SCHERMEN[breedte]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL", bypass_csp=True)
    context.set_default_timeout(60_000)
    return context.new_page()


def _inloggen(page, base: str, rol: str, wachtwoord: str) -> None:
    email = {"beleidsadviseur": "beleid"}.get(rol, rol)
    page.goto(f"{base}/inloggen")
    page.fill("input[name=email]", f"{email}@demo.verhalenbank.nl")
    page.fill("input[name=wachtwoord]", wachtwoord)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()
    assert "/inloggen" not in page.url


@contextmanager
def _ingelogd(browser, demo, breedte: int, rol: str, pad: str | None = None):
    """A page at `breedte`, logged in as `rol` on the demo, opened on `pad`; closed afterwards."""
    _, base, wachtwoord = demo
    page = _pagina(browser, breedte)
    try:
        _inloggen(page, base, rol, wachtwoord)
        if pad is not None:
            page.goto(base + pad)
        yield page
    finally:
        page.context.close()


def _uitloggen_vak(page) -> dict:
    return page.get_by_role("button", name="Uitloggen").bounding_box()


@pytest.mark.parametrize("breedte", [360, 1280])
def test_every_staff_page_fits_the_screen_with_the_header_in_view(browser, demo, breedte):
    _, base, wachtwoord = demo
    page = _pagina(browser, breedte)
    map_ = ARTIFACTS / str(breedte)
    map_.mkdir(parents=True, exist_ok=True)
    try:
        _inloggen(page, base, "beheerder", wachtwoord)
        for pad in STAF_PAGINAS:
            antwoord = page.goto(base + pad)
            assert antwoord.status == 200, pad
            page.wait_for_load_state()
            naam = re.sub(r"\W+", "-", pad.strip("/")) or "home"
            page.screenshot(path=str(map_ / f"{naam}.png"), full_page=True)
            scroll_breedte = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_breedte <= breedte, f"{pad} scrolls sideways at {breedte} px: {scroll_breedte} px wide"
            knop = _uitloggen_vak(page)
            assert knop["x"] >= 0 and knop["x"] + knop["width"] <= breedte, f"Uitloggen cut off on {pad}: {knop}"
            assert knop["y"] + knop["height"] <= SCHERMEN[breedte][1]
            kop = page.locator("header.kop").bounding_box()["height"]
            assert kop <= MAX_KOP[breedte], f"header is {kop} px high on {pad}"
            assert serious_axe_violations(page) == [], pad
    finally:
        page.context.close()


def test_phone_menu_opens_and_leads_to_every_staff_page(browser, demo):
    base = demo[1]
    with _ingelogd(browser, demo, 360, "beheerder") as page:
        assert page.locator("nav.menu-breed").is_hidden()
        page.get_by_text("Menu", exact=True).click()
        menu = page.get_by_role("navigation", name="Hoofdmenu (klein scherm)")
        assert menu.is_visible()
        menu.get_by_role("link", name="Zoeken", exact=True).click()
        page.wait_for_load_state()
        assert page.url == f"{base}/zoeken"
        assert page.get_by_role("heading", level=1).inner_text() == "Zoeken in verhalen"


@pytest.mark.parametrize("breedte", [360, 1280])
def test_zoeken_shows_results_before_filters_on_a_phone(browser, demo, breedte):
    with _ingelogd(browser, demo, breedte, "beleidsadviseur", "/zoeken/") as page:
        eerste = page.locator(".resultaten h2").bounding_box()
        filters = page.locator("aside.filters").bounding_box()
        if breedte == 360:
            assert eerste["y"] < filters["y"]
            assert eerste["y"] < 2 * SCHERMEN[360][1], f"results start {eerste['y']} px down"
            assert page.get_by_role("link", name="Naar de filters").is_visible()
        else:
            assert filters["x"] < eerste["x"]  # the filters stay in their own column on a desk
            assert page.get_by_role("link", name="Naar de filters").is_hidden()


@pytest.mark.parametrize("breedte", [360, 1280])
def test_beoordelen_yes_is_the_primary_button_and_shortcuts_are_honest(browser, demo, breedte):
    with _ingelogd(browser, demo, breedte, "beleidsadviseur", "/beoordelen") as page:
        achtergrond = "el => getComputedStyle(el).backgroundColor"
        assert page.locator("#knop-bevestigen").evaluate(achtergrond) == "rgb(11, 83, 148)"  # --accent
        assert page.locator("#knop-afwijzen").evaluate(achtergrond) == "rgb(255, 255, 255)"
        toetsen = page.locator(".toetsen").inner_text()
        heeft_ander = page.locator("#ander-subdoel").count() == 1
        assert ("ander subdoel" in toetsen) is heeft_ander


def test_shortcut_a_is_not_advertised_without_its_control(demo):
    """A story already labelled with every subdoel of its tree: no 'A' in the hint."""
    app, _, _ = demo
    from flask import render_template

    with app.test_request_context("/beoordelen"):
        html = _render_beoordelen(app, render_template, andere=[])
        assert "Sneltoetsen" in html
        assert "ander subdoel kiezen" not in html
        html = _render_beoordelen(app, render_template, andere=None)
        assert "ander subdoel kiezen" in html


def _render_beoordelen(app, render_template, *, andere):
    from flask_login import login_user
    from sqlalchemy import select

    from verhalenbank.accounts.models import Gebruiker
    from verhalenbank.extensions import db
    from verhalenbank.nlp.operations import review_queue
    from verhalenbank.nlp.routes import LegeForm

    login_user(db.session.scalar(select(Gebruiker).where(Gebruiker.rol == "beleidsadviseur")))
    huidig = next(t for t in review_queue(limit=50) if t.verhaal.tekst_publiek)
    if andere is None:
        andere = [s for s in huidig.subdoel.doelenboom.subdoelen if s.id != huidig.subdoel_id]
    return render_template(
        "nlp/beoordelen.html", bomen=[], boom_id=None, huidig=huidig, volgende=[],
        andere_subdoelen=andere, form=LegeForm(),
    )


@pytest.mark.parametrize("breedte", [360, 1280])
def test_transcript_review_has_full_width_text_in_the_normal_font(browser, demo, breedte):
    with _ingelogd(browser, demo, breedte, "aanbieder", "/transcripten/nieuw") as page:
        page.set_input_files("#bestand", str(VOORBEELDEN / "transcript-ontmoetingsplek.txt"))
        page.select_option("#ronde", "lelystad-2026-voorjaar")
        page.click("button:has-text('Uploaden en splitsen')")
        page.wait_for_selector("form[data-transcript-review]", timeout=120_000)
        # The status page reloads itself when the transcript is read: measure the
        # review page once it has loaded with its style sheet, both boxes at once.
        page.wait_for_load_state("load")
        vak = page.locator("#tekst-0")
        vak_breedte, passage_breedte, rem = page.evaluate(
            "() => ['#tekst-0', '#passage-0'].map("
            "s => document.querySelector(s).getBoundingClientRect().width)"
            ".concat([parseFloat(getComputedStyle(document.documentElement).fontSize)])")
        assert vak_breedte >= 0.9 * (passage_breedte - 40)
        # The form keeps a readable measure (60rem): the style sheet was applied.
        assert passage_breedte <= min(breedte, 60 * rem)
        assert "monospace" not in vak.evaluate("el => getComputedStyle(el).fontFamily")
        # The question is text, not an input that looks empty.
        vraag = page.locator("#passage-0 blockquote.aanleiding")
        assert "Gevraagd" in vraag.inner_text()
        assert vraag.locator("input, textarea").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= breedte
        page.screenshot(path=str(ARTIFACTS / str(breedte) / "transcript-controle.png"), full_page=True)
        assert serious_axe_violations(page) == []


@pytest.mark.parametrize("breedte", [360, 1280])
def test_resident_form_is_short_with_consent_by_the_send_button(browser, demo, breedte):
    """Lelystad's form: at most three phone screens to 'Verstuur', consent right above it,
    only Lelystad's topics in residents' words, and no staff link."""
    from verhalenbank.demo import DEMO_ONDERWERPEN

    _, base, _ = demo
    page = _pagina(browser, breedte)
    try:
        page.goto(f"{base}/r/lelystad-2026-voorjaar")
        verstuur = page.get_by_role("button", name="Verstuur mijn verhaal").bounding_box()
        scroll_y = page.evaluate("window.scrollY")
        onderkant = verstuur["y"] + scroll_y + verstuur["height"]
        if breedte == 360:
            assert onderkant <= 3 * SCHERMEN[360][1], f"'Verstuur' ends {onderkant} px down (more than 3 screens)"
        toestemming = page.locator("fieldset.toestemming").bounding_box()
        assert 0 <= verstuur["y"] - (toestemming["y"] + toestemming["height"]) <= 40
        assert page.locator("#toestemming").is_visible()
        # The optional part is folded away until asked for.
        assert page.locator("details.meer-vertellen").get_attribute("open") is None
        assert page.locator("#foto").is_hidden()
        onderwerpen = page.locator("fieldset.zelfduiding-onderwerp label").all_inner_texts()
        assert [label.strip() for label in onderwerpen] == [*DEMO_ONDERWERPEN["lelystad-2026-voorjaar"].values(), "Iets anders"]
        assert page.get_by_role("link", name="Inloggen").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= breedte
        (ARTIFACTS / str(breedte)).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / str(breedte) / "formulier-lelystad.png"), full_page=True)
        assert serious_axe_violations(page, best_practice=True) == []
    finally:
        page.context.close()


def test_an_error_in_the_folded_part_unfolds_it(demo):
    app, _, _ = demo
    client = app.test_client()
    from verhalenbank.rondes.publiek import VELDEN_INGEVOUWEN

    assert "foto" in VELDEN_INGEVOUWEN
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        antwoord = client.post(
            "/r/lelystad-2026-voorjaar",
            data={"tekst": "Een verhaal met een rare afzender.", "toestemming": "y", "email": "geen-adres"},
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    html = antwoord.get_data(as_text=True)
    assert antwoord.status_code == 400
    assert '<details class="optioneel meer-vertellen" open>' in html
