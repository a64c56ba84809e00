"""Crash safety: SIGKILL the server mid-load on Postgres, restart it, and check that every request that got
a 200 has its record, `seq` has no gap, the ledger verifies, and pins left pending resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from audit import PinTask, Signer, session_factory
from tests.conftest import ROOT
from tests.support.anvil import free_port
from tests.support.helpers import BOB, DUSD, assert_ledger_whole, calldata, tx
from tests.support.ipfs_node import JsIpfs


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT,
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise AssertionError("server did not start: " + (server.stderr.read() or b"").decode()[-2000:])
        time.sleep(0.2)


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.ipfs
def test_sigkill_mid_load_loses_no_answered_record(postgres_url: str, tmp_path: Path) -> None:
    key_path = tmp_path / "signing.key"
    env = {"TXEXPLAIN_DATABASE_URL": postgres_url, "TXEXPLAIN_SIGNING_KEY_PATH": str(key_path),
           "TXEXPLAIN_ENGINE": "none"}
    node = JsIpfs(tmp_path)  # a real js-ipfs node, down for the first run: its pins are left pending in the outbox
    try:
        server, base = start_server({**env, "TXEXPLAIN_IPFS_API": node.url, "TXEXPLAIN_PIN_INTERVAL_S": "30"})
        answered: list[str] = []
        failures: list[str] = []

        def client(worker: int) -> None:
            with httpx.Client(base_url=base, timeout=30) as http:
                for n in range(10_000):
                    body = tx(DUSD, calldata("transfer(address,uint256)", BOB, worker * 100_000 + n))
                    try:
                        response = http.post("/v1/explain", json=body)
                    except httpx.TransportError:
                        return  # the server died mid-request: this one was never answered
                    if response.status_code == 200:
                        answered.append(response.json()["id"])
                    else:
                        failures.append(f"{response.status_code} {response.text[:200]}")

        threads = [threading.Thread(target=client, args=(w,)) for w in range(6)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(answered) < 40 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(server.pid, signal.SIGKILL)  # no shutdown hook runs: the sequencer dies mid-batch
        server.wait(10)
        for thread in threads:
            thread.join(30)
        assert len(answered) >= 40 and not failures, failures[:3]

        node.start()
        restarted, base = start_server({**env, "TXEXPLAIN_IPFS_API": node.url, "TXEXPLAIN_PIN_INTERVAL_S": "0.2"})
        try:
            with httpx.Client(base_url=base, timeout=30) as http:
                missing = [i for i in answered if http.get(f"/v1/audit/records/{i}").status_code != 200]
                after = http.post("/v1/explain", json=tx(DUSD, calldata("transfer(address,uint256)", BOB, 1)))
            assert missing == [] and after.status_code == 200
            # no gap whatever the kill interrupted, every answered record there, the ledger verifies
            records = assert_ledger_whole(postgres_url, Signer.load_or_create(key_path).public_key_hex,
                                          [*answered, after.json()["id"]])
            assert after.json()["audit"]["seq"] == records
            sessions = session_factory(create_engine(postgres_url))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with sessions() as session:
                    pending = [t for t in session.scalars(select(PinTask)) if t.status != "pinned"]
                if not pending:
                    break
                time.sleep(0.3)
            assert pending == [], f"{len(pending)} pins did not resume"
            with sessions() as session:
                assert {t.cid for t in session.scalars(select(PinTask))} <= node.pins()
        finally:
            restarted.terminate()
            restarted.wait(30)
    finally:
        node.stop()
