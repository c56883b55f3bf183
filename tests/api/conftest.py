"""Fixtures for the API tests: tokens per role and a small world of rondes and stories."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import g
from flask.testing import FlaskClient

from verhalenbank.accounts import operations as accounts_ops
from verhalenbank.extensions import db
from verhalenbank.rondes import operations as rondes_ops
from verhalenbank.verhalen import operations as verhalen_ops


class FreshUserClient(FlaskClient):
    """The test app context (and so `g`) lives for the whole test; a real request starts with an
    empty `g`. Drop Flask-Login's cached user so each request authenticates itself again."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = FreshUserClient
    return app.test_client()


@pytest.fixture
def api_token(make_user):
    """`api_token(rol, organisatie=None)` -> (gebruiker, header dict) for a fresh user of that role."""

    def make(rol: str = "beheerder", organisatie: str | None = None):
        gebruiker = make_user(rol, organisatie=organisatie)
        _, token = accounts_ops.create_api_token(gebruiker, "test")
        db.session.commit()
        return gebruiker, {"Authorization": f"Bearer {token}"}

    return make


@dataclass
class Wereld:
    open_ronde: object
    gesloten_ronde: object
    eigen_org: object
    andere_org: object
    verhaal_eigen: object
    verhaal_ander: object
    verhaal_zonder_org: object


@pytest.fixture
def wereld(app, voorbeeld_bomen):
    """Two rondes (one open, one closed), two organisations, three stories with tags."""
    open_ronde = rondes_ops.create_ronde(
        rondes_ops.RondeGegevens(
            slug="lelystad-open", titel="Lelystad open", wijken=["Atolwijk", "Waterwijk"],
            doelenboom_codes=["lelystad-sociaal-krachtige-wijken"], bewaartermijn_maanden=24,
        )
    )
    gesloten = rondes_ops.create_ronde(
        rondes_ops.RondeGegevens(slug="hoorn-dicht", titel="Hoorn dicht", is_open=False,
                                 doelenboom_codes=["hoorn-samenleven"])
    )
    eigen = accounts_ops.get_or_create_organisatie("Welzijn Eigen")
    ander = accounts_ops.get_or_create_organisatie("Zorg Ander")

    def verhaal(tekst, publiek, *, organisatie, bron="inwoner", wijk=None, labels=(), ronde=open_ronde):
        v = verhalen_ops.store_verhaal(
            verhalen_ops.VerhaalInvoer(tekst=tekst, titel="Titel met Jan", bron=bron, wijk=wijk,
                                       toestemming=True, labels=list(labels)),
            ronde=ronde, organisatie=organisatie,
        )
        v.tekst_publiek = publiek
        v.titel_publiek = "Titel met [naam]"
        return v

    v1 = verhaal("Jan de Vries belde 06-12345678 over de buurtkamer.", "[naam] belde [nummer] over de buurtkamer.",
                 organisatie=eigen, wijk="Atolwijk", labels=["LW1"])
    v2 = verhaal("Piet Jansen van de overkant hielp met de tuin.", "[naam] van de overkant hielp met de tuin.",
                 organisatie=ander, bron="mantelzorger", wijk="Waterwijk", labels=["LW2"])
    v3 = verhaal("Een verhaal zonder organisatie.", "Een verhaal zonder organisatie.", organisatie=None,
                 ronde=gesloten)
    db.session.commit()
    return Wereld(open_ronde, gesloten, eigen, ander, v1, v2, v3)
