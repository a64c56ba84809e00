"""The ledger's tail, as the sequencer left it: every record is covered by a checkpoint the sequencer signed in
the same transaction, so a record past the latest checkpoint, or a latest checkpoint signed by a key the service
does not trust, was written by someone holding only database credentials. The sequencer refuses to chain onto
such a tail (it would sign the forgery into its next checkpoint); the ledger then states the fault until an
operator repairs it (`txexplain audit repair`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.db import AuditWriteError
from audit.hashing import GENESIS_CHAIN
from audit.models import AuditRecord, Checkpoint
from audit.queries import checkpoint_json
from audit.verify import VerificationError, verify_checkpoint

REPAIR = "txexplain audit repair"


class LedgerFault(AuditWriteError):
    """The tail is not what the sequencer signed: nothing is chained onto it until it is repaired."""


@dataclass(frozen=True)
class Tail:
    """The head record (seq 0 and the genesis chain when empty) and why it is not the sequencer's, if it is not."""

    seq: int
    chain_hash: str
    problem: str | None


def read_tail(session: Session, trusted_keys: frozenset[str], verified: set[str] | None = None) -> Tail:
    """The ledger's tail, checked: ``verified`` holds signatures already checked (each is verified once)."""
    head = session.execute(select(AuditRecord.seq, AuditRecord.id, AuditRecord.chain_hash)
                           .order_by(AuditRecord.seq.desc()).limit(1)).first()
    latest = session.scalars(select(Checkpoint).order_by(Checkpoint.size.desc()).limit(1)).first()
    problem = _problem(head, latest, trusted_keys, verified if verified is not None else set())
    return Tail(head.seq if head else 0, head.chain_hash if head else GENESIS_CHAIN, problem)


def trusted_key_set(own_public_key: str, others: Iterable[str] = ()) -> frozenset[str]:
    """The public keys (lowercase 0x-hex) whose checkpoints the sequencer chains onto: its own and ``others``."""
    return frozenset(k.lower() for k in others) | {own_public_key.lower()}


def _problem(head: Any, latest: Checkpoint | None, trusted_keys: frozenset[str], verified: set[str]) -> str | None:
    if head is None:
        return None if latest is None else f"checkpoint {latest.size} signs records the ledger does not hold"
    if latest is None:
        return f"records 1..{head.seq} are covered by no signed checkpoint"
    if latest.public_key.lower() not in trusted_keys:
        return f"checkpoint {latest.size} is signed by a key this service does not trust ({latest.key_id})"
    if latest.signature not in verified:
        try:
            verify_checkpoint(checkpoint_json(latest))
        except VerificationError as exc:
            return str(exc)
        if len(verified) > 64:  # only the latest checkpoint is ever asked about again
            verified.clear()
        verified.add(latest.signature)
    if head.seq > latest.size:
        return (f"records {latest.size + 1}..{head.seq} (the last is {head.id}) were not written by the sequencer: "
                f"no signed checkpoint covers them")
    if head.seq < latest.size:
        return f"checkpoint {latest.size} signs more records than the ledger holds ({head.seq})"
    if head.chain_hash != latest.chain_head:
        return f"record {head.seq} ({head.id}) is not the one checkpoint {latest.size} signed"
    return None


def fault_text(problem: str) -> str:
    """The stated fault: what is wrong and the command that repairs it."""
    return f"ledger fault: {problem}; nothing is written until an operator runs `{REPAIR}`"
