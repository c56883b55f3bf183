"""Alembic environment: the models' metadata is the target; URL from verhalenbank's config."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from verhalenbank import modellen  # noqa: F401  (imports every model module)
from verhalenbank.core.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode copies and drops tables; with foreign keys on, dropping a table that
            # others refer to would cascade. The pragma only works outside a transaction, so it
            # goes to the driver connection before Alembic begins one (NullPool: not reused).
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite can't ALTER most things; batch mode copies tables instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
