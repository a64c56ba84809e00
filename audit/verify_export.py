"""Verify an exported ledger (``txexplain audit export`` JSON lines) with no database: every leaf against its
canonical JSON, every column of the row against the record, the hash chain, the sequence, the Merkle root — and,
with a saved signed checkpoint, that the export holds exactly the records it signed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from audit.cid import cid_v1_raw
from audit.hashing import GENESIS_CHAIN, chain_next, leaf_hash
from audit.merkle import Frontier
from audit.record import as_utc
from audit.verify import VerificationError, VerifyReport, verify_checkpoint


def _row_problem(row: dict[str, Any]) -> str | None:
    """Whether the row's columns say what its canonical record says."""
    canonical = row.get("canonical")
    if not isinstance(canonical, str):
        return "the row carries no canonical JSON"
    if leaf_hash(canonical.encode("utf-8")) != row.get("leaf_hash"):
        return "leaf hash does not match the canonical JSON"
    body = json.loads(canonical)
    stated = {"id": body.get("id"), "tenant": body.get("tenant", "default"), "kind": body.get("kind"),
              "chain_id": body.get("chain_id"), "verdict": body.get("verdict"),
              "model": (body.get("model") or {}).get("name"),
              "rules": [f.get("rule") for f in (body.get("result") or {}).get("findings", []) if isinstance(f, dict)]}
    for column, value in stated.items():
        if row.get(column) != value:
            return f"column {column!r} differs from the canonical JSON"
    if as_utc(datetime.fromisoformat(row["created_at"])) != as_utc(datetime.fromisoformat(body["created_at"])):
        return "column 'created_at' differs from the canonical JSON"
    if row.get("cid") is not None and row["cid"] != cid_v1_raw(canonical.encode("utf-8")):
        return "column 'cid' is not the CID of the canonical JSON"
    return None


def verify_export(lines: Iterable[str], trusted_public_key: str | None = None,
                  checkpoint: dict[str, Any] | None = None) -> tuple[VerifyReport, list[str]]:
    """(report, notes) for an export. An export that starts past seq 1 (``--since``) is checked from its first
    record on: that record's link to the one before it is not (a note says so), nor is the Merkle root.

    ``checkpoint`` (a saved signed checkpoint, checked against ``trusted_public_key``) must be covered: the export
    starts at seq 1 and holds at least its ``size`` records, whose root and chain head it signs.
    """
    frontier, chain, expected, count, notes = Frontier(), GENESIS_CHAIN, None, 0, []
    first_seq = None
    signed_root = signed_chain = None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            seq = int(row["seq"])
        except (ValueError, KeyError, TypeError):
            return VerifyReport(count, 0, None, f"line {number} is not an exported record"), notes
        if first_seq is None:
            first_seq = expected = seq
            if seq != 1:
                notes.append(f"the export starts at seq {seq}: its link to seq {seq - 1} and the Merkle root are "
                             "not checked")
                chain = None  # type: ignore[assignment]
        if seq != expected:
            return VerifyReport(count, 0, seq, f"expected seq {expected}, found {seq} (a gap or a duplicate)",
                                first_bad_id=row.get("id")), notes
        problem = _row_problem(row)
        if problem is None and chain is not None and chain_next(chain, row["leaf_hash"]) != row.get("chain_hash"):
            problem = "chain hash does not follow from the previous record"
        if problem:
            return VerifyReport(count, 0, seq, problem, first_bad_id=row.get("id")), notes
        chain, expected, count = row["chain_hash"], seq + 1, count + 1
        frontier.append(bytes.fromhex(row["leaf_hash"][2:]))
        if checkpoint is not None and first_seq == 1 and seq == int(checkpoint["size"]):
            signed_root, signed_chain = "0x" + frontier.root().hex(), chain
    root = "0x" + frontier.root().hex() if first_seq == 1 else None
    if checkpoint is not None:
        try:
            verify_checkpoint(checkpoint, trusted_public_key)
        except VerificationError as exc:
            return VerifyReport(count, 1, None, str(exc), root_hash=root), notes
        if signed_root is None:
            return VerifyReport(count, 1, None, f"the export does not hold the first {checkpoint['size']} records "
                                "the checkpoint signed", root_hash=root), notes
        if (signed_root, signed_chain) != (checkpoint["root_hash"], checkpoint["chain_head"]):
            return VerifyReport(count, 1, int(checkpoint["size"]), "the exported records are not the ones the "
                                "checkpoint signed (root or chain head differ)", root_hash=root), notes
        notes.append(f"the export's first {checkpoint['size']} records are the ones the checkpoint signed")
    return VerifyReport(count, 1 if checkpoint is not None else 0, root_hash=root), notes
