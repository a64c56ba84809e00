"""CIDv1 of raw bytes (codec raw 0x55, multihash sha2-256), base32 — computed locally, never trusted."""

from __future__ import annotations

import base64
import hashlib

RAW_CODEC = 0x55
SHA2_256 = 0x12
CID_V1 = 0x01
MAX_RAW_ADD = 262_144  # `ipfs add --cid-version=1` yields this very CID only up to one chunk


def cid_v1_raw(data: bytes) -> str:
    """``b…`` base32 CIDv1 of ``data`` as a single raw block."""
    digest = hashlib.sha256(data).digest()
    binary = bytes([CID_V1, RAW_CODEC, SHA2_256, len(digest)]) + digest
    return "b" + base64.b32encode(binary).decode("ascii").lower().rstrip("=")
