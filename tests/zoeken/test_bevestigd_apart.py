"""Confirmed and suggested kept apart on the search and counts pages (and in the CLI)."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from sqlalchemy import select

from tests.zoeken.test_zoekpagina import LW, LW1, geladen, zoek_app  # noqa: F401 (fixtures)
from verhalenbank.cli import main
from verhalenbank.doelenbomen.models import Doelenboom, Subdoel
from verhalenbank.extensions import db
from verhalenbank.verhalen.models import Tag, TagMethode, Verhaal
from verhalenbank.zoeken import operations


def _total(html: str) -> int:
    return int(re.search(r'<h2 id="resultaten-kop">(\d+) verha', html).group(1))


@pytest.fixture
def met_voorstellen(geladen):  # noqa: F811
    """Example stories (confirmed labels) plus LW1 suggestions on five stories without LW1."""
    lw1 = db.session.scalar(
        select(Subdoel).join(Doelenboom).where(Doelenboom.code == LW, Subdoel.code == "LW1")
    )
    confirmed_lw1 = set(db.session.scalars(select(Tag.verhaal_id).where(Tag.subdoel_id == lw1.id)))
    others = [v for v in db.session.scalars(select(Verhaal).order_by(Verhaal.id)) if v.id not in confirmed_lw1]
    suggested = others[:5]
    for verhaal in suggested:
        db.session.add(Tag(verhaal_id=verhaal.id, subdoel_id=lw1.id, score=0.5, methode=TagMethode.AUTO))
    db.session.commit()
    operations.reindex_all()
    return {"bevestigd": confirmed_lw1, "voorgesteld": {v.id for v in suggested}}


def test_search_by_subdoel_only_confirmed_or_only_suggested(client, login, met_voorstellen):
    login("beleidsadviseur")
    confirmed = len(met_voorstellen["bevestigd"])
    assert confirmed > 0
    assert _total(client.get(f"/zoeken?subdoel={LW1}&tags=bevestigd").get_data(as_text=True)) == confirmed
    assert _total(client.get(f"/zoeken?subdoel={LW1}&tags=voorgesteld").get_data(as_text=True)) == 5
    assert _total(client.get(f"/zoeken?subdoel={LW1}").get_data(as_text=True)) == confirmed + 5


def test_only_confirmed_holds_without_a_subdoel(client, login, met_voorstellen, runner):
    """tags=bevestigd with only a tree chosen: stories with a confirmed tag in that tree."""
    login("beleidsadviseur")
    all_in_tree = _total(client.get(f"/zoeken?boom={LW}").get_data(as_text=True))
    lw = db.session.scalar(select(Doelenboom).where(Doelenboom.code == LW))
    with_confirmed = set(db.session.scalars(
        select(Tag.verhaal_id).join(Subdoel).where(Subdoel.doelenboom_id == lw.id, Tag.bevestigd.is_(True))
    ))
    only_suggested = met_voorstellen["voorgesteld"] - with_confirmed
    assert only_suggested, "the fixture must hold a story with only a suggestion in this tree"
    assert _total(client.get(f"/zoeken?boom={LW}&tags=bevestigd").get_data(as_text=True)) == len(with_confirmed)
    assert len(with_confirmed) < all_in_tree
    html = client.get(f"/zoeken?boom={LW}&tags=voorgesteld").get_data(as_text=True)
    assert _total(html) == 5
    # The CLI gives the same numbers as the page.
    result = runner.invoke(main, ["zoek", "", "--boom", LW, "--tags", "bevestigd", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["totaal"] == len(with_confirmed)


def _chart(html: str, name: str) -> str:
    return html.split(f'id="{name}-titel"', 1)[1].split("</figure>", 1)[0]


def test_counts_page_shows_suggestions_hatched_with_legend_and_table(client, login, met_voorstellen):
    login("beleidsadviseur")
    html = client.get(f"/zoeken/tellen?boom={LW}").get_data(as_text=True)
    chart = _chart(html, "subdoelen")
    # Suggestions: a hatched bar, and a legend that says what it is.
    assert 'fill="url(#arcering-subdoelen)"' in chart
    assert "Voorgesteld door de computer, niet bevestigd" in chart
    assert 'class="legenda"' in chart
    # The same numbers as a table, for screen readers and for whoever wants to read them.
    table = chart.split('<details class="grafiek-tabel">', 1)[1]
    row = re.search(r'<th scope="row">LW1 [^<]*</th>\s*<td><a href="([^"]+)">(\d+)</a></td>\s*<td><a href="([^"]+)">(\d+)</a></td>', table)
    assert row is not None
    assert int(row.group(2)) == len(met_voorstellen["bevestigd"])
    assert int(row.group(4)) == 5
    for href, number in ((row.group(1), row.group(2)), (row.group(3), row.group(4))):
        assert _total(client.get(unescape(href)).get_data(as_text=True)) == int(number)
    # How many stories have a confirmed tag, next to the total.
    match = re.search(r'Daarvan hebben er <a href="([^"]+)"><strong>(\d+)</strong></a> een label dat een mens heeft bevestigd', html)
    assert match is not None
    assert _total(client.get(unescape(match.group(1))).get_data(as_text=True)) == int(match.group(2))
    assert "Tel ze niet bij elkaar op" in html


def test_counts_page_only_confirmed(client, login, met_voorstellen):
    login("beleidsadviseur")
    html = client.get(f"/zoeken/tellen?boom={LW}&tags=bevestigd").get_data(as_text=True)
    assert re.search(r'<input type="radio" name="tags" value="bevestigd" checked>', html)
    chart = _chart(html, "subdoelen")
    assert "arcering" not in chart  # no suggestion bars at all
    assert "Voorgesteld" not in chart
    total = int(re.search(r"Alleen bevestigd: <a [^>]+><strong>(\d+)</strong>", html).group(1))
    # Every number links to a search that shows exactly that number (wijk, bron, periode included).
    links = re.findall(r'<a href="([^"]+)"[^>]*>\s*<rect[^>]*>\s*</rect>\s*<text[^>]*>(\d+)</text>', html)
    assert len(links) >= 6
    for href, number in links:
        assert "tags=bevestigd" in href
        assert _total(client.get(unescape(href)).get_data(as_text=True)) == int(number), href
    per_period = [int(n) for n in re.findall(r'class="grafiek-getal">(\d+)</text>', _chart(html, "periode"))]
    assert sum(per_period) == total
    alle = client.get(f"/zoeken/tellen?boom={LW}").get_data(as_text=True)
    total_all = int(re.search(r"In totaal <a [^>]+><strong>(\d+)</strong> verhalen", alle).group(1))
    assert total < total_all  # the suggested-only stories fall out
