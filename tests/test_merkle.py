"""RFC 9162 Merkle proofs: generated vectors (tests/vectors/generate_merkle.py) and pinned roots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit.hashing import EMPTY_ROOT, hash_leaf
from audit.merkle import (
    Frontier,
    ProofError,
    RootMismatchError,
    consistency_proof,
    inclusion_proof,
    root,
    verify_consistency,
    verify_inclusion,
)

VECTORS = json.loads((Path(__file__).parent / "vectors" / "merkle.json").read_text())
LEAVES = [hash_leaf(bytes.fromhex(x)) for x in VECTORS["inputs"]]


def h(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(v) for v in values]


def test_roots_match_rfc6962_reference() -> None:
    # The certificate-transparency reference roots for these inputs; size 8 is the well-known
    # 5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328.
    assert root([]) == EMPTY_ROOT
    for size, expected in VECTORS["roots"].items():
        assert root(LEAVES[: int(size)]).hex() == expected
    assert VECTORS["roots"]["8"] == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


@pytest.mark.parametrize("case", VECTORS["inclusion"], ids=[c["desc"] for c in VECTORS["inclusion"]])
def test_verify_inclusion_vectors(case: dict) -> None:
    args = (bytes.fromhex(case["leaf"]), case["index"], case["size"], h(case["proof"]), bytes.fromhex(case["root"]))
    if case["want_err"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)
        assert inclusion_proof(case["index"], LEAVES[: case["size"]]) == h(case["proof"])


@pytest.mark.parametrize("case", VECTORS["consistency"], ids=[c["desc"] for c in VECTORS["consistency"]])
def test_verify_consistency_vectors(case: dict) -> None:
    args = (case["first"], case["second"], h(case["proof"]), bytes.fromhex(case["first_root"]),
            bytes.fromhex(case["second_root"]))
    if case["want_err"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)
        assert consistency_proof(case["first"], LEAVES[: case["second"]]) == h(case["proof"])


def test_frontier_matches_recomputed_roots_for_every_size() -> None:
    leaves = [hash_leaf(i.to_bytes(2, "big")) for i in range(70)]
    frontier = Frontier()
    for n, leaf in enumerate(leaves, start=1):
        frontier.append(leaf)
        assert frontier.root() == root(leaves[:n])
        copy = frontier.copy()
        copy.append(leaf)
        assert frontier.size == n  # a copy never moves the original


def test_reject_malformed_hash_lengths() -> None:
    with pytest.raises(ProofError, match="32 bytes"):
        verify_inclusion(LEAVES[0][:31], 0, 1, [], root(LEAVES[:1]))
    with pytest.raises(ProofError, match="0 < first <= second"):
        verify_consistency(0, 1, [], EMPTY_ROOT, root(LEAVES[:1]))


def test_every_proof_of_every_size_verifies_and_a_wrong_root_names_both() -> None:
    """Exhaustive to 20 leaves: each built proof verifies; against another root the mismatch carries both roots."""
    leaves = [hash_leaf(i.to_bytes(2, "big")) for i in range(20)]
    for size in range(1, 21):
        tree_root = root(leaves[:size])
        for index in range(size):
            verify_inclusion(leaves[index], index, size, inclusion_proof(index, leaves[:size]), tree_root)
        for first in range(1, size):
            verify_consistency(first, size, consistency_proof(first, leaves[:size]), root(leaves[:first]), tree_root)
    wrong = root(leaves[:7])
    with pytest.raises(RootMismatchError) as caught:
        verify_inclusion(leaves[3], 3, 8, inclusion_proof(3, leaves[:8]), wrong)
    assert caught.value.expected_root == wrong and caught.value.calculated_root == root(leaves[:8])
    with pytest.raises(RootMismatchError, match="second root") as mismatch:
        verify_consistency(3, 8, consistency_proof(3, leaves[:8]), root(leaves[:3]), wrong)
    assert mismatch.value.calculated_root == root(leaves[:8])
