"""The audit table is a contract: migrations produce exactly these columns; leaf hashes are pinned."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from audit import LEAF_PREFIX, canonical_json, current_revision, downgrade, leaf_hash, make_engine, upgrade

COLUMNS = {
    "id": "VARCHAR(26)", "seq": "BIGINT", "created_at": "DATETIME", "kind": "VARCHAR(16)", "chain_id": "BIGINT",
    "verdict": "VARCHAR(8)", "request": "JSON", "result": "JSON", "model": "JSON", "sampling": "JSON",
    "prompt": "TEXT", "raw_output": "TEXT", "validator": "JSON", "tool_calls": "JSON",
    "policy_version": "VARCHAR(64)", "policy_sha256": "VARCHAR(64)", "canonical": "TEXT",
    "leaf_hash": "VARCHAR(66)", "schema_version": "INTEGER",
}
PG_TYPES = {"DATETIME": "TIMESTAMP", "JSON": "JSONB"}


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_migration_creates_pinned_columns(database: str, request: pytest.FixtureRequest) -> None:
    engine = make_engine(request.getfixturevalue(f"{database}_url"))
    upgrade(engine)
    assert current_revision(engine) == "0001_audit_records"
    columns = {c["name"]: str(c["type"]) for c in inspect(engine).get_columns("audit_records")}
    expected = COLUMNS if database == "sqlite" else {k: PG_TYPES.get(v, v) for k, v in COLUMNS.items()}
    assert columns == expected
    downgrade(engine, "base")
    assert "audit_records" not in inspect(engine).get_table_names()
    upgrade(engine)  # and back up again
    assert current_revision(engine) == "0001_audit_records"
    engine.dispose()


def test_canonical_json_is_rfc8785() -> None:
    # RFC 8785: keys sorted by UTF-16 code units, no whitespace, shortest number forms.
    assert canonical_json({"b": [1, 2.5, "é"], "a": None, "€": True, "1": 1e21}) == \
        '{"1":1e+21,"a":null,"b":[1,2.5,"é"],"€":true}'.encode()


def test_leaf_hash_is_domain_separated_sha256() -> None:
    # Reproduce: python3 -c 'import hashlib; print(hashlib.sha256(b"\x00{}").hexdigest())'
    assert LEAF_PREFIX == b"\x00"
    assert leaf_hash(b"{}") == "0x28a3a18f6cd6406b086e9ffda1f9b8a13dbcf44b0f3f32cb9031a11fd053acf9"
