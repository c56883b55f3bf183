"""A pack is built from what analysis stored: no language pipeline in the web process."""

from __future__ import annotations

from sqlalchemy import select

from verhalenbank.doelenbomen.models import Doelenboom, Subdoel
from verhalenbank.extensions import db
from verhalenbank.nlp import pipeline
from verhalenbank.pakketten import operations, woordsoort
from verhalenbank.rondes.operations import RondeGegevens, create_ronde
from verhalenbank.verhalen.models import Verhaal
from verhalenbank.verhalen.operations import VerhaalInvoer, store_verhaal
from verhalenbank.verhalen.verwerking import verwerk_verhalen

VERHALEN = [
    "Het nieuwe buurthuis is een warme plek. Ik drink er elke dinsdag koffie met de buren.",
    "In het buurthuis leerde ik mijn buurvrouw kennen. Nu wandelen we samen in het park.",
    "De jonge vrijwilligers van het buurthuis helpen mij met mijn post en mijn rekeningen.",
    "Sinds de moestuin bij de flat er is, praat ik weer met mensen uit mijn straat.",
]


def _ronde_met_verhalen():
    boom = Doelenboom(code="testdorp-ontmoeten", titel="Ontmoeten in Testdorp", hoofddoel="Inwoners ontmoeten elkaar.")
    boom.subdoelen = [Subdoel(code="ON", titel="Inwoners ontmoeten elkaar in de buurt", positie=0)]
    db.session.add(boom)
    db.session.flush()
    ronde = create_ronde(RondeGegevens(slug="testdorp-2026", titel="Testdorp", doelenboom_codes=[boom.code]))
    verhalen = [store_verhaal(VerhaalInvoer(tekst=t, toestemming=True, citeren=True, labels=["ON"]), ronde=ronde)
                for t in VERHALEN]
    db.session.commit()
    verwerk_verhalen([v.id for v in verhalen])
    db.session.commit()
    return ronde


def test_building_a_pack_of_analysed_stories_loads_no_pipeline(app):
    ronde = _ronde_met_verhalen()
    assert all(v.woordsoorten for v in db.session.scalars(select(Verhaal)))
    pipeline.forget_loaded_pipelines()
    _, inhoud = operations.build_inhoud_voor_ronde(ronde, operations.vernauwing_van())
    assert inhoud.bomen
    assert pipeline._loaded == {}


def test_stories_analysed_before_it_was_stored_are_tagged_when_the_pack_is_built(app):
    _ronde_met_verhalen()
    verhalen = list(db.session.scalars(select(Verhaal).order_by(Verhaal.id)))
    teksten = [v.tekst_publiek for v in verhalen]
    opgeslagen = woordsoort.bepaal(teksten, [v.woordsoorten for v in verhalen])
    nu_getagd = woordsoort.bepaal(teksten, [None] * len(verhalen))
    half = woordsoort.bepaal(teksten, [v.woordsoorten if i % 2 else None for i, v in enumerate(verhalen)])
    assert "buurthuis" not in opgeslagen.geen_inhoud
    assert {"het", "de", "met"} <= opgeslagen.geen_inhoud
    assert nu_getagd.geen_inhoud == opgeslagen.geen_inhoud
    assert half.zinsdelen == opgeslagen.zinsdelen
    assert any(opgeslagen.zinsdelen)
