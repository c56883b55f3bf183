"""Pseudonymisation: the PII in the example stories, Dutch formats, and false positives."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import VOORBEELDEN
from verhalenbank.nlp.analysis import analyse_texts
from verhalenbank.nlp.pseudonymise import is_valid_bsn, is_valid_iban

# What identifies people in the example stories (they are invented, but treated as real).
PII_IN_EXAMPLES = {
    "v-0013": ["Graaf", "Schelphoek 112", "1625 XR", "1928 3746"],
    "v-0014": ["Kok", "Kees"],
    "v-0019": ["Piet", "repaircafe.grotewaal@example.org"],
    "v-0026": ["El Amrani", "Amrani"],
    "v-0043": ["Ans", "Joey"],
    "v-0050": ["Marco"],
    "v-0058": ["Wim", "Riet", "de Boer"],
    "v-0062": ["Van der Meer", "Narcissenlaan 41"],
    "v-0067": ["Ingrid", "Mulder", "Brouwer", "Fluitekruidstraat 17", "8232 KT"],
    "v-0070": ["Henk", "Visser", "06-41827365"],
    "v-0075": ["Marianne", "Hoogeveen", "06-38261947"],
    "v-0081": ["marieke.vanleeuwen@example.com", "vanleeuwen"],
    "v-0082": ["Fatma", "Yıldız"],
    "v-0088": ["0612345678"],
}


def _stories():
    with open(VOORBEELDEN / "verhalen.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def analysed_examples():
    stories = _stories()
    analyses = analyse_texts([(s["tekst"], s.get("titel")) for s in stories])
    return {s["id"]: (s, a) for s, a in zip(stories, analyses)}


def _public(text: str) -> str:
    return analyse_texts([(text, None)])[0].tekst_publiek


@pytest.mark.parametrize("story_id", sorted(PII_IN_EXAMPLES))
def test_example_story_pii_is_removed(analysed_examples, story_id):
    _, analysis = analysed_examples[story_id]
    for secret in PII_IN_EXAMPLES[story_id]:
        assert secret not in analysis.tekst_publiek, f"{secret!r} survived in {story_id}"
    assert "[" in analysis.tekst_publiek


def test_exactly_the_fourteen_pii_stories_change(analysed_examples):
    changed = {sid for sid, (s, a) in analysed_examples.items() if a.tekst_publiek != s["tekst"]}
    assert changed == set(PII_IN_EXAMPLES)


def test_names_do_not_leak_into_lemmas_or_keywords(analysed_examples):
    _, analysis = analysed_examples["v-0070"]
    assert "henk" not in analysis.lemmas and "visser" not in analysis.lemmas
    assert not any("henk" in k or "visser" in k for k in analysis.trefwoorden)


def test_same_person_same_number_also_by_first_name():
    text = "Mijn buurvrouw Ingrid Mulder kwam langs. Later belde Ingrid nog. Ook meneer Kok was er; Kok bleef."
    public = _public(text)
    assert public.count("[naam 1]") == 2
    assert public.count("[naam 2]") == 2
    assert "Ingrid" not in public and "Kok" not in public
    assert public.startswith("Mijn buurvrouw [naam 1] kwam langs.")


def test_title_uses_the_story_numbering():
    analysis = analyse_texts([("Mijn buurvrouw Ans helpt mij. Ans is lief.", "Ans en ik")])[0]
    assert analysis.titel_publiek == "[naam 1] en ik"


@pytest.mark.parametrize(
    "text, secret",
    [
        ("Bel me op 06-12345678 als het kan.", "12345678"),
        ("Bel me op 06 1234 5678 als het kan.", "1234 5678"),
        ("Mijn nummer is +31 6 12345678.", "12345678"),
        ("Mijn nummer is +31 (0)20 123 4567.", "123 4567"),
        ("Het buurthuis: 020-1234567.", "1234567"),
        ("Het dorpshuis: 0320 123456, bel gerust.", "123456"),
        ("Mail naar jan.jansen@voorbeeld.nl voor info.", "jan.jansen"),
        ("Ik woon aan de Dorpsstraat 12 in Lisse.", "Dorpsstraat 12"),
        ("Het adres is Bloemenlaan 3a.", "Bloemenlaan 3a"),
        ("Kom naar de Zeedijk 140.", "Zeedijk 140"),
        ("Ons pand aan het Marktplein 7 is open.", "Marktplein 7"),
        ("Postcode 1234 AB, vergeet dat niet.", "1234 AB"),
        ("Mijn BSN is 111222333, zei ik.", "111222333"),
        ("Stort het op NL91 ABNA 0417 1643 00 graag.", "0417 1643"),
        ("Stort het op NL91ABNA0417164300 graag.", "NL91ABNA0417164300"),
        ("Dhr. Bakker kwam langs.", "Bakker"),
        ("Mevr. de Vries belde.", "Vries"),
        ("Ik sprak mw. Yilmaz over de regeling.", "Yilmaz"),
        ("Mijn zoon Daan helpt me.", "Daan"),
        # A known surname on its own inside a sentence, with particles, and a name in no list
        # after a relation word (the small model calls it a place).
        ("Samen met Wolters ga ik naar de markt.", "Wolters"),
        ("Gisteren kwam van der Veen langs.", "Veen"),
        ("Mijn buurman Bravik helpt mij.", "Bravik"),
    ],
)
def test_dutch_formats_are_replaced(text, secret):
    public = _public(text)
    assert secret not in public, public
    assert re.search(r"\[(naam \d+|telefoonnummer|e-mail|adres|postcode|bsn|iban)\]", public)


@pytest.mark.parametrize(
    "text",
    [
        "Ik woon sinds 2019 in Lelystad en ga graag naar Hoorn.",
        "Elke dinsdag in maart zijn we in De Schakel.",
        "Roos is mijn lievelingsbloem en Hoop doet leven.",
        "In de Grote Waal is een repair café.",
        "Er kwamen 30 mensen, 12 van hen woonden in de straat. Het was 2026.",
        "Bel de gemeente als je hulp nodig hebt.",
        "Het rekeningnummer 123456789 klopt niet.",
        "We lopen van nummer 1 tot en met 48.",
        # Places and shops that look like surnames or start with a first name.
        "Op zaterdag gaan we naar Albert Heijn.",
        "We drinken koffie bij de Molen.",
        "De burgemeester van Haarlem kwam kijken.",
        "Ik verhuisde van Utrecht naar Den Bosch.",
    ],
)
def test_false_positives_survive(text):
    assert _public(text) == text


def test_bsn_eleven_test():
    assert is_valid_bsn("111222333")
    assert is_valid_bsn("123456782")
    assert not is_valid_bsn("123456789")
    assert not is_valid_bsn("000000000")


def test_iban_mod_97():
    assert is_valid_iban("NL91 ABNA 0417 1643 00")
    assert not is_valid_iban("NL92 ABNA 0417 1643 00")
    assert not is_valid_iban("NL91 ABNA 0417 1643")
