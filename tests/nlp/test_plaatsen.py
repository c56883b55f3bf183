"""Where a story comes from decides which municipalities' trees the tagger may suggest in."""

from __future__ import annotations

from verhalenbank.nlp.plaatsen import Plaatswijzer, bomen_voor, gemeente_sleutel, plaatsnamen

BOLLENSTREEK = "Bollenstreek (Lisse, Teylingen, Hillegom)"
TREES = {"mantelzorg": BOLLENSTREEK, "wijken": "Lelystad", "samen": "Hoorn", "landelijk": None}


def test_place_names_come_from_the_trees_gemeente_field():
    assert plaatsnamen(BOLLENSTREEK) == {"bollenstreek", "lisse", "teylingen", "hillegom"}
    assert plaatsnamen("Gemeente Súdwest-Fryslân") == {"sudwest-fryslan"}
    assert plaatsnamen("Noord en Zuid / Oost") == {"noord", "zuid", "oost"}
    assert plaatsnamen(None) == set()
    assert gemeente_sleutel("  Lelystad ") == gemeente_sleutel("lelystad") == "lelystad"
    assert gemeente_sleutel("") is None


def test_a_wijk_that_names_a_place_of_a_tree_places_the_story():
    wijzer = Plaatswijzer(TREES.values())
    assert wijzer.gemeenten("Lisse") == {gemeente_sleutel(BOLLENSTREEK)}
    assert wijzer.gemeenten("Hoorn-Noord") == {"hoorn"}
    assert wijzer.gemeenten("lelystad-haven") == {"lelystad"}


def test_the_bank_knows_wijken_from_rondes_and_text_names_the_place_only_with_a_capital():
    wijzer = Plaatswijzer(TREES.values(), {"Warande": {"lelystad"}, "Binnenstad": {"hoorn", "lelystad"}})
    assert wijzer.gemeenten("warande") == {"lelystad"}
    assert wijzer.gemeenten("Binnenstad") == {"hoorn", "lelystad"}
    assert wijzer.gemeenten(None, "Sinds we in Hillegom wonen zorg ik voor mijn moeder.") == {
        gemeente_sleutel(BOLLENSTREEK)}
    # "een hoorn" is a horn, not the town; nothing else says where this story is from.
    assert wijzer.gemeenten(None, "Mijn kleinzoon speelt op een hoorn in de fanfare.") is None
    assert wijzer.gemeenten("Ergens", "Geen plaats genoemd.") is None
    # The wijk wins over a place the teller mentions in passing.
    assert wijzer.gemeenten("Lisse", "Mijn dochter woont in Lelystad.") == {gemeente_sleutel(BOLLENSTREEK)}


def test_trees_of_other_municipalities_are_left_out_and_trees_without_one_stay():
    gemeente_van = TREES.get
    assert bomen_voor({"lelystad"}, list(TREES), gemeente_van) == ["wijken", "landelijk"]
    assert bomen_voor(None, list(TREES), gemeente_van) == list(TREES)
    assert bomen_voor({"hoorn", "lelystad"}, list(TREES), gemeente_van) == ["wijken", "samen", "landelijk"]


def test_no_trees_with_a_municipality_means_no_place_is_ever_found():
    wijzer = Plaatswijzer([None, ""])
    assert wijzer.gemeenten("Lisse", "In Lisse.") is None


def test_two_spellings_of_one_wijk_add_up():
    wijzer = Plaatswijzer(TREES.values(), {"Het Zand": {"lelystad"}, "het  zand": {"hoorn"}})
    assert wijzer.gemeenten("HET ZAND") == {"hoorn", "lelystad"}
