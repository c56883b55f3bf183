"""The public form in a real browser: Debian's Chromium via Playwright at 360×640.

- axe-core (npm, ./node_modules) reports no serious or critical violations on the form, its
  error state and the thank-you page; screenshots go to test-artifacts/.
- offline: a story sent while offline is kept on the phone, shown as "nog niet verstuurd",
  and delivered exactly once when the connection returns.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select

from tests.browser import PROJECT_ROOT, import_example_trees, migrated_sqlite_app, served, serious_axe_violations

pytestmark = pytest.mark.browser


ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "publiek"
SLUG = "buurtkamer-browser"
VERHAAL = "Elke dinsdag drink ik koffie in de buurtkamer. Daar leerde ik mijn buurvrouw kennen."


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    from verhalenbank.extensions import db
    from verhalenbank.rondes.operations import RondeGegevens, create_ronde

    app = migrated_sqlite_app(tmp_path_factory.mktemp("browser-data"))
    with app.app_context():
        lelystad = import_example_trees()
        create_ronde(RondeGegevens(
            slug=SLUG, titel="Buurtkamer Atolwijk",
            vraag="Vertel over een moment in de buurtkamer dat voor u belangrijk was",
            wijken=["Atolwijk", "Centrum"], doelenboom_codes=[lelystad.code],
        ))
        db.session.commit()
        db.session.remove()
    with served(app) as base:
        yield app, base



@pytest.fixture
def page(browser):
    # bypass_csp only so axe can be injected; the app's own pages never need inline scripts.
    context = browser.new_context(viewport={"width": 360, "height": 640}, bypass_csp=True, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


def stories(app):
    from verhalenbank.extensions import db
    from verhalenbank.verhalen.models import Verhaal

    with app.app_context():
        db.session.remove()
        result = list(db.session.scalars(select(Verhaal).order_by(Verhaal.id)))
        for verhaal in result:
            _ = verhaal.zelfduiding_antwoorden
        db.session.expunge_all()
        db.session.remove()
        return result


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def photo_with_gps(path: Path) -> Path:
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "iPhone 13"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (5.0, 28.0, 40.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", (2000, 1500), (200, 150, 60)).save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def wacht_op_focus(page, element_id: str) -> None:
    """`autofocus` moves the focus on a rendering step after the page is parsed (Chromium), so a
    busy machine can look before it happens: wait for it (fails after 5 s if it never comes)."""
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id",
                           arg=element_id, timeout=5000)


def test_resident_tells_a_story_with_photo_and_answers_accessibly(live_app, page, tmp_path):
    app, base = live_app
    before = len(stories(app))
    page.goto(f"{base}/r/{SLUG}")
    assert "Vertel over een moment in de buurtkamer" in page.inner_text("h1")
    assert serious_axe_violations(page, best_practice=True) == []
    screenshot(page, "1-formulier")

    # Error state: nothing filled in. The summary gets focus and the error is tied to the field.
    page.click("button[type=submit]")
    page.wait_for_selector("#foutoverzicht")
    wacht_op_focus(page, "foutoverzicht")
    assert "tekst-fout" in page.get_attribute("#tekst", "aria-describedby")
    assert page.get_attribute("#tekst", "aria-invalid") == "true"
    assert serious_axe_violations(page, best_practice=True) == []
    screenshot(page, "2-foutmelding")

    # The typed story survives a refusal (no consent yet).
    page.fill("#tekst", VERHAAL)
    page.click("button[type=submit]")
    page.wait_for_selector("#toestemming-fout")
    assert page.input_value("#tekst") == VERHAAL

    page.click("label[for=zd_gevoel-4]")  # "Heel fijn"
    page.click("label[for=zd_onderwerp-0]")
    page.click("details.meer-vertellen summary")  # the optional part is folded away
    page.click("label[for=zd_wie-2]")  # "Buren"
    page.set_input_files("#foto", str(photo_with_gps(tmp_path / "IMG_1234.jpg")))
    page.select_option("#wijk", "Atolwijk")
    page.check("#toestemming")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/r/{SLUG}/bedankt")
    assert "Dank u wel" in page.inner_text("h1")
    code = page.inner_text("#intrekcode")
    assert len(code) == 14
    assert serious_axe_violations(page, best_practice=True) == []
    screenshot(page, "3-bedankt")

    new = stories(app)[before:]
    assert len(new) == 1
    assert new[0].tekst == VERHAAL and new[0].wijk == "Atolwijk"
    assert sorted(a.vraag for a in new[0].zelfduiding_antwoorden) == ["gevoel", "onderwerp", "wie"]

    from verhalenbank.extensions import db
    from verhalenbank.media.models import Foto

    with app.app_context():
        foto = db.session.scalars(select(Foto).where(Foto.verhaal_id == new[0].id)).one()
        stored = app.config["VERHALENBANK"].photo_dir / foto.bestand
        with Image.open(stored) as image:
            assert not image.getexif() and image.size == (1600, 1200)
        db.session.remove()

    # The withdrawal link erases it again.
    page.goto(f"{base}/r/intrekken?code={code}")
    assert serious_axe_violations(page, best_practice=True) == []
    page.check("#bevestig")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Uw verhaal is gewist")
    assert len(stories(app)) == before
    assert not stored.exists()


def test_story_sent_offline_arrives_once_when_back_online(live_app, page):
    app, base = live_app
    before = len(stories(app))
    page.goto(f"{base}/r/{SLUG}")
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)").endswith("/r/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()  # now served through the worker, which keeps a copy of the page
    page.fill("#tekst", "Offline geschreven: de vrijwilligers hielpen mij met de formulieren.")
    page.click("label[for=zd_gevoel-3]")
    page.check("#toestemming")

    page.context.set_offline(True)
    page.click("button[type=submit]")
    status = page.locator("#verzendstatus")
    status.filter(has_text="Nog niet verstuurd").wait_for()
    screenshot(page, "4-offline-nog-niet-verstuurd")
    assert len(stories(app)) == before
    queued = page.evaluate("JSON.parse(localStorage.getItem('verhalenbank:wachtrij'))")
    assert len(queued) == 1 and queued[0]["status"] == "wacht"

    # The service worker (scope /r/) lets the form open again without a connection, and the
    # queued story is still on the phone.
    page.reload()
    assert "Vertel over een moment in de buurtkamer" in page.inner_text("h1")
    status.filter(has_text="Nog niet verstuurd").wait_for()

    page.context.set_offline(False)
    status.filter(has_text=re.compile(r"^Verstuurd\.")).wait_for(timeout=15000)
    screenshot(page, "5-weer-online-verstuurd")
    after = stories(app)[before:]
    assert len(after) == 1
    assert after[0].tekst.startswith("Offline geschreven")
    assert [a.antwoord for a in after[0].zelfduiding_antwoorden] == ["4"]

    # A retry of the same story (e.g. a second tab, a lost answer) never makes a second one.
    page.evaluate(
        "() => { const q = JSON.parse(localStorage.getItem('verhalenbank:wachtrij'));"
        " q.forEach(i => { i.status = 'wacht'; i.velden = [['tekst', 'Offline geschreven: opnieuw'],"
        " ['toestemming', 'y'], ['inzend_sleutel', i.sleutel]]; });"
        " localStorage.setItem('verhalenbank:wachtrij', JSON.stringify(q)); }"
    )
    page.evaluate("() => window.verhalenbankWachtrij.verstuur()")
    page.wait_for_function(
        "() => JSON.parse(localStorage.getItem('verhalenbank:wachtrij')).every(i => i.status === 'verstuurd')"
    )
    assert len(stories(app)) == before + 1


def test_typed_story_is_kept_when_the_page_is_closed(live_app, page):
    _, base = live_app
    page.goto(f"{base}/r/{SLUG}")
    page.fill("#tekst", "Half geschreven verhaal over de moestuin.")
    page.goto(f"{base}/r/{SLUG}")
    assert page.input_value("#tekst") == "Half geschreven verhaal over de moestuin."
    page.locator("#verzendstatus").filter(has_text="teruggezet").wait_for()


def test_form_reflows_at_200_percent_zoom(live_app, page):
    """WCAG 1.4.4/1.4.10: at 200% zoom a 360 px phone is 180 CSS px wide; nothing may need
    sideways scrolling and the send button stays reachable."""
    _, base = live_app
    page.set_viewport_size({"width": 180, "height": 320})
    page.goto(f"{base}/r/{SLUG}")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate(
        "Array.from(document.querySelectorAll('*')).filter(e => e.getBoundingClientRect().right > 181 || e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id + '[' + e.getAttribute('for') + ']' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"
    )
    assert overflow <= 1, f"page is {overflow}px wider than the screen: {wide}"
    button = page.locator("button[type=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 181
    screenshot(page, "6-zoom-200")


def test_keyboard_reaches_faces_and_consent(live_app, page):
    _, base = live_app
    page.goto(f"{base}/r/{SLUG}")
    page.focus("#tekst")
    page.keyboard.type("Met het toetsenbord geschreven.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "zd_gevoel"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.checked") is True
    # The focus ring must be visible on the tile of the focused (visually hidden) radio.
    outline = page.evaluate(
        "getComputedStyle(document.querySelector('label[for=' + document.activeElement.id + ']')).outlineStyle"
    )
    assert outline == "solid"


def test_unknown_ronde_and_wrong_code_pages_are_friendly_and_accessible(live_app, page):
    _, base = live_app
    response = page.goto(f"{base}/r/bestaat-niet")
    assert response.status == 404
    assert "Dit adres kennen wij niet" in page.inner_text("h1")
    assert serious_axe_violations(page, best_practice=True) == []
    screenshot(page, "7-onbekende-ronde")

    page.goto(f"{base}/r/intrekken")
    page.fill("#code", "0000-0000-0000")
    page.check("#bevestig")
    page.click("button[type=submit]")
    page.wait_for_selector("#foutoverzicht")
    wacht_op_focus(page, "foutoverzicht")
    assert serious_axe_violations(page, best_practice=True) == []
    screenshot(page, "8-intrekken-fout")


def test_too_big_photo_is_caught_on_the_phone_and_text_kept(live_app, page):
    app, base = live_app
    before = len(stories(app))
    page.goto(f"{base}/r/{SLUG}")
    page.fill("#tekst", "Verhaal met een veel te grote foto.")
    page.check("#toestemming")
    page.set_input_files("#foto", files=[{"name": "groot.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"\0" * (16 * 1024 * 1024)}])
    page.click("button[type=submit]")
    page.locator("#verzendstatus").filter(has_text="De foto is te groot").wait_for()
    assert page.evaluate("document.activeElement.id") == "foto"
    assert page.input_value("#tekst") == "Verhaal met een veel te grote foto."
    assert len(stories(app)) == before
