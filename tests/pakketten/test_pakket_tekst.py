"""The pack speaks in residents' words (issue 14): tested on the PDF text of the example rondes.

Each ronde gets a question that uses words the residents then repeat ("vertellen", "buurt",
"mantelzorg"), and no period, so the cover has to take it from the stories' dates. Labels are
imported as confirmed tags; one story per ronde only gets a suggestion, to see it marked.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.support.paths import VOORBEELDEN
from tests.pakketten.test_pakket_db import _pdf_tekst, _zorg_voor_publieke_tekst
from tests.pakketten.voorbeelden import BOMEN
from verhalenbank.cli import main
from verhalenbank.extensions import db
from verhalenbank.pakketten.tekst import alle_woordvormen, stopwoorden, is_vraagwoord, vraagwoorden

VRAGEN = {
    "lelystad-2026-voorjaar": "Wilt u vertellen hoe u samen met uw buren woont in de wijk?",
    "hoorn-2026-najaar": "Kunt u vertellen wanneer u zich thuis voelde in uw buurt, of juist niet?",
    "bollenstreek-2026": "Wilt u vertellen hoe het met u gaat als mantelzorger, en wat u helpt?",
}
# Words a prompt or summary quotes as the residents' own: ‘woord’, and the lists after these labels.
GECITEERD = re.compile(r"‘([^’]{1,80})’")
LIJSTEN = re.compile(r"(?:Vaak genoemd|Kenmerkende woorden): ([^.]+)\.")


@pytest.fixture
def rondes_met_vraag(runner, voorbeeld_bomen, snapshots):
    """A ronde with its own question per example tree, and the 90 example stories imported."""
    snapshots.build_or_restore("pakketten-rondes-met-vraag", lambda: _import_rondes_met_vraag(runner))


def _import_rondes_met_vraag(runner) -> None:
    for slug, boom in BOMEN.items():
        result = runner.invoke(main, ["ronde", "add", slug, "--titel", slug.replace("-", " ").title(),
                                      "--doelenboom", boom, "--vraag", VRAGEN[slug]])
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["verhalen", "import", str(VOORBEELDEN / "verhalen.jsonl")])
    assert result.exit_code == 0, result.output
    _zorg_voor_publieke_tekst()


def _pakket_tekst(runner, tmp_path, slug: str, *extra: str) -> str:
    uit = tmp_path / f"{slug}.pdf"
    result = runner.invoke(main, ["pakket", slug, "--out", str(uit), *extra])
    assert result.exit_code == 0, result.output
    return _pdf_tekst(uit.read_bytes())


def _publieke_teksten(slug: str) -> list[str]:
    from verhalenbank.rondes.models import Ronde
    from verhalenbank.verhalen.models import Verhaal

    return [v.tekst_publiek for v in db.session.scalars(select(Verhaal).join(Ronde).where(Ronde.slug == slug))]


def test_prompts_words_and_themes_come_from_residents_not_from_questions(app, runner, rondes_met_vraag, tmp_path):
    for slug in BOMEN:
        tekst = _pakket_tekst(runner, tmp_path, slug)
        vraag = vraagwoorden([VRAGEN[slug], "Hoe voelde dit voor u?", "Waar ging uw verhaal over?",
                              "Wie waren erbij?"])
        vormen = alle_woordvormen(_publieke_teksten(slug))
        getoond: list[str] = []
        for lijst in LIJSTEN.findall(tekst):
            getoond += [w.strip() for w in lijst.split(",")]
        # Quoted single words in the prompts ("noemen ‘x’", "doen aan ‘x’").
        getoond += [w for w in GECITEERD.findall(tekst) if " " not in w.strip()]
        assert getoond, f"{slug}: no words shown at all"
        for woord in getoond:
            assert woord in vormen, f"{slug}: '{woord}' is not a whole word of the stories"
            assert woord not in stopwoorden(), f"{slug}: stop word '{woord}' shown"
            assert not is_vraagwoord(woord, vraag), f"{slug}: question word '{woord}' shown"
            assert len(woord) >= 4
        for fragment in ("woon", "begin", "samen", "vertellen", "per"):
            assert fragment not in getoond
        # Theme headings are a phrase from the stories, not a list of words.
        for naam in re.findall(r"Onderwerp \d+: ‘([^’]+)’", tekst):
            assert "," not in naam
            assert any(naam.lower() in " ".join(t.lower().split()) for t in _publieke_teksten(slug)), naam
        # Cover: period from the stories' dates, never "geen periode ingesteld".
        assert "geen periode ingesteld" not in tekst
        assert re.search(r"Periode \d+ \w+ 2026 tot en met \d+ \w+ 2026 \(data van de verhalen\)", tekst)
        # Untitled stories get a title from their first line.
        assert not re.search(r"\bVerhaal \d+\b", tekst)


def test_packs_count_confirmed_tags_by_default_and_mark_suggestions(app, runner, rondes_met_vraag, tmp_path):
    from verhalenbank.rondes.models import Ronde
    from verhalenbank.verhalen.models import Tag, Verhaal

    slug = "hoorn-2026-najaar"
    ronde = db.session.scalar(select(Ronde).where(Ronde.slug == slug))
    subdoel = ronde.doelenbomen[0].subdoelen[0]
    # A quotable off-topic story gets only a suggestion for the first subdoel.
    kandidaten = db.session.scalars(
        select(Verhaal).where(Verhaal.ronde_id == ronde.id, Verhaal.citeren.is_(True))
    ).all()
    voorstel = next(v for v in kandidaten if not v.tags)
    db.session.add(Tag(verhaal=voorstel, subdoel=subdoel, score=0.9, bevestigd=False))
    voorstel.titel_publiek = None
    db.session.commit()

    standaard = _pakket_tekst(runner, tmp_path, slug)
    assert "Alleen verhalen waarvan een mens bevestigde" in standaard
    assert "door de computer voorgesteld, maar niet bevestigd" in standaard
    assert "Niet bevestigd: voorstel van de computer" not in standaard

    ruim = _pakket_tekst(runner, tmp_path, slug, "--met-voorstellen")
    assert "Ook voorstellen van de computer" in ruim
    assert "alleen voorgesteld door de computer (niet bevestigd)" in ruim


def test_facilitator_adds_a_story_with_a_reason_and_the_cli_uses_the_browser_pack(
    app, client, login, runner, rondes_met_vraag, tmp_path
):
    from verhalenbank.rondes.models import Ronde
    from verhalenbank.verhalen.models import Verhaal

    slug = "bollenstreek-2026"
    ronde = db.session.scalar(select(Ronde).where(Ronde.slug == slug))
    boom = ronde.doelenbomen[0]
    subdoel = boom.subdoelen[0]
    login("facilitator")
    # The pack made in the browser narrows to the tree; the CLI without options must still use it.
    url = client.post("/pakketten/nieuw", data={"ronde": slug, "doelenboom": boom.code}).headers["Location"]
    pakket_id = int(url.rstrip("/").split("/")[-1])
    pagina = client.get(url).get_data(as_text=True)
    assert "Zelf een verhaal toevoegen" in pagina

    # An off-topic quotable story, in no subdoel at all.
    los = next(v for v in db.session.scalars(select(Verhaal).where(Verhaal.ronde_id == ronde.id))
               if v.citeren and not v.tags)
    niet_citeren = next(v for v in db.session.scalars(select(Verhaal).where(Verhaal.ronde_id == ronde.id))
                        if not v.citeren)
    actie = f"/pakketten/{pakket_id}/keuze"
    # Without a reason: refused, nothing stored.
    client.post(actie, data={"sectie": subdoel.id, "verhaal": los.id, "handeling": "toevoegen", "reden": " "})
    assert "Schrijf kort op waarom" in client.get(url).get_data(as_text=True)
    # A story that may not be quoted: refused.
    client.post(actie, data={"sectie": subdoel.id, "verhaal": niet_citeren.id, "handeling": "toevoegen",
                             "reden": "Raakt me"})
    assert "mag niet geciteerd worden" in client.get(url).get_data(as_text=True)
    reden = "Dit laat goed zien hoe zwaar het is als niemand het overneemt."
    response = client.post(actie, data={"sectie": subdoel.id, "verhaal": los.id, "handeling": "toevoegen",
                                        "reden": reden})
    assert response.status_code == 302
    pagina = client.get(url).get_data(as_text=True)
    assert "Verhaal toegevoegd." in pagina

    uit = tmp_path / "pakket.pdf"
    result = runner.invoke(main, ["pakket", slug, "--out", str(uit)])
    assert result.exit_code == 0, result.output
    assert f"pack {pakket_id} (saved choices)" in result.output
    tekst = _pdf_tekst(uit.read_bytes())
    assert f"Gekozen door de gespreksleider: {reden}" in tekst
    # The story follows its reason (the first 40 characters: PDF text splits some kerned words).
    na_reden = tekst[tekst.index(reden):]
    assert " ".join(los.tekst_publiek.split())[:40] in na_reden[:400]
