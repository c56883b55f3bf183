"""QR codes, posters and flyers that lead residents to a ronde's public form.

Pure functions of the ronde's question and public address (no database, no request), so the
routes, the CLI and tests can all use them. The poster and flyer are rendered with Pillow to PNG
at print resolution; a PDF wraps the same image so it prints at the right paper size.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont

# Medium error correction survives a crease or a smudge on a printed poster without making the
# code so dense that a cheap phone camera struggles with it.
QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M

INSTRUCTIES = (
    "Richt de camera van uw telefoon op de code.",
    "Tik op de link die verschijnt.",
    "Schrijf uw verhaal. Kort is ook goed.",
    "Tik op ‘Verstuur mijn verhaal’.",
)
UITNODIGING = "Vertel uw verhaal"
ZONDER_CAMERA = "Geen camera? Typ dit adres:"
GEEN_NAAM = "U hoeft uw naam niet te geven."


@dataclass(frozen=True)
class PaperSize:
    name: str
    width_mm: float
    height_mm: float
    dpi: int

    @property
    def pixels(self) -> tuple[int, int]:
        return (round(self.width_mm / 25.4 * self.dpi), round(self.height_mm / 25.4 * self.dpi))


A4 = PaperSize("A4", 210, 297, 200)
A6 = PaperSize("A6", 105, 148, 300)
PAPER_SIZES = {"a4": A4, "a6": A6}

INK = (20, 20, 20)
ACCENT = (0, 84, 143)  # dark blue; 8:1 contrast on white
PAPER = (255, 255, 255)


def short_address(url: str) -> str:
    """The public URL as a person would type it: no scheme, no 'www.', no trailing slash."""
    parts = urlsplit(url)
    host = parts.netloc or ""
    if host.startswith("www."):
        host = host[4:]
    path = parts.path.rstrip("/")
    return f"{host}{path}" if host else path


def _qr(url: str, border: int = 4) -> qrcode.QRCode:
    if not url:
        raise ValueError("a QR code needs a URL")
    code = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION, border=border, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, box_size: int = 10) -> bytes:
    """The QR code as a black-on-white PNG with the standard quiet zone."""
    image = qr_image(url, box_size=box_size)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def qr_image(url: str, box_size: int = 10, border: int = 4) -> Image.Image:
    code = _qr(url, border=border)
    code.box_size = box_size
    return code.make_image(fill_color="black", back_color="white").get_image().convert("1")


def qr_svg(url: str) -> bytes:
    """The QR code as a single-path SVG (scales to any size for professional printing)."""
    code = _qr(url)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    return image.to_string(encoding="unicode").encode("utf-8")


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    names = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf") if bold else ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")
    for name in names:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap by measured width; a single over-long word gets a line of its own."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}".strip()
            if current and font.getlength(candidate) > max_width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def _fit_text(text: str, max_width: int, max_lines: int, start_size: int, min_size: int, bold: bool = False):
    """The largest font size (down to min_size) at which the wrapped text fits; cut with '…' if
    even the smallest size needs more than max_lines lines."""
    size = start_size
    while True:
        font = _font(size, bold)
        lines = _wrap(text, font, max_width)
        if (len(lines) <= max_lines and all(font.getlength(line) <= max_width for line in lines)) or size <= min_size:
            break
        size = max(min_size, int(size * 0.92))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and font.getlength(last + " …") > max_width:
            last = last[:-1]
        lines[-1] = last.rstrip() + " …"
    return font, [_break_long(line, font, max_width) for line in lines], round(size * 1.25)


def _break_long(line: str, font: ImageFont.FreeTypeFont, max_width: int) -> str:
    """A single word wider than the box (a long web address) is cut to fit, never drawn off-paper."""
    while font.getlength(line) > max_width and len(line) > 1:
        line = line[:-1]
    return line


def _address_lines(address: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Break a web address after '/' or '.' so it stays readable and typeable."""
    lines, current = [], ""
    for piece in _address_pieces(address):
        if current and font.getlength(current + piece) > max_width:
            lines.append(current)
            current = piece
        else:
            current += piece
    lines.append(current)
    return lines


def _address_pieces(address: str) -> list[str]:
    pieces, current = [], ""
    for char in address:
        current += char
        if char in "/.-":
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


@dataclass(frozen=True)
class RenderedPoster:
    image: Image.Image
    qr_box: tuple[int, int, int, int]  # left, top, right, bottom of the QR code incl. quiet zone
    content_bottom: int  # lowest pixel row with text; must stay on the paper


def render_poster(vraag: str, url: str, paper: PaperSize = A4, titel: str | None = None) -> RenderedPoster:
    """A printable poster (A4) or flyer (A6): invitation, the ronde's question, QR, steps, address.

    Sizes are in fractions of the paper width so poster and flyer share one layout; the QR code
    gets whatever height is left after the text has been measured.
    """
    width, height = paper.pixels
    unit = width / 100
    margin = round(7 * unit)
    text_width = width - 2 * margin
    gap = round(3 * unit)
    canvas = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(canvas)

    # Invitation in a coloured band: what people read from across the room.
    heading_font, heading_lines, _ = _fit_text(UITNODIGING, text_width, 1, round(9 * unit), round(5 * unit), bold=True)
    band_height = round(15 * unit)
    draw.rectangle((0, 0, width, band_height), fill=ACCENT)
    draw.text((margin, band_height / 2), heading_lines[0], font=heading_font, fill=PAPER, anchor="lm")
    y = band_height + gap

    if titel:
        font, lines, line_height = _fit_text(titel, text_width, 2, round(3.6 * unit), round(3 * unit))
        for line in lines:
            draw.text((margin, y), line, font=font, fill=INK)
            y += line_height
        y += round(unit)

    # The ronde's own question, large.
    font, lines, line_height = _fit_text(vraag, text_width, 4, round(5.5 * unit), round(3.8 * unit), bold=True)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=INK)
        y += line_height
    y += gap

    # Measure everything below the QR code first.
    steps_font = _font(round(3.4 * unit))
    steps_line = round(3.4 * unit * 1.3)
    number_width = round(steps_font.getlength("4. "))
    steps = [_wrap(step, steps_font, text_width - number_width) for step in INSTRUCTIES]
    small_font = _font(round(3.4 * unit))
    small_line = round(3.4 * unit * 1.3)
    address_font = _font(round(4.2 * unit), bold=True)
    address_line = round(4.2 * unit * 1.3)
    address_lines = _address_lines(short_address(url), address_font, text_width)
    below_height = (
        gap
        + sum(len(block) for block in steps) * steps_line
        + gap
        + small_line
        + len(address_lines) * address_line
        + round(unit)
        + small_line
    )

    modules = qr_image(url, box_size=1).size[0]
    available = min(round(width * 0.6), height - margin - y - below_height)
    box_size = max(2, available // modules)
    qr = qr_image(url, box_size=box_size).convert("RGB")
    qr_left = (width - qr.width) // 2
    canvas.paste(qr, (qr_left, y))
    qr_box = (qr_left, y, qr_left + qr.width, y + qr.height)
    y += qr.height + gap

    for number, block in enumerate(steps, 1):
        draw.text((margin, y), f"{number}.", font=steps_font, fill=INK)
        for line in block:
            draw.text((margin + number_width, y), line, font=steps_font, fill=INK)
            y += steps_line
    y += gap

    draw.text((margin, y), ZONDER_CAMERA, font=small_font, fill=INK)
    y += small_line
    for line in address_lines:
        draw.text((margin, y), line, font=address_font, fill=ACCENT)
        y += address_line
    y += round(unit)
    draw.text((margin, y), GEEN_NAAM, font=small_font, fill=INK)
    y += small_line
    return RenderedPoster(canvas, qr_box, y)


def poster_png(vraag: str, url: str, paper: PaperSize = A4, titel: str | None = None) -> bytes:
    image = render_poster(vraag, url, paper, titel).image
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True, dpi=(paper.dpi, paper.dpi))
    return buffer.getvalue()


def poster_pdf(vraag: str, url: str, paper: PaperSize = A4, titel: str | None = None) -> bytes:
    """The same poster as a one-page PDF at the exact paper size (prints without scaling)."""
    image = render_poster(vraag, url, paper, titel).image
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=float(paper.dpi), title=UITNODIGING)
    return buffer.getvalue()
