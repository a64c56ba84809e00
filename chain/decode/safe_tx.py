"""A Safe transaction signature (EIP-712 ``SafeTx``, as Safe{Wallet} asks each owner to sign it) is the
``execTransaction`` it authorizes: once enough owners sign, anyone can submit it. It is decoded as that call to
the Safe, so its inner call — and a delegatecall, an owner or module change, an approval — is judged exactly as
the executed transaction would be."""

from __future__ import annotations

from typing import Any

from eth_abi import encode
from eth_abi.exceptions import EncodingError
from eth_utils import keccak

from chain.decode.calldata import decode_calldata
from chain.decode.eip712 import Eip712Error, js_bigint
from chain.decode.model import DecodedCall
from chain.hexutil import parse_address, parse_data

EXEC_TRANSACTION = "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)"
ZERO = "0x0000000000000000000000000000000000000000"


def safe_tx_call(message: dict[str, Any], safe: str, chain_id: int | None = None) -> DecodedCall | None:
    """The ``execTransaction`` a SafeTx message authorizes, decoded (no signatures); None when its fields do not
    hold an address, numbers and bytes (the document is then shown field by field only)."""
    try:
        args = [parse_address(message["to"]), js_bigint(message.get("value", 0), "value"),
                parse_data(message.get("data") or "0x"), js_bigint(message.get("operation", 0), "operation"),
                *(js_bigint(message.get(k, 0), k) for k in ("safeTxGas", "baseGas", "gasPrice")),
                parse_address(message.get("gasToken") or ZERO), parse_address(message.get("refundReceiver") or ZERO),
                b""]
        calldata = keccak(text=EXEC_TRANSACTION)[:4] + encode(
            ["address", "uint256", "bytes", "uint8", "uint256", "uint256", "uint256", "address", "address", "bytes"],
            args)
    except (KeyError, TypeError, ValueError, OverflowError, Eip712Error, EncodingError):
        return None
    return decode_calldata(calldata, safe, chain_id=chain_id)
