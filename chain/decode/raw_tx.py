"""``eth_sendRawTransaction``: the signed envelope a wallet (or a dApp holding a signed transaction) broadcasts,
decoded and its sender recovered with eth-account — legacy (EIP-155 or not), EIP-2930, EIP-1559 and EIP-7702;
EIP-4844 blob transactions are refused by name, as everywhere else."""

from __future__ import annotations

from dataclasses import dataclass, field

from eth_utils import to_checksum_address


@dataclass(frozen=True)
class RawTransaction:
    """What a signed envelope carries."""

    type: int
    sender: str
    chain_id: int | None  # None: a legacy transaction signed without EIP-155 (valid on every chain)
    to: str | None
    value: int
    data: bytes
    gas: int
    nonce: int
    delegations: list[str] = field(default_factory=list)  # EIP-7702 authorization targets


def decode_raw(raw: bytes) -> RawTransaction:
    """Decode and recover a signed transaction.

    Raises:
        ValueError: not a signed transaction eth-account can read, a blob transaction, or a signature that does
            not recover (the message says which).
    """
    from eth_account import Account
    from eth_account._utils.legacy_transactions import Transaction as Legacy
    from eth_account.typed_transactions import TypedTransaction
    from hexbytes import HexBytes

    raw = HexBytes(raw)
    if not raw:
        raise ValueError("empty: a signed transaction's bytes are expected")
    if raw[0] == 3:
        raise ValueError("EIP-4844 blob transactions (type 3) are not supported: their blobs cannot be simulated")
    try:
        if raw[0] >= 0xC0:  # an RLP list: a legacy transaction
            fields = Legacy.from_bytes(raw).as_dict()
            v = int(fields["v"])
            chain_id = (v - 35) // 2 if v >= 35 else None
            kind = 0
        else:
            fields = TypedTransaction.from_bytes(raw).as_dict()
            chain_id, kind = int(fields["chainId"]), int(fields.get("type", raw[0]))
        sender = Account.recover_transaction(raw)
    except Exception as exc:  # eth-account raises several types for malformed envelopes and signatures
        raise ValueError(f"not a signed transaction that recovers: {type(exc).__name__}: {exc}"[:300]) from None
    to = fields.get("to")
    delegations = [to_checksum_address(a["address"]) for a in fields.get("authorizationList") or []]
    return RawTransaction(type=kind, sender=to_checksum_address(sender), chain_id=chain_id,
                          to=to_checksum_address(to) if to else None, value=int(fields.get("value", 0)),
                          data=bytes(fields.get("data") or b""), gas=int(fields["gas"]), nonce=int(fields["nonce"]),
                          delegations=delegations)
