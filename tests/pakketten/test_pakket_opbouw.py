"""The pack's view model, the four moves and curation, built from plain data."""

from __future__ import annotations

import re

from tests.pakketten.voorbeelden import BOMEN, invoer_voor_ronde
from verhalenbank.pakketten.gegevens import Keuzes, SectieKeuze
from verhalenbank.pakketten.kompas import SubdoelFeiten, vier_bewegingen
from verhalenbank.pakketten.samenstellen import bouw_pakket

GETAL_VAN_GETAL = re.compile(r"\d+ van de \d+")


def _secties(inhoud):
    return [s for b in inhoud.bomen for s in b.subdoelen]


def test_every_subdoel_has_counts_stories_words_and_four_filled_moves():
    for slug in BOMEN:
        invoer = invoer_voor_ronde(slug)
        inhoud = bouw_pakket(invoer)
        assert inhoud.omslag.aantal_verhalen == len(invoer.verhalen)
        assert sum(b.waarde for b in inhoud.omslag.per_bron) == len(invoer.verhalen)
        for s in _secties(inhoud):
            assert s.aantal == s.bevestigd + s.voorgesteld > 0
            assert 3 <= len(s.representatief) <= 5
            assert s.woorden
            assert [b.naam for b in s.bewegingen] == ["herkennen", "verklaren", "waarderen", "verbeteren"]
            assert all(b.vragen for b in s.bewegingen)
            # Herkennen is filled from the data: "11 van de 23 verhalen ...".
            assert GETAL_VAN_GETAL.search(s.bewegingen[0].vragen[0])
            assert f"{s.aantal} van de {inhoud.omslag.aantal_verhalen}" in s.bewegingen[0].vragen[0]


def test_only_quotable_stories_are_shown():
    invoer = invoer_voor_ronde("bollenstreek-2026")
    niet_citeren = {v.sleutel for v in invoer.verhalen if not v.citeren}
    assert niet_citeren, "the example data should hold unquotable stories"
    inhoud = bouw_pakket(invoer)
    getoond = {v.sleutel for s in _secties(inhoud) for v in s.representatief + s.tegengeluid}
    getoond |= {t.voorbeeld.sleutel for t in inhoud.themas if t.voorbeeld}
    assert getoond and not getoond & niet_citeren


def test_word_question_counts_the_stories_that_use_the_word():
    feiten = SubdoelFeiten(code="X1", titel="Contact", aantal=30, totaal=80, bevestigd=20, knelpunten=5,
                           woord="openingstijden", woord_aantal=12, knelpunt_woord="wachtlijst",
                           knelpunt_woord_aantal=3)
    bewegingen = vier_bewegingen(feiten)
    assert "12 van de 30 verhalen over dit doel noemen ‘openingstijden’. Herkent u dat?" in bewegingen[0].vragen
    assert any("In 5 van de 30 verhalen gaat iets niet goed. 3 daarvan noemen ‘wachtlijst’." in v
               for v in bewegingen[1].vragen)
    assert any("wachtlijst" in v for v in bewegingen[3].vragen)


def test_subdoel_without_stories_still_gets_questions():
    bewegingen = vier_bewegingen(SubdoelFeiten(code="X9", titel="Leeg", aantal=0, totaal=10, bevestigd=0, knelpunten=0))
    assert "Geen van de 10 verhalen" in bewegingen[0].vragen[0]
    assert all(b.vragen for b in bewegingen)


def test_curation_drops_pins_orders_and_notes():
    invoer = invoer_voor_ronde("lelystad-2026-voorjaar")
    eerst = bouw_pakket(invoer)
    sectie = _secties(eerst)[0]
    sleutel = sectie.subdoel.sleutel
    weg = sectie.representatief[0].sleutel
    # Pin a quotable story of this subdoel that was not chosen.
    gekozen = {v.sleutel for v in sectie.representatief}
    kandidaat = next(
        v.sleutel for v in invoer.verhalen
        if v.citeren and v.sleutel not in gekozen and any(t.subdoel == sleutel for t in v.tags)
    )
    keuzes = Keuzes({sleutel: SectieKeuze(weg=[weg], vast=[kandidaat], volgorde=[kandidaat], notitie="Bespreek dit eerst.")})
    daarna = _secties(bouw_pakket(invoer, keuzes))[0]
    getoond = [v.sleutel for v in daarna.representatief]
    assert weg not in getoond and weg not in [v.sleutel for v in daarna.tegengeluid]
    # Dropped from one subdoel means dropped from the whole pack.
    alle = bouw_pakket(invoer, keuzes)
    assert all(weg not in [v.sleutel for v in s.representatief + s.tegengeluid] for s in _secties(alle))
    assert getoond[0] == kandidaat and daarna.representatief[0].vast
    assert daarna.notitie == "Bespreek dit eerst."
    # Choices survive a JSON round trip (they are stored in Pakket.keuzes).
    assert Keuzes.uit_json(keuzes.naar_json()).naar_json() == keuzes.naar_json()


def test_summary_for_participants_is_short_and_plain():
    inhoud = bouw_pakket(invoer_voor_ronde("hoorn-2026-najaar"))
    assert inhoud.samenvatting[0] == "Dank u wel voor uw verhaal!"
    assert len(inhoud.samenvatting) <= 14
    # B1: short sentences.
    zinnen = [z for alinea in inhoud.samenvatting for z in re.split(r"(?<=[.!?])\s+", alinea)]
    assert max(len(z.split()) for z in zinnen) <= 25
