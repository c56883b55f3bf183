"""Transcript files generated in the tests themselves (no hand-made binaries in the repo)."""

from __future__ import annotations

import io
from pathlib import Path

VOORBEELDEN = Path("/work/shared/voorbeelden")
SLECHTE_INVOER = VOORBEELDEN / "slechte-invoer"

SESSIE_REGELS = [
    "Verteltafel buurthuis De Brug",
    "Datum: 1 mei 2026",
    "Plaats: De Brug, Haarlem",
    "Gespreksleider: Marieke",
    "",
    "Marieke: Wat betekent het buurthuis voor u?",
    "",
    "Gerrit: Sinds ik hier kom heb ik weer mensen om mee te praten. Dat is fijn, echt waar.",
    "",
    "Marieke: En voor u, Tineke?",
    "",
    "Tineke: Ik kom elke week. De koffie is lekker en de mensen zijn aardig, ook in het café.",
    "",
    "Gerrit: Klopt.",
]


def maak_docx(regels: list[str] = SESSIE_REGELS, *, tabel: list[tuple[str, str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for regel in regels:
        document.add_paragraph(regel)
    if tabel:
        word_tabel = document.add_table(rows=0, cols=2)
        for naam, tekst in tabel:
            cellen = word_tabel.add_row().cells
            cellen[0].text = naam
            cellen[1].text = tekst
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def maak_tekst_pdf(regels: list[str] = SESSIE_REGELS) -> bytes:
    from html import escape

    import weasyprint

    alineas = "".join(f"<p>{escape(regel)}</p>" for regel in regels if regel)
    return weasyprint.HTML(string=f"<html><body>{alineas}</body></html>").write_pdf()


def maak_versleutelde_pdf(*, gebruikerswachtwoord: str, algoritme: str = "AES-256") -> bytes:
    from pypdf import PdfReader, PdfWriter

    schrijver = PdfWriter(clone_from=PdfReader(io.BytesIO(maak_tekst_pdf())))
    schrijver.encrypt(user_password=gebruikerswachtwoord, owner_password="eigenaar", algorithm=algoritme)
    buffer = io.BytesIO()
    schrijver.write(buffer)
    return buffer.getvalue()


def maak_lege_pdf() -> bytes:
    """A PDF with a page but no text, as a scan without OCR would be."""
    from pypdf import PdfWriter

    schrijver = PdfWriter()
    schrijver.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    schrijver.write(buffer)
    return buffer.getvalue()


VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
<v Rachid>Welkom allemaal. Wie wil beginnen?

00:00:04.500 --> 00:00:09.000
<v Sanne>Ik wil wel. Vorig jaar ben ik verhuisd
en ik kende hier niemand.

00:00:09.500 --> 00:00:12.000
In de pauze zat ik op de wc &amp; keek naar mijn telefoon.

00:00:12.500 --> 00:00:14.000
<v Daan>Serieus?</v>
<v.luid Sanne>Ja. Dat doen meer mensen hoor, echt waar.

00:00:15.000 --> 00:00:18.000
<v Rachid>En hoe is dat nu?

00:00:18.500 --> 00:00:24.000
<v Daan>Bij mij is het anders, ik heb wel vrienden maar alleen <i>online</i>.
"""

SRT_MET_DUBBELE_PUNT = """1
00:00:01,000 --> 00:00:03,000
Rachid: Wie wil beginnen?

2
00:00:03,500 --> 00:00:06,000
Sanne: Ik wil wel. Ik ben zestien
en woon sinds kort in Hoorn.

3
00:00:06,500 --> 00:00:09,000
Gewoon: ik kende hier echt helemaal niemand.

4
00:00:09,500 --> 00:00:11,000
Rachid: En nu?

5
00:00:11,500 --> 00:00:15,000
Sanne: Nu zit ik op volleybal en heb ik vriendinnen.
"""
