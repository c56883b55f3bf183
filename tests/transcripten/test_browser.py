"""The transcript review in a real browser (Debian's Chromium via Playwright), CSRF and CSP on:
upload, progress while reading in the background, split at the cursor, merge, save, ronde page."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .fixtures import VOORBEELDEN

from tests.browser import migrated_sqlite_app, served, serious_axe_violations

pytestmark = pytest.mark.browser

WACHTWOORD = "geheim-wachtwoord-123"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    from verhalenbank.accounts import operations as accounts
    from verhalenbank.extensions import db
    from verhalenbank.rondes.operations import RondeGegevens, create_ronde

    app = migrated_sqlite_app(tmp_path_factory.mktemp("transcript-browser"))
    with app.app_context():
        create_ronde(RondeGegevens(slug="lelystad-2026-voorjaar", titel="Lelystad voorjaar 2026"))
        organisatie = accounts.get_or_create_organisatie("De Schakel")
        accounts.create_gebruiker("aanbieder@schakel.nl", "aanbieder", wachtwoord=WACHTWOORD, organisatie=organisatie)
        db.session.commit()
        db.session.remove()
    with served(app) as base:
        yield app, base



@pytest.fixture
def page(browser, live_app):
    _, base = live_app
    # bypass_csp only so axe can be injected; the pages themselves need no inline script.
    context = browser.new_context(bypass_csp=True, locale="nl-NL")
    page = context.new_page()
    fouten: list[str] = []
    page.on(
        "console",
        # The browser's own favicon request is no concern of these pages.
        lambda bericht: fouten.append(bericht.text)
        if bericht.type == "error" and "favicon" not in (bericht.location or {}).get("url", "")
        else None,
    )
    page.goto(f"{base}/inloggen")
    page.fill("input[name=email]", "aanbieder@schakel.nl")
    page.fill("input[name=wachtwoord]", WACHTWOORD)
    page.click("form button[type=submit]:not(.knop-link)")
    page.wait_for_load_state()
    page.console_fouten = fouten
    yield page
    context.close()


def _upload(page, base: str, pad: Path) -> None:
    page.goto(f"{base}/transcripten/nieuw")
    page.set_input_files("input[name=bestand]", str(pad))
    page.select_option("select[name=ronde]", "lelystad-2026-voorjaar")
    page.click("details.optioneel summary")  # the session's details are folded away
    page.fill("input[name=activiteit]", "Dagactiviteit De Schakel")
    page.check("input[name=toestemming]")
    page.click("button:has-text('Uploaden en splitsen')")


def test_review_split_at_cursor_merge_and_save(live_app, page):
    app, base = live_app
    _upload(page, base, VOORBEELDEN / "transcript-ontmoetingsplek.txt")
    page.wait_for_selector("[data-transcript-review]")
    # One story per teller: Marieke's follow-up questions stay inside the answer they belong to.
    assert page.locator("textarea[name=tekst]").count() == 7
    assert "[Marieke: Wat maakte dat het nu wel lukte?]" in page.input_value("#tekst-0")
    assert serious_axe_violations(page) == []

    # The script turned the split buttons into "at the cursor".
    knop = page.locator("#passage-0 [data-splits]")
    assert knop.inner_text() == "Splitsen bij de cursor"
    vak = page.locator("#tekst-0")
    vak.click()
    vak.evaluate(
        "el => { const i = el.value.indexOf('Mensen vragen nooit wat.'); el.focus();"
        " el.setSelectionRange(i, i); el.dispatchEvent(new Event('select')); }"
    )
    knop.click()
    page.wait_for_selector("[data-transcript-review]")
    assert page.locator("textarea[name=tekst]").count() == 8
    assert page.input_value("#tekst-0").endswith("Hij vroeg wat.")
    assert page.input_value("#tekst-1").startswith("Mensen vragen nooit wat.")

    # Merge them back, edit a text, then save.
    page.click("#passage-0 button[value='samenvoegen:0']")
    page.wait_for_selector("[data-transcript-review]")
    assert page.locator("textarea[name=tekst]").count() == 7
    page.fill("#tekst-1", "Iedereen doet alsof hij alles zelf kan, zegt Tineke.")
    page.click("button[value=opslaan]")
    page.wait_for_selector("text=7 verhalen opgeslagen.")

    page.goto(f"{base}/rondes/lelystad-2026-voorjaar")
    assert "Verhalen (7)" in page.inner_text("main")
    assert page.console_fouten == []


def test_progress_while_reading_in_the_background(live_app, page, monkeypatch):
    from verhalenbank.transcripten import operations

    _, base = live_app
    echte_verwerking = operations.verwerk_transcript

    def traag(transcript_id: int) -> None:
        time.sleep(2)  # long enough for the page to show progress and poll
        echte_verwerking(transcript_id)

    monkeypatch.setattr(operations, "ACHTERGROND_DREMPEL", 100)
    monkeypatch.setattr(operations, "verwerk_transcript", traag)
    _upload(page, base, VOORBEELDEN / "transcript-jongerenwerk.srt")
    page.wait_for_selector("progress")
    assert "U kunt deze pagina gerust verlaten" in page.inner_text("main")
    # The script polls the status and shows the review once reading is done, without a click.
    page.wait_for_selector("[data-transcript-review]", timeout=20_000)
    assert page.locator("textarea[name=tekst]").count() == 6  # one story per young teller
    assert page.console_fouten == []
