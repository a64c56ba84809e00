"""Valid-looking values that used to answer 500 on Postgres: NUL characters in filters and ids, time filters
whose UTC form overflows the calendar, and state overrides past their type. Each is now a 200 or a 422 naming
the field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.runtime import build_services
from app.settings import Settings
from chain.simulate import RevmBackend
from tests.support.helpers import ALICE


@pytest.fixture
def client(postgres_url: str, tmp_path: Path, backend: RevmBackend) -> Iterator[TestClient]:
    services = build_services(Settings(database_url=postgres_url, signing_key_path=tmp_path / "k", engine="none"),
                              engine=None)
    services.backend = backend
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.mark.postgres
@pytest.mark.parametrize(("path", "field"), [
    ("/v1/audit/records?rule=A%00B", "rule"),
    ("/v1/audit/records?address=0x%00", "address"),
    ("/v1/audit/records/01J%00", "(path)"),
    ("/audit?model=%00", "model"),
])
def test_nul_characters_are_422_naming_the_field(client: TestClient, path: str, field: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"field": field, "message": "contains a NUL character"}]


@pytest.mark.postgres
@pytest.mark.parametrize("query", ["since=9999-12-31T23:59:59-23:59", "until=0001-01-01T00:00:00%2B23:59"])
def test_time_filters_past_the_calendar_match_nothing(client: TestClient, query: str) -> None:
    client.post("/v1/explain", json={"chain_id": 31337, "from": ALICE, "to": ALICE, "value": "0x1"})
    assert client.get(f"/v1/audit/records?{query}").json() == {"records": [], "next_cursor": None}


@pytest.mark.postgres
def test_override_nonce_past_uint64_is_422_and_a_max_balance_is_fine(client: TestClient) -> None:
    field = f"state_overrides.{ALICE}.nonce"
    answer = client.post("/v1/explain", json={"chain_id": 31337, "from": ALICE, "to": ALICE,
                                              "state_overrides": {ALICE: {"nonce": hex(2**64)}}})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field
    rich = client.post("/v1/explain", json={"chain_id": 31337, "from": ALICE, "to": ALICE, "value": "0x1",
                                            "state_overrides": {ALICE: {"balance": hex(2**256 - 1)}}})
    assert rich.status_code == 200 and rich.json()["verdict"] == "ok"
