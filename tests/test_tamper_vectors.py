"""Every column a reader sees is the record or derived from it: each is tampered with in turn, as a superuser
with the append-only triggers off would, and `audit verify` must name the record's seq, its id and the column.
The search terms are rebuilt from the records and compared: a deleted term (the record silently leaves filtered
searches) or a forged one is caught too."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.runtime import Services
from audit import verify_ledger
from tests.support.helpers import explain_now, tamper
from tests.test_ledger import REQUESTS

JSON_COLUMNS = ("request", "result", "model", "sampling", "validator", "tool_calls")


def vectors() -> list[tuple[str, str, str, str]]:
    """(column, SQLite statement, Postgres statement, the reason verify must give), for record seq :seq."""
    out = []
    for column in JSON_COLUMNS:
        out.append((column, f"UPDATE audit_records SET {column} = '{{\"x\": 1}}' WHERE seq = :seq",
                    f"UPDATE audit_records SET {column} = '{{\"x\": 1}}'::jsonb WHERE seq = :seq",
                    f"column '{column}' differs"))
    texts = {"kind": "'message'", "verdict": "CASE WHEN verdict = 'ok' THEN 'block' ELSE 'ok' END",
             "prompt": "'tampered'", "raw_output": "'tampered'", "policy_version": "'v0'",
             "policy_sha256": "'" + "0" * 64 + "'", "tenant": "'globex'", "model_name": "'evil-model'",
             "narrative_key": "'k'", "chain_id": "chain_id + 1",
             "cid": "'bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"}
    for column, value in texts.items():
        statement = f"UPDATE audit_records SET {column} = {value} WHERE seq = :seq"
        out.append((column, statement, statement, f"column '{column}' differs"))
    out.append(("created_at", "UPDATE audit_records SET created_at = '2020-01-01 00:00:00.000000' WHERE seq = :seq",
                "UPDATE audit_records SET created_at = created_at - interval '3 days' WHERE seq = :seq",
                "column 'created_at' differs"))
    deleted = "DELETE FROM audit_record_terms WHERE seq = :seq AND kind = 'address'"
    out.append(("deleted search term", deleted, deleted, "search terms differ from the record"))
    forged = ("INSERT INTO audit_record_terms (record_id, kind, value, seq) SELECT id, 'address', "
              "'0x00000000000000000000000000000000000000aa', seq FROM audit_records WHERE seq = :seq")
    out.append(("forged search term", forged, forged, "search terms differ from the record"))
    return out


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize(("column", "sqlite_sql", "postgres_sql", "reason"), vectors(),
                         ids=[v[0] for v in vectors()])
def test_verify_names_the_record_and_the_column(database: str, column: str, sqlite_sql: str, postgres_sql: str,
                                                reason: str, request: pytest.FixtureRequest,
                                                make_services: Callable[..., Services]) -> None:
    services = make_services(request.getfixturevalue(f"{database}_url"))
    records = [explain_now(REQUESTS[i % len(REQUESTS)], services) for i in range(4)]
    assert verify_ledger(services.sessions, services.ledger.signer.public_key_hex).ok
    tamper(services, 3, sqlite_sql if database == "sqlite" else postgres_sql)
    report = verify_ledger(services.sessions, services.ledger.signer.public_key_hex)
    assert not report.ok
    assert (report.first_bad_seq, report.first_bad_id) == (3, records[2]["id"]), report
    assert report.reason is not None and report.reason.startswith(reason), report.reason


def flip(column: str, length: int) -> str:
    """SQL for ``column``'s hex with its last byte changed (always: ff becomes 00, anything else ff)."""
    return (f"substr({column}, 1, {length - 2}) || CASE WHEN substr({column}, {length - 1}, 2) = 'ff' "
            "THEN '00' ELSE 'ff' END")


CHECKPOINT_VECTORS = {  # column of checkpoint 3 → (new value in SQL, what verify must say)
    "root_hash": (flip("root_hash", 66), "checkpoint 3: Merkle root does not match"),
    "chain_head": (flip("chain_head", 66), "checkpoint 3: chain head does not match"),
    "signed": ("replace(signed, 'txexplain', 'txexp1ain')", "checkpoint 3: checkpoint signature does not verify"),
    "signature": (flip("signature", 130), "checkpoint 3: checkpoint signature does not verify"),
    "public_key": (flip("public_key", 66), "checkpoint 3 is signed by an untrusted key"),
    "key_id": ("'0000000000000000'", "checkpoint 3: column key_id does not name its public key"),
    "cid": ("'bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'", "checkpoint 3: column cid is not"),
    "created_at": ("'2020-01-01 00:00:00.000000'", "checkpoint 3: column created_at differs"),
}


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("column", CHECKPOINT_VECTORS)
def test_verify_names_the_checkpoint_and_the_column(database: str, column: str, request: pytest.FixtureRequest,
                                                    make_services: Callable[..., Services]) -> None:
    services = make_services(request.getfixturevalue(f"{database}_url"), ipfs_api="http://127.0.0.1:9")
    for i in range(4):
        explain_now(REQUESTS[i % len(REQUESTS)], services)
    value, reason = CHECKPOINT_VECTORS[column]
    tamper(services, 3, f"UPDATE audit_checkpoints SET {column} = {value} WHERE size = :seq")
    report = verify_ledger(services.sessions, services.ledger.signer.public_key_hex)
    assert not report.ok and report.first_bad_seq == 3, report
    assert report.reason is not None and report.reason.startswith(reason), report.reason


def test_every_reader_visible_column_has_a_vector() -> None:
    from audit.models import AuditRecord, Checkpoint

    covered = {v[0] for v in vectors()}
    own = {"seq", "canonical", "leaf_hash", "chain_hash", "schema_version"}  # the hashes' own: other checks
    assert set(AuditRecord.__table__.columns.keys()) - own - {"id"} <= covered
    assert set(Checkpoint.__table__.columns.keys()) - {"size"} <= set(CHECKPOINT_VECTORS)
