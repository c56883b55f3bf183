"""Alembic, driven from code: `verhalenbank init` upgrades; the app itself never migrates."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from verhalenbank.config import PACKAGE_DIR

MIGRATIONS_DIR = PACKAGE_DIR / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def pending_revisions(engine) -> bool:
    """True when the database is not at the newest migration (e.g. not initialised)."""
    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return set(current) != set(script.get_heads())


def make_revision(message: str) -> None:
    """Autogenerate a revision from the models against a throw-away SQLite database at head."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'schema.sqlite3'}"
        upgrade(url)
        command.revision(alembic_config(url), message=message, autogenerate=True)


if __name__ == "__main__":
    import sys

    make_revision(" ".join(sys.argv[1:]) or "schema change")
