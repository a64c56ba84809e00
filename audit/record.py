"""The audit record's one field list, and every form of it: the canonical body the leaf is hashed over, the
row the ledger inserts, the view readers are shown, and the check that each column agrees with the body.

A field is added to the record by adding it to :class:`RecordBody` (and, if readers filter on it, a column):
the canonical form, the row, the view and the column check all follow from the dataclass's fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from audit.canonical import canonical_json, storable
from audit.cid import cid_v1_raw
from audit.kinds import RecordKind
from audit.models import AuditRecord

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class RecordBody:
    """What an explain hands the audit store; every field is inside the canonical record."""

    id: str
    created_at: datetime
    kind: RecordKind
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
    tenant: str = "default"
    narrative_key: str | None = None  # set when the record holds an accepted narrative

    def storable(self) -> RecordBody:
        """This record as it is stored: every field through :func:`audit.canonical.storable`, so the columns
        and the canonical text agree for any value (big integers, NUL characters)."""
        return replace(self, **{name: storable(getattr(self, name)) for name in FIELDS
                                if name not in ("created_at", "chain_id")})

    def fields(self) -> dict[str, Any]:
        """The record as JSON-ready fields (``created_at`` in ISO 8601), in the field order."""
        return {name: _json(getattr(self, name)) for name in FIELDS}

    def canonical(self) -> bytes:
        """The RFC 8785 form of the whole record; the leaf hash is over these bytes."""
        return canonical_json(self.fields())


FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RecordBody))
"""The record's fields, in order: the canonical JSON holds exactly these."""


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _columns(body: dict[str, Any]) -> dict[str, Any]:
    """The column values a canonical body implies: its fields, the policy split in two, the model's name."""
    columns = {name: body.get(name) for name in FIELDS if name not in ("policy", "created_at")}
    policy = body.get("policy") or {}
    columns.update(policy_version=policy.get("version"), policy_sha256=policy.get("sha256"),
                   model_name=(body.get("model") or {}).get("name"), tenant=body.get("tenant", "default"))
    return columns


def row(body: RecordBody, seq: int, canonical: str, leaf: str, chain: str) -> dict[str, Any]:
    """The ``audit_records`` row for ``body`` (already storable) at ``seq``."""
    return {**_columns(body.fields()), "created_at": body.created_at, "seq": seq, "canonical": canonical,
            "leaf_hash": leaf, "schema_version": SCHEMA_VERSION, "chain_hash": chain,
            "cid": cid_v1_raw(canonical.encode("utf-8"))}


def view(record: AuditRecord) -> dict[str, Any]:
    """The record as readers see it: every field, from the columns."""
    shown = {name: getattr(record, name) for name in FIELDS if hasattr(AuditRecord, name) and name != "policy"}
    shown.update(seq=record.seq, created_at=record.created_at.isoformat(),
                 policy={"version": record.policy_version, "sha256": record.policy_sha256})
    return {name: shown[name] for name in ("id", "seq", *[n for n in FIELDS if n != "id"])}


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; one without an offset is taken as UTC, the ledger's clock. SQLite keeps times as
    text without an offset, so a filter must be in UTC before it is compared. A moment whose UTC form is past
    the calendar's ends (9999-12-31T23:59-23:59) is clamped to that end: after, or before, every record."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.max if moment.year > 1 else datetime.min).replace(tzinfo=UTC)


def column_problem(record: AuditRecord) -> str | None:
    """The first column that disagrees with the record's canonical JSON (or what it implies), or None."""
    try:
        body = json.loads(record.canonical)
    except ValueError:
        return "canonical JSON does not parse"
    for column, expected in _columns(body).items():
        if getattr(record, column) != expected:
            return f"column '{column}' differs from the canonical JSON"
    created = body.get("created_at")
    try:
        same_time = created is not None and as_utc(datetime.fromisoformat(created)) == as_utc(record.created_at)
    except (TypeError, ValueError):
        same_time = False
    if not same_time:
        return "column 'created_at' differs from the canonical JSON"
    if record.cid is not None and record.cid != cid_v1_raw(record.canonical.encode("utf-8")):
        return "column 'cid' differs from the canonical JSON"
    return None
