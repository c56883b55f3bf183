"""One intake (verhalen/intake.py): the public form and the API give the same outcomes.

The divergence of issue 15: a submission key first used in ronde A and sent again to ronde B
was refused by the API but answered "dank je" by the form while nothing was stored.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from verhalenbank.extensions import db
from verhalenbank.verhalen.models import Verhaal
from tests.support.factories import lelystad, make_ronde

SLEUTEL = "sleutel-" + "k" * 24
FORM_MELDING = "Dit formulier is al eens gebruikt voor een andere ronde"


@pytest.fixture
def twee_rondes(app, voorbeeld_bomen):
    boom = lelystad(voorbeeld_bomen)
    return make_ronde("ronde-a", boom=boom), make_ronde("ronde-b", boom=boom)


def _aantal() -> int:
    return db.session.scalar(select(func.count(Verhaal.id)))


def _via_formulier(client, slug: str, tekst: str):
    return client.post(f"/r/{slug}", data={"tekst": tekst, "toestemming": "y", "inzend_sleutel": SLEUTEL})


def _via_api(client, slug: str, tekst: str):
    return client.post(f"/api/v1/rondes/{slug}/verhalen",
                       json={"tekst": tekst, "toestemming": True, "inzend_sleutel": SLEUTEL})


@pytest.mark.parametrize("eerst", [_via_formulier, _via_api], ids=["eerst-formulier", "eerst-api"])
def test_a_key_from_another_ronde_is_refused_by_the_form_and_the_api(client, twee_rondes, eerst):
    assert eerst(client, "ronde-a", "Het eerste verhaal, in ronde A.").status_code in (201, 303)
    assert _aantal() == 1

    formulier = _via_formulier(client, "ronde-b", "Een ander verhaal, voor ronde B.")
    assert formulier.status_code == 400
    html = formulier.get_data(as_text=True)
    assert FORM_MELDING in html
    assert "Een ander verhaal, voor ronde B." in html  # the text is kept
    assert SLEUTEL not in html  # a fresh key, so sending again works

    api = _via_api(client, "ronde-b", "Een ander verhaal, voor ronde B.")
    assert api.status_code == 422
    assert "andere ronde" in api.get_json()["fout"]

    assert _aantal() == 1
    assert db.session.scalar(select(Verhaal.ronde_id)) == twee_rondes[0].id


@pytest.mark.parametrize("stuur", [_via_formulier, _via_api], ids=["formulier", "api"])
def test_a_resend_in_the_same_ronde_gives_the_stored_story_back(client, twee_rondes, stuur):
    eerste = stuur(client, "ronde-a", "Twee keer verstuurd.")
    tweede = stuur(client, "ronde-a", "Twee keer verstuurd.")
    assert eerste.status_code in (201, 303) and tweede.status_code in (200, 303)
    assert _aantal() == 1


def test_spacy_runs_with_no_database_transaction_open(app, monkeypatch, voorbeeld_rondes):
    """The analysis job reads the texts, ends that transaction, and only then runs spaCy: on
    SQLite (one writer at a time) residents' stories are not kept waiting meanwhile."""
    from verhalenbank.extensions import db
    from verhalenbank.nlp import analysis
    from verhalenbank.verhalen import intake
    from verhalenbank.verhalen.models import AnalyseStatus
    from verhalenbank.verhalen.operations import VerhaalInvoer
    from verhalenbank.rondes.operations import find_ronde

    open_tijdens_spacy: list[bool] = []
    echte = analysis.analyse_texts

    def spion(items, model=None):
        open_tijdens_spacy.append(db.session().in_transaction())
        return echte(items, model)

    monkeypatch.setattr(analysis, "analyse_texts", spion)
    inname = intake.neem_verhaal_in(
        VerhaalInvoer(tekst="Mevrouw Jansen komt nu elke week naar de buurtkamer en voelt zich minder alleen.",
                      toestemming=True),
        ronde=find_ronde("lelystad-2026-voorjaar"),
    )
    db.session.commit()
    intake.plan_na_commit([inname.verhaal.id])  # synchronous in tests: the job runs here
    db.session.expire_all()
    assert inname.verhaal.analyse_status == AnalyseStatus.GEANALYSEERD
    assert "Jansen" not in inname.verhaal.tekst_publiek
    assert open_tijdens_spacy == [False]
