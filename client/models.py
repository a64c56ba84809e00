"""The client's own light result models: the contract's main fields typed, every other field kept.

They import nothing of the service (no chain, no simulator): a wallet installs the client alone. Models keep
unknown fields (``extra="allow"``) so a newer server does not break an older client; the service's full
contract, with every field and enum, is ``app.contract`` (and the OpenAPI document generated from it).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from client.enums import (
    CheckName,
    DecodeSource,
    NarrativeMode,
    NarrativeSource,
    RequestKind,
    RuleId,
    Severity,
    SimulationStatus,
    Verdict,
)

E = TypeVar("E")
Open = Annotated[E | str, Field(union_mode="left_to_right")]
"""An enum field that still parses a value a newer server adds (as a plain string)."""

__all__ = ["AuditRef", "CheckName", "DecodeResult", "DecodeSource", "ExplainResult", "Explanation", "Finding",
           "NarrativeMode", "NarrativeSource", "RequestKind", "RuleId", "Severity", "SimulateResult",
           "SimulationStatus", "SkippedCheck", "Verdict"]


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Finding(_Open):
    """One rule that fired."""

    rule: Open[RuleId]
    severity: Open[Severity]
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class Explanation(_Open):
    """The deterministic summary, and the validated narrative or why there is none."""

    summary: str
    narrative: str | None
    narrative_source: Open[NarrativeSource]
    rejected_reason: str | None = None
    mode: Open[NarrativeMode] | None = Field(None, description="claims: the narrative is this request's "
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
    chain_hash: str


class SkippedCheck(_Open):
    """A check that needs chain state and could not run, the rules it would have fed, and why."""

    check: Open[CheckName]
    subject: str | None = Field(None, description="The address the check concerns, if one.")
    reason: str
    rules: list[Open[RuleId]]


class ExplainResult(_Open):
    """The result contract of ``POST /v1/explain``."""

    id: str
    kind: Open[RequestKind]
    chain_id: int
    sender: str | None = Field(None, description="The account the transaction is from, or the signer.")
    verdict: Open[Verdict]
    findings: list[Finding] = Field(default_factory=list)
    decoded: dict[str, Any] | None = None
    approvals: list[dict[str, Any]] = Field(default_factory=list)
    simulation: dict[str, Any] | None = None
    skipped_checks: list[SkippedCheck] = Field(default_factory=list, description="Checks that need chain state "
                                               "and could not run (no node for the chain, node down, no sender).")
    typed_data: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    labels: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Known counterparties by address.")
    user_operation: dict[str, Any] | None = None
    effects: list[dict[str, Any]] = Field(default_factory=list, description="What the request does to the user: "
                                          "give, get, grant, revoke, control, sign_in, deploy.")
    disagreements: list[dict[str, Any]] = Field(default_factory=list)
    explanation: Explanation
    model: dict[str, Any]
    policy: dict[str, str]
    audit: AuditRef


class DecodeResult(_Open):
    """``POST /v1/decode``: ``decoded`` for transactions, ``typed_data``/``message`` for signatures."""

    kind: Open[RequestKind]
    decoded: dict[str, Any] | None = None
    typed_data: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    digest: str | None = None
    approvals: list[dict[str, Any]] = Field(default_factory=list)


class SimulateResult(_Open):
    """``POST /v1/simulate``."""

    kind: Open[RequestKind]
    decoded: dict[str, Any] | None = None
    simulation: dict[str, Any]
    approvals: list[dict[str, Any]] = Field(default_factory=list)
