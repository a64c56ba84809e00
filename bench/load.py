"""Load: N concurrent clients against `txexplain serve` on loopback, three workloads side by side.

Run: .venv/bin/python -m bench.load [--clients 8] [--seconds 20] [--model-requests 24]

- decode-only: POST /v1/decode over the examples (no simulation, no model, nothing stored)
- explain, narrative-cache hit: POST /v1/explain of requests whose accepted narrative is cached
- explain, model call: POST /v1/explain of distinct transfers, each needing a model call

Prints throughput, p50/p95/p99 latency and refusals (503 model-busy) per workload, the server's peak
RSS after each, and ends with `cache-hit explain throughput vs model explain: N.Nx`. The server runs
with a throwaway SQLite ledger; TXEXPLAIN_* settings in the environment pass through to it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
TRANSFER = json.loads((ROOT / "examples" / "plain-token-transfer.json").read_text())


@dataclass
class Run:
    """What one workload measured."""

    name: str
    latencies: list[float] = field(default_factory=list)
    refused: int = 0
    errors: int = 0
    seconds: float = 0.0
    peak_rss_mib: float = 0.0

    def line(self) -> str:
        lat = sorted(self.latencies)

        def q(p: float) -> float:
            return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")

        return (f"{self.name:<28} {self.throughput:8.1f} req/s   p50 {q(0.50):8.1f} ms   p95 {q(0.95):8.1f} ms   "
                f"p99 {q(0.99):8.1f} ms   ok {len(lat):5d}   503 {self.refused:4d}   errors {self.errors:3d}   "
                f"server peak RSS {self.peak_rss_mib:6.0f} MiB")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def transfer(amount: int) -> dict[str, Any]:
    """The example transfer with another amount: a distinct narrative-cache key, so a model call."""
    return {**TRANSFER, "data": TRANSFER["data"][:-64] + f"{amount:064x}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen[bytes], path: str, seconds: float) -> None:
    """Return once ``server`` answers 200 on ``path``; exit naming why when it dies or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base}{path}", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("server did not start: " + (server.stderr.read().decode() if server.stderr else ""))
        time.sleep(0.2)


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def drive(client: httpx.AsyncClient, run: Run, path: str, bodies: list[dict[str, Any]], clients: int,
                seconds: float | None, total: int | None) -> None:
    """``clients`` workers post ``bodies`` round-robin for ``seconds`` (or until ``total`` requests)."""
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds if seconds else None

    async def worker() -> None:
        while True:
            i = next(counter)
            if (total is not None and i >= total) or (deadline is not None and time.perf_counter() > deadline):
                return
            start = time.perf_counter()
            response = await client.post(path, json=bodies[i % len(bodies)])
            elapsed = time.perf_counter() - start
            if response.status_code == 200:
                run.latencies.append(elapsed)
            elif response.status_code == 503:
                run.refused += 1
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))
            else:
                run.errors += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    run.seconds = time.perf_counter() - start


def cache_hit(result: dict[str, Any]) -> bool:
    """Served from the narrative cache: an accepted narrative, or a kept rejection of the same facts."""
    explanation = result.get("explanation", {})
    return explanation.get("narrative_source") == "cache" or "were rejected before" in str(
        explanation.get("rejected_reason"))


async def cached_requests(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """The examples, each explained once so that the next explain of it is a narrative-cache hit."""
    found: list[dict[str, Any]] = []
    for body in (json.loads(p.read_text()) for p in EXAMPLES):
        await client.post("/v1/explain", json=body)
        if cache_hit((await client.post("/v1/explain", json=body)).json()):
            found.append(body)
    return found


async def bench(base: str, pid: int, args: argparse.Namespace) -> list[Run]:
    limits = httpx.Limits(max_connections=args.clients * 2)
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as client:
        examples = [json.loads(p.read_text()) for p in EXAMPLES]
        decode = Run("decode-only")
        await drive(client, decode, "/v1/decode", examples, args.clients, args.seconds, None)
        decode.peak_rss_mib = peak_rss_mib(pid)
        hits = await cached_requests(client)
        if not hits:
            raise SystemExit("no narrative was accepted and cached; the cache-hit workload cannot run")
        cache = Run(f"explain, cache hit ({len(hits)} reqs)")
        await drive(client, cache, "/v1/explain", hits, args.clients, args.seconds, None)
        cache.peak_rss_mib = peak_rss_mib(pid)
        model = Run("explain, model call")
        fresh = [transfer(1_000_000 + n) for n in range(args.model_requests)]
        await drive(client, model, "/v1/explain", fresh, args.clients, None, args.model_requests)
        model.peak_rss_mib = peak_rss_mib(pid)
        return [decode, cache, model]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of the decode and cache-hit runs")
    parser.add_argument("--model-requests", type=int, default=24, help="model-call explains to send")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    port = free_port()
    env = {"TXEXPLAIN_DATABASE_URL": f"sqlite:///{tmp / 'load.db'}",
           "TXEXPLAIN_SIGNING_KEY_PATH": str(tmp / 'load.key'), **os.environ}
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server, "/readyz", 300)
        print(f"{args.clients} concurrent clients; server pid {server.pid}; "
              f"queue: TXEXPLAIN_MODEL_QUEUE_DEPTH={os.environ.get('TXEXPLAIN_MODEL_QUEUE_DEPTH', '8 (default)')}")
        runs = asyncio.run(bench(base, server.pid, args))
    finally:
        server.terminate()
        server.wait(30)
    for run in runs:
        print(run.line())
    cache, model = runs[1], runs[2]
    ratio = cache.throughput / model.throughput if model.throughput else float("inf")
    print(f"median latency: cache hit {statistics.median(cache.latencies) * 1000:.1f} ms, "
          f"model call {statistics.median(model.latencies) * 1000:.0f} ms")
    print(f"cache-hit explain throughput vs model explain: {ratio:.1f}x")


if __name__ == "__main__":
    main()
