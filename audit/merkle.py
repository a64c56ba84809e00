"""RFC 9162 Merkle tree hashing, proofs and their verification, over leaf hashes.

Leaves are already hashed (``SHA-256(0x00 ‖ data)``, see audit.hashing). Proof construction follows
RFC 9162 §2.1.3.1 and §2.1.4.1; verification follows §2.1.3.2 and §2.1.4.2 and never trusts its input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from audit.hashing import EMPTY_ROOT, hash_node


class ProofError(ValueError):
    """A proof does not verify; the message says which check failed."""


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

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add the next leaf hash; returns the interior nodes it completes as (level, index, hash), level ≥ 1
        (the node at ``level`` ``index`` is the root of leaves [index·2^level, (index+1)·2^level))."""
        node, size, level, position = leaf, self.size, 0, self.size
        completed = []
        while size & 1:
            node = hash_node(self._nodes.pop(), node)
            size >>= 1
            level += 1
            completed.append((level, position >> level, node))
        self._nodes.append(node)
        self.size += 1
        return completed

    @classmethod
    def of_blocks(cls, size: int, roots: Sequence[bytes]) -> Frontier:
        """The frontier of a tree of ``size`` leaves from the roots of its perfect blocks (see :func:`blocks`)."""
        frontier = cls()
        frontier.size, frontier._nodes = size, list(roots)
        return frontier

    def copy(self) -> Frontier:
        """An independent copy (appending to it leaves this one unchanged)."""
        clone = Frontier()
        clone.size, clone._nodes = self.size, list(self._nodes)
        return clone

    def root(self) -> bytes:
        """MTH of the leaves appended so far."""
        return fold(self._nodes)


RangeRoot = Callable[[int, int], bytes]
"""MTH of the leaves [lo, hi): from a list of leaves, or from stored interior nodes (audit.tree)."""


def blocks(lo: int, hi: int) -> list[tuple[int, int]]:
    """The perfect, aligned subtrees (level, index) whose roots make MTH(D[lo:hi]) for the ranges RFC 9162's
    recursion visits (``lo`` aligned to the largest of them): the largest first."""
    out = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        while lo & ((1 << level) - 1):
            level -= 1
        out.append((level, lo >> level))
        lo += 1 << level
    return out


def fold(roots: Sequence[bytes]) -> bytes:
    """MTH of consecutive perfect blocks, largest first (the right edge folded in)."""
    if not roots:
        return EMPTY_ROOT
    node = roots[-1]
    for left in reversed(roots[:-1]):
        node = hash_node(left, node)
    return node


def leaf_range_root(leaves: Sequence[bytes]) -> RangeRoot:
    """A :data:`RangeRoot` over a list of leaf hashes."""
    return lambda lo, hi: root(leaves[lo:hi])


def inclusion_path(index: int, size: int, range_root: RangeRoot) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf ``index`` in a tree of ``size`` leaves.

    Raises:
        ValueError: ``index`` is outside the tree.
    """
    if not 0 <= index < size:
        raise ValueError(f"index {index} outside a tree of size {size}")

    def path(m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*path(m, lo, lo + k), range_root(lo + k, hi)]
        return [*path(m - k, lo + k, hi), range_root(lo, lo + k)]

    return path(index, 0, size)


def consistency_path(first: int, size: int, range_root: RangeRoot) -> list[bytes]:
    """PROOF(m, D[n]) that the tree of the first ``first`` leaves is a prefix of the tree of ``size``.

    Raises:
        ValueError: not 0 < first <= size.
    """
    if not 0 < first <= size:
        raise ValueError(f"first size {first} must be in 1..{size}")

    def subproof(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if complete else [range_root(lo, hi)]
        k = _split(n)
        if m <= k:
            return [*subproof(m, lo, lo + k, complete), range_root(lo + k, hi)]
        return [*subproof(m - k, lo + k, hi, False), range_root(lo, lo + k)]

    return subproof(first, 0, size, True)


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) over a list of leaf hashes."""
    return inclusion_path(index, len(leaves), leaf_range_root(leaves))


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) over a list of leaf hashes."""
    return consistency_path(first, len(leaves), leaf_range_root(leaves))


class RootMismatchError(ProofError):
    """A proof was well formed but leads to another root than the one expected; both roots are kept."""

    def __init__(self, expected: bytes, calculated: bytes, which: str = "root"):
        self.expected_root = expected
        self.calculated_root = calculated
        super().__init__(f"computed {which} does not match: calculated 0x{calculated.hex()}, "
                         f"expected 0x{expected.hex()}")


def _verify_match(calculated: bytes, expected: bytes, which: str = "root") -> None:
    if calculated != expected:
        raise RootMismatchError(expected, calculated, which)


def _check_hashes(*hashes: bytes) -> None:
    if any(len(h) != 32 for h in hashes):
        raise ProofError("hashes must be 32 bytes")


def _decompose(index: int, size: int) -> tuple[int, int]:
    """(inner, border): how many proof hashes lie below the point where the path to ``index`` leaves the
    rightmost branch of a tree of ``size``, and how many on that branch."""
    inner = (index ^ (size - 1)).bit_length()
    return inner, bin(index >> inner).count("1")


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, sibling in enumerate(proof):
        seed = hash_node(seed, sibling) if (index >> i) & 1 == 0 else hash_node(sibling, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, sibling in enumerate(proof):
        if (index >> i) & 1:
            seed = hash_node(sibling, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for sibling in proof:
        seed = hash_node(sibling, seed)
    return seed


def root_from_inclusion_proof(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` implies for ``leaf`` at ``index`` in a tree of ``size`` (RFC 9162 §2.1.3.2).

    Raises:
        ProofError: the index, the hash lengths or the proof's length cannot fit such a tree.
    """
    if not 0 <= index < size:
        raise ProofError(f"index {index} is outside a tree of size {size}")
    _check_hashes(leaf, *proof)
    inner, border = _decompose(index, size)
    if len(proof) != inner + border:
        raise ProofError(f"proof has {len(proof)} hashes, a path of {inner + border} needs that many")
    return _chain_border_right(_chain_inner(leaf, proof[:inner], index), proof[inner:])


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> None:
    """Compute the root from the inclusion proof, then compare.

    Raises:
        ProofError: the proof is malformed; RootMismatchError (a ProofError) when it leads elsewhere.
    """
    _check_hashes(expected_root)
    _verify_match(root_from_inclusion_proof(leaf, index, size, proof), expected_root)


def verify_consistency(first: int, second: int, proof: Sequence[bytes], first_root: bytes,
                       second_root: bytes) -> None:
    """RFC 9162 §2.1.4.2: compute both roots from the proof, then compare each.

    Raises:
        ProofError: the proof does not show the tree of size ``first`` is a prefix of the one of size ``second``
            (RootMismatchError, carrying both roots, when a computed root differs).
    """
    _check_hashes(first_root, second_root, *proof)
    if not 0 < first <= second:
        raise ProofError(f"sizes must satisfy 0 < first <= second, got {first} and {second}")
    if first == second:
        if proof:
            raise ProofError("proof must be empty for equal sizes")
        _verify_match(second_root, first_root)
        return
    if not proof:
        raise ProofError("proof is empty")
    inner, border = _decompose(first - 1, second)
    shift = (first & -first).bit_length() - 1  # trailing zeros: the levels the first tree fills completely
    inner -= shift
    seed, start = (first_root, 0) if first == 1 << shift else (proof[0], 1)
    if len(proof) != start + inner + border:
        raise ProofError(f"proof has {len(proof)} hashes, {start + inner + border} expected")
    path = proof[start:]
    mask = (first - 1) >> shift
    computed_first = _chain_border_right(_chain_inner_right(seed, path[:inner], mask), path[inner:])
    _verify_match(computed_first, first_root, "first root")
    computed_second = _chain_border_right(_chain_inner(seed, path[:inner], mask), path[inner:])
    _verify_match(computed_second, second_root, "second root")
