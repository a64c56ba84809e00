"""RFC 8785 canonical JSON of an audit record, and the storable form it is computed over."""

from __future__ import annotations

import math
from typing import Any

import rfc8785

MAX_SAFE_INTEGER = 2**53 - 1  # RFC 8785 (I-JSON) numbers are IEEE doubles: larger integers lose digits
NUL_REPLACEMENT = "\ufffd"  # Postgres text and JSONB cannot hold U+0000


def storable(value: Any) -> Any:
    """``value`` with every integer beyond ±(2^53−1) as its decimal string, U+0000 in strings and keys as
    U+FFFD, NaN/Infinity as strings, and str subclasses (enum members) as plain strings: any request or result
    (uint256 values, deadlines, nonces) canonicalizes and stores. Idempotent; a record is stored, hashed and
    verified in this form."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)  # json.loads accepts NaN and Infinity
    if isinstance(value, int):
        return str(value) if abs(value) > MAX_SAFE_INTEGER else value
    if isinstance(value, str):
        value = str.__str__(value)  # a StrEnum member is stored as its value, never its name
        return value.replace("\x00", NUL_REPLACEMENT) if "\x00" in value else value
    if isinstance(value, dict):
        return {storable(str(k)): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    return value


def canonical_json(body: Any) -> bytes:
    """The RFC 8785 (JCS) serialization of ``storable(body)``."""
    return rfc8785.dumps(storable(body))

