"""Reading the ledger: records, checkpoints, proofs, filtered pages and exports. Read-only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, sessionmaker

from audit.hashing import CHECKPOINT_FIELDS
from audit.kinds import RecordKind
from audit.merkle import consistency_proof, root
from audit.models import AuditRecord, AuditRecordTerm, Checkpoint, PinTask
from audit.record import as_utc
from audit.tree import StoredTree

MAX_PAGE = 200


def get_record(sessions: sessionmaker[Session], record_id: str) -> AuditRecord | None:
    """The stored record with ``record_id``, if any."""
    with sessions() as session:
        return session.get(AuditRecord, record_id)


def feedback_for(sessions: sessionmaker[Session], record_id: str) -> list[dict[str, Any]]:
    """The feedback records about ``record_id``, oldest first: id, time, tenant, decision and comment."""
    query = (select(AuditRecord).join(AuditRecordTerm, AuditRecordTerm.record_id == AuditRecord.id)
             .where(AuditRecordTerm.kind == "feedback_for", AuditRecordTerm.value == record_id)
             .order_by(AuditRecord.seq))
    with sessions() as session:
        return [{"id": r.id, "created_at": r.created_at.isoformat(), "tenant": r.tenant,
                 "decision": r.result.get("decision"), "comment": r.result.get("comment")}
                for r in session.scalars(query)]


def feedback_stats(sessions: sessionmaker[Session], tenant: str | None = None) -> dict[str, dict[str, Any]]:
    """Per rule: how many records it fired on, how much feedback they got by decision, and the share that
    overrode it (proceeded or false_positive) — the false-positive rate auditors ask for."""
    from audit.feedback import DECISIONS, OVERRIDES

    fired = select(AuditRecordTerm.value, func.count()).where(AuditRecordTerm.kind == "rule")
    feedback = select(AuditRecord).where(AuditRecord.kind == RecordKind.FEEDBACK)
    if tenant is not None:
        fired = fired.join(AuditRecord, AuditRecord.id == AuditRecordTerm.record_id).where(
            AuditRecord.tenant == tenant)
        feedback = feedback.where(AuditRecord.tenant == tenant)
    with sessions() as session:
        stats = {rule: {"fired": count, "feedback": 0, **dict.fromkeys(DECISIONS, 0)}
                 for rule, count in session.execute(fired.group_by(AuditRecordTerm.value))}
        for record in session.scalars(feedback.execution_options(yield_per=1000)):
            for rule in set(record.result.get("rules") or []):
                entry = stats.setdefault(rule, {"fired": 0, "feedback": 0, **dict.fromkeys(DECISIONS, 0)})
                entry["feedback"] += 1
                entry[record.result["decision"]] += 1
    for entry in stats.values():
        overridden = sum(entry[d] for d in OVERRIDES)
        entry["override_rate"] = round(overridden / entry["feedback"], 4) if entry["feedback"] else None
    return dict(sorted(stats.items()))


def count_records(sessions: sessionmaker[Session]) -> int:
    """How many records the ledger holds."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditRecord)) or 0


def latest_checkpoint(sessions: sessionmaker[Session]) -> Checkpoint | None:
    """The checkpoint of the largest tree."""
    with sessions() as session:
        return session.scalars(select(Checkpoint).order_by(Checkpoint.size.desc()).limit(1)).first()


def checkpoint_at(sessions: sessionmaker[Session], size: int) -> Checkpoint | None:
    """The checkpoint of a tree of exactly ``size`` leaves, if one was signed."""
    with sessions() as session:
        return session.get(Checkpoint, size)


def leaf_hashes(session: Session, size: int) -> list[bytes]:
    """The first ``size`` leaf hashes in ``seq`` order."""
    rows = session.execute(select(AuditRecord.leaf_hash).where(AuditRecord.seq <= size).order_by(AuditRecord.seq))
    return [bytes.fromhex(leaf[2:]) for (leaf,) in rows]


def record_inclusion(sessions: sessionmaker[Session], record: AuditRecord,
                     checkpoint: Checkpoint) -> list[str] | None:
    """The audit path of ``record`` in the tree ``checkpoint`` signs (None if it came later)."""
    if record.seq > checkpoint.size:
        return None
    with sessions() as session:  # O(log n) stored nodes, not every leaf
        return ["0x" + p.hex() for p in StoredTree(session, checkpoint.size).inclusion(record.seq - 1)]


def served_consistency(sessions: sessionmaker[Session], first: int, second: int) -> tuple[list[str], str, str]:
    """(PROOF(first, D[second]), root of the first tree, root of the second) from O(log n) stored nodes, for the
    API (a client checks it against signed roots; `audit verify` recomputes from the leaves).

    Raises:
        ValueError: sizes out of range.
    """
    with sessions() as session:
        held = session.scalar(select(AuditRecord.seq).order_by(AuditRecord.seq.desc()).limit(1)) or 0
        if second > held:
            raise ValueError(f"second size {second} exceeds the ledger's {held} records")
        if not 0 < first <= second:
            raise ValueError(f"first size {first} must be in 1..{second}")
        tree = StoredTree(session, second)
        proof = tree.consistency(first)
        return ["0x" + p.hex() for p in proof], "0x" + tree.root(first).hex(), "0x" + tree.root().hex()


def ledger_consistency(sessions: sessionmaker[Session], first: int, second: int) -> tuple[list[str], str, str]:
    """(PROOF(first, D[second]), root of the first tree, root of the second) from one read of the leaves.

    Raises:
        ValueError: sizes out of range.
    """
    with sessions() as session:
        leaves = leaf_hashes(session, second)
    if len(leaves) != second:
        raise ValueError(f"second size {second} exceeds the ledger's {len(leaves)} records")
    proof = ["0x" + p.hex() for p in consistency_proof(first, leaves)]
    return proof, "0x" + root(leaves[:first]).hex(), "0x" + root(leaves).hex()


def cached_narrative(sessions: sessionmaker[Session], key: str) -> dict[str, Any] | None:
    """The narrative (with its claim ids and mode) of the newest record stored under narrative ``key`` (the
    cache's second tier)."""
    with sessions() as session:
        result = session.scalar(select(AuditRecord.result).where(AuditRecord.narrative_key == key)
                                .order_by(AuditRecord.seq.desc()).limit(1))
    explanation = (result or {}).get("explanation") or {}
    if explanation.get("narrative") is None:
        return None
    return {k: explanation.get(k) for k in ("narrative", "claims", "mode")}


def pin_status(sessions: sessionmaker[Session], kind: str, target_id: str) -> str | None:
    """pending | pinned | failed, or None when pinning is off for it."""
    with sessions() as session:
        return session.scalar(select(PinTask.status).where(PinTask.target_kind == kind,
                                                           PinTask.target_id == target_id))


class RecordFilter(BaseModel):
    """The record list's filters — declared once here for the API's query parameters, the CLI's options and the
    explorer's form; each is served by an index. Blank means no filter."""

    model_config = ConfigDict(frozen=True)

    address: str | None = Field(None, description="Records that involve this address (sender, counterparty, "
                                "spender, token).", max_length=64)
    verdict: Literal["ok", "warn", "block"] | None = Field(None, description="Records with this verdict.")
    rule: str | None = Field(None, description="Records on which this rule fired.", max_length=64)
    model: str | None = Field(None, description="Records narrated by this model (its name).", max_length=200)
    since: datetime | None = Field(None, description="Records created at or after this ISO 8601 time (UTC when "
                                   "no offset is given).")
    until: datetime | None = Field(None, description="Records created before this ISO 8601 time.")
    feedback: bool | None = Field(None, description="true: records someone gave feedback on; false: the others.")
    tenant: str | None = Field(None, description="Only this tenant's records (a client key always sees its own "
                               "tenant's only).", max_length=200)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


FILTER_FIELDS: tuple[str, ...] = tuple(RecordFilter.model_fields)
"""The filters' names, in order: the CLI's options and the explorer's form fields."""


def search_records(sessions: sessionmaker[Session], filters: RecordFilter, *, cursor: int | None = None,
                   limit: int = 50) -> tuple[list[AuditRecord], int | None]:
    """Newest first; keyset pagination on ``seq``. Returns (page, next cursor or None)."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(AuditRecord)
    if filters.tenant is not None:
        query = query.where(AuditRecord.tenant == filters.tenant)
    if filters.verdict is not None:
        query = query.where(AuditRecord.verdict == filters.verdict)
    if filters.model is not None:
        query = query.where(AuditRecord.model_name == filters.model)
    if filters.since is not None:
        query = query.where(AuditRecord.created_at >= as_utc(filters.since))
    if filters.until is not None:
        query = query.where(AuditRecord.created_at < as_utc(filters.until))
    for kind, value in (("address", filters.address and filters.address.lower()), ("rule", filters.rule)):
        if value is not None:
            query = query.where(exists().where(AuditRecordTerm.record_id == AuditRecord.id,
                                               AuditRecordTerm.kind == kind, AuditRecordTerm.value == value))
    if filters.feedback is not None:  # a feedback record's ``feedback_for`` term names the record it is about
        given = exists().where(AuditRecordTerm.kind == "feedback_for", AuditRecordTerm.value == AuditRecord.id)
        query = query.where(given if filters.feedback else ~given)
    if cursor is not None:
        query = query.where(AuditRecord.seq < cursor)
    with sessions() as session:
        rows = list(session.scalars(query.order_by(AuditRecord.seq.desc()).limit(limit + 1)))
    page = rows[:limit]
    return page, (page[-1].seq if len(rows) > limit else None)


def export_records(sessions: sessionmaker[Session], since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every record (from ``since``) in ``seq`` order, as JSON-ready dicts, streamed."""
    query = select(AuditRecord).order_by(AuditRecord.seq)
    if since is not None:
        query = query.where(AuditRecord.created_at >= as_utc(since))
    with sessions() as session:
        for record in session.scalars(query.execution_options(yield_per=1000)):
            yield record_summary(record) | {"canonical": record.canonical}


def record_summary(record: AuditRecord) -> dict[str, Any]:
    """The ledger fields of a record (no large blobs)."""
    return {"id": record.id, "seq": record.seq, "created_at": record.created_at.isoformat(),
            "tenant": record.tenant, "kind": record.kind, "chain_id": record.chain_id, "verdict": record.verdict,
            "rules": [f["rule"] for f in record.result.get("findings", [])], "model": record.model_name,
            "leaf_hash": record.leaf_hash, "chain_hash": record.chain_hash, "cid": record.cid}


def checkpoint_json(checkpoint: Checkpoint) -> dict[str, Any]:
    """A checkpoint as the API shows it, with everything needed to verify its signature."""
    return {**{field: getattr(checkpoint, field) for field in CHECKPOINT_FIELDS}, "cid": checkpoint.cid}
