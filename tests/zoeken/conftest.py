"""Fixtures for the search tests: a small corpus and both back ends (Whoosh, PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from verhalenbank.zoeken.postgres_backend import PostgresBackend
from verhalenbank.zoeken.whoosh_backend import WhooshBackend
from tests.zoeken.zoekcorpus import make_corpus


@pytest.fixture(scope="session")
def pg_engine(postgres_url):
    """A throw-away PostgreSQL database for the back-end tests, on the suite's server.

    Depends on `postgres_url` so an unreachable server skips locally and fails in CI, as for
    every other PostgreSQL test; the app's own database is left alone (it is migrated).
    """
    server = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    name = f"vb_zoeken_{uuid.uuid4().hex[:10]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(postgres_url).set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def pg_backend(pg_engine):
    backend = PostgresBackend(pg_engine)
    backend.rebuild([])
    return backend


@pytest.fixture
def whoosh_backend(tmp_path):
    backend = WhooshBackend(tmp_path / "index")
    yield backend
    backend.close()


@pytest.fixture(params=["whoosh", "pg"])
def backend(request):
    """An empty index on each back end in turn."""
    return request.getfixturevalue(f"{request.param}_backend")


@pytest.fixture
def filled(backend):
    backend.add(make_corpus())
    return backend
