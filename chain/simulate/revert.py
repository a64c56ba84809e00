"""Decode revert data: Error(string), Panic(uint256), or a custom error from the selector table."""

from __future__ import annotations

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError

from chain.sanitize import sanitize_text

ERROR_SELECTOR = bytes.fromhex("08c379a0")
PANIC_SELECTOR = bytes.fromhex("4e487b71")

PANIC_CODES = {
    0x00: "generic compiler panic",
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "conversion to an invalid enum value",
    0x22: "incorrectly encoded storage byte array",
    0x31: "pop() on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to a zero-initialized function pointer",
}


def decode_revert(data: bytes) -> str:
    """A human-readable reason for revert ``data``."""
    if not data:
        return "reverted without a reason"
    try:
        if data[:4] == ERROR_SELECTOR:
            (message,) = abi_decode(["string"], data[4:])
            return f"Error: {sanitize_text(message, 256)}"
        if data[:4] == PANIC_SELECTOR:
            (code,) = abi_decode(["uint256"], data[4:])
            return f"Panic(0x{code:02x}): {PANIC_CODES.get(code, 'unknown panic code')}"
    except (DecodingError, UnicodeDecodeError, ValueError):
        pass
    if (custom := custom_error(data)) is not None:
        return custom
    return f"custom error 0x{data[:4].hex()} ({len(data)} bytes of revert data)"


def custom_error(data: bytes) -> str | None:
    """``Name(type value, …)`` for revert data matching exactly one known custom error, else None."""
    from chain.decode.calldata import json_value
    from chain.decode.codec import AbiDecodeError, decode_types
    from chain.decode.registry import published_table, selector_table

    matches = []
    candidates = selector_table()["errors"].get(data[:4], ()) or published_table()["errors"].get(data[:4], ())
    for error in candidates:
        try:
            matches.append((error, decode_types(error.types, data[4:])))
        except AbiDecodeError:
            continue
    if len(matches) != 1:
        return None
    error, values = matches[0]
    shown = ", ".join(sanitize_text(str(json_value(t, v)), 80) for t, v in zip(error.types, values, strict=True))
    return f"{error.name}({shown})"
