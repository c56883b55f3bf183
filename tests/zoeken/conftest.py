"""Fixtures for the search tests: a small corpus and both back ends (Whoosh, PostgreSQL)."""

from __future__ import annotations

import os
import uuid
import pytest
from sqlalchemy import create_engine, text

from verhalenbank.zoeken.postgres_backend import PostgresBackend
from verhalenbank.zoeken.whoosh_backend import WhooshBackend
from zoekcorpus import make_corpus

PG_SERVER_URL = os.environ.get("VERHALENBANK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")



@pytest.fixture(scope="session")
def pg_engine():
    """A throw-away PostgreSQL database for this test session."""
    server = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    name = f"vb_zoeken_{uuid.uuid4().hex[:10]}"
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(PG_SERVER_URL.rsplit("/", 1)[0] + f"/{name}")
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
