"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (database `test`, trust auth). Locally, an
unreachable server skips the PostgreSQL half with a visible reason; with CI=true it fails the
run instead, so CI can never silently test only SQLite.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.support import databases
from tests.support.factories import WACHTWOORD, import_voorbeeld_bomen, make_gebruiker
from tests.support.paths import STAND_IN_MODEL
from tests.support.snapshots import Snapshots

os.environ.setdefault("VERHALENBANK_SPACY_MODEL", str(STAND_IN_MODEL))

# Accounts made in the test process hash their password with 1,000 PBKDF2 rounds instead of
# scrypt: a login then costs 2 ms instead of 0.2 s (hash and check), which added up to minutes
# over the suite. The check follows the method stored in the hash, as in production; servers
# started as processes (tests/e2e) keep scrypt.
SNELLE_HASH = "pbkdf2:sha256:1000"


@pytest.fixture(autouse=True, scope="session")
def _snelle_wachtwoord_hash():
    from werkzeug.security import generate_password_hash

    from verhalenbank.accounts import operations

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(operations, "generate_password_hash",
                      lambda wachtwoord: generate_password_hash(wachtwoord, method=SNELLE_HASH))
        yield


@pytest.fixture(scope="session")
def postgres_url():
    """A database of this test run's own on the server, so parallel runs can't clobber each other.

    Falls back to the `test` database itself where the role may not create databases.
    """
    reason = databases.postgres_unreachable_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {databases.POSTGRES_URL} is required in CI but unreachable: {reason}")
        pytest.skip(f"PostgreSQL unreachable ({reason}); set up the server to run this half")
    url = databases.create_postgres_database("verhalenbank_test")
    if url is None:
        yield databases.POSTGRES_URL
        return
    try:
        yield url
    finally:
        databases.drop_postgres_database(url)


@pytest.fixture(scope="session")
def migrated_postgres(postgres_url):
    """The run's PostgreSQL database, migrated once for the whole session; yields its engine."""
    from verhalenbank.core.migrate import upgrade

    databases.reset_postgres(postgres_url)
    upgrade(postgres_url)
    engine = create_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once per session; each test gets a copy."""
    return databases.migrate_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    """A migrated, empty database of each kind in turn."""
    if request.param == "sqlite":
        return databases.sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path_factory.mktemp("db"))
    engine = request.getfixturevalue("migrated_postgres")
    databases.truncate_all(engine)
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory) -> Snapshots:
    """Expensive fixture states, built once per session and database kind (tests/support/snapshots.py)."""
    return Snapshots(tmp_path_factory.mktemp("snapshots"))


@pytest.fixture
def data_dir(tmp_path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def app(database_url, data_dir):
    from verhalenbank.app import create_app
    from verhalenbank.extensions import db

    app = create_app(
        {
            "data_dir": data_dir,
            "database_url": database_url,
            "secret_key": "test-secret",
            # Deterministic: a test sees the analysis of what it just sent.
            "achtergrond_verwerking": False,
            "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False},
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """`make_user(rol, email=None, organisatie=None)`: a committed account (see tests.support.factories)."""
    return make_gebruiker


@pytest.fixture
def login(client, make_user):
    """Log a new user with the given role in on the test client; returns the user."""

    def do_login(rol: str = "beheerder", **kwargs):
        gebruiker = make_user(rol, **kwargs)
        response = client.post("/inloggen", data={"email": gebruiker.email, "wachtwoord": WACHTWOORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return gebruiker

    return do_login


@pytest.fixture
def voorbeeld_bomen(app):
    """The three example trees, imported."""
    return import_voorbeeld_bomen()


@pytest.fixture
def voorbeeld_rondes(voorbeeld_bomen):
    """The example trees and the example stories' rondes, each bound to its own tree."""
    from verhalenbank.extensions import db
    from verhalenbank.rondes.operations import RondeGegevens, boom_bij_naam, create_ronde

    bomen = voorbeeld_bomen
    for slug in VOORBEELD_RONDES:
        create_ronde(RondeGegevens(slug=slug, titel=slug.replace("-", " ").capitalize(),
                                   doelenboom_codes=[boom_bij_naam(slug, bomen).code]))
    db.session.commit()
    return bomen


VOORBEELD_RONDES = ("lelystad-2026-voorjaar", "hoorn-2026-najaar", "bollenstreek-2026")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, one instance for the whole run."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium (/usr/bin/chromium) is required for the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
