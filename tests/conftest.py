"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (database `test`, trust auth). Locally, an
unreachable server skips the PostgreSQL half with a visible reason; with CI=true it fails the
run instead, so CI can never silently test only SQLite.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
VOORBEELDEN = SHARED / "voorbeelden"
DOELENBOMEN = SHARED / "doelenbomen"

os.environ.setdefault("VERHALENBANK_SPACY_MODEL", str(SHARED / "models" / "nl_verhalen_sm"))

POSTGRES_URL = os.environ.get(
    "VERHALENBANK_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_SCHEMA_READY: dict[str, bool] = {}


def _postgres_available() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def postgres_url():
    """A database of this test run's own on the server, so parallel runs can't clobber each other.

    Falls back to the `test` database itself where the role may not create databases.
    """
    reason = _postgres_available()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI but unreachable: {reason}")
        pytest.skip(f"PostgreSQL unreachable ({reason}); set up the server to run this half")
    name = f"verhalenbank_test_{os.getpid()}_{os.urandom(3).hex()}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - no CREATEDB right: share the `test` database
        admin.dispose()
        yield POSTGRES_URL
        return
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_postgres(url: str) -> None:
    """Drop everything in the public schema, so migrations start from an empty database."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _truncate_all(engine) -> None:
    from verhalenbank.core.models import Base

    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f'DELETE FROM "{table}"'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'verhalenbank.sqlite3'}"
    url = request.getfixturevalue("postgres_url")
    if not _SCHEMA_READY.get(url):
        _reset_postgres(url)
        from verhalenbank.core.migrate import upgrade

        upgrade(url)
        _SCHEMA_READY[url] = True
    else:
        _truncate_all(create_engine(url))
    return url


@pytest.fixture
def data_dir(tmp_path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def app(database_url, data_dir):
    from verhalenbank.app import create_app
    from verhalenbank.core.migrate import upgrade
    from verhalenbank.extensions import db

    if database_url.startswith("sqlite"):
        upgrade(database_url)
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
    from verhalenbank.accounts import operations
    from verhalenbank.extensions import db

    def make(rol: str = "beheerder", email: str | None = None, organisatie: str | None = None):
        org = operations.get_or_create_organisatie(organisatie) if organisatie else None
        if rol == "aanbieder" and org is None:
            org = operations.get_or_create_organisatie("Testorganisatie")
        gebruiker = operations.create_gebruiker(
            email or f"{rol}-{os.urandom(3).hex()}@test.nl", rol, wachtwoord="geheim-wachtwoord-123", organisatie=org
        )
        db.session.commit()
        return gebruiker

    return make


@pytest.fixture
def login(client, make_user):
    """Log a new user with the given role in on the test client; returns the user."""

    def do_login(rol: str = "beheerder", **kwargs):
        gebruiker = make_user(rol, **kwargs)
        response = client.post("/inloggen", data={"email": gebruiker.email, "wachtwoord": "geheim-wachtwoord-123"})
        assert response.status_code == 302, response.get_data(as_text=True)
        return gebruiker

    return do_login


@pytest.fixture
def voorbeeld_bomen(app):
    """The three example trees, imported."""
    from verhalenbank.doelenbomen import operations
    from verhalenbank.extensions import db

    bomen = [boom for boom, _ in operations.import_doelenboom_files(sorted(DOELENBOMEN.glob("*.yaml")))]
    db.session.commit()
    return bomen


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar()
            for name in inspect(engine).get_table_names()
            if name != "alembic_version"
        }


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
