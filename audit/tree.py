"""The Merkle tree's interior nodes, stored as batches are appended (``audit_tree_nodes``), so inclusion and
consistency proofs, and a replica catching up on the frontier, read O(log n) hashes instead of every leaf.

A node is the root of a perfect, aligned block of leaves: level ``l``, index ``i`` covers leaves
[i·2^l, (i+1)·2^l). Level 0 is the records' own leaf hashes. Nodes are derived data: a proof built from them is
checked against the signed checkpoint's root like any other, and `audit verify` recomputes the tree from the leaves.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from audit.merkle import Frontier, blocks, consistency_path, fold, inclusion_path
from audit.models import AuditRecord, TreeNode

Key = tuple[int, int]  # (level, index)


def store(session: Session, nodes: Iterable[tuple[int, int, bytes]]) -> None:
    """Upsert completed interior nodes (a rewritten block, once complete again, replaces its old root)."""
    rows = [{"level": level, "idx": index, "hash": "0x" + node.hex()} for level, index, node in nodes]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(TreeNode).values(rows)
    session.execute(statement.on_conflict_do_update(index_elements=["level", "idx"],
                                                    set_={"hash": statement.excluded.hash}))


class StoredTree:
    """The tree of the first ``size`` leaves, read from stored nodes: each proof fetches what it needs at once."""

    def __init__(self, session: Session, size: int):
        self.session = session
        self.size = size
        self._hashes: dict[Key, bytes] = {}

    def _fetch(self, keys: set[Key]) -> None:
        keys -= self._hashes.keys()
        leaves = sorted(index + 1 for level, index in keys if level == 0)
        if leaves:
            for seq, leaf in self.session.execute(select(AuditRecord.seq, AuditRecord.leaf_hash)
                                                  .where(AuditRecord.seq.in_(leaves))):
                self._hashes[(0, seq - 1)] = bytes.fromhex(leaf[2:])
        inner = sorted(k for k in keys if k[0] > 0)
        for chunk in (inner[i:i + 500] for i in range(0, len(inner), 500)):
            for level, index, node in self.session.execute(
                    select(TreeNode.level, TreeNode.idx, TreeNode.hash)
                    .where(tuple_(TreeNode.level, TreeNode.idx).in_(chunk))):
                self._hashes[(level, index)] = bytes.fromhex(node[2:])
        missing = keys - self._hashes.keys()
        if missing:
            raise LookupError(f"the tree lacks {len(missing)} stored nodes (e.g. level/index {min(missing)})")

    def _range_root(self, lo: int, hi: int) -> bytes:
        return fold([self._hashes[key] for key in blocks(lo, hi)])

    def _prefetched(self, build):  # type: ignore[no-untyped-def]
        """Run ``build(range_root)`` once to learn the blocks it reads, fetch them in one go, then for real."""
        wanted: set[Key] = set()

        def record(lo: int, hi: int) -> bytes:
            wanted.update(blocks(lo, hi))
            return b"\x00" * 32

        build(record)
        self._fetch(wanted)
        return build(self._range_root)

    def inclusion(self, index: int) -> list[bytes]:
        """PATH(index, D[size])."""
        return self._prefetched(lambda range_root: inclusion_path(index, self.size, range_root))

    def consistency(self, first: int) -> list[bytes]:
        """PROOF(first, D[size])."""
        return self._prefetched(lambda range_root: consistency_path(first, self.size, range_root))

    def root(self, size: int | None = None) -> bytes:
        """MTH(D[size]) (this tree's size by default)."""
        keys = set(blocks(0, size if size is not None else self.size))
        self._fetch(keys)
        return self._range_root(0, size if size is not None else self.size)

    def frontier(self) -> Frontier:
        """The frontier of this tree, ready to append to: O(log n) reads."""
        keys = blocks(0, self.size)
        self._fetch(set(keys))
        return Frontier.of_blocks(self.size, [self._hashes[k] for k in keys])
