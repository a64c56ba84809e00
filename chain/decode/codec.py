"""A strict ABI decoder: accepts only the canonical encoding, so a decode is exactly what re-encodes.

eth-abi's ``decode`` tolerates non-canonical input (any offsets, dirty padding), so a decoder built on
it must re-encode and compare. This one checks canonical form while it reads — every offset points
at the next free byte, padding is zero, integers fit their width, nothing trails — which gives the
same answer in one pass (``decode_prefix`` allows bytes after a canonical encoding, as the EVM does).
``tests/test_codec.py`` holds it to eth-abi with hypothesis.

Lengths are checked against the bytes actually present before anything is allocated, so a huge
length word or offset fails at once instead of looping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from chain.hexutil import checksum

WORD = 32
MAX_TYPE_DEPTH = 16


class AbiDecodeError(ValueError):
    """The bytes are not the canonical ABI encoding of the given types."""


class AbiTypeError(ValueError):
    """A type string is not a valid ABI type."""


@dataclass(frozen=True)
class AbiType:
    """A parsed ABI type. ``kind``: uint, int, address, bool, fbytes, bytes, string, array, tuple."""

    kind: str
    size: int = 0  # bits for (u)int, byte count for fbytes, element count for a fixed array (-1: dynamic)
    inner: tuple[AbiType, ...] = ()
    dynamic: bool = False
    head: int = WORD  # bytes this type takes in its parent's head


_ELEMENTARY = re.compile(r"^(uint|int|bytes)(\d*)$")


def _elementary(text: str) -> AbiType:
    if text in ("address", "bool"):
        return AbiType(text)
    if text == "string":
        return AbiType("string", dynamic=True)
    match = _ELEMENTARY.match(text)
    if not match:
        raise AbiTypeError(f"unknown ABI type {text!r}")
    base, digits = match.groups()
    if base == "bytes":
        if not digits:
            return AbiType("bytes", dynamic=True)
        n = int(digits)
        if not 1 <= n <= 32:
            raise AbiTypeError(f"bytes{n}: size must be 1..32")
        return AbiType("fbytes", n)
    bits = int(digits) if digits else 256
    if bits % 8 or not 8 <= bits <= 256:
        raise AbiTypeError(f"{base}{digits}: width must be a multiple of 8 in 8..256")
    return AbiType(base, bits)


def split_types(body: str) -> list[str]:
    """Split a comma-separated type list at its top level: ``"address,(uint8,bytes)[]"`` → 2 types."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise AbiTypeError(f"unbalanced parentheses in {body!r}")
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    if depth:
        raise AbiTypeError(f"unbalanced parentheses in {body!r}")
    if body:
        parts.append(body[start:])
    return parts


@lru_cache(maxsize=4096)
def parse_type(text: str, _depth: int = 0) -> AbiType:
    """Parse a canonical type string such as ``(address,uint256)[]``.

    Raises:
        AbiTypeError: not a valid type.
    """
    if _depth > MAX_TYPE_DEPTH:
        raise AbiTypeError("type nested too deeply")
    text = text.strip()
    if text.endswith("]"):
        open_at = text.rindex("[")
        inner = parse_type(text[:open_at], _depth + 1)
        count = text[open_at + 1 : -1]
        if count == "":
            return AbiType("array", -1, (inner,), dynamic=True)
        if not count.isdigit() or int(count) == 0:
            raise AbiTypeError(f"bad array size in {text!r}")
        n = int(count)
        return AbiType("array", n, (inner,), dynamic=inner.dynamic, head=WORD if inner.dynamic else n * inner.head)
    if text.startswith("("):
        if not text.endswith(")"):
            raise AbiTypeError(f"bad tuple {text!r}")
        members = tuple(parse_type(t, _depth + 1) for t in split_types(text[1:-1]))
        dynamic = any(m.dynamic for m in members)
        return AbiType("tuple", len(members), members, dynamic=dynamic,
                       head=WORD if dynamic else sum(m.head for m in members))
    return _elementary(text)


@lru_cache(maxsize=4096)
def parse_types(types: tuple[str, ...]) -> AbiType:
    """The tuple of ``types``: how a function's arguments are encoded."""
    return parse_type("(" + ",".join(types) + ")")


def _word(buf: bytes, pos: int) -> int:
    if pos + WORD > len(buf):
        raise AbiDecodeError(f"needs a 32-byte word at {pos}, only {len(buf)} bytes")
    return int.from_bytes(buf[pos : pos + WORD], "big")


def _static(t: AbiType, buf: bytes, pos: int) -> object:
    """Decode a one-word elementary value at ``pos``."""
    kind = t.kind
    if pos + WORD > len(buf):
        raise AbiDecodeError(f"needs a 32-byte word at {pos}, only {len(buf)} bytes")
    word = buf[pos : pos + WORD]
    if kind == "uint":
        value = int.from_bytes(word, "big")
        if t.size < 256 and value >> t.size:
            raise AbiDecodeError(f"uint{t.size} at {pos} is out of range")
        return value
    if kind == "address":
        if any(word[:12]):
            raise AbiDecodeError(f"address at {pos} has dirty high bytes")
        return checksum("0x" + word[12:].hex())
    if kind == "bool":
        value = int.from_bytes(word, "big")
        if value > 1:
            raise AbiDecodeError(f"bool at {pos} is neither 0 nor 1")
        return value == 1
    if kind == "int":
        value = int.from_bytes(word, "big", signed=True)
        bound = 1 << (t.size - 1)
        if not -bound <= value < bound:
            raise AbiDecodeError(f"int{t.size} at {pos} is not sign-extended")
        return value
    # fbytes
    if any(word[t.size :]):
        raise AbiDecodeError(f"bytes{t.size} at {pos} has dirty padding")
    return bytes(word[: t.size])


def _sequence(members: tuple[AbiType, ...] | list[AbiType], buf: bytes, start: int) -> tuple[list[object], int]:
    """Decode consecutive members whose heads begin at ``start``; returns the values and where the
    encoding ends (after the last tail)."""
    head_end = start + sum(m.head for m in members)
    if head_end > len(buf):
        raise AbiDecodeError(f"needs {head_end - start} bytes of heads at {start}, only {len(buf) - start}")
    values, pos, cursor = [], start, head_end
    for member in members:
        if member.dynamic:
            offset = _word(buf, pos)
            if start + offset != cursor:
                raise AbiDecodeError(f"offset at {pos} points to {start + offset}, the canonical place is {cursor}")
            value, cursor = _value(member, buf, cursor)
        else:
            value, _ = _value(member, buf, pos)
        values.append(value)
        pos += member.head
    return values, cursor


def _value(t: AbiType, buf: bytes, pos: int) -> tuple[object, int]:
    """Decode one value whose encoding starts at ``pos``; returns it and the end of its encoding."""
    kind = t.kind
    if kind in ("bytes", "string"):
        length = _word(buf, pos)
        padded = (length + WORD - 1) // WORD * WORD
        end = pos + WORD + padded
        if length > len(buf) or end > len(buf):
            raise AbiDecodeError(f"{kind} at {pos} claims {length} bytes, only {len(buf) - pos - WORD} follow")
        raw = buf[pos + WORD : pos + WORD + length]
        if any(buf[pos + WORD + length : end]):
            raise AbiDecodeError(f"{kind} at {pos} has dirty padding")
        if kind == "string":
            try:
                return raw.decode("utf-8"), end
            except UnicodeDecodeError as exc:
                raise AbiDecodeError(f"string at {pos} is not UTF-8") from exc
        return bytes(raw), end
    if kind == "tuple":
        values, end = _sequence(t.inner, buf, pos)
        return tuple(values), end
    if kind == "array":
        inner = t.inner[0]
        if t.size == -1:
            count = _word(buf, pos)
            pos += WORD
            if count > len(buf) or count * inner.head > len(buf) - pos:
                raise AbiDecodeError(f"array at {pos - WORD} claims {count} items, the data cannot hold them")
        else:
            count = t.size
        values, end = _sequence([inner] * count, buf, pos)
        return tuple(values), end
    return _static(t, buf, pos), pos + WORD


def decode_prefix(types: tuple[str, ...], data: bytes) -> tuple[tuple[object, ...], int]:
    """Decode the canonical encoding of ``types`` at the start of ``data``; returns the values and where the
    encoding ends. Bytes after it are allowed (the EVM and Solidity's decoder ignore them); the encoding itself
    must still be canonical.

    Raises:
        AbiDecodeError: not canonical or truncated.
        AbiTypeError: a type string is invalid.
    """
    root = parse_types(types)
    values, end = _sequence(root.inner, data, 0)
    return tuple(values), end


def decode_types(types: tuple[str, ...], data: bytes) -> tuple[object, ...]:
    """Decode ``data`` as the canonical encoding of ``types`` (addresses come back EIP-55).

    Raises:
        AbiDecodeError: not canonical, truncated, or bytes left over.
        AbiTypeError: a type string is invalid.
    """
    values, end = decode_prefix(types, data)
    if end != len(data):
        raise AbiDecodeError(f"{len(data) - end} bytes left over after the arguments")
    return values
