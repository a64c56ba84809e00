"""The API's response contracts as pydantic models: the OpenAPI document's schemas (which the TypeScript
SDK is generated from) and the Python client's typed results.

Models keep unknown fields (``extra="allow"``) so a newer server does not break an older client.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chain.rules.policy import Verdict


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Finding(_Open):
    """One rule that fired."""

    rule: str
    severity: str
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class Explanation(_Open):
    """The deterministic summary, and the validated narrative or why there is none."""

    summary: str
    narrative: str | None = None
    narrative_source: Literal["model", "cache", "none"] = "none"
    rejected_reason: str | None = None
    mode: Literal["claims", "free"] | None = Field(None, description="claims: the narrative is this request's "
                                                   "claims, chosen and ordered by the model; free: model text the "
                                                   "validator checked; null: no model was asked.")
    claims: list[str] | None = Field(None, description="Claims mode: the ids of the claims the narrative tells, "
                                     "in order.")


class AuditRef(_Open):
    """Where the result was recorded in the ledger."""

    id: str
    leaf_hash: str
    seq: int
    cid: str | None = None


class SkippedCheck(_Open):
    """A check that needs chain state and could not run, the rules it would have fed, and why."""

    check: str = Field(description="simulation | spender_code | token_standard | token_metadata | bytecode | "
                       "swap_recipient")
    subject: str | None = Field(None, description="The address the check concerns, if one.")
    reason: str
    rules: list[str] = Field(default_factory=list)


class ExplainResult(_Open):
    """The result contract of ``POST /v1/explain``."""

    id: str
    kind: Literal["transaction", "typed_data", "message", "batch"]
    chain_id: int
    verdict: Verdict
    findings: list[Finding] = Field(default_factory=list)
    decoded: dict[str, Any] | None = None
    approvals: list[dict[str, Any]] = Field(default_factory=list)
    simulation: dict[str, Any] | None = None
    skipped_checks: list[SkippedCheck] = Field(default_factory=list, description="Checks that need chain state "
                                               "and could not run (no node for the chain, node down, no sender).")
    explanation: Explanation
    model: dict[str, Any] | None = None
    audit: AuditRef


class DecodeResult(_Open):
    """``POST /v1/decode``: ``decoded`` for transactions, ``typed_data``/``message`` for signatures."""

    kind: str
    decoded: dict[str, Any] | None = None
    typed_data: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    approvals: list[dict[str, Any]] = Field(default_factory=list)


class SimulateResult(_Open):
    """``POST /v1/simulate``."""

    kind: str
    decoded: dict[str, Any] | None = None
    simulation: dict[str, Any]
    approvals: list[dict[str, Any]] = Field(default_factory=list)


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
    rule: str
    severity: str
    description: str


class RuleCatalogue(_Open):
    """``GET /v1/rules``: the active policy's identity and every rule under it."""

    policy: dict[str, str]
    rules: list[RuleInfo]


class PartStatus(_Open):
    ok: bool
    detail: str


class ReadinessChecks(_Open):
    database: PartStatus
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

    record: dict[str, Any]
    canonical: str
    seq: int
    leaf_hash: str
    chain_hash: str
    cid: str | None = None
    pin_status: str | None = None
    checkpoint: Checkpoint | None = None
    inclusion_proof: list[str] | None = None


class Consistency(_Open):
    """``GET /v1/audit/consistency``: an RFC 9162 consistency proof between two tree sizes."""

    first: int
    second: int
    proof: list[str]
    first_root: str
    second_root: str
    first_checkpoint: Checkpoint | None = None
    second_checkpoint: Checkpoint | None = None
