"""Browser fixtures for the end-to-end journeys: a served Verhalenbank, Debian's Chromium,
accounts per role, and an axe-core check that also keeps a screenshot of every page."""

from __future__ import annotations

import re

import pytest

from tests.e2e.omgeving import Server, omgeving, prepare
from tests.e2e.paginas import GEBRUIKERS, ORGANISATIE, RONDE, WACHTWOORD, Controle


def _create_users(omg) -> None:
    from verhalenbank.accounts import operations
    from verhalenbank.app import create_app
    from verhalenbank.extensions import db

    app = create_app({"data_dir": omg.data_dir, "database_url": omg.database_url, "secret_key": "x"})
    with app.app_context():
        organisatie = operations.get_or_create_organisatie(ORGANISATIE)
        for rol, email in GEBRUIKERS.items():
            operations.create_gebruiker(
                email, rol, naam=rol.capitalize(), wachtwoord=WACHTWOORD,
                organisatie=organisatie if rol == "aanbieder" else None,
            )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def verhalenbank(request, tmp_path_factory):
    """`verhalenbank serve` (waitress, the default) on its own data dir and database."""
    with omgeving(request.param, tmp_path_factory.mktemp("e2e")) as omg:
        prepare(omg, ronde=RONDE)
        _create_users(omg)
        server = Server(omg).start()
        try:
            yield server
        finally:
            server.stop()



@pytest.fixture
def controle(verhalenbank, request):
    journey = re.sub(r"\W+", "-", request.node.originalname.removeprefix("test_"))
    return Controle(verhalenbank.omg.kind, journey)
