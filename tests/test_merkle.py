"""RFC 9162 Merkle proofs: generated vectors (tests/vectors/generate_merkle.py) and pinned roots."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    ProofError,
    consistency_proof,
    hash_leaf,
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
