"""Every hash the ledger commits to, in one pure module: the RFC 9162 leaf and node hashes with their
domain-separation prefixes, the record hash chain, and the bytes a checkpoint signature covers."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from audit.canonical import canonical_json

LEAF_PREFIX = b"\x00"  # RFC 9162 §2.1.1 domain separation: a leaf can never be read as a node
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH of the empty tree
GENESIS_CHAIN = "0x" + "00" * 32  # the chain hash before the first record
CHECKPOINT_ORIGIN = "txexplain"  # names the log inside every signed checkpoint


def hash_leaf(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def hash_node(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def leaf_hash(canonical: bytes) -> str:
    """``0x`` + hex SHA-256(0x00 ‖ canonical JSON): the record's leaf in the ledger."""
    return "0x" + hash_leaf(canonical).hex()


def chain_next(previous: str, leaf: str) -> str:
    """SHA-256(previous chain ‖ leaf), both 32-byte hashes, as 0x-hex."""
    return "0x" + hashlib.sha256(bytes.fromhex(previous[2:]) + bytes.fromhex(leaf[2:])).hexdigest()


CHECKPOINT_FIELDS = ("size", "root_hash", "chain_head", "signed", "key_id", "public_key", "signature")


def checkpoint_document(checkpoint: Mapping[str, Any]) -> bytes:
    """A signed checkpoint as it is pinned and saved, self-contained (statement, signature, public key; RFC
    8785 JSON): what an auditor needs to check it later. Its CID is the checkpoint's ``cid``."""
    return canonical_json({field: checkpoint[field] for field in CHECKPOINT_FIELDS})


def checkpoint_message(size: int, root_hash: str, chain_head: str, timestamp: str) -> bytes:
    """The exact bytes a checkpoint signature covers (RFC 8785 JSON)."""
    return canonical_json({"origin": CHECKPOINT_ORIGIN, "size": size, "root_hash": root_hash,
                           "chain_head": chain_head, "timestamp": timestamp})
