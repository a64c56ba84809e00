"""No value can fail the audit write: typed data and calldata with values at every uint boundary, as JSON numbers
and as decimal and hex strings, explained end to end into the ledger (SQLite and Postgres), which then verifies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.runtime import Services, build_services
from app.settings import Settings
from audit import AuditRecord, verify_ledger
from audit.canonical import storable
from chain.simulate import RevmBackend
from tests.support.helpers import ALICE, DRAINER_EOA, DUSD, calldata, explain_now

BOUNDARIES = [0, 1, 2**8 - 1, 2**48 - 1, 2**53 - 1, 2**53, 2**53 + 1, 2**64 - 1, 2**64, 2**128 - 1, 2**160 - 1,
              2**255, 2**256 - 1]
PERMIT_TYPES = {
    "EIP712Domain": [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                     {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
    "Permit": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
               {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
               {"name": "deadline", "type": "uint256"}]}


def encoded(value: int, how: str) -> Any:
    return {"number": value, "decimal": str(value), "hex": hex(value)}[how]


uint = st.tuples(st.sampled_from(BOUNDARIES), st.sampled_from(["number", "decimal", "hex"]))


def permit_request(value: tuple[int, str], nonce: tuple[int, str], deadline: tuple[int, str],
                   chain: tuple[int, str], as_string: bool) -> dict[str, Any]:
    typed = {"types": PERMIT_TYPES, "primaryType": "Permit",
             "domain": {"name": "Demo USD", "version": "1", "chainId": encoded(*chain), "verifyingContract": DUSD},
             "message": {"owner": ALICE, "spender": DRAINER_EOA, "value": encoded(*value), "nonce": encoded(*nonce),
                         "deadline": encoded(*deadline)}}
    return {"chain_id": 31337, "method": "eth_signTypedData_v4",
            "params": [ALICE, json.dumps(typed) if as_string else typed]}


def approve_request(amount: int, value: tuple[int, str], gas: tuple[int, str]) -> dict[str, Any]:
    return {"chain_id": 31337, "method": "eth_sendTransaction",
            "params": [{"from": ALICE, "to": DUSD, "data": calldata("approve(address,uint256)", DRAINER_EOA, amount),
                        "value": encoded(*value), "gas": encoded(*gas)}]}


def services_on(url: str, tmp_path: Path, backend: RevmBackend) -> Services:
    services = build_services(Settings(database_url=url, signing_key_path=tmp_path / "signing.key", engine="none"),
                              engine=None)
    services.backend = backend
    return services


def assert_verifies(services: Services, answered: list[dict[str, Any]]) -> None:
    from sqlalchemy import select

    report = verify_ledger(services.sessions, services.ledger.signer.public_key_hex)
    assert report.ok, report.reason
    with services.sessions() as session:
        stored = {r.id: r for r in session.scalars(select(AuditRecord))}
    for result in answered:  # what was answered is what is stored, big integers as decimal strings
        assert stored[result["id"]].result == storable({k: v for k, v in result.items() if k != "audit"})


def run_property(services: Services) -> list[dict[str, Any]]:
    answered: list[dict[str, Any]] = []

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(value=uint, nonce=uint, deadline=uint, chain=uint, as_string=st.booleans())
    def permits(value: tuple[int, str], nonce: tuple[int, str], deadline: tuple[int, str], chain: tuple[int, str],
                as_string: bool) -> None:
        result = explain_now(permit_request(value, nonce, deadline, chain, as_string), services)
        assert result["kind"] == "typed_data" and result["audit"]["seq"] > 0
        answered.append(result)

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(amount=st.sampled_from(BOUNDARIES), value=uint, gas=uint)
    def approvals(amount: int, value: tuple[int, str], gas: tuple[int, str]) -> None:
        result = explain_now(approve_request(amount, value, gas), services)
        assert result["kind"] == "transaction"
        answered.append(result)

    permits()
    approvals()
    return answered


def test_uint_boundaries_reach_the_sqlite_ledger(sqlite_url: str, tmp_path: Path, backend: RevmBackend) -> None:
    services = services_on(sqlite_url, tmp_path, backend)
    assert_verifies(services, run_property(services))


@pytest.mark.postgres
def test_uint_boundaries_reach_the_postgres_ledger(postgres_url: str, tmp_path: Path, backend: RevmBackend) -> None:
    services = services_on(postgres_url, tmp_path, backend)
    assert_verifies(services, run_property(services))


def test_max_uint_permit_blocks_and_is_recorded(sqlite_url: str, tmp_path: Path, backend: RevmBackend) -> None:
    """The commonest phishing signature: value and deadline 2^256-1 (it used to end in 503 audit-unavailable)."""
    services = services_on(sqlite_url, tmp_path, backend)
    max_uint = (2**256 - 1, "number")
    result = explain_now(permit_request(max_uint, (0, "number"), max_uint, (31337, "number"), False), services)
    assert result["verdict"] == "block"
    assert [f["rule"] for f in result["findings"]] == ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL", "LONG_EXPIRY",
                                                       "PERMIT_SIGNATURE"]
    assert_verifies(services, [result])


def corpus_requests() -> list[dict[str, Any]]:
    from tests.conftest import ROOT

    return [p["request"] for p in json.loads((ROOT / "tests" / "payloads" / "corpus.json").read_text())["payloads"]]


def test_every_library_payload_is_recorded_on_sqlite(sqlite_url: str, tmp_path: Path, backend: RevmBackend) -> None:
    services = services_on(sqlite_url, tmp_path, backend)
    assert_verifies(services, [explain_now(raw, services) for raw in corpus_requests()])


@pytest.mark.postgres
def test_every_library_payload_is_recorded_on_postgres(postgres_url: str, tmp_path: Path,
                                                       backend: RevmBackend) -> None:
    services = services_on(postgres_url, tmp_path, backend)
    assert_verifies(services, [explain_now(raw, services) for raw in corpus_requests()])
