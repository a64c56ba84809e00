"""The audit tables are a contract: migrations produce exactly these columns; hashes are pinned."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import inspect, text

from audit import LEAF_PREFIX, canonical_json, current_revision, downgrade, leaf_hash, make_engine, upgrade

HEAD = "0006_tree_nodes"
COLUMNS = {
    "audit_records": {
        "id": "VARCHAR(26)", "seq": "BIGINT", "created_at": "DATETIME", "kind": "VARCHAR(16)",
        "chain_id": "BIGINT", "verdict": "VARCHAR(8)", "request": "JSON", "result": "JSON", "model": "JSON",
        "sampling": "JSON", "prompt": "TEXT", "raw_output": "TEXT", "validator": "JSON", "tool_calls": "JSON",
        "policy_version": "VARCHAR(64)", "policy_sha256": "VARCHAR(64)", "canonical": "TEXT",
        "leaf_hash": "VARCHAR(66)", "schema_version": "INTEGER", "chain_hash": "VARCHAR(66)",
        "tenant": "VARCHAR(64)", "model_name": "VARCHAR(200)", "cid": "VARCHAR(100)",
        "narrative_key": "VARCHAR(64)",
    },
    "audit_record_terms": {"record_id": "VARCHAR(26)", "kind": "VARCHAR(16)", "value": "VARCHAR(100)",
                           "seq": "BIGINT"},
    "audit_checkpoints": {
        "size": "BIGINT", "root_hash": "VARCHAR(66)", "chain_head": "VARCHAR(66)", "created_at": "DATETIME",
        "signed": "TEXT", "key_id": "VARCHAR(16)", "public_key": "VARCHAR(66)", "signature": "VARCHAR(130)",
        "cid": "VARCHAR(100)",
    },
    "audit_pin_outbox": {
        "id": "INTEGER", "target_kind": "VARCHAR(16)", "target_id": "VARCHAR(32)", "cid": "VARCHAR(100)",
        "status": "VARCHAR(16)", "attempts": "INTEGER", "next_attempt_at": "DATETIME", "last_error": "TEXT",
        "pinned_at": "DATETIME",
    },
    "api_keys": {
        "id": "VARCHAR(16)", "tenant": "VARCHAR(64)", "role": "VARCHAR(16)", "salt": "VARCHAR(32)",
        "secret_sha256": "VARCHAR(64)", "rate_per_minute": "INTEGER", "created_at": "DATETIME",
        "revoked_at": "DATETIME",
    },
    "rate_buckets": {"key": "VARCHAR(200)", "tokens": "FLOAT", "at": "FLOAT", "allowed": "BOOLEAN"},
    "audit_tree_nodes": {"level": "INTEGER", "idx": "BIGINT", "hash": "VARCHAR(66)"},
}
PG_TYPES = {"DATETIME": "TIMESTAMP", "JSON": "JSONB", "FLOAT": "DOUBLE PRECISION"}


def columns_of(engine, table: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {c["name"]: str(c["type"]) for c in inspect(engine).get_columns(table)}


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migrations_create_pinned_columns_and_go_both_ways(database: str, request: pytest.FixtureRequest) -> None:
    engine = make_engine(request.getfixturevalue(f"{database}_url"))
    upgrade(engine)
    assert current_revision(engine) == HEAD
    for table, expected in COLUMNS.items():
        if database == "postgres":
            expected = {k: PG_TYPES.get(v, v) for k, v in expected.items()}
        assert columns_of(engine, table) == expected, table
    downgrade(engine, "base")
    assert not {"audit_records", "audit_checkpoints"} & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert current_revision(engine) == HEAD
    engine.dispose()


def _insert_v1_record(conn, seq: int) -> str:  # type: ignore[no-untyped-def]
    body = {"id": f"01TEST{seq:020d}", "seq": seq, "request": {"from": "0x" + "ab" * 20},
            "result": {"findings": [{"rule": "UNKNOWN_FUNCTION"}]}}
    canonical = canonical_json(body).decode()
    conn.execute(text(
        "INSERT INTO audit_records (id, seq, created_at, kind, chain_id, verdict, request, result, model, "
        "validator, tool_calls, policy_version, policy_sha256, canonical, leaf_hash) VALUES "
        "(:id, :seq, '2026-11-24T00:00:00+00:00', 'transaction', 1, 'warn', :request, :result, :model, '{}', "
        "'[]', 'v', :sha, :canonical, :leaf)"),
        {"id": body["id"], "seq": seq, "request": json.dumps(body["request"]), "result": json.dumps(body["result"]),
         "model": json.dumps({"engine": "llama_cpp", "name": "m.gguf"}), "sha": "0" * 64, "canonical": canonical,
         "leaf": leaf_hash(canonical.encode())})
    return leaf_hash(canonical.encode())


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_ledger_migration_backfills_chain_and_terms(database: str, request: pytest.FixtureRequest) -> None:
    engine = make_engine(request.getfixturevalue(f"{database}_url"))
    upgrade(engine, "0001_audit_records")
    with engine.begin() as conn:
        leaves = [_insert_v1_record(conn, seq) for seq in (1, 2)]
    upgrade(engine)
    chain = bytes(32)
    for leaf in leaves:
        chain = hashlib.sha256(chain + bytes.fromhex(leaf[2:])).digest()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT chain_hash, tenant, model_name FROM audit_records ORDER BY seq")).all()
        terms = conn.execute(text("SELECT kind, value FROM audit_record_terms WHERE seq = 1 ORDER BY kind")).all()
    assert rows[-1] == ("0x" + chain.hex(), "default", "m.gguf")
    assert terms == [("address", "0x" + "ab" * 20), ("rule", "UNKNOWN_FUNCTION")]
    downgrade(engine, "0001_audit_records")  # the data survives a round trip
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT chain_hash FROM audit_records WHERE seq = 2")).scalar() == "0x" + chain.hex()
    engine.dispose()


def test_canonical_json_is_rfc8785() -> None:
    # RFC 8785: keys sorted by UTF-16 code units, no whitespace, shortest number forms.
    assert canonical_json({"b": [1, 2.5, "é"], "a": None, "€": True, "1": 1e21}) == \
        '{"1":1e+21,"a":null,"b":[1,2.5,"é"],"€":true}'.encode()


def test_leaf_hash_is_domain_separated_sha256() -> None:
    # Reproduce: python3 -c 'import hashlib; print(hashlib.sha256(b"\x00{}").hexdigest())'
    assert LEAF_PREFIX == b"\x00"
    assert leaf_hash(b"{}") == "0x28a3a18f6cd6406b086e9ffda1f9b8a13dbcf44b0f3f32cb9031a11fd053acf9"


@pytest.mark.postgres
def test_replicas_starting_together_on_a_fresh_database_migrate_once(postgres_url: str) -> None:
    """Six replicas upgrading one fresh schema at the same moment: one migrates, the others wait for its lock and
    find the schema there (without the lock, one died in 3 of 6 trials)."""
    import threading

    engines = [make_engine(postgres_url) for _ in range(6)]
    start, failures = threading.Barrier(len(engines)), []

    def replica(engine) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        try:
            upgrade(engine)
        except Exception as exc:  # a failed start is the bug
            failures.append(exc)

    threads = [threading.Thread(target=replica, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == [] and current_revision(engines[0]) == HEAD
    for engine in engines:
        engine.dispose()
