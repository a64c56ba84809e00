"""RFC 8785 canonical JSON and the RFC 9162 leaf hash of an audit record."""

from __future__ import annotations

import hashlib
from typing import Any

import rfc8785

LEAF_PREFIX = b"\x00"  # RFC 9162 §2.1.1 domain separation for leaves


def canonical_json(body: Any) -> bytes:
    """The RFC 8785 (JCS) serialization of ``body``."""
    return rfc8785.dumps(body)


def leaf_hash(canonical: bytes) -> str:
    """``0x`` + hex SHA-256(0x00 ‖ canonical JSON): the record's leaf in the ledger."""
    return "0x" + hashlib.sha256(LEAF_PREFIX + canonical).hexdigest()
