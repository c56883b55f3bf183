"""HTML print view and PDF from the same template (no database)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfReader

from tests.pakketten.voorbeelden import VOORBEELDEN, invoer_voor_ronde
from verhalenbank.pakketten.samenstellen import bouw_pakket
from verhalenbank.pakketten.weergave import CSS_PAD, render_html, render_pdf, render_samenvatting_html

ARTEFACTEN = Path(__file__).resolve().parents[2] / "test-artifacts"


def _pdf_tekst(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _normaal(tekst: str) -> str:
    return " ".join(tekst.split())


def test_print_css_has_a4_page_numbers_and_unbroken_stories():
    css = CSS_PAD.read_text(encoding="utf-8")
    assert "size: A4" in css and "counter(page)" in css and "counter(pages)" in css
    assert ".pakket-verhaal {\n  break-inside: avoid;" in css


def test_pdf_has_every_subdoel_title_and_the_four_moves():
    invoer = invoer_voor_ronde("hoorn-2026-najaar")
    inhoud = bouw_pakket(invoer)
    pdf = render_pdf(inhoud)
    tekst = _normaal(_pdf_tekst(pdf))
    for subdoel in invoer.doelenbomen[0].subdoelen:
        assert _normaal(subdoel.titel) in tekst
    for beweging in ("Herkennen.", "Verklaren.", "Waarderen.", "Verbeteren."):
        assert beweging in tekst
    assert "Herkent u dat?" in tekst
    assert "Pagina 1 van" in tekst
    assert "Wat u ons vertelde" in tekst
    ARTEFACTEN.mkdir(exist_ok=True)
    (ARTEFACTEN / "pakket-hoorn.pdf").write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
             str(ARTEFACTEN / "pakket-hoorn.pdf"), str(ARTEFACTEN / "pakket-hoorn-pagina-1")],
            check=True,
        )
        assert (ARTEFACTEN / "pakket-hoorn-pagina-1.png").stat().st_size > 1000


def test_script_injection_is_literal_text_in_html_and_pdf():
    regels = [json.loads(r) for r in (VOORBEELDEN / "slechte-invoer" / "script-injectie.jsonl").read_text().splitlines() if r.strip()]
    for regel in regels:
        regel["labels"] = ["LW1"]
        regel["ronde"] = "lelystad-2026-voorjaar"
    invoer = invoer_voor_ronde("lelystad-2026-voorjaar", regels)
    # Make sure the hostile stories are shown: pin them.
    from verhalenbank.pakketten.gegevens import Keuzes, SectieKeuze

    keuzes = Keuzes({"LW1": SectieKeuze(vast=[r["id"] for r in regels])})
    inhoud = bouw_pakket(invoer, keuzes)
    html = render_html(inhoud)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    tekst = _pdf_tekst(render_pdf(inhoud))
    assert "<script>alert(1)</script>" in tekst
    assert "<img src=x onerror=alert(1)>" in _normaal(tekst)


def test_one_page_summary():
    inhoud = bouw_pakket(invoer_voor_ronde("bollenstreek-2026"))
    html = render_samenvatting_html(inhoud)
    pdf = render_pdf(inhoud, template="pakketten/samenvatting.html")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "Dank u wel voor uw verhaal!" in html


def test_pdf_never_fetches_from_the_network_or_outside_allowed_folders(tmp_path):
    from verhalenbank.pakketten.gegevens import FotoInfo

    invoer = invoer_voor_ronde("lelystad-2026-voorjaar")
    geheim = tmp_path / "geheim.png"
    from PIL import Image

    Image.new("RGB", (40, 30), "black").save(geheim)
    for v in invoer.verhalen:
        if v.citeren:
            v.fotos = (FotoInfo(bron=geheim.as_uri(), alt="foto"),)
    inhoud = bouw_pakket(invoer)
    # Photos outside the allowed folder are refused (the PDF still renders, without them).
    pdf = render_pdf(inhoud, foto_bron=lambda f: f.bron)
    assert sum(len(p.images) for p in PdfReader(io.BytesIO(pdf)).pages) == 0
    # Inside the allowed photo folder they are embedded.
    (tmp_path / "fotos").mkdir()
    shutil.copy(geheim, tmp_path / "fotos" / "a.png")
    for v in invoer.verhalen:
        if v.citeren:
            v.fotos = (FotoInfo(bron="a.png", alt="foto"),)
    pdf = render_pdf(bouw_pakket(invoer), foto_map=tmp_path / "fotos")
    afbeeldingen = sum(len(p.images) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert afbeeldingen >= 1


def test_emoji_do_not_break_the_pdf_text():
    from verhalenbank.pakketten.gegevens import Keuzes, SectieKeuze

    invoer = invoer_voor_ronde("hoorn-2026-najaar")
    verhaal = next(v for v in invoer.verhalen if v.citeren and v.tags)
    verhaal.tekst += " Het was top 🙂👍🏽 ★"
    keuzes = Keuzes({t.subdoel: SectieKeuze(vast=[verhaal.sleutel]) for t in verhaal.tags})
    tekst = _pdf_tekst(render_pdf(bouw_pakket(invoer, keuzes)))
    assert "\x00" not in tekst
    assert "Het was top" in tekst and "★" in tekst
