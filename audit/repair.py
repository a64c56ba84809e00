"""Repairing a ledger fault (`txexplain audit repair`): rows past the last checkpoint the sequencer signed were
written by someone else. Quarantine exports them to a file and removes them, so the log is again what it signed
(run it as the database owner: the append-only triggers are bypassed for that transaction only, a superuser's
right on Postgres); adopt signs a checkpoint over them instead, for rows the operator vouches for (a ledger from
before checkpoints existed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from audit.merkle import Frontier
from audit.models import AuditRecord, AuditRecordTerm, Checkpoint, PinTask
from audit.queries import checkpoint_json
from audit.record import view
from audit.signing import Signer
from audit.verify import VerificationError, verify_checkpoint


class RepairError(RuntimeError):
    """The repair cannot be made (the message says what is needed)."""


@dataclass(frozen=True)
class Repair:
    """What a repair did."""

    trusted_size: int  # the ledger ends here now (quarantine), or the size the new checkpoint signs (adopt)
    removed: list[str]  # record ids taken out (quarantine)
    checkpoints_removed: list[int]


def last_trusted_size(session: Session, trusted_keys: frozenset[str]) -> int:
    """The size of the newest checkpoint a trusted key signed that matches the record at its size (0: none)."""
    for checkpoint in session.scalars(select(Checkpoint).order_by(Checkpoint.size.desc())):
        if checkpoint.public_key.lower() not in trusted_keys:
            continue
        try:
            verify_checkpoint(checkpoint_json(checkpoint))
        except VerificationError:
            continue
        head = session.scalar(select(AuditRecord.chain_hash).where(AuditRecord.seq == checkpoint.size))
        if head == checkpoint.chain_head:
            return checkpoint.size
    return 0


def quarantine(sessions: sessionmaker[Session], trusted_keys: frozenset[str], out: Path) -> Repair:
    """Write every row past the last trusted checkpoint to ``out`` (JSON lines: the record, its canonical text and
    hashes), then remove those rows, their search terms and pins, and the checkpoints past it.

    Raises:
        RepairError: the database refused (on Postgres the owner must be a superuser to bypass the triggers).
    """
    with sessions.begin() as session:
        size = last_trusted_size(session, trusted_keys)
        rows = list(session.scalars(select(AuditRecord).where(AuditRecord.seq > size).order_by(AuditRecord.seq)))
        stale = list(session.scalars(select(Checkpoint.size).where(Checkpoint.size > size)))
        with out.open("a") as file:
            for record in rows:
                file.write(json.dumps({**view(record), "canonical": record.canonical, "leaf_hash": record.leaf_hash,
                                       "chain_hash": record.chain_hash}, default=str) + "\n")
        if session.get_bind().dialect.name == "postgresql":
            try:
                session.execute(text("SET LOCAL session_replication_role = replica"))
            except Exception as exc:
                raise RepairError("removing rows from the append-only ledger needs the database owner as a "
                                  f"superuser ({type(exc).__name__})") from exc
        ids = [r.id for r in rows]
        session.execute(delete(AuditRecordTerm).where(AuditRecordTerm.seq > size))
        if ids:
            session.execute(delete(PinTask).where(PinTask.target_kind == "record", PinTask.target_id.in_(ids)))
        session.execute(delete(AuditRecord).where(AuditRecord.seq > size))
        session.execute(delete(Checkpoint).where(Checkpoint.size > size))
    return Repair(size, ids, sorted(stale))


def adopt(sessions: sessionmaker[Session], signer: Signer) -> Repair:
    """Sign a checkpoint over every record the ledger holds, vouching for rows no checkpoint covered."""
    from audit.ledger import signed_checkpoint

    with sessions.begin() as session:
        frontier, chain = Frontier(), None
        for leaf, chain_hash in session.execute(select(AuditRecord.leaf_hash, AuditRecord.chain_hash)
                                                .order_by(AuditRecord.seq)):
            frontier.append(bytes.fromhex(leaf[2:]))
            chain = chain_hash
        if chain is None:
            raise RepairError("the ledger holds no record to sign")
        if session.get(Checkpoint, frontier.size) is not None:
            raise RepairError(f"a checkpoint of size {frontier.size} exists already, signed by another key: "
                              "quarantine the tail instead")
        session.execute(insert(Checkpoint), [signed_checkpoint(signer, frontier, chain, datetime.now(UTC))])
    return Repair(frontier.size, [], [])
