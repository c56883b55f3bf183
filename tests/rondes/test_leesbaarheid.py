"""Plain Dutch on the resident's pages: short sentences and short words (B1).

Measured with Flesch-Douma, the Dutch adaptation of Flesch reading ease
(206.835 - 0.93 × words per sentence - 77 × syllables per word). Texts for a broad public aim
at 60 or more; every sentence stays under 20 words."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.support.factories import import_voorbeeld_bomen, lelystad, make_ronde

MIN_DOUMA = 60
MAX_WOORDEN_PER_ZIN = 20


class _Tekst(HTMLParser):
    """The visible text of <main>, without scripts, styles and hidden fields."""

    def __init__(self):
        super().__init__()
        self.delen: list[str] = []
        self._in_main = 0
        self._verborgen = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self._in_main += 1
        if tag in ("script", "style") or "hp" in (attrs.get("class") or "").split():
            self._verborgen += 1
        if tag in ("p", "li", "legend", "label", "button", "summary", "h1", "h2", "div", "span", "a"):
            self.delen.append("\n")

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main -= 1
        if tag in ("script", "style"):
            self._verborgen -= 1

    def handle_data(self, data):
        if self._in_main and not self._verborgen:
            self.delen.append(data)


def lettergrepen(woord: str) -> int:
    """Syllables of a Dutch word: groups of vowels (ij, ou, ui, ... count once)."""
    groepen = re.findall(r"[aeiouyáéíóúàèëïöü]+", woord.lower())
    return max(1, len(groepen))


def zinnen(tekst: str) -> list[list[str]]:
    resultaat = []
    for regel in tekst.splitlines():
        for zin in re.split(r"(?<=[.!?])\s+", regel.strip()):
            woorden = re.findall(r"[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*", zin)
            if woorden:
                resultaat.append(woorden)
    return resultaat


def douma(tekst: str) -> float:
    delen = zinnen(tekst)
    woorden = [w for zin in delen for w in zin]
    return 206.835 - 0.93 * (len(woorden) / len(delen)) - 77 * (sum(map(lettergrepen, woorden)) / len(woorden))


def test_the_measure_tells_plain_from_policy_dutch():
    eenvoudig = "Vertel wat er gebeurde. Kort is ook goed. U hoeft uw naam niet te geven."
    beleid = (
        "Psychisch kwetsbare inwoners ondervinden aanzienlijk minder maatschappelijke stigmatisering "
        "dankzij laagdrempelige ondersteuningsvoorzieningen en integrale samenwerkingsverbanden."
    )
    assert douma(eenvoudig) >= MIN_DOUMA
    assert douma(beleid) < MIN_DOUMA


@pytest.fixture
def lelystad_ronde(app):
    from verhalenbank.demo import DEMO_ONDERWERPEN
    from verhalenbank.extensions import db
    from verhalenbank.rondes.zelfduiding import STANDAARD_CONFIG, validate_config

    ronde = make_ronde("lelystad-2026-voorjaar", boom=lelystad(import_voorbeeld_bomen()), wijken=["Atolwijk", "Warande"])
    config = {"vragen": [dict(v) for v in STANDAARD_CONFIG["vragen"]]}
    config["vragen"][1]["labels"] = DEMO_ONDERWERPEN["lelystad-2026-voorjaar"]
    ronde.zelfduiding = validate_config(config)
    db.session.commit()
    return ronde


@pytest.mark.parametrize("pad", ["/r/lelystad-2026-voorjaar", "/r/intrekken", "/r/foto-toevoegen"])
def test_resident_pages_are_plain_dutch(client, lelystad_ronde, pad):
    html = client.get(pad).get_data(as_text=True)
    lezer = _Tekst()
    lezer.feed(html)
    tekst = "".join(lezer.delen)
    lang = [" ".join(zin) for zin in zinnen(tekst) if len(zin) > MAX_WOORDEN_PER_ZIN]
    assert lang == []
    assert douma(tekst) >= MIN_DOUMA, f"Flesch-Douma {douma(tekst):.0f} on {pad}"
