"""CIDv1 of raw bytes (codec raw 0x55, multihash sha2-256), base32 — computed locally, never trusted —
and the reading of a CID a daemon answers, in whichever version and multibase it chose."""

from __future__ import annotations

import base64
import hashlib

RAW_CODEC = 0x55
DAG_PB_CODEC = 0x70
SHA2_256 = 0x12
CID_V1 = 0x01
MAX_RAW_ADD = 262_144  # `ipfs add --cid-version=1` yields this very CID only up to one chunk
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def cid_v1_raw(data: bytes) -> str:
    """``b…`` base32 CIDv1 of ``data`` as a single raw block."""
    digest = hashlib.sha256(data).digest()
    binary = bytes([CID_V1, RAW_CODEC, SHA2_256, len(digest)]) + digest
    return "b" + base64.b32encode(binary).decode("ascii").lower().rstrip("=")


def _base58(text: str) -> bytes:
    number = 0
    for char in text:
        index = _BASE58.find(char)
        if index < 0:
            raise ValueError(f"not base58: {char!r}")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while at < len(data) and shift < 64:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return value, at
        shift += 7
    raise ValueError("truncated varint")


def sha256_of(cid: str) -> bytes:
    """The sha2-256 digest a CID names (CIDv0 ``Qm…``, or CIDv1 in base32 ``b``, base58btc ``z`` or base16
    ``f``), whatever its codec: js-ipfs answers base58 and CIDv0 where Kubo answers base32, and blocks are
    stored under the multihash. Raises ValueError for anything else."""
    if len(cid) == 46 and cid.startswith("Qm"):
        binary = _base58(cid)
    elif cid[:1] == "b":
        binary = base64.b32decode(cid[1:].upper() + "=" * (-len(cid[1:]) % 8))
    elif cid[:1] == "z":
        binary = _base58(cid[1:])
    elif cid[:1] == "f":
        binary = bytes.fromhex(cid[1:])
    else:
        raise ValueError(f"unsupported CID: {cid[:60]!r}")
    at = 0
    if not binary.startswith(b"\x12\x20"):
        version, at = _varint(binary, 0)
        if version != CID_V1:
            raise ValueError(f"CID version {version} is not supported")
        _codec, at = _varint(binary, at)
    hash_code, at = _varint(binary, at)
    length, at = _varint(binary, at)
    digest = binary[at:]
    if hash_code != SHA2_256 or length != 32 or len(digest) != 32:
        raise ValueError("the CID's multihash is not sha2-256")
    return digest


def names_same_bytes(a: str, b: str) -> bool:
    """Whether two CIDs address the same bytes (the same sha2-256 multihash); False if either is unreadable."""
    try:
        return sha256_of(a) == sha256_of(b)
    except ValueError:
        return False
