"""Database engines and Alembic upgrades for the audit store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

import migrations

if TYPE_CHECKING:
    from alembic.config import Config


class AuditError(RuntimeError):
    """Base of audit/ failures."""


class AuditWriteError(AuditError):
    """A record could not be written; the request it belongs to must fail. ``record_at_fault``: the record's
    own content was refused (written alone, the others of its batch go through)."""

    def __init__(self, message: str, *, record_at_fault: bool = False):
        super().__init__(message)
        self.record_at_fault = record_at_fault


STORE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)
"""What the database raises when it is down, unreachable, stalled past the timeout or locked: a request
meeting one of these cannot be audited and is answered 503, never 500 and never without its record."""
AUDIT_FAILURES: tuple[type[Exception], ...] = (AuditWriteError, *STORE_UNAVAILABLE)
"""A record could not be written, or the store could not be read: the API answers 503 audit-unavailable and the
CLI exits 3 with :func:`failure_text` on one line."""


def failure_text(exc: Exception) -> str:
    """One line saying why the audit store failed, without the driver's text (it may quote another request)."""
    if isinstance(exc, AuditWriteError):
        return str(exc).splitlines()[0] if str(exc) else "the record could not be written"
    return f"the audit store did not answer ({type(exc).__name__})"


def make_engine(url: str, timeout_s: float | None = None) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and foreign keys.

    ``timeout_s`` bounds every wait on the database, for the request path: connecting, a pooled connection,
    a lock, a statement, and (Postgres) unacknowledged data and dead peers on the TCP connection, so an
    unreachable or stalled server fails a request in seconds instead of hanging it; and, on the server's side, a
    session idle inside a transaction (its holder frozen or cut off), which ends and frees its locks. None (the
    CLI's audit commands, which may read the whole ledger) leaves statements unbounded.
    """
    if url.startswith("sqlite"):
        wait = timeout_s if timeout_s is not None else 30  # SQLAlchemy's pool default, and our old busy timeout
        engine = create_engine(url, pool_timeout=wait, connect_args={"timeout": wait, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    if timeout_s is None:
        return create_engine(url, pool_pre_ping=True)
    millis = max(1, round(timeout_s * 1000))
    engine = create_engine(url, pool_pre_ping=True, pool_timeout=timeout_s, connect_args={
        "connect_timeout": max(2, round(timeout_s)),  # libpq's floor is 2 s
        "keepalives": 1, "keepalives_idle": max(1, round(timeout_s)), "keepalives_interval": 1,
        "keepalives_count": 3, "tcp_user_timeout": millis,
    })

    idle_s = max(1, round(timeout_s))

    @event.listens_for(engine, "connect")
    def _bounded_waits(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        with dbapi_conn.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {millis}")
            cursor.execute(f"SET lock_timeout = {millis}")
            # A holder that stops mid-transaction (frozen, partitioned, paused in a debugger) must not keep the
            # ledger's advisory lock: the server ends its session after this idle time, and probes a silent
            # peer on its own side of the socket, so the lock dies with the holder's transaction.
            cursor.execute(f"SET idle_in_transaction_session_timeout = {millis}")
            cursor.execute(f"SET tcp_keepalives_idle = {idle_s}")
            cursor.execute("SET tcp_keepalives_interval = 1")
            cursor.execute("SET tcp_keepalives_count = 3")
            cursor.execute(f"SET tcp_user_timeout = {millis}")
        dbapi_conn.commit()

    return engine


def _unbounded(connection) -> None:  # type: ignore[no-untyped-def]
    """Lift the request path's statement and lock timeouts for this transaction (migrations may be long)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL statement_timeout = 0"))
        connection.execute(text("SET LOCAL lock_timeout = 0"))


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


MIGRATION_LOCK = 0x7478_6D67  # "txmg": replicas starting together migrate one at a time


def _migrating(connection) -> None:  # type: ignore[no-untyped-def]
    """Bound nothing, and on Postgres hold the migration lock until the transaction ends: a replica that
    starts beside another waits, then finds the schema already there."""
    _unbounded(connection)
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (under the migration lock)."""
    config = alembic_config()
    with engine.begin() as connection:
        _migrating(connection)
        config.attributes["connection"] = connection
        from alembic import command

        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database behind ``engine`` down to ``revision`` ("base" removes every table)."""
    config = alembic_config()
    with engine.begin() as connection:
        _migrating(connection)
        config.attributes["connection"] = connection
        from alembic import command

        command.downgrade(config, revision)


class LedgerMissing(LookupError):
    """No ledger where the URL points: no database, a database without the ledger's tables, or one at another
    revision than this code's (read-only commands never create or migrate one)."""


def head_revision() -> str | None:
    """The revision the packaged migrations end at."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def existing_ledger(url: str) -> Engine:
    """An engine on the ledger at ``url``, which must exist and be migrated to head: nothing is created or
    migrated (a mistyped SQLite path must not become a new, empty ledger).

    Raises:
        LedgerMissing: no database file, no ledger tables, or another revision.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or not Path(path).is_file():
            raise LedgerMissing(f"no audit database at {path or '(memory)'} (TXEXPLAIN_DATABASE_URL): nothing was "
                                "created")
    engine = make_engine(url)
    revision, head = current_revision(engine), head_revision()
    if revision is None:
        raise LedgerMissing(f"{parsed.render_as_string(hide_password=True)} holds no ledger (no txexplain tables): "
                            "nothing was created")
    if revision != head:
        raise LedgerMissing(f"the ledger is at revision {revision}, this txexplain reads {head}: run "
                            "`txexplain db upgrade` first")
    return engine


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None before the first upgrade)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
