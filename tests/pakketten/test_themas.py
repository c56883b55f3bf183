"""Themes in stories that fit no subdoel: found when they are there, nothing when there is too little."""

from __future__ import annotations

from tests.pakketten.voorbeelden import BOMEN, invoer_voor_ronde
from verhalenbank.pakketten import selectie, themas
from verhalenbank.pakketten.gegevens import PakketVerhaal, TagInfo
from verhalenbank.pakketten.samenstellen import bouw_pakket

PARKEREN = [
    "Er is geen parkeerplaats meer bij de flat, de parkeervergunning is duur en de auto staat ver weg.",
    "Elke avond zoek ik een parkeerplaats, de vergunning kost veel en de auto staat twee straten verder.",
    "Mijn auto krijg ik niet kwijt, parkeerplaats bezet, vergunning aangevraagd maar nog niks.",
    "Parkeerplaats voor de deur is weg, nu moet de auto bij de supermarkt staan, vergunning helpt niet.",
]
BIBLIOTHEEK = [
    "In de bibliotheek lees ik de krant en leen ik boeken voor mijn kleinkinderen.",
    "De bibliotheek heeft een leesclub, we lezen boeken en praten erover bij de krant.",
    "Mijn kleinkinderen gaan graag naar de bibliotheek, daar lenen ze boeken en strips.",
    "Elke week naar de bibliotheek: boeken ruilen, krant lezen, even weg van huis.",
]


def _verhalen(teksten, citeren=True):
    return [PakketVerhaal(id=i, titel=f"V{i}", tekst=t, citeren=citeren) for i, t in enumerate(teksten)]


def test_two_clear_themes_are_found_with_words_and_an_example():
    verhalen = _verhalen(PARKEREN + BIBLIOTHEEK)
    matrix = selectie.maak_tekstmatrix(verhalen)
    gevonden = themas.vind_themas(matrix, verhalen, range(len(verhalen)))
    assert len(gevonden) == 2
    woordsets = [set(t.woorden) for t in gevonden]
    assert any({"parkeerplaats", "auto", "vergunning"} <= w for w in woordsets)
    assert any({"bibliotheek", "boeken", "krant"} <= w for w in woordsets)
    for thema in gevonden:
        assert thema.voorbeeld in thema.rijen
        # Each theme's stories are all from one group.
        groepen = {r < len(PARKEREN) for r in thema.rijen}
        assert len(groepen) == 1


def test_too_few_stories_give_no_themes():
    verhalen = _verhalen(PARKEREN[:3] + BIBLIOTHEEK[:2])
    matrix = selectie.maak_tekstmatrix(verhalen)
    assert themas.vind_themas(matrix, verhalen, range(len(verhalen))) == []


def test_unrelated_stories_give_no_noise_themes():
    los = [
        "Gisteren regende het hard.", "Mijn kat heet Pluis en slaapt veel.", "De trein had vertraging.",
        "Ik heb een taart gebakken.", "Het voetbal op tv was saai.", "De kapper was dicht vandaag.",
        "Mijn fiets heeft een lekke band.",
    ]
    verhalen = _verhalen(los)
    matrix = selectie.maak_tekstmatrix(verhalen)
    assert themas.vind_themas(matrix, verhalen, range(len(verhalen))) == []


def test_unquotable_stories_give_a_theme_without_example():
    verhalen = _verhalen(PARKEREN + BIBLIOTHEEK, citeren=False)
    matrix = selectie.maak_tekstmatrix(verhalen)
    gevonden = themas.vind_themas(matrix, verhalen, range(len(verhalen)))
    assert gevonden and all(t.voorbeeld is None for t in gevonden)


def test_loose_means_no_confirmed_tag_and_no_strong_suggestion():
    assert themas.past_nergens(PakketVerhaal(1, "t", "x"))
    assert themas.past_nergens(PakketVerhaal(1, "t", "x", tags=(TagInfo("A", False, 0.3),)))
    assert not themas.past_nergens(PakketVerhaal(1, "t", "x", tags=(TagInfo("A", False, 0.8),)))
    assert not themas.past_nergens(PakketVerhaal(1, "t", "x", tags=(TagInfo("A", True, 0.1),)))


def test_pack_of_an_example_ronde_with_extra_loose_stories_has_themes():
    extra = [
        {"id": f"x-{i}", "tekst": t, "ronde": "hoorn-2026-najaar", "citeren": True, "labels": []}
        for i, t in enumerate(PARKEREN + BIBLIOTHEEK)
    ]
    inhoud = bouw_pakket(invoer_voor_ronde("hoorn-2026-najaar", extra))
    assert inhoud.aantal_los >= 8
    assert len(inhoud.themas) >= 2
    assert all(t.voorbeeld is not None and len(t.woorden) >= 3 for t in inhoud.themas)


def test_example_rondes_alone_have_too_few_loose_stories_for_themes():
    for slug in BOMEN:
        assert bouw_pakket(invoer_voor_ronde(slug)).themas == []


def test_themes_get_a_readable_name_from_their_own_stories():
    from verhalenbank.pakketten.gegevens import PakketInvoer

    verhalen = _verhalen(PARKEREN + BIBLIOTHEEK)
    inhoud = bouw_pakket(PakketInvoer("r", "R", [], verhalen))
    assert len(inhoud.themas) == 2
    teksten = " ".join(v.tekst.lower() for v in verhalen)
    for thema in inhoud.themas:
        # A phrase that stands in a story, not a list of stems.
        assert "," not in thema.naam
        assert thema.naam.lower() in teksten
        assert set(thema.naam.lower().split()) & set(thema.woorden)
    assert any("‘" + t.naam + "’" in " ".join(inhoud.samenvatting) for t in inhoud.themas)


def test_theme_names_come_only_from_quotable_stories():
    from verhalenbank.pakketten.gegevens import PakketInvoer

    verhalen = _verhalen(PARKEREN + BIBLIOTHEEK, citeren=False)
    inhoud = bouw_pakket(PakketInvoer("r", "R", [], verhalen))
    assert inhoud.themas
    for thema in inhoud.themas:
        # Nothing may be quoted, so the name is made of the theme's words, not a phrase.
        assert thema.naam == " en ".join(thema.woorden[:2])
