"""The answers of the routes that stop short of a verdict — ``/v1/decode`` and ``/v1/simulate`` — as models made of
the same facts an explanation is made of (``chain.facts.Facts``), with the same ``kind``."""

from __future__ import annotations

from pydantic import BaseModel, Field

from chain.approvals import Approval
from chain.catalogue import RequestKind
from chain.decode import DecodedCall
from chain.decode.messages import MessageFacts
from chain.decode.typed_data import TypedDataFacts
from chain.simulate.model import SimulationResult


class DecodeResult(BaseModel):
    """``POST /v1/decode``: ``decoded`` for transactions and batches (and for a SafeTx signature: the
    execTransaction it authorizes), ``typed_data``/``message`` for signatures, and the approvals the bytes grant."""

    kind: RequestKind
    decoded: DecodedCall | None = None
    typed_data: TypedDataFacts | None = None
    message: MessageFacts | None = None
    digest: str | None = Field(None, description="Messages: the EIP-191 digest the signature covers.")
    approvals: list[Approval] = Field(default_factory=list)


class SimulateResult(BaseModel):
    """``POST /v1/simulate``: the decoded call, the simulation and the approvals, with no verdict."""

    kind: RequestKind = Field(description="transaction or batch: signing requests execute nothing.")
    decoded: DecodedCall | None = None
    simulation: SimulationResult
    approvals: list[Approval] = Field(default_factory=list)
