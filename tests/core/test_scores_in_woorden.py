"""Scores in words (one mapping everywhere) and the learning-curve summary of the quality page."""

from __future__ import annotations

import math
import re

import pytest

from verhalenbank.doelenbomen.models import Doelenboom, Subdoel
from verhalenbank.extensions import db
from verhalenbank.nlp.leercurve import MIJLPALEN, leercurve
from verhalenbank.nlp.models import TaggerModel
from verhalenbank.core.scores import SCORE_BANDEN, SCORE_WOORDEN, legenda, score_in_woorden
from verhalenbank.rondes.operations import RondeGegevens, create_ronde
from verhalenbank.verhalen.models import Tag, TagMethode
from verhalenbank.verhalen.operations import VerhaalInvoer, store_verhaal

PERCENT = re.compile(r"\b\d{1,3}\s?%")


@pytest.mark.parametrize(
    ("score", "woord"),
    [(1.0, "zeer waarschijnlijk"), (0.85, "zeer waarschijnlijk"), (0.849, "waarschijnlijk"),
     (0.65, "waarschijnlijk"), (0.64, "mogelijk"), (0.40, "mogelijk"), (0.39, "twijfelachtig"),
     (0.0, "twijfelachtig"), (-0.1, "twijfelachtig")],
)
def test_score_in_words_by_band(score, woord):
    assert score_in_woorden(score) == woord


def test_confirmed_and_unknown_scores():
    assert score_in_woorden(0.1, bevestigd=True) == "bevestigd"
    assert score_in_woorden(None) == "onbekend"
    assert score_in_woorden(math.nan) == "onbekend"
    assert set(SCORE_WOORDEN) == {band.woord for band in SCORE_BANDEN} | {"bevestigd", "onbekend"}
    bounds = [band.ondergrens for band in SCORE_BANDEN]
    assert bounds == sorted(bounds, reverse=True)
    assert bounds[-1] == 0.0
    assert [row["woord"] for row in legenda()] == [band.woord for band in SCORE_BANDEN]
    assert all(row["uitleg"] for row in legenda())


def _tree() -> Doelenboom:
    boom = Doelenboom(code="zien-wonen", titel="Prettig wonen in Zienstad", hoofddoel="Inwoners wonen prettig.")
    boom.subdoelen = [
        Subdoel(code="WO1", titel="Inwoners kennen hun buren", positie=0),
        Subdoel(code="WO2", titel="Inwoners voelen zich veilig in de straat", positie=1),
    ]
    db.session.add(boom)
    db.session.flush()
    return boom


def _story_with_suggestion(boom: Doelenboom, score: float):
    ronde = create_ronde(RondeGegevens(slug="zienstad-2026", titel="Zienstad", doelenboom_codes=[boom.code]))
    verhaal = store_verhaal(VerhaalInvoer(tekst="Ik ken nu de buren van de overkant.", titel="De buren",
                                          toestemming=True), ronde=ronde)
    verhaal.tekst_publiek = verhaal.tekst
    verhaal.titel_publiek = verhaal.titel
    tag = Tag(verhaal_id=verhaal.id, subdoel_id=boom.subdoelen[0].id, score=score,
              methode=TagMethode.AUTO, bevestigd=False)
    db.session.add(tag)
    db.session.commit()
    return verhaal, tag


def test_story_page_and_review_queue_show_the_score_in_words(app, client, login):
    boom = _tree()
    verhaal, tag = _story_with_suggestion(boom, 0.7312)
    login("beleidsadviseur")
    story = client.get(f"/verhalen/{verhaal.id}").get_data(as_text=True)
    assert "voorstel van de computer: waarschijnlijk" in story
    assert "73%" not in story
    assert "0.73" not in story
    queue = client.get(f"/beoordelen?boom={boom.id}").get_data(as_text=True)
    assert "de computer denkt: waarschijnlijk" in queue
    assert PERCENT.search(queue) is None


def test_search_page_shows_words_and_explains_them(app, client, login):
    from verhalenbank.zoeken import operations as zoeken_ops

    boom = _tree()
    verhaal, tag = _story_with_suggestion(boom, 0.42)
    zoeken_ops.reindex_all()
    login("beleidsadviseur")
    html = client.get("/zoeken?q=buren").get_data(as_text=True)
    assert f"/verhalen/{verhaal.id}" in html
    assert "(voorstel: mogelijk)" in html
    assert "42%" not in html
    assert "Hoe zeker is een voorstel?" in html
    for band in SCORE_BANDEN:
        assert f"<dt>{band.woord}</dt>" in html


class _S:
    def __init__(self, ident: int, code: str):
        self.id, self.code, self.titel = ident, code, f"Subdoel {code}"


def test_learning_curve_counts_and_next_milestone_without_measurements():
    curve = leercurve([_S(1, "A"), _S(2, "B"), _S(3, "C")], {1: 3, 2: 12, 3: 25})
    assert curve.bevestigd_totaal == 40
    assert curve.laagste == 3
    assert curve.volgende_mijlpaal == MIJLPALEN[0] == 5
    assert curve.nog_nodig_totaal == 2  # only A is below 5
    by_code = {s.code: s for s in curve.subdoelen}
    assert (by_code["A"].volgende_mijlpaal, by_code["A"].nog_nodig) == (5, 2)
    assert (by_code["B"].volgende_mijlpaal, by_code["B"].nog_nodig) == (20, 8)
    assert by_code["C"].volgende_mijlpaal is None
    assert by_code["C"].nog_nodig == 0
    assert curve.gemeten == []
    assert curve.verwachte_winst is None


def test_learning_curve_reads_measured_points_and_skips_bad_rows():
    gegevens = {"leercurve": [
        {"per_subdoel": 10, "macro_f1": 0.61, "kappa": 0.4},
        {"per_subdoel": 0, "macro_f1": 0.52, "kappa": 0.3},
        {"per_subdoel": 5, "macro_f1": 0.58},
        {"per_subdoel": "veel", "macro_f1": 0.9},
        {"per_subdoel": 20, "macro_f1": 0.7, "kappa": 0.55},
    ]}
    curve = leercurve([_S(1, "A"), _S(2, "B")], {1: 11, 2: 14}, gegevens)
    assert [p.per_subdoel for p in curve.gemeten] == [0, 5, 10, 20]
    assert curve.gemeten[1].kappa is None
    assert curve.volgende_mijlpaal == 20
    assert curve.nog_nodig_totaal == 9 + 6
    assert curve.nu.per_subdoel == 10
    assert curve.straks.per_subdoel == 20
    assert curve.verwachte_winst == 0.09
    all_done = leercurve([_S(1, "A")], {1: 30}, gegevens)
    assert all_done.volgende_mijlpaal is None
    assert all_done.nog_nodig_totaal == 0


def test_quality_page_shows_confirmations_and_what_more_would_bring(app, client, login):
    boom = _tree()
    verhaal, tag = _story_with_suggestion(boom, 0.9)
    tag.bevestigd = True
    db.session.commit()
    login("facilitator")
    html = client.get(f"/tagger/{boom.id}").get_data(as_text=True)
    assert "Wat brengen meer bevestigingen?" in html
    assert "Deze doelenboom heeft 1 bevestiging." in html
    assert "Daarvoor zijn nog 9 bevestigingen nodig." in html  # 4 for WO1, 5 for WO2
    assert "nog 4 tot 5" in html
    assert "nog 5 tot 5" in html
    assert "nog niet gemeten" in html

    db.session.add(TaggerModel(doelenboom_id=boom.id, pad="-", gegevens={
        "verhalen": 1, "cv": [],
        "leercurve": [{"per_subdoel": 0, "macro_f1": 0.5, "kappa": 0.2},
                      {"per_subdoel": 5, "macro_f1": 0.62, "kappa": 0.35}]}))
    db.session.commit()
    html = client.get(f"/tagger/{boom.id}").get_data(as_text=True)
    assert "Leercurve: hoe goed de computer was na zoveel bevestigingen per subdoel" in html
    assert "van 0 naar 5 bevestigingen per subdoel ging de F1 van 0.50 naar 0.62" in html
    assert "nog niet gemeten" not in html
