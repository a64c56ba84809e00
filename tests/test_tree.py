"""Stored interior nodes: proofs read O(log n) hashes and equal the proofs computed from every leaf."""

from __future__ import annotations

from collections.abc import Callable

from app.runtime import Services
from audit import verify_ledger
from audit.ledger import Ledger
from audit.merkle import blocks, consistency_proof, inclusion_proof, root
from audit.queries import leaf_hashes
from audit.tree import StoredTree
from tests.support.helpers import record_body


def test_blocks_cover_the_range_with_aligned_perfect_subtrees() -> None:
    for hi in range(1, 130):
        covered = 0
        for level, index in blocks(0, hi):
            assert index << level == covered  # aligned, contiguous, largest first
            covered += 1 << level
        assert covered == hi
    assert blocks(8, 13) == [(2, 2), (0, 12)]


def test_stored_proofs_equal_proofs_from_the_leaves(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url)
    for start in range(0, 70, 7):  # batches of 7: nodes completed across batch boundaries too
        services.ledger.append_batch([record_body({"n": n}) for n in range(start, start + 7)])
    with services.sessions() as session:
        leaves = leaf_hashes(session, 70)
        for size in (1, 2, 3, 7, 8, 33, 64, 69, 70):
            tree = StoredTree(session, size)
            assert tree.root() == root(leaves[:size])
            assert tree.frontier().root() == root(leaves[:size])
            for index in range(size):
                assert tree.inclusion(index) == inclusion_proof(index, leaves[:size]), (size, index)
            for first in range(1, size + 1):
                assert tree.consistency(first) == consistency_proof(first, leaves[:size]), (size, first)


def test_a_replica_far_behind_catches_up_from_the_nodes(sqlite_url: str,
                                                        make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url)
    services.ledger.append_batch([record_body({"n": n}) for n in range(300)])
    other = Ledger(services.sessions, services.ledger.signer)  # a fresh replica: its frontier is empty
    appended = other.append_batch([record_body({"n": "late"})])
    assert appended[0].seq == 301
    assert verify_ledger(services.sessions, services.ledger.signer.public_key_hex).ok
