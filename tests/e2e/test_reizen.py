"""The four users' journeys in Debian's Chromium, against `verhalenbank serve` (SQLite and
PostgreSQL). They build on each other, as in real life: the resident's story and the
aanbieder's transcript stories are what the beleidsadviseur finds and the facilitator packs.

Every page visited is scanned with axe-core (no serious or critical violations) and
screenshotted under test-artifacts/e2e/<database>/<journey>/; the pack's PDF is kept there too.
"""

from __future__ import annotations

import io
import json
import re
import time

import pytest
from PIL import ExifTags, Image

from tests.support.paths import VOORBEELDEN
from tests.e2e.paginas import E2E_ARTIFACTS, ORGANISATIE, RONDE, Klikteller, login, new_page
from tests.e2e.omgeving import LELYSTAD

pytestmark = pytest.mark.browser

NAAM_IN_VERHAAL = "Fatima Yilmaz"
VERHAAL = (
    f"Sinds de zomer drink ik elke dinsdag koffie in de buurtkamer. Daar leerde ik mijn buurvrouw "
    f"{NAAM_IN_VERHAAL} kennen. Nu maken we op straat altijd even een praatje en helpen we elkaar met boodschappen. "
    "Ik voel me minder alleen in de buurt."
)
OFFLINE_VERHAAL = "In de bus schreef ik dit zonder internet: de vrijwilliger belde me terug zoals beloofd."
KENMERK = "elke dinsdag koffie"  # in the public text too: picks the resident's story out
TRANSCRIPT = VOORBEELDEN / "transcript-ontmoetingsplek.txt"
TELLERS = ["Gerrit", "Tineke", "Ahmed", "Wilma", "Joke", "Bert", "Dini"]  # in the order they first speak
JOKE_ZEGT = "bloemstukjes"  # in the story of Joke, who 'wil niet geciteerd worden'


def _photo_with_gps(path):
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Telefoon van de test"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (5.0, 28.0, 40.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 140, 200)).save(buffer, "JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def _rows(server, sql: str, **params) -> list[tuple]:
    from sqlalchemy import text

    engine = server.omg.engine()
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def test_inwoner_tells_a_story_from_the_qr_code(verhalenbank, browser, controle, tmp_path):
    base = verhalenbank.base_url
    # The QR code on the ronde's poster encodes exactly the public address the phone opens.
    beheer = new_page(browser, phone=False)
    login(beheer, base, "beheerder")
    qr = beheer.request.get(f"{base}/rondes/{RONDE}/qr.svg")
    assert qr.ok
    from verhalenbank.rondes.poster import qr_svg

    qr_adres = f"{base}/r/{RONDE}"
    assert qr.body() == qr_svg(qr_adres)
    beheer.context.close()

    page = new_page(browser, phone=True)
    page.goto(qr_adres)
    assert "Vertel over een moment in de buurtkamer" in page.inner_text("h1")
    controle(page, "formulier")

    page.fill("#tekst", VERHAAL)
    page.click("details.meer-vertellen summary")  # photo, who and wijk are folded away
    page.set_input_files("#foto", str(_photo_with_gps(tmp_path / "IMG_0042.jpg")))
    # The one-tap questions: how it felt, what it was about, who was involved.
    page.click("label[for=zd_gevoel-4]")
    page.click("label[for=zd_onderwerp-0]")
    page.click("label[for=zd_wie-2]")
    page.select_option("#wijk", "Atolwijk")
    page.check("#toestemming")
    page.check("#citeren")  # only quotable stories go into a feedback pack
    controle(page, "formulier-ingevuld")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/r/{RONDE}/bedankt")
    assert "Dank u wel" in page.inner_text("h1")
    assert page.inner_text("#intrekcode")
    controle(page, "bedankt")

    # On the bus without signal: the form opens from the phone's copy (service worker), the
    # second story waits on the phone and arrives once when the connection is back.
    page.goto(qr_adres)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()
    assert "Vertel over een moment in de buurtkamer" in page.inner_text("h1")
    page.fill("#tekst", OFFLINE_VERHAAL)
    page.check("#toestemming")
    page.click("button[type=submit]")
    status = page.locator("#verzendstatus")
    status.filter(has_text="Nog niet verstuurd").wait_for()
    controle(page, "offline-nog-niet-verstuurd")
    assert _rows(verhalenbank, "SELECT COUNT(*) FROM verhalen WHERE tekst = :tekst", tekst=OFFLINE_VERHAAL) == [(0,)]
    page.context.set_offline(False)
    status.filter(has_text=re.compile(r"^Verstuurd\.")).wait_for()
    controle(page, "weer-online-verstuurd")
    page.context.close()
    assert _rows(verhalenbank, "SELECT COUNT(*) FROM verhalen WHERE tekst = :tekst", tekst=OFFLINE_VERHAAL) == [(1,)]

    _wait_until_analysed(verhalenbank)
    [(verhaal_id, wijk, publiek)] = _rows(
        verhalenbank, "SELECT id, wijk, tekst_publiek FROM verhalen WHERE tekst = :tekst", tekst=VERHAAL
    )
    assert wijk == "Atolwijk"
    assert publiek and "Yilmaz" not in publiek, "the public text must be pseudonymised"
    antwoorden = _rows(verhalenbank, "SELECT vraag FROM zelfduiding_antwoorden WHERE verhaal_id = :id", id=verhaal_id)
    assert sorted(a for (a,) in antwoorden) == ["gevoel", "onderwerp", "wie"]
    [(bestand,)] = _rows(verhalenbank, "SELECT bestand FROM fotos WHERE verhaal_id = :id", id=verhaal_id)
    with Image.open(verhalenbank.omg.data_dir / "fotos" / bestand) as foto:
        assert not foto.getexif(), "GPS and other EXIF data must be stripped from the stored photo"


def test_aanbieder_uploads_a_transcript_and_saves_one_story_per_teller_in_few_clicks(verhalenbank, browser, controle):
    """Upload to save: the split gives one story per teller (follow-up answers and closing
    one-liners joined to their speaker), so the aanbieder needs no corrections. The clicks are
    counted in the browser and kept in test-artifacts/e2e/<database>/klikken.json."""
    base = verhalenbank.base_url
    page = new_page(browser, phone=False)
    login(page, base, "aanbieder")
    page.goto(f"{base}/transcripten/nieuw")
    teller = Klikteller(page.context)
    page.reload()
    controle(page, "uploaden")
    page.set_input_files("#bestand", str(TRANSCRIPT))
    page.select_option("#ronde", RONDE)
    page.click("details.optioneel summary")  # the session's details are folded away
    page.fill("#activiteit", "Vertelsessie De Schakel")
    page.fill("#gespreksleider", "Marieke")
    page.check("#toestemming")
    page.check("#citeren")
    page.click("button:has-text('Uploaden en splitsen')")
    page.wait_for_selector("form[data-transcript-review]", timeout=120_000)
    controle(page, "voorstel")

    legends = [page.inner_text(f"#passage-{i} legend") for i in range(page.locator("fieldset[data-passage]").count())]
    sprekers = [legend.split(": ", 1)[1].split(" (")[0] for legend in legends]
    assert sprekers == TELLERS, legends
    assert "Hij vroeg wat" in page.input_value("#tekst-0"), "Gerrit's follow-up answer belongs to his story"
    assert "wat vaker iets vragen" in page.input_value("#tekst-0"), "his closing wish too"

    page.click(f"button:has-text('{len(TELLERS)} verhalen opslaan')")
    page.wait_for_selector("text=Opgeslagen verhalen", timeout=120_000)
    controle(page, "opgeslagen")
    klikken = teller.aantal
    page.context.close()
    # Unfold the details, tick consent and quoting, upload, save. Before the split joined
    # follow-ups and one-liners (commit 1bda35f) it proposed 16 stories for these 7 tellers:
    # 9 more clicks (3 merges, 6 removals), each a page load.
    uitvoer = E2E_ARTIFACTS / verhalenbank.omg.kind / "klikken.json"
    uitvoer.parent.mkdir(parents=True, exist_ok=True)
    uitvoer.write_text(json.dumps({"transcript_upload_tot_opslaan": klikken}))
    assert 4 <= klikken <= 5, klikken

    rows = _rows(
        verhalenbank,
        "SELECT v.id, o.naam FROM verhalen v JOIN organisaties o ON o.id = v.organisatie_id "
        "JOIN rondes r ON r.id = v.ronde_id WHERE v.transcript_id IS NOT NULL AND r.slug = :slug",
        slug=RONDE,
    )
    assert len(rows) == len(TELLERS)
    assert {naam for _, naam in rows} == {ORGANISATIE}


def _wait_until_analysed(server, *, indexed: bool = False, timeout: float = 120) -> None:
    """The worker analyses, then indexes, after the server has answered: wait for it."""
    deadline = time.monotonic() + timeout
    while _rows(server, "SELECT COUNT(*) FROM verhalen WHERE analyse_status = :s", s="te analyseren") != [(0,)]:
        assert time.monotonic() < deadline, "stories still waiting for analysis"
        time.sleep(0.3)
    while indexed and server.omg.search_index_count() != _rows(server, "SELECT COUNT(*) FROM verhalen")[0][0]:
        assert time.monotonic() < deadline, "stories still waiting for the search index"
        time.sleep(0.5)


def _shared_subdoel(server) -> str:
    """A subdoel suggested for the resident's story and for a transcript story.

    Which indicator the tagger picks inside a subdoel depends on a story's exact words; the
    subdoel is what both kinds of story must share for this journey."""
    _wait_until_analysed(server, indexed=True)
    rows = _rows(
        server,
        "SELECT v.transcript_id IS NOT NULL, s.code FROM tags t "
        "JOIN verhalen v ON v.id = t.verhaal_id JOIN subdoelen s ON s.id = t.subdoel_id "
        "WHERE t.afgewezen = :nee",
        nee=False,
    )
    inwoner = {s for uit_transcript, s in rows if not uit_transcript}
    transcript = {s for uit_transcript, s in rows if uit_transcript}
    shared = sorted(inwoner & transcript)
    assert shared, f"no subdoel suggested for both kinds of story: {sorted(inwoner)} / {sorted(transcript)}"
    return shared[0]


def test_beleidsadviseur_finds_both_by_subdoel_and_confirms_a_tag(verhalenbank, browser, controle):
    base = verhalenbank.base_url
    subdoel = _shared_subdoel(verhalenbank)
    waarde = f"{LELYSTAD}:{subdoel}"
    page = new_page(browser, phone=False)
    login(page, base, "beleidsadviseur")
    page.goto(f"{base}/zoeken")
    controle(page, "zoeken")

    page.check(f"input[name=subdoel][value='{waarde}']")
    page.click("aside button:has-text('Filters toepassen')")
    page.wait_for_load_state()
    controle(page, "op-subdoel")
    kaarten = page.locator("article.treffer")
    teksten = kaarten.all_inner_texts()
    assert sum(KENMERK in tekst for tekst in teksten) == 1, "the resident's story is found"
    gevonden = {
        int(href.rsplit("/", 1)[-1])
        for href in kaarten.locator("h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    }
    [(inwoner_id,)] = _rows(verhalenbank, "SELECT id FROM verhalen WHERE tekst = :tekst", tekst=VERHAAL)
    uit_transcript = {i for (i,) in _rows(verhalenbank, "SELECT id FROM verhalen WHERE transcript_id IS NOT NULL")}
    assert inwoner_id in gevonden, "the resident's story is found"
    assert gevonden & uit_transcript, "a story from the transcript is found"
    assert NAAM_IN_VERHAAL not in page.content(), "only pseudonymised text is shown"

    def bevestigd_aantal() -> int:
        page.check("input[name=tags][value=bevestigd]")
        page.click("aside button:has-text('Filters toepassen')")
        page.wait_for_load_state()
        kop = page.inner_text("#resultaten-kop")
        match = re.match(r"(\d+)", kop)
        return int(match.group(1)) if match else 0

    voor = bevestigd_aantal()
    controle(page, "alleen-bevestigd-voor")
    page.check("input[name=tags][value=alle]")
    page.click("aside button:has-text('Filters toepassen')")
    page.wait_for_load_state()

    kaart = kaarten.filter(has_text=KENMERK)
    tag = kaart.locator("li.tag", has_text=f"{subdoel} ").filter(has_text="voorstel").first
    tag.get_by_role("button", name="Klopt", exact=True).click()
    page.wait_for_load_state()
    assert "Label bevestigd" in page.content()
    controle(page, "tag-bevestigd")
    # And one story from the transcript, so the pack has confirmed stories from both sources.
    uit_sessie = kaarten.filter(has_not_text=KENMERK).filter(
        has=page.locator("li.tag", has_text=f"{subdoel} ").filter(has_text="voorstel")
    ).first
    uit_sessie.locator("li.tag", has_text=f"{subdoel} ").filter(has_text="voorstel").first.get_by_role(
        "button", name="Klopt", exact=True
    ).click()
    page.wait_for_load_state()
    assert "Label bevestigd" in page.content()

    na = bevestigd_aantal()
    controle(page, "alleen-bevestigd-na")
    assert na == voor + 2
    page.context.close()

    assert _rows(
        verhalenbank,
        "SELECT COUNT(*) FROM tags t JOIN verhalen v ON v.id = t.verhaal_id WHERE t.bevestigd = :ja AND v.tekst = :tekst",
        ja=True, tekst=VERHAAL,
    ) == [(1,)]


def test_facilitator_builds_the_pack_drops_a_story_and_downloads_the_pdf(verhalenbank, browser, controle):
    from pypdf import PdfReader

    base = verhalenbank.base_url
    page = new_page(browser, phone=False)
    login(page, base, "facilitator")
    page.goto(f"{base}/pakketten/")
    controle(page, "pakketten")
    page.locator("form", has=page.locator(f"input[name=ronde][value='{RONDE}']")).get_by_role(
        "button", name="Nieuw pakket maken"
    ).click()
    page.wait_for_selector("h1.pakket-kop", timeout=120_000)
    controle(page, "pakket")

    verhalen = page.locator("article.pakket-verhaal")
    assert verhalen.count() >= 2
    # Joke said in the transcript's header that she does not want to be quoted: never in the pack.
    assert JOKE_ZEGT not in page.inner_text("main")
    weg = verhalen.first
    weg_sleutel = weg.get_attribute("data-verhaal")
    weg_titel = weg.locator(".verhaal-titel").inner_text()
    weg.get_by_role("button", name="Weglaten").click()
    page.wait_for_selector("#weggelaten-kop")
    assert "Weggelaten verhalen (1)" in page.inner_text("#weggelaten-kop")
    assert page.locator(f"article.pakket-verhaal[data-verhaal='{weg_sleutel}']").count() == 0
    controle(page, "verhaal-weggelaten")

    with page.expect_download(timeout=180_000) as download_info:
        page.click("a:has-text('PDF downloaden')")
    download = download_info.value
    target = controle.folder / f"pakket-{RONDE}.pdf"
    download.save_as(str(target))
    page.context.close()

    reader = PdfReader(str(target))
    assert len(reader.pages) >= 1
    tekst = "\n".join(p.extract_text() or "" for p in reader.pages)
    assert NAAM_IN_VERHAAL not in tekst
    assert JOKE_ZEGT not in tekst
    assert len(weg_titel.strip()) >= 8, "the omitted story needs a distinctive title for this check"
    assert weg_titel.strip() not in tekst
