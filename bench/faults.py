"""Faults against real servers (`txexplain serve` on loopback, the Postgres at TXEXPLAIN_TEST_DATABASE_URL or
127.0.0.1:5432/test), figures side by side:

1. stall: the database behind a TCP proxy that starts accepting and never answering; the time from the stall to
   the first 503, against TXEXPLAIN_DATABASE_TIMEOUT_S, and /healthz's latency during it;
2. frozen replica: two replicas on one database under load; one is SIGSTOPped; the other's writes/s before, and
   after the timeout has freed the ledger's lock (goal: ≥ 80% of the unfrozen rate);
3. bad request in a batch: good and bad requests (a U+0000 in typed data, a uint256 as a JSON number) sent
   together; the share of good ones that failed (goal: 0);
4. pathological bodies: latency and the server's peak RSS (goal: 422 in < 100 ms, RSS < 1 GB).

Run: .venv/bin/python -m bench.faults [--timeout 2] [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from bench.load import free_port, peak_rss_mib, wait_until_up
from tests.support.helpers import ALICE, BOB, DUSD, calldata, tx
from tests.support.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = os.environ.get("TXEXPLAIN_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def schema() -> Iterator[str]:
    """A throwaway schema of the Postgres, as a database URL."""
    name = f"txexplain_faults_{uuid.uuid4().hex[:8]}"
    admin = create_engine(BASE_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield f"{BASE_URL}{'&' if '?' in BASE_URL else '?'}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@contextmanager
def server(database_url: str, timeout_s: float, key: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A keyless loopback `txexplain serve` with the deterministic summary only."""
    port = free_port()
    env = {**os.environ, "TXEXPLAIN_DATABASE_URL": database_url, "TXEXPLAIN_DATABASE_TIMEOUT_S": str(timeout_s),
           "TXEXPLAIN_ENGINE": "none", "TXEXPLAIN_SIGNING_KEY_PATH": str(key)}
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base, process, "/healthz", 120)
    try:
        yield base, process
    finally:
        os.kill(process.pid, signal.SIGCONT)
        process.terminate()
        process.wait(30)


def transfer(n: int) -> dict[str, Any]:
    return tx(DUSD, calldata("transfer(address,uint256)", BOB, n))


def post(base: str, body: Any, timeout: float = 60.0) -> tuple[int, float]:
    """(status, seconds) of one POST /v1/explain; status 0 when the request itself failed."""
    start = time.perf_counter()
    try:
        status = httpx.post(f"{base}/v1/explain", json=body, timeout=timeout).status_code
    except httpx.HTTPError:
        status = 0
    return status, time.perf_counter() - start


def stall_figure(timeout_s: float, key: Path) -> list[str]:
    with schema() as url:
        proxy, proxied = TcpProxy.for_url(url)
        try:
            with server(proxied, timeout_s, key) as (base, _):
                post(base, transfer(1))
                with ThreadPoolExecutor(8) as pool:
                    stalled_at = time.monotonic()
                    proxy.stall()
                    answers = list(pool.map(lambda n: (post(base, transfer(n)), time.monotonic()), range(2, 34)))
                    probe = time.perf_counter()
                    httpx.get(f"{base}/healthz", timeout=30)
                    health_ms = (time.perf_counter() - probe) * 1000
                proxy.up()
        finally:
            proxy.close()
    first_503 = min((at for (status, _), at in answers if status == 503), default=float("nan")) - stalled_at
    worst = max(seconds for (_, seconds), _ in answers)
    return [f"stall: first 503 after {first_503:.1f} s (TXEXPLAIN_DATABASE_TIMEOUT_S {timeout_s:g} s); slowest "
            f"answer {worst:.1f} s; {sum(s == 503 for (s, _), _ in answers)}/{len(answers)} answered 503; "
            f"/healthz during the stall {health_ms:.0f} ms"]


def rate(base: str, seconds: float, clients: int = 4) -> float:
    """Explains/s one replica answers 200 over ``seconds``."""
    deadline = time.monotonic() + seconds
    counter = iter(range(10**9))

    def work() -> int:
        done = 0
        while time.monotonic() < deadline:
            done += post(base, transfer(next(counter) + 10**6), timeout=30)[0] == 200
        return done

    with ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(lambda _: work(), range(clients))) / seconds


def frozen_figure(timeout_s: float, seconds: float, tmp: Path) -> list[str]:
    with schema() as url, server(url, timeout_s, tmp / "a.key") as (a, frozen), \
            server(url, timeout_s, tmp / "a.key") as (b, _), ThreadPoolExecutor(1) as background:  # one log, one key
        load = background.submit(rate, a, seconds * 3 + timeout_s * 2)  # the replica to freeze is busy too
        both = rate(b, seconds)
        os.kill(frozen.pid, signal.SIGSTOP)  # very likely mid-batch: it holds the ledger's lock
        time.sleep(timeout_s * 2)  # the server ends its idle transaction
        alone = rate(b, seconds)
        os.kill(frozen.pid, signal.SIGCONT)
        load.result()
    return [f"frozen replica: healthy replica {both:.1f} writes/s beside a busy one, {alone:.1f} writes/s once the "
            f"busy one is frozen ({timeout_s * 2:g} s after the freeze): {alone / both:.2f}x of the unfrozen rate "
            f"(goal ≥ 0.80x)"]


def bad_batch_figure(timeout_s: float, key: Path) -> list[str]:
    typed = {"types": {"EIP712Domain": [{"name": "name", "type": "string"}],
                       "Note": [{"name": "text", "type": "string"}, {"name": "amount", "type": "uint256"}]},
             "primaryType": "Note", "domain": {"name": "n\u0000ul"},
             "message": {"text": "a\u0000b", "amount": 2**256 - 1}}
    bad = {"chain_id": 31337, "method": "eth_signTypedData_v4", "params": [ALICE, typed]}
    with schema() as url, server(url, timeout_s, key) as (base, _), ThreadPoolExecutor(32) as pool:
        bodies = [("good", transfer(n)) if n % 5 else ("bad", bad) for n in range(1, 201)]
        results = list(pool.map(lambda item: (item[0], post(base, item[1])[0]), bodies))
    good = [status for kind, status in results if kind == "good"]
    bad_codes = sorted({status for kind, status in results if kind == "bad"})
    failed = sum(status != 200 for status in good)
    return [f"bad request in a batch: {failed}/{len(good)} good requests failed ({100 * failed / len(good):.1f}%, "
            f"goal 0) beside {len(results) - len(good)} hostile ones (answered {bad_codes})"]


def pathological_figure(key: Path, tmp: Path) -> list[str]:
    loop = "0x00000000000000000000000000000000000100bb"
    burner = "0x00000000000000000000000000000000000100bc"
    bodies: dict[str, Any] = {
        "JSON nested 100,000 deep (200 KB)": "[" * 100_000 + "]" * 100_000,
        "JSON nested 20,000 deep": '{"a":' * 20_000 + "1" + "}" * 20_000,
        "gas 2^64-1 into a loop": {"chain_id": 31337, "from": ALICE, "to": loop, "data": "0x", "gas": hex(2**64 - 1),
                                   "state_overrides": {loop: {"code": "0x5b600056"}}},
        "a loop at the default gas": {"chain_id": 31337, "from": ALICE, "to": loop, "data": "0x",
                                      "state_overrides": {loop: {"code": "0x5b600056"}}},
        "256 calls that burn their gas": {
            "chain_id": 31337, "method": "wallet_sendCalls", "state_overrides": {
                burner: {"code": "0x5b6127105a10600c576000565b00"}},
            "params": [{"version": "2.0.0", "chainId": "0x7a69", "from": ALICE,
                        "calls": [{"to": burner, "data": "0x"} for _ in range(256)]}]},
        "memory expansion in a loop": {"chain_id": 31337, "from": ALICE, "to": loop, "data": "0x",
                                       "state_overrides": {loop: {"code": "0x5b5960205901526000565b"}}},
    }
    lines = []
    with server(f"sqlite:///{tmp / 'p.db'}", 5.0, key) as (base, process):
        for name, body in bodies.items():
            times, statuses = [], set()
            for _ in range(5):
                start = time.perf_counter()
                content = body if isinstance(body, str) else None
                response = httpx.post(f"{base}/v1/explain", content=content, json=None if content else body,
                                      headers={"content-type": "application/json"}, timeout=120)
                times.append((time.perf_counter() - start) * 1000)
                statuses.add(response.status_code)
            lines.append(f"  {name:<36} {statistics.median(times):8.1f} ms median   answered {sorted(statuses)}")
        lines.append(f"  server peak RSS after all of them: {peak_rss_mib(process.pid):.0f} MiB (goal < 1 GB)")
    return ["pathological bodies (5 each, SQLite ledger):", *lines]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=2.0, help="TXEXPLAIN_DATABASE_TIMEOUT_S of the servers")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each write-rate window")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    lines = [*stall_figure(args.timeout, tmp / "s.key"), *frozen_figure(args.timeout, args.seconds, tmp),
             *bad_batch_figure(args.timeout, tmp / "b.key"), *pathological_figure(tmp / "p.key", tmp)]
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
