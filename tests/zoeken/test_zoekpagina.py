"""Search in the app: page, URL, CLI, export, tag review, counts page, index upkeep.

Runs on SQLite and PostgreSQL (the `app` fixture), each with the Whoosh index and — where
the database is PostgreSQL — with PostgreSQL full-text search as the back end.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import select

from verhalenbank.cli import main
from verhalenbank.extensions import db
from verhalenbank.zoeken import operations
from verhalenbank.zoeken.analyse import analyse_terms

LW = "lelystad-sociaal-krachtige-wijken"
LW1 = f"{LW}:LW1"
VOORBEELDEN = "/work/shared/voorbeelden/verhalen.jsonl"


@pytest.fixture(params=["whoosh", "postgres"])
def zoek_app(request, app):
    """The app with the chosen search back end (postgres falls back to Whoosh on SQLite)."""
    app.config["VERHALENBANK"].search_backend = request.param
    return app


@pytest.fixture
def geladen(zoek_app, voorbeeld_rondes, snapshots):
    """The 90 example stories, 'analysed' (public text = text, except one pseudonymised);
    extern_id → id. Built once per search back end and database kind."""
    backend = zoek_app.config["VERHALENBANK"].search_backend
    return snapshots.build_or_restore(f"zoeken-geladen-{backend}", _laad_voorbeelden)


def _laad_voorbeelden() -> dict[str, int]:
    from verhalenbank.accounts.operations import get_or_create_organisatie
    from verhalenbank.verhalen.exchange import import_jsonl
    from verhalenbank.verhalen.models import Verhaal, ZelfduidingAntwoord

    with open(VOORBEELDEN, encoding="utf-8") as handle:
        import_jsonl(handle)
    organisatie = get_or_create_organisatie("Welzijn Lelystad")
    verhalen = db.session.scalars(select(Verhaal).order_by(Verhaal.id)).all()
    for number, verhaal in enumerate(verhalen):
        verhaal.tekst_publiek = verhaal.tekst
        verhaal.titel_publiek = verhaal.titel
        if verhaal.ronde and verhaal.ronde.slug == "lelystad-2026-voorjaar":
            verhaal.organisatie_id = organisatie.id
        db.session.add(ZelfduidingAntwoord(verhaal_id=verhaal.id, vraag="gevoel", antwoord=str(number % 5 + 1)))
    first = verhalen[0]
    first.tekst = "Ik, Jan Jansen, ken niemand in mijn portiek. Bij de nieuwe buren kwam niets terug."
    first.tekst_publiek = "Ik, [naam], ken niemand in mijn portiek. Bij de nieuwe buren kwam niets terug."
    db.session.commit()
    operations.reindex_all()
    return {verhaal.extern_id: verhaal.id for verhaal in verhalen}


def expected_ids(geladen, word_stem: str, label: str) -> set[int]:
    found = set()
    with open(VOORBEELDEN, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            text = row["tekst"] + " " + row.get("titel", "")
            if label in row.get("labels", []) and word_stem in analyse_terms(text):
                found.add(geladen[row["id"]])
    return found


def ids_on_page(html: str) -> set[int]:
    return {int(number) for number in re.findall(r'href="/verhalen/(\d+)"', html)}


def test_buren_with_subdoel_lw1_finds_the_right_stories(client, login, geladen):
    login("beleidsadviseur")
    response = client.get(f"/zoeken?q=buren&subdoel={LW1}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected = expected_ids(geladen, "bur", "LW1")
    assert expected, "the example data has LW1 stories about buren"
    assert ids_on_page(html) == expected
    assert (f"{len(expected)} verhalen" if len(expected) != 1 else "1 verhaal") in html
    assert "<mark>buren</mark>" in html
    # Facet counts next to the filters, e.g. the wijk of the hits.
    assert re.search(r"Atolwijk|Warande|Bolderwijk", html)
    assert re.search(r'<span class="aantal">\(\d+\)</span>', html)
    # Only the public text: the name in the original never shows.
    assert "Jan Jansen" not in html


def test_search_url_is_reproducible_and_matches_the_cli(client, login, geladen, runner):
    login("beleidsadviseur")
    url = f"/zoeken?q=buren&subdoel={LW1}&sort=datum"
    first = client.get(url).get_data(as_text=True)
    second = client.get(url).get_data(as_text=True)
    assert ids_on_page(first) == ids_on_page(second)

    result = runner.invoke(main, ["zoek", "buren", "--subdoel", "LW1", "--sort", "datum", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {hit["id"] for hit in data["treffers"]} == ids_on_page(first)
    assert data["totaal"] == len(ids_on_page(first))
    assert any("<mark>" in hit["fragment"] for hit in data["treffers"])

    plain = runner.invoke(main, ["zoek", "buren", "--subdoel", "LW1"])
    assert plain.exit_code == 0
    assert f"{data['totaal']} verhalen" in plain.output
    assert "[buren]" in plain.output


def test_cli_has_every_filter_of_the_page(client, login, geladen, runner):
    login("beleidsadviseur")
    url = f"/zoeken?q=buren+OF+hulp&boom={LW}&bron=inwoner&gevoel=4&gevoel=5&sort=datum"
    on_page = ids_on_page(client.get(url).get_data(as_text=True))
    assert 0 < len(on_page) < 20, "the example data has a page of such stories"
    result = runner.invoke(
        main,
        ["zoek", "buren OF hulp", "--boom", LW, "--bron", "inwoner", "--gevoel", "4", "--gevoel", "5",
         "--sort", "datum", "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {hit["id"] for hit in data["treffers"]} == on_page
    assert data["totaal"] == len(on_page)

    html = client.get("/zoeken?aanbieder=welzijn-lelystad").get_data(as_text=True)
    shown = int(re.search(r'<h2 id="resultaten-kop">(\d+) verha', html).group(1))
    assert shown > 0
    result = runner.invoke(main, ["zoek", "--aanbieder", "welzijn-lelystad", "--json"])
    assert json.loads(result.output)["totaal"] == shown
    assert runner.invoke(main, ["zoek", "--gevoel", "9"]).exit_code != 0


def test_tag_decided_on_the_review_page_updates_the_search_at_once(client, login, geladen):
    from verhalenbank.verhalen.models import Tag

    login("beleidsadviseur")
    back = f"/zoeken?subdoel={LW1}&tags=bevestigd"
    before = ids_on_page(client.get(back).get_data(as_text=True))
    tag = db.session.scalars(
        select(Tag).where(Tag.verhaal_id.in_(before), Tag.bevestigd.is_(True)).order_by(Tag.id)
    ).first()
    assert tag is not None
    response = client.post(f"/beoordelen/label/{tag.id}", data={"besluit": "afwijzen"})
    assert response.status_code == 302
    after = ids_on_page(client.get(back).get_data(as_text=True))
    assert tag.verhaal_id in before and tag.verhaal_id not in after


def test_cli_refuses_bad_query_and_unknown_code_in_one_line(geladen, runner):
    result = runner.invoke(main, ["zoek", '"buren'])
    assert result.exit_code != 0
    assert "aanhalingsteken" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(main, ["zoek", "buren", "--subdoel", "XX9"])
    assert result.exit_code != 0
    assert "XX9" in result.output and "Traceback" not in result.output


def test_malformed_query_shows_a_friendly_message(client, login, geladen):
    login("beleidsadviseur")
    response = client.get("/zoeken?q=(buren+EN")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    assert "Er ontbreekt een woord na" in html and "buren EN koffie" in html


def test_filters_facets_pagination_and_period_in_the_url(client, login, geladen):
    login("beleidsadviseur")
    response = client.get("/zoeken?ronde=hoorn-2026-najaar&sort=datum")
    html = response.get_data(as_text=True)
    assert "28 verhalen" in html
    assert 'rel="next"' in html
    next_url = unescape(re.search(r'href="([^"]+)" rel="next"', html).group(1))
    assert "ronde=hoorn-2026-najaar" in next_url and "pagina=2" in next_url
    second = client.get(next_url).get_data(as_text=True)
    assert ids_on_page(html).isdisjoint(ids_on_page(second))
    period = client.get("/zoeken?van=2026-04-01&tot=2026-04-30").get_data(as_text=True)
    with open(VOORBEELDEN, encoding="utf-8") as handle:
        april = sum(1 for line in handle if json.loads(line)["datum"].startswith("2026-04"))
    assert f"{april} verhalen" in period
    bad = client.get("/zoeken?van=morgen").get_data(as_text=True)
    assert "geen datum" in bad


def test_aanbieder_may_not_search(client, login, geladen):
    login("aanbieder")
    assert client.get("/zoeken?q=buren").status_code == 403


def test_erased_story_disappears_from_results_at_once(client, login, geladen):
    from verhalenbank.verhalen import operations as verhalen_operations

    gebruiker = login("beheerder")
    before = ids_on_page(client.get("/zoeken?q=buren").get_data(as_text=True))
    target = sorted(before)[0]
    verhaal = verhalen_operations.get_verhaal(target)
    verhalen_operations.erase_verhaal(verhaal, door=gebruiker, reden="test")
    db.session.commit()
    verhalen_operations.after_erase([target])
    after = ids_on_page(client.get("/zoeken?q=buren").get_data(as_text=True))
    assert after == before - {target}


def test_tags_are_confirmed_and_rejected_in_place(client, login, geladen):
    from verhalenbank.verhalen.models import Tag

    login("beleidsadviseur")
    back = f"/zoeken?q=buren&subdoel={LW1}"
    html = client.get(back).get_data(as_text=True)
    tag_id = int(re.search(r'action="/zoeken/tag/(\d+)"', html).group(1))
    tag = db.session.get(Tag, tag_id)
    verhaal_id = tag.verhaal_id

    response = client.post(f"/zoeken/tag/{tag_id}", data={"actie": "afwijzen", "terug": back})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(back)
    db.session.expire_all()
    assert db.session.get(Tag, tag_id).afgewezen is True
    # The index follows at once: the story no longer counts for this subdoel.
    assert verhaal_id not in ids_on_page(client.get(back).get_data(as_text=True))

    response = client.post(f"/zoeken/tag/{tag_id}", data={"actie": "bevestigen", "terug": "https://elders.example/"})
    assert response.headers["Location"].endswith("/zoeken")  # no open redirect
    db.session.expire_all()
    assert db.session.get(Tag, tag_id).bevestigd is True
    assert verhaal_id in ids_on_page(client.get(back + "&tags=bevestigd").get_data(as_text=True))


def test_facilitator_cannot_review_tags(client, login, geladen):
    from verhalenbank.verhalen.models import Tag

    login("facilitator")
    tag_id = db.session.scalars(select(Tag.id)).first()
    assert client.post(f"/zoeken/tag/{tag_id}", data={"actie": "bevestigen"}).status_code == 403


def test_export_csv_and_jsonl_hold_every_result_and_only_public_text(client, login, geladen):
    from verhalenbank.accounts.models import AuditLog

    login("beleidsadviseur")
    html = client.get("/zoeken?q=buren").get_data(as_text=True)
    total = int(re.search(r"(\d+) verhalen", html).group(1))

    response = client.get("/zoeken/export.csv?q=buren")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == total
    assert all("Jan Jansen" not in row["tekst_publiek"] for row in rows)
    assert {"subdoelen_bevestigd", "indicatoren_bevestigd", "indicatoren_voorgesteld"} <= set(rows[0])

    response = client.get("/zoeken/export.jsonl?q=buren")
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(lines) == total
    assert {"id", "tekst_publiek", "tags"} <= set(lines[0])
    assert "tekst" not in lines[0]
    by_id = {row["id"]: row for row in rows}
    for line in lines:
        confirmed = {f"{t['doelenboom']}:{t['subdoel']}" for t in line["tags"] if t["bevestigd"]}
        assert set(by_id[line["id"]]["subdoelen_bevestigd"].split()) == confirmed
    actions = db.session.scalars(select(AuditLog.actie)).all()
    assert actions.count("zoekresultaten_geexporteerd") == 2


def test_counts_page_numbers_match_the_searches_they_link_to(client, login, geladen):
    login("beleidsadviseur")
    response = client.get(f"/zoeken/tellen?boom={LW}&per=maand")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<svg" in html and "Verhalen per subdoel" in html and "Positief" in html
    links = re.findall(
        r'<a href="([^"]+)"[^>]*>\s*<rect[^>]*>\s*</rect>\s*<text[^>]*>(\d+)</text>', html
    )
    assert len(links) >= 6
    for href, number in links:
        page = client.get(unescape(href)).get_data(as_text=True)
        shown = int(re.search(r'<h2 id="resultaten-kop">(\d+) verha', page).group(1))
        assert shown == int(number), href
    # The feeling table links too.
    feeling = re.findall(r'<td><a href="([^"]+)">(\d+)</a>', html)
    assert feeling
    for href, number in feeling[:6]:
        page = client.get(unescape(href)).get_data(as_text=True)
        assert int(re.search(r'<h2 id="resultaten-kop">(\d+) verha', page).group(1)) == int(number)


def test_counts_per_period_cover_undated_stories(client, login, geladen):
    from verhalenbank.verhalen.models import Verhaal

    verhaal = db.session.get(Verhaal, geladen["v-0001"])
    verhaal.datum = None  # dated by its intake day in the index, before every other story
    verhaal.created_at = datetime(2025, 6, 1, 12, 0)
    db.session.commit()
    operations.index_verhalen([verhaal.id])
    login("beleidsadviseur")
    html = client.get(f"/zoeken/tellen?boom={LW}&per=kwartaal").get_data(as_text=True)
    total = int(re.search(r"<strong>(\d+)</strong> verhalen", html).group(1))
    chart = html.split('id="periode-titel"', 1)[1].split("</figure>", 1)[0]
    per_period = [int(number) for number in re.findall(r'class="grafiek-getal">(\d+)</text>', chart)]
    assert sum(per_period) == total


def test_counts_page_by_quarter_and_default_tree(client, login, geladen):
    login("facilitator")
    html = client.get("/zoeken/tellen?per=kwartaal").get_data(as_text=True)
    assert re.search(r"20\d\d K[1-4]", html)


def test_reindex_command_and_drift_detection(geladen, runner, caplog):
    backend = operations.get_backend()
    backend.remove([geladen["v-0001"]])
    with caplog.at_level(logging.WARNING, logger="verhalenbank.zoeken.operations"):
        drift = operations.detect_drift()
    assert drift["ontbreekt_in_index"] == [geladen["v-0001"]]
    assert "reindex" in caplog.text

    result = runner.invoke(main, ["reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 90" in result.output
    assert operations.detect_drift() == {"ontbreekt_in_index": [], "niet_meer_in_database": []}


def test_drift_is_reported_at_startup(zoek_app, geladen, caplog):
    from verhalenbank.zoeken.operations import check_drift_at_startup

    operations.get_backend().remove([geladen["v-0002"]])
    db.session.commit()  # start-up has no open transaction (SQLite would see a lock)
    with caplog.at_level(logging.WARNING, logger="verhalenbank.zoeken.operations"):
        check_drift_at_startup(zoek_app)
    assert "1 stories missing from the index" in caplog.text


def test_backend_choice(zoek_app):
    settings = zoek_app.config["VERHALENBANK"]
    expected = "postgres" if settings.search_backend == "postgres" and settings.database_url.startswith("postgresql") else "whoosh"
    assert operations.get_backend().naam == expected


def test_zoekdocument_holds_public_text_tags_apart_and_feeling(geladen):
    from verhalenbank.verhalen.models import Tag, Verhaal

    verhaal = db.session.get(Verhaal, geladen["v-0001"])
    document = operations.build_zoekdocument(verhaal)
    assert "Jan Jansen" not in document.tekst_publiek and "[naam]" in document.tekst_publiek
    assert document.subdoelen_bevestigd == [LW1]
    assert document.aanbieder == "welzijn-lelystad"
    assert document.ronde == "lelystad-2026-voorjaar"
    assert document.gevoel == 1
    tag = db.session.scalars(select(Tag).where(Tag.verhaal_id == verhaal.id)).first()
    tag.bevestigd = False
    document = operations.build_zoekdocument(verhaal)
    assert document.subdoelen_voorgesteld == [LW1] and document.subdoelen_bevestigd == []
    tag.afgewezen = True
    assert operations.build_zoekdocument(verhaal).subdoelen_voorgesteld == []
    db.session.rollback()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("zoek_app", ["whoosh"], indirect=True)
def test_in_a_browser_counts_link_to_their_stories_and_pages_are_accessible(zoek_app, geladen, make_user, browser):
    from tests.browser import served, serious_axe_violations

    email = make_user("beleidsadviseur").email
    db.session.close()  # no open transaction here while the served app writes (SQLite lock)
    with served(zoek_app) as base:
        # bypass_csp only so axe can be injected; the pages themselves run no inline script.
        context = browser.new_context(bypass_csp=True, locale="nl-NL")
        page = context.new_page()
        try:
            page.goto(f"{base}/inloggen")
            page.fill("input[name=email]", email)
            page.fill("input[name=wachtwoord]", "geheim-wachtwoord-123")
            page.click("main button[type=submit]")
            page.wait_for_load_state()

            page.get_by_role("link", name="Tellen", exact=True).click()
            page.wait_for_load_state()
            assert page.locator("figure.grafiek svg").count() >= 4
            assert serious_axe_violations(page) == []
            # The first confirmed-count bar of the subdoel chart, clicked like a reader would.
            bar = page.locator("#subdoelen-titel ~ svg a").first
            number = int(bar.locator("text").text_content())
            bar.click()
            page.wait_for_load_state()
            assert page.url.startswith(f"{base}/zoeken")
            assert int(re.match(r"(\d+)", page.inner_text("#resultaten-kop")).group(1)) == number

            page.get_by_role("link", name="Zoeken", exact=True).click()
            page.wait_for_load_state()
            page.fill("#q", "buren")
            page.click("form#zoekformulier .zoekbalk button")
            page.wait_for_load_state()
            assert page.locator(".fragment mark").count() > 0
            assert serious_axe_violations(page) == []
            page.emulate_media(media="print")
            assert page.locator("header.kop").is_hidden()
        finally:
            context.close()
