"""Hex, quantity and address parsing shared by the request models and the decoders."""

from __future__ import annotations

import re
from functools import lru_cache

from eth_utils import is_checksum_address, to_checksum_address

_HEX = re.compile(r"^0x[0-9a-fA-F]*$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


def parse_address(value: object) -> str:
    """Return the EIP-55 form of a 20-byte hex address; mixed case must be a valid checksum."""
    if not isinstance(value, str) or not _ADDRESS.match(value):
        raise ValueError("must be a 0x-prefixed 20-byte hex address")
    body = value[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(value):
        raise ValueError("has an invalid EIP-55 checksum")
    return to_checksum_address(value)


def parse_data(value: object) -> bytes:
    """Parse 0x-prefixed, even-length hex bytes."""
    if not isinstance(value, str) or not _HEX.match(value):
        raise ValueError("must be 0x-prefixed hex")
    if len(value) % 2:
        raise ValueError("has an odd number of hex digits")
    return bytes.fromhex(value[2:])


def parse_quantity(value: object) -> int:
    """Parse a JSON-RPC quantity: 0x-hex string, decimal string or non-negative integer."""
    if isinstance(value, bool):
        raise ValueError("must be a quantity, not a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _HEX.match(value) and len(value) > 2:
        number = int(value, 16)
    elif isinstance(value, str) and value.isdigit():
        number = int(value)
    else:
        raise ValueError("must be a 0x-hex or decimal quantity")
    if number < 0 or number >= 2**256:
        raise ValueError("is out of the uint256 range")
    return number


def to_hex(data: bytes) -> str:
    """Lowercase 0x-prefixed hex."""
    return "0x" + data.hex()


@lru_cache(maxsize=65_536)
def checksum(address: str) -> str:
    """EIP-55 form of a hex address, cached: keccak per call dominated the simulator's hot path."""
    return to_checksum_address(address)


def create_address(sender: str, nonce: int) -> str:
    """The address CREATE gives a contract deployed by ``sender`` at ``nonce``: keccak(rlp([sender, nonce]))[12:]."""
    import rlp
    from eth_utils import keccak

    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])
