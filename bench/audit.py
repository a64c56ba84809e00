"""Ledger benchmark on Postgres: sequenced (batched) appends vs one-by-one, inclusion-proof time as the ledger
grows (stored interior nodes vs reading every leaf, side by side), and verify time.

Run:  .venv/bin/python -m bench.audit [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                      [--appends 4000] [--clients 32] [--proof-sizes 10000,100000,1000000]
Works in a throwaway schema that it drops at the end. Prints medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from ulid import ULID

from audit import (
    Ledger,
    RecordBody,
    Signer,
    make_engine,
    session_factory,
    upgrade,
    verify_ledger,
)


def body(i: int) -> RecordBody:
    """A record shaped like a real explain's, about 1.5 KB of canonical JSON."""
    spender = f"0x{i:040x}"
    return RecordBody(
        id=str(ULID()), created_at=datetime.now(UTC), kind="transaction", chain_id=1, verdict="block",
        request={"chain_id": 1, "from": "0x" + "ab" * 20, "to": "0x" + "cd" * 20, "data": "0x095ea7b3" + "00" * 64},
        result={"verdict": "block", "findings": [{"rule": "APPROVAL_TO_EOA", "severity": "critical",
                                                  "message": f"spender {spender} has no code", "evidence": {}}],
                "approvals": [{"standard": "erc20", "token": "0x" + "cd" * 20, "spender": spender,
                               "amount": str(2**256 - 1), "unlimited": True}]},
        model={"engine": "llama_cpp", "name": "SmolLM2-135M-Instruct.Q4_1.gguf", "weights_sha256": "b1" * 32},
        sampling={"temperature": 0.0, "seed": 0}, prompt="policy prefix … facts " * 20, raw_output='{"headline":"x"}',
        validator={"accepted": False, "reason": "unknown_number"},
        tool_calls=[{"name": "decode", "duration_ms": 0.1}, {"name": "simulate", "duration_ms": 0.2}],
        policy={"version": "2026.11.0", "sha256": "03" * 32},
    )


def fresh_ledger(url: str, schema: str, key: Path) -> Ledger:
    engine = make_engine(f"{url}?options=-csearch_path%3D{schema}")
    upgrade(engine)
    return Ledger(session_factory(engine), Signer.load_or_create(key))


def one_by_one(ledger: Ledger, count: int) -> float:
    start = time.perf_counter()
    for i in range(count):
        ledger.append_batch([body(i)])
    return count / (time.perf_counter() - start)


def sequenced(ledger: Ledger, count: int, clients: int) -> float:
    ledger.start()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(lambda i: ledger.append(body(i)), range(count)))
    elapsed = time.perf_counter() - start
    ledger.close()
    return count / elapsed


def extend_synthetic(ledger: Ledger, size: int, target: int) -> None:
    """Grow the ledger from ``size`` to ``target`` records with synthetic rows (random leaves, their chain and the
    tree nodes they complete) by Postgres COPY: proofs cost what the tables' size makes them cost, at a fraction of
    the sequencer's time. The rows are not checkpointed: run verify before, not after."""
    import os

    from audit.hashing import chain_next
    from audit.tree import StoredTree

    with ledger.sessions() as session:
        frontier = StoredTree(session, size).frontier()
        chain = session.execute(text("SELECT chain_hash FROM audit_records WHERE seq = :s"), {"s": size}).scalar()
    connection = ledger.sessions.kw["bind"].raw_connection()
    try:
        cursor = connection.cursor()
        columns = ("id, seq, created_at, kind, chain_id, verdict, request, result, model, validator, tool_calls, "
                   "policy_version, policy_sha256, canonical, leaf_hash, schema_version, chain_hash, tenant")
        nodes = []
        with cursor.copy(f"COPY audit_records ({columns}) FROM STDIN") as copy:
            for seq in range(size + 1, target + 1):
                leaf = os.urandom(32)
                chain = chain_next(chain, "0x" + leaf.hex())
                nodes += frontier.append(leaf)
                copy.write_row((f"S{seq:025d}", seq, "2026-12-01 00:00:00+00", "transaction", 1, "ok", "{}", "{}",
                                "{}", "{}", "[]", "bench", "0" * 64, "{}", "0x" + leaf.hex(), 2, chain, "default"))
        with cursor.copy("COPY audit_tree_nodes (level, idx, hash) FROM STDIN") as copy:
            for level, index, node in nodes:
                copy.write_row((level, index, "0x" + node.hex()))
        connection.commit()
    finally:
        connection.close()


def proof_times(ledger: Ledger, size: int, proofs: int) -> tuple[float, float]:
    """p50 milliseconds of one record's inclusion proof at ``size``: from the stored nodes, and by reading every
    leaf (the way proofs were built before the nodes were stored; timed on a few, it is O(n))."""
    import random

    from audit.merkle import inclusion_proof
    from audit.queries import leaf_hashes
    from audit.tree import StoredTree

    picks = [random.randrange(size) for _ in range(proofs)]
    stored, proofs_by_index = [], {}
    for index in picks:
        start = time.perf_counter()
        with ledger.sessions() as session:
            proofs_by_index[index] = StoredTree(session, size).inclusion(index)
        stored.append((time.perf_counter() - start) * 1000)
    naive = []
    for index in picks[:5]:  # the same records, proven the old way: the two proofs must be the same
        start = time.perf_counter()
        with ledger.sessions() as session:
            proof = inclusion_proof(index, leaf_hashes(session, size))
        naive.append((time.perf_counter() - start) * 1000)
        assert proof == proofs_by_index[index], f"stored-node proof of {index} differs at size {size}"
    return statistics.median(stored), statistics.median(naive)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--appends", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--proof-sizes", default="10000,100000,1000000",
                        help="ledger sizes at which proofs are timed; the ledger is then verified at the largest")
    parser.add_argument("--proofs", type=int, default=200, help="records proven at each size (random)")
    parser.add_argument("--real-up-to", type=int, default=100_000,
                        help="sizes up to this are real records through the sequencer (verified after); larger ones "
                             "are extended with synthetic rows written by COPY (leaves, chain and tree nodes only)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    admin = create_engine(args.url)
    schemas = []
    key = Path(tempfile.mkdtemp()) / "bench.key"

    def schema() -> str:
        name = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        schemas.append(name)
        return name

    try:
        serial, batched = [], []
        for _ in range(args.repeat):  # side by side, alternating, each in a fresh schema
            serial.append(one_by_one(fresh_ledger(args.url, schema(), key), args.appends // 4))
            batched.append(sequenced(fresh_ledger(args.url, schema(), key), args.appends, args.clients))
        s, b = statistics.median(serial), statistics.median(batched)
        print(f"one-by-one appends (own transaction + checkpoint each): median {s:,.0f}/s over {args.repeat} runs")
        print(f"sequenced appends ({args.clients} clients, batched): median {b:,.0f}/s over {args.repeat} runs")

        ledger = fresh_ledger(args.url, schema(), key)
        sizes = sorted(int(n) for n in args.proof_sizes.split(","))
        loaded, load = 0, 0.0
        for size in (n for n in sizes if n <= args.real_up_to):
            start = time.perf_counter()
            for offset in range(loaded, size, 1000):
                ledger.append_batch([body(i) for i in range(offset, min(offset + 1000, size))])
            load += time.perf_counter() - start
            loaded = size
            stored, leaves = proof_times(ledger, size, args.proofs)
            print(f"inclusion proof at {size:>9,} records: stored nodes p50 {stored:7.2f} ms   "
                  f"every leaf read p50 {leaves:9.1f} ms   ({leaves / stored:,.0f}x)")
        timings = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = verify_ledger(ledger.sessions, ledger.signer.public_key_hex)
            timings.append(time.perf_counter() - start)
            assert report.ok, report
        n = loaded
        verify_s = statistics.median(timings)
        print(f"loaded {n:,} records in {load:.1f} s ({n / load:,.0f}/s in batches of 1000)")
        print(f"verify {n:,} records + {report.checkpoints} checkpoints: median {verify_s:.2f} s "
              f"({n / verify_s:,.0f} records/s)")
        real = loaded
        for size in (n for n in sizes if n > args.real_up_to):
            extend_synthetic(ledger, loaded, size)
            loaded = size
            stored, leaves = proof_times(ledger, size, args.proofs)
            print(f"inclusion proof at {size:>9,} records ({size - real:,} synthetic rows past {real:,}): stored "
                  f"nodes p50 {stored:7.2f} ms   every leaf read p50 {leaves:9.1f} ms   ({leaves / stored:,.0f}x)")
        print(f"sequenced appends per second vs one-by-one: {b / s:.1f}x")
    finally:
        with admin.begin() as conn:
            for name in schemas:
                conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))


if __name__ == "__main__":
    main()
