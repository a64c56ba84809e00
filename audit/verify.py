"""One verification module for the API tests, `txexplain audit verify` and anyone holding an export:
recompute every leaf, the hash chain, every checkpoint's root and its signature."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from audit.cid import cid_v1_raw
from audit.hashing import (
    CHECKPOINT_ORIGIN,
    GENESIS_CHAIN,
    chain_next,
    checkpoint_document,
    leaf_hash,
)
from audit.merkle import Frontier, ProofError, verify_inclusion
from audit.models import AuditRecord, AuditRecordTerm, Checkpoint
from audit.queries import checkpoint_json, latest_checkpoint, ledger_consistency
from audit.record import as_utc, column_problem
from audit.signing import SignatureError, key_id_of, verify_signature
from audit.terms import record_terms


class VerificationError(ValueError):
    """Something in the ledger does not verify."""


@dataclass(frozen=True)
class VerifyReport:
    """What `audit verify` found."""

    records: int
    checkpoints: int
    first_bad_seq: int | None = None
    reason: str | None = None
    root_hash: str | None = None
    first_bad_id: str | None = None  # the record the first problem is in, when it is in a record

    @property
    def ok(self) -> bool:
        return self.reason is None


def verify_checkpoint(checkpoint: dict[str, Any], trusted_public_key: str | None = None) -> None:
    """Check a checkpoint's signature and that its signed bytes state its own fields.

    Raises:
        VerificationError: wrong key, bad signature, or fields that differ from what was signed.
    """
    if trusted_public_key is not None and checkpoint["public_key"].lower() != trusted_public_key.lower():
        raise VerificationError(f"checkpoint {checkpoint['size']} is signed by an untrusted key")
    try:
        verify_signature(checkpoint["public_key"], checkpoint["signed"].encode("utf-8"), checkpoint["signature"])
    except SignatureError as exc:
        raise VerificationError(f"checkpoint {checkpoint['size']}: {exc}") from exc
    signed = json.loads(checkpoint["signed"])
    stated = {"origin": CHECKPOINT_ORIGIN, "size": checkpoint["size"], "root_hash": checkpoint["root_hash"],
              "chain_head": checkpoint["chain_head"]}
    if {k: signed.get(k) for k in stated} != stated:
        raise VerificationError(f"checkpoint {checkpoint['size']}: fields differ from the signed statement")


def verify_record_proof(leaf: str, seq: int, proof: Sequence[str], checkpoint: dict[str, Any],
                        trusted_public_key: str | None = None) -> None:
    """Check that the record with ``leaf`` is entry ``seq`` of the tree a valid checkpoint signs.

    Raises:
        VerificationError: the checkpoint or the inclusion proof does not verify.
    """
    verify_checkpoint(checkpoint, trusted_public_key)
    try:
        verify_inclusion(_hash(leaf), seq - 1, checkpoint["size"], [_hash(p) for p in proof],
                         _hash(checkpoint["root_hash"]))
    except (ProofError, ValueError) as exc:
        raise VerificationError(f"inclusion proof for seq {seq}: {exc}") from exc


def _hash(value: str) -> bytes:
    data = bytes.fromhex(value.removeprefix("0x"))
    if len(data) != 32:
        raise ValueError("hashes must be 32 bytes")
    return data


def _record_problem(record: AuditRecord, expected_seq: int, chain: str) -> str | None:
    if record.seq != expected_seq:
        return f"expected seq {expected_seq}, found {record.seq} (a gap or a duplicate)"
    if leaf_hash(record.canonical.encode("utf-8")) != record.leaf_hash:
        return "leaf hash does not match the canonical JSON"
    if (problem := column_problem(record)) is not None:
        return problem
    if chain_next(chain, record.leaf_hash) != record.chain_hash:
        return "chain hash does not follow from the previous record"
    return None


def verify_ledger(sessions: sessionmaker[Session], trusted_public_key: str | None = None,
                  progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Recompute every leaf, the chain and every checkpoint (root, chain head, signature)."""
    with sessions() as session:
        checkpoints = {c.size: c for c in session.scalars(select(Checkpoint).order_by(Checkpoint.size))}
        total = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
        frontier, chain, seq = Frontier(), GENESIS_CHAIN, 0
        rows = session.scalars(select(AuditRecord).order_by(AuditRecord.seq).execution_options(yield_per=2000))
        terms = _StoredTerms(sessions)
        covered = max(checkpoints, default=0)  # every honest record is under a checkpoint of its own batch
        uncovered_id: str | None = None
        for record in rows:
            seq += 1
            if seq == covered + 1:
                uncovered_id = record.id
            problem = _record_problem(record, seq, chain) or _terms_problem(record, terms)
            if problem:
                return VerifyReport(total, len(checkpoints), seq, problem, first_bad_id=record.id)
            chain = record.chain_hash
            frontier.append(bytes.fromhex(record.leaf_hash[2:]))
            if progress is not None and seq % 1000 == 0:
                progress(seq)
            if (checkpoint := checkpoints.get(seq)) is not None:
                problem = _checkpoint_problem(checkpoint, frontier, chain, trusted_public_key)
                if problem:
                    return VerifyReport(total, len(checkpoints), seq, problem)
        if seq > covered:
            return VerifyReport(total, len(checkpoints), covered + 1,
                                f"records {covered + 1}..{seq} are covered by no signed checkpoint: the sequencer "
                                "did not write them", first_bad_id=uncovered_id)
        beyond = [size for size in checkpoints if size > seq]
        if beyond:
            return VerifyReport(total, len(checkpoints), seq + 1,
                                f"checkpoint at size {min(beyond)} but the ledger ends at seq {seq}")
    latest = checkpoints[max(checkpoints)].root_hash if checkpoints else None
    return VerifyReport(total, len(checkpoints), root_hash=latest)


class _StoredTerms:
    """The search terms table streamed in seq order beside the records: ``at(seq)`` gives one record's terms."""

    def __init__(self, sessions: sessionmaker[Session]):
        self._rows = self._grouped(sessions)
        self._next: tuple[int, set[tuple[str, str]], set[str]] | None = next(self._rows, None)

    @staticmethod
    def _grouped(sessions: sessionmaker[Session]) -> Iterator[tuple[int, set[tuple[str, str]], set[str]]]:
        with sessions() as session:
            rows = session.execute(select(AuditRecordTerm.seq, AuditRecordTerm.kind, AuditRecordTerm.value,
                                          AuditRecordTerm.record_id).order_by(AuditRecordTerm.seq)
                                   .execution_options(yield_per=10_000))
            current: int | None = None
            found: set[tuple[str, str]] = set()
            owners: set[str] = set()
            for seq, kind, value, record_id in rows:
                if seq != current and current is not None:
                    yield current, found, owners
                    found, owners = set(), set()
                current = seq
                found.add((kind, value))
                owners.add(record_id)
            if current is not None:
                yield current, found, owners

    def at(self, seq: int) -> tuple[set[tuple[str, str]], set[str]]:
        """(terms, the record ids they name) stored under ``seq``; terms of lower seqs no record claimed are
        skipped (the records' own check reports the gap)."""
        while self._next is not None and self._next[0] < seq:
            self._next = next(self._rows, None)
        if self._next is not None and self._next[0] == seq:
            _, found, owners = self._next
            self._next = next(self._rows, None)
            return found, owners
        return set(), set()


def _terms_problem(record: AuditRecord, terms: _StoredTerms) -> str | None:
    """Whether the stored search terms are exactly those the record implies (a deleted term would silently drop
    the record from filtered searches; an added one would put it in others)."""
    expected = record_terms(record.request, record.result)
    stored, owners = terms.at(record.seq)
    if stored != expected or (owners and owners != {record.id}):
        missing, extra = sorted(expected - stored), sorted(stored - expected)
        return f"search terms differ from the record (missing {missing[:3]}, extra {extra[:3]})"
    return None


def _checkpoint_problem(checkpoint: Checkpoint, frontier: Frontier, chain: str,
                        trusted_public_key: str | None) -> str | None:
    if "0x" + frontier.root().hex() != checkpoint.root_hash:
        return f"checkpoint {checkpoint.size}: Merkle root does not match the records"
    if checkpoint.chain_head != chain:
        return f"checkpoint {checkpoint.size}: chain head does not match the records"
    fields = checkpoint_json(checkpoint)
    try:
        verify_checkpoint(fields, trusted_public_key)
    except VerificationError as exc:
        return str(exc)
    if as_utc(checkpoint.created_at) != as_utc(datetime.fromisoformat(json.loads(checkpoint.signed)["timestamp"])):
        return f"checkpoint {checkpoint.size}: column created_at differs from the signed timestamp"
    if checkpoint.key_id != key_id_of(checkpoint.public_key):
        return f"checkpoint {checkpoint.size}: column key_id does not name its public key"
    # ledgers written before checkpoints were pinned whole named the bare signed statement: both are its own bytes
    if checkpoint.cid is not None and checkpoint.cid not in (cid_v1_raw(checkpoint_document(fields)),
                                                             cid_v1_raw(checkpoint.signed.encode("utf-8"))):
        return f"checkpoint {checkpoint.size}: column cid is not the CID of the checkpoint"
    return None


def verify_extends(sessions: sessionmaker[Session], saved: dict[str, Any],
                   trusted_public_key: str | None = None) -> str:
    """Prove the ledger now extends ``saved``, a signed checkpoint an auditor kept (RFC 9162 consistency proof
    from its size to the ledger's latest checkpoint, computed from the stored leaves); returns what was proven.

    Raises:
        VerificationError: the saved checkpoint is not validly signed by the trusted key, the ledger is shorter
            than it (truncated or rolled back), or the ledger's first ``size`` records are not the ones it signed
            (rewritten), or its latest checkpoint does not sign the records it holds.
    """
    from audit.merkle import verify_consistency

    verify_checkpoint(saved, trusted_public_key)
    latest = latest_checkpoint(sessions)
    size = int(saved["size"])
    if latest is None or latest.size < size:
        now = latest.size if latest is not None else 0
        raise VerificationError(f"the ledger's latest checkpoint covers {now} records, the saved one {size}: "
                                "the ledger was truncated or rolled back")
    try:
        proof, first_root, second_root = ledger_consistency(sessions, size, latest.size)
    except ValueError as exc:
        raise VerificationError(f"the ledger holds fewer records than its latest checkpoint: {exc}") from exc
    if second_root != latest.root_hash:
        raise VerificationError(f"the latest checkpoint ({latest.size}) does not sign the records stored")
    try:
        if size == latest.size:
            if first_root != saved["root_hash"]:
                raise ProofError("the records the saved checkpoint signed were rewritten")
        else:
            verify_consistency(size, latest.size, [_hash(p) for p in proof], _hash(saved["root_hash"]),
                               _hash(latest.root_hash))
    except (ProofError, ValueError) as exc:
        raise VerificationError(f"the ledger does not extend the saved checkpoint of size {size}: {exc}") from exc
    return f"the ledger's {latest.size} records extend the saved checkpoint of {size} (root {saved['root_hash']})"
