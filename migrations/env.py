"""Alembic environment: a connection handed in by audit.db.upgrade, else the URL from settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from audit.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from app.settings import settings

    engine = create_engine(settings.database_url)
    with engine.begin() as conn:
        _run(conn)


def run_migrations_offline() -> None:
    from app.settings import settings

    context.configure(url=settings.database_url, target_metadata=target_metadata, literal_binds=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
