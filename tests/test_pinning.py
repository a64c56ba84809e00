"""IPFS pinning through the outbox against a loopback daemon speaking the real wire formats."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.api import create_app
from app.runtime import Services
from audit import PinTask, cid_v1_raw, get_record
from audit.pinning import KuboClient, PinError, PinningServiceClient, pin_due
from tests.support.fake_ipfs import FakeIpfs
from tests.support.helpers import BOB, DUSD, calldata, explain_now, tx

TRANSFER = tx(DUSD, calldata("transfer(address,uint256)", BOB, 1))


def test_cid_matches_ipfs_for_hello_world() -> None:
    # `echo -n "hello world" | ipfs add --cid-version=1` (FACTS.md)
    assert cid_v1_raw(b"hello world") == "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"


def statuses(services: Services) -> dict[tuple[str, str], str]:
    with services.sessions() as session:
        return {(t.target_kind, t.target_id): t.status for t in session.scalars(select(PinTask))}


def make_due_now(services: Services) -> None:
    from datetime import UTC, datetime

    with services.sessions.begin() as session:
        for task in session.scalars(select(PinTask)):
            task.next_attempt_at = datetime.now(UTC)


def test_kubo_down_then_back_pins_everything(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    with FakeIpfs() as node:
        services = make_services(sqlite_url, ipfs_api=node.url)
        services.engine = None
        client = KuboClient(node.url)
        node.up = False
        results = [explain_now(TRANSFER, services) for _ in range(3)]
        assert pin_due(services.sessions, client) == 0
        assert set(statuses(services).values()) == {"pending"}
        with services.sessions() as session:
            task = session.scalars(select(PinTask)).first()
            assert task.attempts == 1 and "503" in task.last_error
        node.up = True
        make_due_now(services)
        assert pin_due(services.sessions, client) == 6  # three records, three checkpoints
    assert set(statuses(services).values()) == {"pinned"}
    for result in results:
        record = get_record(services.sessions, result["id"])
        assert result["audit"]["cid"] == record.cid == cid_v1_raw(record.canonical.encode())
        assert node.blocks[record.cid] == record.canonical.encode() and record.cid in node.pins


def test_kubo_answer_with_other_cid_is_refused(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    with FakeIpfs() as node:
        services = make_services(sqlite_url, ipfs_api=node.url)
        services.engine = None
        explain_now(TRANSFER, services)
        node.lie = True
        assert pin_due(services.sessions, KuboClient(node.url)) == 0
    with services.sessions() as session:
        errors = {t.last_error for t in session.scalars(select(PinTask))}
    assert all(e.startswith("daemon answered CID") for e in errors)
    assert node.pins == set()


def test_large_record_goes_as_one_raw_block() -> None:
    data = b"x" * 300_000
    with FakeIpfs() as node:
        KuboClient(node.url).pin(cid_v1_raw(data), data, "big.json")
    assert node.requests == ["/api/v0/block/put", "/api/v0/pin/add"]
    with pytest.raises(PinError, match="do not hash"):
        KuboClient("http://127.0.0.1:9").pin(cid_v1_raw(b"a"), b"b", "x")


def test_pinning_service_needs_the_token(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    with FakeIpfs(token="t0ken") as node:
        services = make_services(sqlite_url, pinning_service=node.url, pinning_token="t0ken")
        services.engine = None
        explain_now(TRANSFER, services)
        assert pin_due(services.sessions, PinningServiceClient(node.url, "wrong")) == 0
        make_due_now(services)
        assert pin_due(services.sessions, PinningServiceClient(node.url, "t0ken")) == 2
    assert set(statuses(services).values()) == {"pinned"}


def test_server_pins_in_the_background(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    with FakeIpfs() as node:
        services = make_services(sqlite_url, ipfs_api=node.url, pin_interval_s=0.1)
        services.engine = None
        with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
            record_id = client.post("/v1/explain", json=TRANSFER).json()["id"]
            deadline = time.monotonic() + 20
            while client.get(f"/v1/audit/records/{record_id}").json()["pin_status"] != "pinned":
                assert time.monotonic() < deadline, "the pin worker never pinned the record"
                time.sleep(0.1)
