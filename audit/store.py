"""Append audit records: canonicalize, hash, give the next ``seq``, insert. Nothing is updated."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from audit.canonical import canonical_json, leaf_hash
from audit.db import AuditWriteError
from audit.models import AuditRecord

_ADVISORY_KEY = 0x7478_6578  # "txex": one sequencer for the ledger on Postgres
_local_lock = threading.Lock()


@dataclass(frozen=True)
class RecordBody:
    """What an explain hands the audit store."""

    id: str
    created_at: datetime
    kind: str
    chain_id: int
    verdict: str
    request: Any
    result: dict[str, Any]
    model: dict[str, Any]
    sampling: dict[str, Any] | None
    prompt: str | None
    raw_output: str | None
    validator: dict[str, Any]
    tool_calls: list[dict[str, Any]]
    policy: dict[str, str]

    def canonical(self) -> bytes:
        """The RFC 8785 form of the whole record; the leaf hash is over these bytes."""
        return canonical_json({
            "id": self.id, "created_at": self.created_at.isoformat(), "kind": self.kind,
            "chain_id": self.chain_id, "verdict": self.verdict, "request": self.request,
            "result": self.result, "model": self.model, "sampling": self.sampling, "prompt": self.prompt,
            "raw_output": self.raw_output, "validator": self.validator, "tool_calls": self.tool_calls,
            "policy": self.policy,
        })


@dataclass(frozen=True)
class Appended:
    """Where a record landed."""

    id: str
    seq: int
    leaf_hash: str


def append(sessions: sessionmaker[Session], body: RecordBody, attempts: int = 3) -> Appended:
    """Write ``body`` as the next record of the ledger.

    Raises:
        AuditWriteError: the record could not be stored (the caller must fail the request).
    """
    try:
        canonical = canonical_json_text(body)
    except (TypeError, ValueError) as exc:
        raise AuditWriteError(f"record cannot be canonicalized: {exc}") from exc
    leaf = leaf_hash(canonical.encode("utf-8"))
    last_error: Exception | None = None
    for _ in range(attempts):
        try:
            with _local_lock, sessions.begin() as session:
                if session.bind is not None and session.bind.dialect.name == "postgresql":
                    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
                seq = (session.scalar(select(func.max(AuditRecord.seq))) or 0) + 1
                session.add(AuditRecord(
                    id=body.id, seq=seq, created_at=body.created_at, kind=body.kind, chain_id=body.chain_id,
                    verdict=body.verdict, request=body.request, result=body.result, model=body.model,
                    sampling=body.sampling, prompt=body.prompt, raw_output=body.raw_output,
                    validator=body.validator, tool_calls=body.tool_calls,
                    policy_version=body.policy["version"], policy_sha256=body.policy["sha256"],
                    canonical=canonical, leaf_hash=leaf,
                ))
            return Appended(id=body.id, seq=seq, leaf_hash=leaf)
        except IntegrityError as exc:  # another writer took this seq: try the next one
            last_error = exc
        except SQLAlchemyError as exc:
            raise AuditWriteError(f"audit store unavailable: {type(exc).__name__}: {exc}"[:400]) from exc
    raise AuditWriteError(f"could not allocate a sequence number: {last_error}"[:400])


def canonical_json_text(body: RecordBody) -> str:
    """The canonical JSON as text (it is ASCII-safe UTF-8 by construction)."""
    return body.canonical().decode("utf-8")


def get_record(sessions: sessionmaker[Session], record_id: str) -> AuditRecord | None:
    """The stored record with ``record_id``, if any."""
    with sessions() as session:
        return session.get(AuditRecord, record_id)


def count_records(sessions: sessionmaker[Session]) -> int:
    """How many records the ledger holds."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditRecord)) or 0
