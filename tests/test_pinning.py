"""IPFS pinning through the outbox, against a real js-ipfs node (npm `ipfs`) serving the Kubo RPC offline:
records and checkpoints pinned, fetched back by CID and verified, a node that goes away and comes back, and
a truncated ledger caught from a checkpoint fetched by its CID. The Pinning Service API and a lying daemon,
which nothing real here can play, use the loopback stand-in."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.runtime import Services
from audit import Checkpoint, PinTask, cid_v1_raw, get_record
from audit.cid import names_same_bytes, sha256_of
from audit.pinning import KuboClient, PinError, PinningServiceClient, pin_due
from audit.verify import verify_checkpoint
from tests.conftest import need
from tests.support.fake_ipfs import FakeIpfs
from tests.support.helpers import BOB, DUSD, calldata, explain_now, tx
from tests.support.ipfs_node import JSIPFS, JsIpfs
from tests.test_truncation import cli, drop_tail, fill

TRANSFER = tx(DUSD, calldata("transfer(address,uint256)", BOB, 1))


pytestmark = pytest.mark.ipfs  # every test here pins to (or fetches from) js-ipfs or its loopback stand-in


@pytest.fixture(scope="module")
def ipfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JsIpfs]:
    """One real js-ipfs node for the module's tests that keep it up."""
    need(JSIPFS.exists() and shutil.which("node") is not None, "npm ipfs (js-ipfs)")
    with JsIpfs(tmp_path_factory.mktemp("ipfs")) as node:
        yield node


def statuses(services: Services) -> dict[tuple[str, str], str]:
    with services.sessions() as session:
        return {(t.target_kind, t.target_id): t.status for t in session.scalars(select(PinTask))}


def make_due_now(services: Services) -> None:
    from datetime import UTC, datetime

    with services.sessions.begin() as session:
        for task in session.scalars(select(PinTask)):
            task.next_attempt_at = datetime.now(UTC)


def test_cid_matches_ipfs_for_hello_world(ipfs: JsIpfs) -> None:
    # `echo -n "hello world" | ipfs add --cid-version=1` (FACTS.md), and what the real node answers
    expected = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
    assert cid_v1_raw(b"hello world") == expected
    KuboClient(ipfs.url).pin(expected, b"hello world", "hello.txt")
    assert expected in ipfs.pins()
    assert KuboClient(ipfs.url).fetch(expected) == b"hello world"


def test_cids_are_compared_by_the_bytes_they_name() -> None:
    raw = cid_v1_raw(b"hello world")
    # js-ipfs prints CIDv1 in base58btc; CIDv0 names the same sha2-256 multihash under dag-pb
    assert names_same_bytes(raw, "zb2rhj7crUKTQYRGCRATFaQ6YFLTde2YzdqbbhAASkL9uRDXn")
    assert names_same_bytes(raw, "f01551220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
    assert not names_same_bytes(raw, cid_v1_raw(b"hello world!"))
    assert not names_same_bytes(raw, "Qm" + "1" * 44) and not names_same_bytes(raw, "xyz")
    with pytest.raises(ValueError, match="unsupported CID"):
        sha256_of("not-a-cid")


def test_node_down_then_back_pins_everything(sqlite_url: str, make_services: Callable[..., Services],
                                             tmp_path: Path) -> None:
    need(JSIPFS.exists(), "npm ipfs (js-ipfs)")
    node = JsIpfs(tmp_path)  # never started yet: the outbox meets a closed port
    try:
        services = make_services(sqlite_url, ipfs_api=node.url)
        client = KuboClient(node.url)
        results = [explain_now(TRANSFER, services) for _ in range(3)]
        assert pin_due(services.sessions, client) == 0
        assert set(statuses(services).values()) == {"pending"}
        with services.sessions() as session:
            task = session.scalars(select(PinTask)).first()
            assert task.attempts == 1 and "ConnectError" in task.last_error
        node.start()
        make_due_now(services)
        assert pin_due(services.sessions, client) == 6  # three records, three checkpoints
        assert set(statuses(services).values()) == {"pinned"}
        node.stop()  # the node's repository keeps what it pinned across a restart
        node.start()
        pins = node.pins()
        for result in results:
            record = get_record(services.sessions, result["id"])
            assert result["audit"]["cid"] == record.cid == cid_v1_raw(record.canonical.encode())
            assert record.cid in pins and client.fetch(record.cid) == record.canonical.encode()
        with services.sessions() as session:
            for checkpoint in session.scalars(select(Checkpoint)):  # pinned whole: an auditor can check it alone
                fetched = json.loads(client.fetch(checkpoint.cid))
                verify_checkpoint(fetched, services.ledger.signer.public_key_hex)
                assert fetched["signed"] == checkpoint.signed and checkpoint.cid in pins
    finally:
        node.stop()


def test_truncation_is_caught_from_a_checkpoint_fetched_by_cid(ipfs: JsIpfs, sqlite_url: str,
                                                             make_services: Callable[..., Services]) -> None:
    """An auditor kept only the CID of a pinned checkpoint; the database is later cut back below it."""
    services = make_services(sqlite_url, ipfs_api=ipfs.url)
    fill(services, 5)
    assert pin_due(services.sessions, KuboClient(ipfs.url)) == 10
    with services.sessions() as session:
        kept = session.scalar(select(Checkpoint.cid).where(Checkpoint.size == 5))
    done = cli(services, "verify", "--checkpoint", kept, "--json", ipfs_api=ipfs.url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["extends"].startswith("the ledger's 5 records extend the saved checkpoint of 5")
    drop_tail(services, 3)
    assert cli(services, "verify", "--json").returncode == 0  # what remains verifies alone
    done = cli(services, "verify", "--checkpoint", kept, "--json", ipfs_api=ipfs.url)
    assert done.returncode == 1 and "truncated or rolled back" in json.loads(done.stdout)["reason"]
    unset = cli(services, "verify", "--checkpoint", kept, "--json")
    assert unset.returncode == 1 and "needs TXEXPLAIN_IPFS_API" in json.loads(unset.stdout)["reason"]
    missing = cli(services, "verify", "--checkpoint", "no-such-file.json", "--json")
    assert missing.returncode == 1 and "nor a CID" in json.loads(missing.stdout)["reason"]


def test_large_record_goes_as_one_raw_block(ipfs: JsIpfs) -> None:
    data = b"x" * 300_000
    cid = cid_v1_raw(data)
    KuboClient(ipfs.url).pin(cid, data, "big.json")
    assert cid in ipfs.pins() and KuboClient(ipfs.url).fetch(cid) == data
    with pytest.raises(PinError, match="do not hash"):
        KuboClient(ipfs.url).pin(cid_v1_raw(b"a"), b"b", "x")


def test_server_pins_in_the_background(ipfs: JsIpfs, sqlite_url: str, make_services: Callable[..., Services]) -> None:
    from app.api import create_app

    services = make_services(sqlite_url, ipfs_api=ipfs.url, pin_interval_s=0.1)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        record_id = client.post("/v1/explain", json=TRANSFER).json()["id"]
        deadline = time.monotonic() + 20
        while client.get(f"/v1/audit/records/{record_id}").json()["pin_status"] != "pinned":
            assert time.monotonic() < deadline, "the pin worker never pinned the record"
            time.sleep(0.1)
    assert get_record(services.sessions, record_id).cid in ipfs.pins()


def test_kubo_answer_with_other_cid_is_refused(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    with FakeIpfs() as node:
        services = make_services(sqlite_url, ipfs_api=node.url)
        explain_now(TRANSFER, services)
        node.lie = True
        assert pin_due(services.sessions, KuboClient(node.url)) == 0
        node.blocks[cid_v1_raw(b"kept")] = b"kept"
        with pytest.raises(PinError, match="do not hash"):
            KuboClient(node.url).fetch(cid_v1_raw(b"kept"))
    with services.sessions() as session:
        errors = {t.last_error for t in session.scalars(select(PinTask))}
    assert all(e.startswith("daemon answered CID") for e in errors)
    assert node.pins == set()


def test_pinning_service_needs_the_token(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    with FakeIpfs(token="t0ken") as node:
        services = make_services(sqlite_url, pinning_service=node.url, pinning_token="t0ken")
        explain_now(TRANSFER, services)
        assert pin_due(services.sessions, PinningServiceClient(node.url, "wrong")) == 0
        make_due_now(services)
        assert pin_due(services.sessions, PinningServiceClient(node.url, "t0ken")) == 2
    assert set(statuses(services).values()) == {"pinned"}
