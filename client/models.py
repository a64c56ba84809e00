"""The client's own light result models: the contract's main fields typed, every other field kept.

They import nothing of the service (no chain, no simulator): a wallet installs the client alone. Models keep
unknown fields (``extra="allow"``) so a newer server does not break an older client; the service's full
contract, with every field and enum, is ``app.contract`` (and the OpenAPI document generated from it).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


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
    chain_hash: str | None = None


class SkippedCheck(_Open):
    """A check that needs chain state and could not run, the rules it would have fed, and why."""

    check: str = Field(description="simulation | spender_code | token_standard | token_metadata | bytecode | "
                       "swap_recipient | phishing_list | token_lists")
    subject: str | None = Field(None, description="The address the check concerns, if one.")
    reason: str
    rules: list[str] = Field(default_factory=list)


class ExplainResult(_Open):
    """The result contract of ``POST /v1/explain``."""

    id: str
    kind: Literal["transaction", "typed_data", "message", "batch"]
    chain_id: int
    verdict: Literal["ok", "warn", "block"]
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
