"""`upgrade head` on an empty database gives exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from verhalenbank import modellen  # noqa: F401
from verhalenbank.core.migrate import pending_revisions, upgrade
from verhalenbank.core.models import Base

from tests.support import databases


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
    url = databases.create_postgres_database("verhalenbank_migrate")
    if url is None:  # no CREATEDB right: the run's own database, left migrated as the suite expects
        url = postgres_url
        databases.reset_postgres(url)
    try:
        engine = create_engine(url)
        assert pending_revisions(engine)
        engine.dispose()
        upgrade(url)
        assert _diff(url) == []
    finally:
        if url != postgres_url:
            databases.drop_postgres_database(url)


def test_app_start_does_not_migrate(tmp_path):
    from verhalenbank.app import create_app
    from verhalenbank.extensions import db

    url = f"sqlite:///{tmp_path / 'nieuw.sqlite3'}"
    app = create_app({"data_dir": tmp_path, "database_url": url})
    with app.app_context():
        assert pending_revisions(db.engine)
        db.engine.dispose()


def test_migrations_form_one_line_with_a_single_head():
    """Branches that each added a migration must be put in one line, or `upgrade head` fails."""
    from alembic.script import ScriptDirectory

    from verhalenbank.core.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()
    assert len(script.get_bases()) == 1, script.get_bases()
