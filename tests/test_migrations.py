"""`upgrade head` on an empty database gives exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from verhalenbank.core import registry  # noqa: F401
from verhalenbank.core.migrate import pending_revisions, upgrade
from verhalenbank.core.models import Base


def _diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_sqlite_upgrade_head_matches_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'leeg.sqlite3'}"
    engine = create_engine(url)
    assert pending_revisions(engine)  # empty database: migrations outstanding
    upgrade(url)
    assert not pending_revisions(engine)
    engine.dispose()
    assert _diff(url) == []


def test_postgresql_upgrade_head_matches_models(postgres_url):
    from tests.conftest import _SCHEMA_READY, _reset_postgres

    _reset_postgres(postgres_url)
    _SCHEMA_READY.pop(postgres_url, None)
    upgrade(postgres_url)
    _SCHEMA_READY[postgres_url] = True
    assert _diff(postgres_url) == []


def test_app_start_does_not_migrate(tmp_path):
    from verhalenbank.app import create_app
    from verhalenbank.extensions import db

    url = f"sqlite:///{tmp_path / 'nieuw.sqlite3'}"
    app = create_app({"data_dir": tmp_path, "database_url": url})
    with app.app_context():
        assert pending_revisions(db.engine)
        db.engine.dispose()
