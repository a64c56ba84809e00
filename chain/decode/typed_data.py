"""EIP-712 typed data: the digest the wallet signs, what kind of permission it is, and its approvals."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from chain.approvals import Approval, dai_permit_approval, permit2_approval, permit_approval, revocation
from chain.decode.clear_signing import ClearSigning, clear_signing
from chain.decode.eip712 import Eip712Error, eip712_hash, js_bigint
from chain.decode.orders import SignedOrder, orders_of
from chain.hexutil import parse_address
from chain.sanitize import sanitize_text

SAFE_TX_FIELDS = {"to", "value", "data", "operation"}  # Safe's EIP712_SAFE_TX_TYPE (safe-contracts utils/execution)
PERMIT2_KINDS = {"PermitSingle", "PermitBatch", "PermitTransferFrom", "PermitBatchTransferFrom",
                 "PermitWitnessTransferFrom", "PermitBatchWitnessTransferFrom"}


class TypedDataError(ValueError):
    """The typed data cannot be hashed (bad types, values that do not fit them)."""


def typed_data_digest(typed_data: dict[str, Any], version: str = "v4") -> bytes:
    """The digest the wallet signs for ``eth_signTypedData_v4`` (or ``_v3``), hashed as MetaMask hashes it.

    Raises:
        TypedDataError: the document is not hashable EIP-712 (the message names the field).
    """
    try:
        return eip712_hash(typed_data, version)
    except Eip712Error as exc:
        raise TypedDataError(f"not hashable EIP-712 typed data: {exc}") from exc


class TypedDataFacts(BaseModel):
    """What a typed-data signature grants."""

    primary_type: str
    classification: str  # eip2612_permit | dai_permit | permit2_<kind> | other
    domain: dict[str, Any]
    digest: str
    chain_id: int | None = None  # the domain's chainId, if it has one
    verifying_contract: str | None = None
    fields: list[dict[str, Any]] = Field(default_factory=list)  # the message, field by field (strings sanitized)
    order: dict[str, Any] | None = None  # Seaport: offer, and consideration to the signer vs to others
    witness_order: dict[str, Any] | None = Field(None, description="A Permit2 witness that is an order (UniswapX): "
                                                 "the swapper and each output's token, amount and recipient.")
    orders: list[SignedOrder] = Field(default_factory=list, description="Every order the signature authorizes, "
                                      "read as what the signer gives and what comes back to whom (Seaport and each "
                                      "leaf of a Seaport BulkOrder, UniswapX, 1inch, CoW, Velora Delta).")
    clear_signing: ClearSigning | None = Field(None, description="The contract's name and labelled fields from "
                                               "Ledger's clear-signing list, when a descriptor matches.")


def _flatten(value: Any, prefix: str = "") -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [f for k, v in value.items() for f in _flatten(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(value, list):
        return [f for i, v in enumerate(value) for f in _flatten(v, f"{prefix}[{i}]")]
    shown = sanitize_text(value, 256) if isinstance(value, str) and not value.startswith("0x") else value
    return [{"path": prefix, "value": shown}]


def _int(value: Any) -> int:
    """A typed-data number as the wallet reads it (see :func:`chain.decode.eip712.js_bigint`)."""
    return js_bigint(value, "value")


ORDER_CLASSES = {"seaport": "seaport_order", "1inch": "1inch_order", "cow": "cow_order", "velora": "velora_order"}


def classify(typed_data: dict[str, Any], digest: bytes, unlimited_threshold: int,
             signer: str | None = None) -> tuple[TypedDataFacts, list[Approval]]:
    """Classify the document and extract the approvals it grants (permit, Permit2) and the orders it signs."""
    domain = typed_data.get("domain") or {}
    message = typed_data.get("message") or {}
    primary = str(typed_data.get("primaryType", ""))
    contract = _address(domain.get("verifyingContract"))
    fields = set((typed_data.get("types") or {}).get(primary, []) and
                 [f.get("name") for f in typed_data["types"][primary]])
    approvals: list[Approval] = []
    classification = "other"
    order = witness = None
    orders: list[SignedOrder] = []
    try:
        orders = orders_of(domain, primary, message, signer)
    except (KeyError, TypeError, ValueError, IndexError):
        orders = []  # shaped like an order but not one: rendered field by field
    try:
        if primary == "Permit" and {"owner", "spender", "value", "deadline"} <= fields and contract:
            classification = "eip2612_permit"
            approvals.append(permit_approval(contract, _address(message["spender"]), _int(message["value"]),
                                             _int(message["deadline"]), unlimited_threshold))
        elif primary == "Permit" and {"holder", "spender", "allowed", "expiry"} <= fields and contract:
            classification = "dai_permit"
            if message.get("allowed") in (True, "true", 1, "1"):
                approvals.append(dai_permit_approval(contract, _address(message["spender"]),
                                                     _int(message["expiry"])))
            else:
                approvals.append(revocation("permit", contract, _address(message["spender"]) or ""))
        elif primary in PERMIT2_KINDS and str(domain.get("name")) == "Permit2":
            classification = "permit2_" + primary
            approvals = _permit2_approvals(primary, message, unlimited_threshold)
            witness = _witness_order(message.get("witness"))
        elif primary == "OrderComponents" and "offer" in message and "consideration" in message:
            classification = "seaport_order"
            order = _seaport_order(message)
        elif primary == "Permit" and {"spender", "tokenId", "deadline"} <= fields and contract:
            classification = "erc721_permit"  # Uniswap V3 positions: one NFT, until the deadline
            approvals.append(Approval(standard="erc721", token=contract, spender=_address(message["spender"]) or "",
                                      amount="1", unlimited=False, token_id=str(_int(message["tokenId"])),
                                      expires_at=_int(message["deadline"]) or None))
        elif primary == "DelegationWithSig" and {"delegatee", "value"} <= fields and contract:
            classification = "aave_credit_delegation"  # Aave DebtTokenBase: borrow in the signer's name
            value = _int(message["value"])
            approvals.append(Approval(standard="credit_delegation", token=contract,
                                      spender=_address(message["delegatee"]) or "", amount=str(value),
                                      unlimited=value >= unlimited_threshold, revokes=value == 0))
        elif primary == "Authorization" and {"owner", "manager", "isAllowed"} <= fields and contract:
            classification = "compound_authorization"  # Compound III allowBySig: the manager acts on the position
            manager = _address(message["manager"]) or ""
            allowed = message.get("isAllowed") in (True, "true", 1, "1")
            approvals.append(Approval(standard="account_control", token=contract, spender=manager, amount=None,
                                      unlimited=True) if allowed else revocation("account_control", contract, manager))
        elif primary == "SafeTx" and fields >= SAFE_TX_FIELDS and contract:
            classification = "safe_tx"
        elif primary == "BulkOrder" and orders:
            classification = "seaport_bulk_order"
        elif orders:
            classification = ORDER_CLASSES[orders[0].protocol]
    except (KeyError, TypeError, ValueError):
        classification = "other"  # shaped like a permit but not one: rendered field by field
    approvals = [a.model_copy(update={"source": "typed_data"}) for a in approvals]
    chain_id = domain.get("chainId")
    facts = TypedDataFacts(
        primary_type=sanitize_text(primary, 64), classification=classification,
        domain={k: (sanitize_text(v, 128) if isinstance(v, str) else v) for k, v in domain.items()},
        digest="0x" + digest.hex(), chain_id=_int(chain_id) if chain_id is not None else None,
        verifying_contract=contract, fields=_flatten(message)[:200], order=order, witness_order=witness, orders=orders,
        clear_signing=clear_signing(typed_data),
    )
    return facts, approvals


def _witness_order(witness: Any) -> dict[str, Any] | None:
    """A Permit2 witness that is an order paying outputs to recipients (UniswapX's Dutch, V2 Dutch, Priority and
    Relay orders: ``outputs`` / ``baseOutputs`` of ``{token, recipient, …}``, the swapper in ``info``), or None."""
    if not isinstance(witness, dict):
        return None
    outputs = witness.get("outputs") or witness.get("baseOutputs")
    if not isinstance(outputs, list) or not all(isinstance(o, dict) and "recipient" in o for o in outputs):
        return None
    info = witness.get("info") if isinstance(witness.get("info"), dict) else {}
    return {"swapper": _address(info.get("swapper")),
            "outputs": [{"token": _address(o.get("token")), "recipient": _address(o.get("recipient")),
                         "amount": str(_int(o.get("endAmount", o.get("amount", o.get("startAmount", 0)))))}
                        for o in outputs]}


def _seaport_order(message: dict[str, Any]) -> dict[str, Any]:
    """Offer items, and consideration split into what goes back to the offerer and to others."""
    offerer = _address(message["offerer"])

    def item(raw: dict[str, Any]) -> dict[str, Any]:
        return {"item_type": _int(raw["itemType"]), "token": _address(raw["token"]),
                "identifier": str(_int(raw.get("identifierOrCriteria", 0))),
                "amount": str(max(_int(raw["startAmount"]), _int(raw["endAmount"]))),
                **({"recipient": _address(raw["recipient"])} if "recipient" in raw else {})}

    consideration = [item(c) for c in message["consideration"]]
    return {"offerer": offerer, "offer": [item(o) for o in message["offer"]],
            "to_signer": [c for c in consideration if c["recipient"] == offerer],
            "to_others": [c for c in consideration if c["recipient"] != offerer]}


def _address(value: Any) -> str | None:
    try:
        return parse_address(value.lower() if isinstance(value, str) else value)
    except ValueError:
        return None


def _permit2_approvals(kind: str, message: dict[str, Any], threshold: int) -> list[Approval]:
    spender = _address(message["spender"])
    if spender is None:
        raise ValueError("spender")
    if kind in ("PermitSingle", "PermitBatch"):
        details = message["details"] if kind == "PermitSingle" else None
        items = [details] if details is not None else list(message["details"])
        return [permit2_approval(_address(d["token"]) or "", spender, _int(d["amount"]), _int(d["expiration"]),
                                 threshold) for d in items]
    permitted = message["permitted"]
    items = permitted if isinstance(permitted, list) else [permitted]
    return [permit2_approval(_address(p["token"]) or "", spender, _int(p["amount"]), _int(message["deadline"]),
                             threshold) for p in items]
