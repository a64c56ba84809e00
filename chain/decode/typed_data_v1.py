"""Legacy ``eth_signTypedData`` (v1, an early EIP-712 draft): an array of ``{type, name, value}`` hashed as
MetaMask hashes it (eth-sig-util's ``typedSignatureHash``): keccak256(keccak256(‖ "type name") ‖ keccak256(tight
``encodePacked`` of the values)). There is no domain: the signature is bound to no site, contract or chain."""

from __future__ import annotations

import re
from typing import Any

from eth_utils import keccak

from chain.decode.eip712 import Eip712Error, js_bigint
from chain.decode.messages import MessageFacts
from chain.sanitize import sanitize_lines

MAX_ITEMS = 256
_TYPE = re.compile(r"^(?P<base>string|bytes|bool|address|u?int(?P<bits>\d*)|bytes(?P<size>\d+))"
                   r"(?P<array>\[(?P<length>\d*)\])?$")
_HEX = re.compile(r"^0x[0-9a-fA-F]*$")


class LegacyTypedDataError(ValueError):
    """A v1 typed-data document MetaMask would not hash, or one this hasher does not cover."""


def legacy_typed_data_hash(items: Any) -> bytes:
    """The 32 bytes the wallet signs for ``eth_signTypedData`` (v1).

    Raises:
        LegacyTypedDataError: not a non-empty array of named, typed values (the message names the item).
    """
    if not isinstance(items, list) or not items:
        raise LegacyTypedDataError("must be a non-empty array of {type, name, value}")
    if len(items) > MAX_ITEMS:
        raise LegacyTypedDataError(f"has {len(items)} items; at most {MAX_ITEMS}")
    schema, data = [], []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str) or not item.get("name"):
            raise LegacyTypedDataError(f"[{i}] must be an object with a type and a non-empty name")
        schema.append(f"{item['type']} {item['name']}".encode())
        data.append(_packed(item["type"], item.get("value"), f"[{i}].value"))
    return keccak(keccak(b"".join(schema)) + keccak(b"".join(data)))


def legacy_message_facts(items: list[dict[str, Any]]) -> MessageFacts:
    """The document as the message the user reads: one ``name (type): value`` line per item, sanitized (names and
    values are the requester's words), never blind."""
    lines = [f"{item['name']} ({item['type']}): {_shown(item.get('value'))}" for item in items]
    text = "\n".join(lines)
    return MessageFacts(kind="legacy_typed_data", blind=False, text=sanitize_lines(text, 2000),
                        size=len(text.encode("utf-8")))


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _packed(type_name: str, value: Any, path: str) -> bytes:
    match = _TYPE.match(type_name)
    if match is None:
        raise LegacyTypedDataError(f"{path}: type {type_name[:40]!r} is not supported by eth_signTypedData v1")
    base = match["base"]
    if match["array"] is None:
        return _scalar(base, value, path)
    if not isinstance(value, list):
        raise LegacyTypedDataError(f"{path}: {type_name} needs an array")
    if match["length"] and int(match["length"]) != len(value):
        raise LegacyTypedDataError(f"{path}: {type_name} needs {match['length']} items, got {len(value)}")
    # ethereumjs-abi's tight packing of arrays: dynamic items (string, bytes) and bytesN bare, every other item a
    # 32-byte word (addresses left-padded, negative integers in 32-byte two's complement)
    parts = []
    for i, item in enumerate(value):
        at = f"{path}[{i}]"
        if base in ("string", "bytes") or match["size"]:
            parts.append(_scalar(base, item, at))
        elif base.startswith("int"):
            parts.append(_integer(base, item, at, signed=True, width=32))
        else:
            parts.append(_scalar(base, item, at).rjust(32, b"\x00"))
    return b"".join(parts)


def _scalar(base: str, value: Any, path: str) -> bytes:
    if base == "string":
        if not isinstance(value, str):
            raise LegacyTypedDataError(f"{path}: a string is needed")
        return value.encode("utf-8")
    if base == "bytes":
        if not isinstance(value, str):
            raise LegacyTypedDataError(f"{path}: bytes are given as 0x-hex or text")
        return _hex(value, path) if value.startswith("0x") else value.encode("utf-8")
    if base == "bool":
        if value in (True, "true"):
            return b"\x01"
        if value in (False, "false"):
            return b"\x00"
        raise LegacyTypedDataError(f"{path}: a bool is true, false, \"true\" or \"false\"")
    if base == "address":
        if not isinstance(value, str) or not value.startswith("0x"):
            raise LegacyTypedDataError(f"{path}: an address is 0x-hex")
        return _hex(value, path)[:20].rjust(20, b"\x00")
    if base.startswith("bytes"):
        size = int(base[5:])
        if not 1 <= size <= 32 or not isinstance(value, str) or not value.startswith("0x"):
            raise LegacyTypedDataError(f"{path}: {base} is 0x-hex (1 to 32 bytes)")
        return _hex(value, path)[:size].ljust(size, b"\x00")
    bits = int(base.lstrip("uint") or 256)
    return _integer(base, value, path, signed=base.startswith("int"), width=bits // 8)


def _integer(base: str, value: Any, path: str, *, signed: bool, width: int) -> bytes:
    bits = int(base.lstrip("uint") or 256)
    if bits % 8 or not 8 <= bits <= 256:
        raise LegacyTypedDataError(f"{path}: {base} is not an integer type")
    try:
        number = js_bigint(value, path)
    except Eip712Error as exc:
        raise LegacyTypedDataError(str(exc)) from None
    if isinstance(value, int) and not isinstance(value, bool):  # a JSON number, as eth-sig-util normalizes it
        number = (number + 2 ** (bits - 1)) % 2**bits - 2 ** (bits - 1) if signed else abs(number)
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    if not low <= number <= high:
        raise LegacyTypedDataError(f"{path}: {number} does not fit {base}")
    return (number % 2 ** (8 * width)).to_bytes(width, "big")


def _hex(value: str, path: str) -> bytes:
    if not _HEX.match(value) or len(value) % 2:
        raise LegacyTypedDataError(f"{path}: {value[:40]!r} is not 0x-hex of whole bytes")
    return bytes.fromhex(value[2:])
