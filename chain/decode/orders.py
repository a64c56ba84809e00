"""Signed orders read as what the signer gives, what comes back and to whom: Seaport (one order, or every leaf of a
BulkOrder), UniswapX (a Permit2 witness), 1inch Limit Order v4 (and Fusion, the same struct), CoW Protocol, Velora
Delta. Each reader takes the EIP-712 message of the order kind its domain and primary type name; the
amounts are the least favourable ones the signature allows (the most given, the least received)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from chain.decode.eip712 import js_bigint
from chain.hexutil import parse_address

NATIVE_SENTINEL = "0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE"  # CoW, 1inch and Velora spell the native currency so
ZERO = "0x0000000000000000000000000000000000000000"
SEAPORT_STANDARDS = {0: "native", 1: "erc20", 2: "erc721", 3: "erc1155", 4: "erc721", 5: "erc1155"}


class OrderItem(BaseModel):
    """One asset an order moves."""

    standard: str = Field(description="native | erc20 | erc721 | erc1155")
    token: str | None = None
    token_id: str | None = Field(None, description="An NFT's id; null for fungible items (and for criteria: any "
                                 "item of the collection).")
    amount: str = Field(description="Base units: the most the signer gives, or the least that comes back.")
    recipient: str | None = Field(None, description="Who receives it (what comes back).")


class SignedOrder(BaseModel):
    """An order a signature authorizes, in the signer's terms."""

    protocol: str = Field(description="seaport | uniswapx | 1inch | cow | velora")
    signer: str | None = Field(None, description="Whose assets the order gives (the offerer, maker, owner).")
    gives: list[OrderItem] = Field(default_factory=list)
    gets: list[OrderItem] = Field(default_factory=list, description="What comes back, each to its recipient.")
    fees: list[OrderItem] = Field(default_factory=list, description="Paid by the counterparty to others (Seaport "
                                  "fees and royalties): neither given nor got by the signer.")
    expires_at: int | None = None
    leaf: int | None = Field(None, description="A BulkOrder's leaf: which of the orders signed at once.")


def _int(value: Any) -> int:
    return js_bigint(value, "value")


def _address(value: Any) -> str | None:
    try:
        return parse_address(value.lower() if isinstance(value, str) else value)
    except ValueError:
        return None


def _fungible(token: Any, amount: Any, recipient: str | None = None) -> OrderItem:
    address = _address(token)
    native = address in (None, ZERO, NATIVE_SENTINEL)
    return OrderItem(standard="native" if native else "erc20", token=None if native else address,
                     amount=str(_int(amount)), recipient=recipient)


def _expiry(value: Any) -> int | None:
    at = _int(value) if value is not None else 0
    return at or None


def seaport(message: dict[str, Any], leaf: int | None = None) -> SignedOrder:
    """A Seaport OrderComponents: the offer is given; consideration to the offerer comes back, the rest are fees."""
    offerer = _address(message["offerer"])

    def item(raw: dict[str, Any]) -> OrderItem:
        kind = _int(raw["itemType"])
        amount = max(_int(raw["startAmount"]), _int(raw["endAmount"]))
        if kind in (0, 1):
            return _fungible(raw["token"], amount, _address(raw.get("recipient")))
        token_id = None if kind in (4, 5) else str(_int(raw.get("identifierOrCriteria", 0)))
        return OrderItem(standard=SEAPORT_STANDARDS[kind], token=_address(raw["token"]), token_id=token_id,
                         amount=str(amount), recipient=_address(raw.get("recipient")))

    consideration = [item(c) for c in message["consideration"]]
    gets = [c for c in consideration if c.recipient == offerer]
    for got in gets:  # what comes back is the least of the amounts, not the most
        raw = next(c for c in message["consideration"] if _address(c.get("recipient")) == offerer)
        if got.standard in ("native", "erc20"):
            got.amount = str(min(_int(raw["startAmount"]), _int(raw["endAmount"])))
    return SignedOrder(protocol="seaport", signer=offerer, gives=[item(o) for o in message["offer"]], gets=gets,
                       fees=[c for c in consideration if c.recipient != offerer],
                       expires_at=_expiry(message.get("endTime")), leaf=leaf)


def seaport_bulk(message: dict[str, Any]) -> list[SignedOrder]:
    """Every leaf of a Seaport BulkOrder's tree (``tree``: OrderComponents nested in pairs), padding included."""
    leaves: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            leaves.append(node)

    walk(message["tree"])
    return [seaport(leaf, i) for i, leaf in enumerate(leaves) if leaf.get("offer") or leaf.get("consideration")]


def uniswapx(message: dict[str, Any]) -> SignedOrder | None:
    """A UniswapX order: the Permit2 transfer's ``permitted`` is given, each output goes to its recipient (the
    least amount of a decaying output)."""
    witness = message.get("witness")
    if not isinstance(witness, dict):
        return None
    outputs = witness.get("outputs") or witness.get("baseOutputs")
    if not isinstance(outputs, list) or not all(isinstance(o, dict) and "recipient" in o for o in outputs):
        return None
    info = witness.get("info") if isinstance(witness.get("info"), dict) else {}
    permitted = message["permitted"]
    items = permitted if isinstance(permitted, list) else [permitted]

    def least(output: dict[str, Any]) -> int:
        amounts = [_int(output[k]) for k in ("startAmount", "endAmount", "amount") if k in output]
        return min(amounts) if amounts else 0

    return SignedOrder(protocol="uniswapx", signer=_address(info.get("swapper")),
                       gives=[_fungible(p["token"], p["amount"]) for p in items],
                       gets=[_fungible(o.get("token"), least(o), _address(o.get("recipient"))) for o in outputs],
                       expires_at=_expiry(info.get("deadline", message.get("deadline"))))


def one_inch(message: dict[str, Any]) -> SignedOrder:
    """A 1inch Limit Order Protocol v4 order (and a Fusion order, the same struct): makerAsset given, takerAsset
    to the receiver (the maker when zero); the expiration is bits 80–119 of makerTraits."""
    maker = _address(message["maker"])
    receiver = _address(message.get("receiver"))
    traits = _int(message.get("makerTraits", 0))
    return SignedOrder(protocol="1inch", signer=maker,
                       gives=[_fungible(message["makerAsset"], message["makingAmount"])],
                       gets=[_fungible(message["takerAsset"], message["takingAmount"],
                                       maker if receiver in (None, ZERO) else receiver)],
                       expires_at=_expiry((traits >> 80) & (2**40 - 1)))


def cow(message: dict[str, Any], signer: str | None) -> SignedOrder:
    """A CoW Protocol order: the sell token (and its fee) given, the buy token to the receiver (the owner when
    zero)."""
    receiver = _address(message.get("receiver"))
    sold = _int(message["sellAmount"]) + _int(message.get("feeAmount", 0))
    return SignedOrder(protocol="cow", signer=signer, gives=[_fungible(message["sellToken"], sold)],
                       gets=[_fungible(message["buyToken"], message["buyAmount"],
                                       signer if receiver in (None, ZERO) else receiver)],
                       expires_at=_expiry(message.get("validTo")))


def velora(message: dict[str, Any]) -> SignedOrder:
    """A Velora (ParaSwap) Delta order: the source token given, the destination token to the beneficiary (the
    owner when zero)."""
    owner = _address(message["owner"])
    beneficiary = _address(message.get("beneficiary"))
    return SignedOrder(protocol="velora", signer=owner, gives=[_fungible(message["srcToken"], message["srcAmount"])],
                       gets=[_fungible(message["destToken"], message["destAmount"],
                                       owner if beneficiary in (None, ZERO) else beneficiary)],
                       expires_at=_expiry(message.get("deadline")))


# (domain name, primary type) → reader of (message, signer)
READERS: dict[tuple[str, str], Callable[[dict[str, Any], str | None], list[SignedOrder]]] = {
    ("Seaport", "OrderComponents"): lambda m, s: [seaport(m)],
    ("Seaport", "BulkOrder"): lambda m, s: seaport_bulk(m),
    ("1inch Aggregation Router", "Order"): lambda m, s: [one_inch(m)],
    ("Gnosis Protocol", "Order"): lambda m, s: [cow(m, s)],
    ("Portikus", "Order"): lambda m, s: [velora(m)],
}


def orders_of(domain: dict[str, Any], primary: str, message: dict[str, Any], signer: str | None) -> list[SignedOrder]:
    """The orders a typed-data document signs ([] when it is no order this module reads).

    Raises:
        KeyError, TypeError, ValueError: an order kind whose message lacks or misshapes a field.
    """
    if primary in ("PermitWitnessTransferFrom", "PermitBatchWitnessTransferFrom") and domain.get("name") == "Permit2":
        order = uniswapx(message)
        return [order] if order is not None else []
    reader = READERS.get((str(domain.get("name")), primary))
    return reader(message, signer) if reader is not None else []
