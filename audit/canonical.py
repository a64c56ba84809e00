"""RFC 8785 canonical JSON and the RFC 9162 leaf hash of an audit record."""

from __future__ import annotations

import hashlib
import math
from typing import Any

import rfc8785

LEAF_PREFIX = b"\x00"  # RFC 9162 §2.1.1 domain separation for leaves
MAX_SAFE_INTEGER = 2**53 - 1  # RFC 8785 (I-JSON) numbers are IEEE doubles: larger integers lose digits
NUL_REPLACEMENT = "\ufffd"  # Postgres text and JSONB cannot hold U+0000


def storable(value: Any) -> Any:
    """``value`` with every integer beyond ±(2^53−1) as its decimal string, U+0000 in strings and keys as
    U+FFFD, and NaN/Infinity as strings: any request or result (uint256 values, deadlines, nonces)
    canonicalizes and stores. Idempotent; a record is stored, hashed and verified in this form."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)  # json.loads accepts NaN and Infinity
    if isinstance(value, int):
        return str(value) if abs(value) > MAX_SAFE_INTEGER else value
    if isinstance(value, str):
        return value.replace("\x00", NUL_REPLACEMENT) if "\x00" in value else value
    if isinstance(value, dict):
        return {storable(str(k)): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def canonical_json(body: Any) -> bytes:
    """The RFC 8785 (JCS) serialization of ``storable(body)``."""
    return rfc8785.dumps(storable(body))


def leaf_hash(canonical: bytes) -> str:
    """``0x`` + hex SHA-256(0x00 ‖ canonical JSON): the record's leaf in the ledger."""
    return "0x" + hashlib.sha256(LEAF_PREFIX + canonical).hexdigest()
