"""A pack never passes a suggestion off as a fact: unconfirmed stories are marked in HTML and PDF."""

from __future__ import annotations

import re
from dataclasses import replace

from tests.pakketten.test_pakket_db import _pdf_tekst
from tests.pakketten.voorbeelden import invoer_voor_ronde
from verhalenbank.pakketten.gegevens import Keuzes, SectieKeuze, TagInfo
from verhalenbank.pakketten.samenstellen import bouw_pakket
from verhalenbank.pakketten.weergave import render_html, render_pdf

SLUG = "lelystad-2026-voorjaar"


def _pack_with_two_unconfirmed_stories():
    invoer = invoer_voor_ronde(SLUG)
    subdoel = invoer.doelenbomen[0].subdoelen[0].sleutel
    outside = [v for v in invoer.verhalen if v.citeren and not any(t.subdoel == subdoel for t in v.tags)]
    assert len(outside) >= 2, "the example ronde must hold quotable stories outside the first subdoel"
    suggested, by_hand = outside[0], outside[1]
    verhalen = [
        replace(v, tags=v.tags + (TagInfo(subdoel, bevestigd=False, score=0.7),)) if v is suggested else v
        for v in invoer.verhalen
    ]
    invoer = replace(invoer, verhalen=verhalen)
    keuzes = Keuzes(secties={subdoel: SectieKeuze(toegevoegd={
        suggested.sleutel: "Laat zien wat de computer voorstelt.",
        by_hand.sleutel: "Raakt de kern van dit doel.",
    })})
    return bouw_pakket(invoer, keuzes), subdoel, suggested, by_hand


def test_confirmed_by_default_and_each_unconfirmed_story_says_why():
    inhoud, subdoel, suggested, by_hand = _pack_with_two_unconfirmed_stories()
    assert inhoud.omslag.alleen_bevestigd is True
    sectie = next(s for b in inhoud.bomen for s in b.subdoelen if s.subdoel.sleutel == subdoel)
    shown = {v.sleutel: v for v in sectie.representatief}
    assert shown[suggested.sleutel].onbevestigd is True
    assert shown[suggested.sleutel].voorstel == "waarschijnlijk"
    assert shown[by_hand.sleutel].onbevestigd is True
    assert shown[by_hand.sleutel].voorstel == ""
    others = [v for k, v in shown.items() if k not in (suggested.sleutel, by_hand.sleutel)]
    assert others
    assert not any(v.onbevestigd for v in others)  # confirmed stories carry no mark
    # The suggestion is not counted as a story of this subdoel.
    assert sectie.aantal == sectie.bevestigd


def _title_and_mark(text: str, title: str) -> str:
    start = text.index(title)
    return text[max(0, start - 200):start + len(title) + 200]


def test_marks_in_html_and_pdf():
    inhoud, subdoel, suggested, by_hand = _pack_with_two_unconfirmed_stories()
    html = render_html(inhoud)
    assert html.count("Niet bevestigd: voorstel van de computer (waarschijnlijk)") == 1
    assert html.count("Niet bevestigd: geen label bij dit subdoel") == 1
    assert re.search(r"\d+ ?%", html.split("Niet bevestigd", 1)[1][:200]) is None

    pdf = _pdf_tekst(render_pdf(inhoud)).lower()
    assert pdf.count("niet bevestigd: voorstel van de computer (waarschijnlijk)") == 1
    assert pdf.count("niet bevestigd: geen label bij dit subdoel") == 1
    assert suggested.titel.lower() in _title_and_mark(pdf, "(waarschijnlijk)")
    assert by_hand.titel.lower() in _title_and_mark(pdf, "geen label bij dit subdoel")


def test_research_csv_gives_suggestions_in_words_next_to_the_number():
    from verhalenbank.pakketten.qdpx import maak_csv
    import csv
    import io

    invoer = invoer_voor_ronde(SLUG)
    subdoel = invoer.doelenbomen[0].subdoelen[0]
    first = invoer.verhalen[0]
    verhalen = [replace(first, tags=(TagInfo(subdoel.sleutel, bevestigd=False, score=0.456),))] + invoer.verhalen[1:]
    rijen = list(csv.DictReader(io.StringIO(maak_csv(invoer.doelenbomen, verhalen).lstrip("\ufeff"))))
    assert rijen[0]["voorgestelde_subdoelen"] == f"{subdoel.code} (mogelijk, 0.46)"
    assert rijen[0]["bevestigde_subdoelen"] == ""
