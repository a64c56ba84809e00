"""Request kinds: what a result's ``kind`` may be, each with the words the summary and the narrative use."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RequestKind(StrEnum):
    """What was asked of the wallet (the result's ``kind``)."""

    TRANSACTION = "transaction"  # one call (or a deployment, or a plain value transfer)
    BATCH = "batch"  # an EIP-5792 wallet_sendCalls batch, run in order
    TYPED_DATA = "typed_data"  # an EIP-712 signature request
    MESSAGE = "message"  # a personal_sign / eth_sign message, or legacy (v1) typed data


@dataclass(frozen=True)
class KindSpec:
    """A request kind and how a sentence names it."""

    kind: RequestKind
    words: str  # "No rule found anything unusual in this {words}."


KINDS: dict[RequestKind, KindSpec] = {spec.kind: spec for spec in (
    KindSpec(RequestKind.TRANSACTION, "transaction"),
    KindSpec(RequestKind.BATCH, "batch of calls"),
    KindSpec(RequestKind.TYPED_DATA, "signature request"),
    KindSpec(RequestKind.MESSAGE, "message to sign"),
)}
