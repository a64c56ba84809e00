"""Response models of the operational and audit surfaces (the results' contract is ``app.contract``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chain.catalogue import CheckName, RuleId, Severity


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class FieldError(_Open):
    """One invalid field: its path in the request and what is wrong with it."""

    field: str
    message: str


class Problem(_Open):
    """RFC 9457 problem details; ``errors`` names each offending field."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = Field(default_factory=list)


class RuleInfo(_Open):
    """One rule of the catalogue under the active policy."""

    rule: RuleId  # type: ignore[valid-type]
    severity: Severity
    description: str
    needs: list[CheckName] = Field(description="The checks it reads; when one could not run, `skipped_checks` "
                                   "names this rule.")
    allowlisted_severity: Severity | None = Field(description="Its severity toward a spender on the chain's "
                                                  "allowlist; null when the allowlist does not lower it.")


class RuleCatalogue(_Open):
    """``GET /v1/rules``: the active policy's identity and every rule under it."""

    policy: dict[str, str]
    rules: list[RuleInfo]


class PartStatus(_Open):
    ok: bool
    detail: str


class ReadinessChecks(_Open):
    database: PartStatus
    ledger: PartStatus = Field(description="Whether every record is covered by a checkpoint the sequencer signed "
                               "(a forged or unsigned tail: not ready until `txexplain audit repair`).")
    model: PartStatus
    rpc: PartStatus


class Readiness(_Open):
    """``GET /readyz``: ``ready`` needs the database; ``degraded`` lists parts whose absence degrades results."""

    status: Literal["ready", "not_ready"]
    degraded: list[str]
    checks: ReadinessChecks


class RecordSummary(_Open):
    """A ledger record without its large fields."""

    id: str
    seq: int
    created_at: str
    tenant: str
    kind: str
    chain_id: int
    verdict: str
    rules: list[str]
    model: str | None = None
    leaf_hash: str
    chain_hash: str
    cid: str | None = None


class RecordList(_Open):
    """``GET /v1/audit/records``: newest first; pass ``next_cursor`` back as ``cursor``."""

    records: list[RecordSummary]
    next_cursor: int | None = None


class Checkpoint(_Open):
    """A signed Merkle checkpoint: ``signed`` is the exact RFC 8785 JSON the Ed25519 signature covers."""

    size: int
    root_hash: str
    chain_head: str
    signed: str
    key_id: str
    public_key: str
    signature: str
    cid: str | None = None


class RecordView(_Open):
    """``GET /v1/audit/records/{id}``: the record, its canonical JSON, hashes and inclusion proof."""

    seq: int
    record: dict[str, Any] = Field(description="Every field of the record, as stored.")
    canonical: str = Field(description="The RFC 8785 JSON the leaf hash is computed over.")
    leaf_hash: str
    chain_hash: str
    inclusion_proof: list[str] | None = Field(None, description="RFC 9162 audit path to the checkpoint's root.")
    checkpoint: Checkpoint | None = Field(None, description="The latest signed checkpoint the proof is against.")
    cid: str | None = None
    pin_status: str | None = Field(None, description="The record's IPFS pin: pending, pinned or failed.")


class Consistency(_Open):
    """``GET /v1/audit/consistency``: an RFC 9162 consistency proof between two tree sizes."""

    first: int
    second: int
    proof: list[str]
    first_root: str
    second_root: str
    first_checkpoint: Checkpoint | None = None
    second_checkpoint: Checkpoint | None = None
