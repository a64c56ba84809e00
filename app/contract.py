"""The result contract: response models composed of the domain models themselves, so the OpenAPI document
(and the TypeScript SDK generated from it) carries every field and enum the service returns.

A field of the facts joins the result by being declared on :class:`ResultBody` under the facts' own name (or
with ``validation_alias`` naming it): :func:`result_contract` fills the body from the facts by name, so adding
one is one edit here.
"""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from chain import Analysis
from chain.answers import DecodeResult, SimulateResult
from chain.approvals import Approval
from chain.catalogue import RequestKind
from chain.decode import DecodedCall
from chain.decode.messages import MessageFacts
from chain.decode.typed_data import TypedDataFacts
from chain.decode.user_operation import UserOperationFacts
from chain.effects import Disagreement, Effect
from chain.facts import Label, SkippedCheck
from chain.rules import Finding, Policy
from chain.rules.policy import Verdict
from chain.simulate.model import SimulationResult
from inference import Explanation, ModelIdentity

__all__ = ["AuditRef", "DecodeResult", "ExplainResult", "NarrativeEvent", "PolicyIdentity", "ResultBody",
           "SimulateResult", "result_contract"]


class PolicyIdentity(BaseModel):
    """The policy a verdict was reached under."""

    version: str
    sha256: str


class AuditRef(BaseModel):
    """Where the result was recorded in the ledger."""

    id: str
    leaf_hash: str
    seq: int
    cid: str | None = None
    chain_hash: str = Field(description="The hash chain's head after this record.")


class ResultBody(BaseModel):
    """The result of ``POST /v1/explain`` before its audit record is written, in its field order."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    kind: RequestKind
    chain_id: int
    sender: str | None = Field(None, description="The account the transaction is from, or the signer; null for a "
                               "batch that names no sender.")
    verdict: Verdict
    findings: list[Finding] = Field(default_factory=list)
    decoded: DecodedCall | None = None
    approvals: list[Approval] = Field(default_factory=list)
    simulation: SimulationResult | None = Field(None, description="None for signatures: nothing executes.")
    skipped_checks: list[SkippedCheck] = Field(
        default_factory=list, validation_alias=AliasChoices("skipped_checks", "skipped"),
        description="Checks that need chain state and could not run (no node for the chain, node down, no sender).")
    typed_data: TypedDataFacts | None = None
    message: MessageFacts | None = None
    labels: dict[str, Label] = Field(default_factory=dict, description="Known counterparties by address, named by a "
                                     "token list (never by on-chain text), with the list they are from.")
    user_operation: UserOperationFacts | None = Field(None, description="eth_sendUserOperation: the EntryPoint, "
                                                      "paymaster, factory, gas ceiling and the hash the account "
                                                      "signs; the rest of the result is the call it makes.")
    effects: list[Effect] = Field(default_factory=list, description="What the request does to the user: what they "
                                  "give, get, grant, revoke, control, sign in to, deploy — from the calldata, the "
                                  "signed orders and the simulation, in the user's units, priced where a price is "
                                  "known on-chain.")
    disagreements: list[Disagreement] = Field(default_factory=list, description="Where what the calldata asks for "
                                              "and what the simulation did differ.")
    explanation: Explanation
    model: ModelIdentity
    policy: PolicyIdentity


class ExplainResult(ResultBody):
    """The result contract of ``POST /v1/explain``."""

    audit: AuditRef


class NarrativeEvent(BaseModel):
    """The ``narrative`` event of ``POST /v1/explain?stream=true``: the validated narrative (or why there is none),
    audited in its own record of kind ``narrative`` whose ``parent`` is the streamed result's record."""

    id: str
    parent: str = Field(description="The record id of the result this narrative is about.")
    verdict: Verdict
    explanation: Explanation
    model: ModelIdentity
    audit: AuditRef


def result_contract(analysis: Analysis, policy: Policy, record_id: str, explanation: Explanation,
                    identity: ModelIdentity) -> dict[str, Any]:
    """The result contract in its field order, without the ``audit`` block (added once it is written)."""
    facts = analysis.facts
    from_facts = {name: getattr(facts, name) for name in vars(facts)}
    return ResultBody.model_validate({
        **from_facts, "id": record_id, "verdict": analysis.verdict, "findings": analysis.findings,
        "explanation": explanation, "model": identity, "policy": policy.identity,
    }).model_dump(mode="json", by_alias=False)
