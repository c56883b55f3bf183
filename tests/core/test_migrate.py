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

def test_postgresql_search_vectors_move_to_their_own_table_and_back(postgres_url):
    """zoeken_0001 moves the indexed tsvectors out of zoekdocumenten: no reindex needed, and a
    downgrade puts them back."""
    from alembic import command
    from sqlalchemy import text

    from verhalenbank.core.migrate import alembic_config

    url = databases.create_postgres_database("verhalenbank_migrate")
    if url is None:
        url = postgres_url
        databases.reset_postgres(url)
    engine = create_engine(url)
    try:
        upgrade(url, "verhalen_0001")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO zoekdocumenten (verhaal_id, titel, tekst_publiek, doelenboom, subdoel,"
                " subdoel_bevestigd, subdoel_voorgesteld, indicator, indicator_bevestigd,"
                " indicator_voorgesteld, tsv, bijgewerkt_op) VALUES (7, 'Buurtkamer', 'koffie',"
                " '{}', '{}', '{}', '{}', '{}', '{}', '{}', to_tsvector('dutch', 'buurtkamer koffie'), now())"
            ))
        upgrade(url)
        with engine.connect() as connection:
            moved = connection.execute(text(
                "SELECT verhaal_id FROM zoekvectoren WHERE tsv @@ to_tsquery('dutch', 'koffie')"
            )).scalars().all()
            columns = connection.execute(text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'zoekdocumenten'"
            )).scalars().all()
        assert moved == [7]
        assert "tsv" not in columns

        command.downgrade(alembic_config(url), "verhalen_0001")
        with engine.connect() as connection:
            back = connection.execute(text(
                "SELECT verhaal_id FROM zoekdocumenten WHERE tsv @@ to_tsquery('dutch', 'buurtkamer')"
            )).scalars().all()
            tables = connection.execute(text(
                "SELECT table_name FROM information_schema.tables WHERE table_name = 'zoekvectoren'"
            )).scalars().all()
        assert back == [7]
        assert tables == []
    finally:
        engine.dispose()
        if url != postgres_url:
            databases.drop_postgres_database(url)
        else:
            databases.reset_postgres(url)
            upgrade(url)
