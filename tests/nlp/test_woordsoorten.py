"""Part-of-speech counts stored at analysis: only what stands in the public text."""

from __future__ import annotations

from dataclasses import dataclass

from verhalenbank.nlp.analysis import analyse_texts
from verhalenbank.nlp.woordsoorten import tel


@dataclass
class Tok:
    text: str
    pos_: str


def _tokens(*pairs: str) -> list[Tok]:
    return [Tok(*pair.split("/")) for pair in pairs]


def test_counts_content_words_and_noun_phrases():
    tokens = _tokens("De/DET", "nieuwe/ADJ", "buurtkamer/NOUN", "is/AUX", "open/ADJ", "en/CCONJ",
                     "we/PRON", "wonen/VERB", "fijn/ADJ", "./PUNCT")
    assert tel(tokens) == {
        "inhoud": {"nieuwe": 1, "buurtkamer": 1, "open": 1, "fijn": 1},
        "anders": {"de": 1, "is": 1, "en": 1, "we": 1, "wonen": 1},
        "zinsdelen": ["nieuwe buurtkamer"],
    }


def test_a_replaced_name_never_enters_words_or_phrases():
    tokens = _tokens("buurvrouw/NOUN", "Ansje/NOUN", "helpt/VERB", "met/ADP", "boodschappen/NOUN")
    publiek = "buurvrouw [naam 1] helpt met boodschappen"
    geteld = tel(tokens, publiek)
    assert "ansje" not in geteld["inhoud"]
    assert "ansje" not in geteld["anders"]
    assert geteld["zinsdelen"] == []  # "buurvrouw Ansje" is not in the public text
    assert geteld["inhoud"] == {"buurvrouw": 1, "boodschappen": 1}


def test_analysis_stores_them_from_the_public_text(app):
    tekst = "Mijn buurvrouw Fatima Yilmaz belt elke week. Het nieuwe buurthuis is een warme plek."
    [analyse] = analyse_texts([(tekst, None)])
    soorten = analyse.woordsoorten
    assert soorten is not None
    alle = set(soorten["inhoud"]) | set(soorten["anders"])
    assert "buurthuis" in alle
    assert not {"fatima", "yilmaz"} & alle
    assert "Fatima" not in analyse.tekst_publiek
    for zinsdeel in soorten["zinsdelen"]:
        assert zinsdeel in analyse.tekst_publiek
