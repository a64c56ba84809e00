"""RFC 9162 Merkle tree hashing, proofs and their verification, over leaf hashes.

Leaves are already hashed (``SHA-256(0x00 ‖ data)``, see audit.canonical). Proof construction follows
RFC 9162 §2.1.3.1 and §2.1.4.1; verification follows §2.1.3.2 and §2.1.4.2 and never trusts its input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not verify; the message says which check failed."""


def hash_leaf(data: bytes) -> bytes:
    """SHA-256(0x00 ‖ data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def hash_node(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of the given leaf hashes (the empty tree hashes to SHA-256 of nothing)."""
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    return frontier.root()


class Frontier:
    """The right edge of a growing tree: O(log n) state, O(log n) per append, the root on demand."""

    def __init__(self) -> None:
        self.size = 0
        self._nodes: list[bytes] = []  # roots of the perfect subtrees, largest first

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash."""
        node, size = leaf, self.size
        while size & 1:
            node = hash_node(self._nodes.pop(), node)
            size >>= 1
        self._nodes.append(node)
        self.size += 1

    def copy(self) -> Frontier:
        """An independent copy (appending to it leaves this one unchanged)."""
        clone = Frontier()
        clone.size, clone._nodes = self.size, list(self._nodes)
        return clone

    def root(self) -> bytes:
        """MTH of the leaves appended so far."""
        if not self._nodes:
            return EMPTY_ROOT
        node = self._nodes[-1]
        for left in reversed(self._nodes[:-1]):
            node = hash_node(left, node)
        return node


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf ``index`` in the tree of ``leaves``.

    Raises:
        ValueError: ``index`` is outside the tree.
    """
    if not 0 <= index < len(leaves):
        raise ValueError(f"index {index} outside a tree of size {len(leaves)}")

    def path(m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*path(m, lo, lo + k), root(leaves[lo + k: hi])]
        return [*path(m - k, lo + k, hi), root(leaves[lo: lo + k])]

    return path(index, 0, len(leaves))


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) that the tree of the first ``first`` leaves is a prefix of ``leaves``.

    Raises:
        ValueError: not 0 < first <= len(leaves).
    """
    if not 0 < first <= len(leaves):
        raise ValueError(f"first size {first} must be in 1..{len(leaves)}")

    def subproof(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if complete else [root(leaves[lo:hi])]
        k = _split(n)
        if m <= k:
            return [*subproof(m, lo, lo + k, complete), root(leaves[lo + k: hi])]
        return [*subproof(m - k, lo + k, hi, False), root(leaves[lo: lo + k])]

    return subproof(first, 0, len(leaves), True)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> None:
    """RFC 9162 §2.1.3.2.

    Raises:
        ProofError: the proof does not show ``leaf`` at ``index`` in a tree of ``size`` with ``expected_root``.
    """
    if not 0 <= index < size:
        raise ProofError(f"index {index} is outside a tree of size {size}")
    if any(len(p) != 32 for p in (leaf, expected_root, *proof)):
        raise ProofError("hashes must be 32 bytes")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("proof is longer than the path")
        if fn & 1 or fn == sn:
            r = hash_node(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash_node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof is shorter than the path")
    if r != expected_root:
        raise ProofError("computed root does not match")


def verify_consistency(first: int, second: int, proof: Sequence[bytes], first_root: bytes,
                       second_root: bytes) -> None:
    """RFC 9162 §2.1.4.2.

    Raises:
        ProofError: the proof does not show the tree of size ``first`` is a prefix of the one of size ``second``.
    """
    if any(len(p) != 32 for p in (first_root, second_root, *proof)):
        raise ProofError("hashes must be 32 bytes")
    if not 0 < first <= second:
        raise ProofError(f"sizes must satisfy 0 < first <= second, got {first} and {second}")
    if first == second:
        if proof:
            raise ProofError("proof must be empty for equal sizes")
        if first_root != second_root:
            raise ProofError("roots differ for equal sizes")
        return
    if not proof:
        raise ProofError("proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:  # first is a power of two: its root starts the path
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("proof is longer than the path")
        if fn & 1 or fn == sn:
            fr = hash_node(c, fr)
            sr = hash_node(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash_node(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("proof is shorter than the path")
    if fr != first_root:
        raise ProofError("computed first root does not match")
    if sr != second_root:
        raise ProofError("computed second root does not match")
