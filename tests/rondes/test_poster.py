"""QR codes, posters and flyers for a ronde's public address."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree

import pytest
import qrcode
from PIL import Image
from pypdf import PdfReader

from verhalenbank.rondes import poster

URL = "https://verhalen.lelystad.nl/r/buurtkamer-voorjaar-2026"
VRAAG = "Vertel over een moment in de buurtkamer dat voor u belangrijk was."


def expected_modules(url: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=poster.QR_ERROR_CORRECTION, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


def read_modules(image: Image.Image, count: int) -> list[list[bool]]:
    """Sample the centre of each module of a square QR bitmap: True where it is dark."""
    grey = image.convert("L")
    step = grey.width / count
    return [
        [grey.getpixel((int((column + 0.5) * step), int((row + 0.5) * step))) < 128 for column in range(count)]
        for row in range(count)
    ]


def test_short_address_is_what_a_person_types():
    assert poster.short_address(URL) == "verhalen.lelystad.nl/r/buurtkamer-voorjaar-2026"
    assert poster.short_address("http://www.example.nl/r/x/") == "example.nl/r/x"
    assert poster.short_address("http://127.0.0.1:5000/r/x") == "127.0.0.1:5000/r/x"


def test_qr_png_encodes_the_public_address():
    png = poster.qr_png(URL, box_size=6)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    matrix = expected_modules(URL)
    assert image.size == (len(matrix) * 6, len(matrix) * 6)
    assert read_modules(image, len(matrix)) == matrix
    # A different address must give a different code (the test above can tell them apart).
    assert expected_modules(URL + "-x") != matrix


def test_qr_svg_is_valid_svg_with_one_path():
    svg = poster.qr_svg(URL)
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    paths = [element for element in root.iter() if element.tag.endswith("path")]
    assert len(paths) == 1 and len(paths[0].get("d")) > 100
    assert b"<script" not in svg


def test_qr_needs_an_address():
    with pytest.raises(ValueError):
        poster.qr_png("")


@pytest.mark.parametrize("paper", [poster.A4, poster.A6], ids=["A4-poster", "A6-flyer"])
def test_poster_holds_a_scannable_qr_and_fits_the_paper(paper):
    rendered = poster.render_poster(VRAAG, URL, paper, titel="Buurtkamer Atolwijk, voorjaar 2026")
    assert rendered.image.size == paper.pixels
    left, top, right, bottom = rendered.qr_box
    assert right <= rendered.image.width and bottom < rendered.content_bottom <= rendered.image.height
    # Large enough to scan: 5 cm on a wall poster (from a metre away), 3 cm on a flyer in the hand.
    side_mm = (right - left) / paper.dpi * 25.4
    assert side_mm >= (50 if paper is poster.A4 else 30)
    matrix = expected_modules(URL)
    assert read_modules(rendered.image.crop(rendered.qr_box), len(matrix)) == matrix


def test_long_question_still_fits_on_the_flyer():
    long_question = " ".join([VRAAG] * 8)
    rendered = poster.render_poster(long_question, URL, poster.A6)
    assert rendered.content_bottom <= rendered.image.height


def test_poster_pdf_has_the_paper_size():
    pdf = PdfReader(io.BytesIO(poster.poster_pdf(VRAAG, URL, poster.A4)))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2
    flyer = PdfReader(io.BytesIO(poster.poster_pdf(VRAAG, URL, poster.A6)))
    box = flyer.pages[0].mediabox
    assert abs(float(box.width) - 297.6) < 2 and abs(float(box.height) - 419.5) < 2


def test_poster_png_carries_print_resolution():
    image = Image.open(io.BytesIO(poster.poster_png(VRAAG, URL, poster.A6)))
    assert image.size == poster.A6.pixels
    assert round(image.info["dpi"][0]) == poster.A6.dpi
