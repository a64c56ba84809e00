"""A real anvil (from npm @foundry-rs/anvil-linux-amd64) on a free loopback port, and a JSON-RPC proxy
in front of it that can hide methods, hang or answer garbage — the node behind it stays real."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_anvil(lifetime_s: int = 600, chain_id: int = 31337) -> Iterator[str]:
    """anvil with ``chain_id``; killed on exit (and by `timeout` after ``lifetime_s`` regardless)."""
    port = free_port()
    process = subprocess.Popen(["timeout", str(lifetime_s), str(ANVIL), "--port", str(port), "--chain-id",
                                str(chain_id), "--silent"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, "anvil exited"
                assert time.monotonic() < deadline, "anvil did not answer in 30 s"
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()  # `timeout` passes SIGTERM on to anvil
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class RpcProxy:
    """Forwards JSON-RPC to ``upstream`` except: methods in ``hidden`` answer -32601; ``mode`` 'hang'
    never answers, 'garbage' answers an HTML page to any POST (also used for the model engine), 'refuse-time'
    answers an eth_simulateV1 that overrides a block's time as geth does one not after its head."""

    def __init__(self, upstream: str, hidden: set[str] | None = None, mode: str = "forward"):
        self.hidden, self.mode = set(hidden or ()), mode
        self.methods: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def answer(self, call: dict) -> object:
                if call.get("method") in proxy.hidden:
                    return {"jsonrpc": "2.0", "id": call.get("id"),
                            "error": {"code": -32601, "message": "Method not found"}}
                if proxy.mode == "refuse-time" and call.get("method") == "eth_simulateV1" and any(
                        "time" in (b.get("blockOverrides") or {}) for b in call["params"][0]["blockStateCalls"]):
                    return {"jsonrpc": "2.0", "id": call.get("id"), "error": {
                        "code": -38021, "message": "block timestamps must be in order: 1 <= 2"}}
                return httpx.post(upstream, json=call, timeout=30).json()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = json.loads(body)
                calls = request if isinstance(request, list) else [request]  # a JSON-RPC batch, or one call
                proxy.methods.extend(call.get("method", self.path) for call in calls)
                if proxy.mode == "hang":
                    time.sleep(30)
                    return
                if proxy.mode == "garbage":  # any client, JSON-RPC or not, gets an HTML error page
                    payload = b"<html>502 bad gateway</html>"
                else:
                    answers = [self.answer(call) for call in calls]
                    payload = json.dumps(answers if isinstance(request, list) else answers[0]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout_s: float,
                       method: str = "GET") -> None:
    """Poll ``url`` (with ``method``: Kubo-style RPCs answer only POST) until it answers 200; fail with the log's
    tail if the process dies or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.request(method, url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert process.poll() is None, log.read_text()[-2000:]
        assert time.monotonic() < deadline, f"{url} did not answer in {timeout_s:.0f} s"
        time.sleep(0.2)


@contextmanager
def rpc_proxy_process(upstream: str, hidden: set[str]) -> Iterator[str]:
    """An :class:`RpcProxy` in its own process; yields its URL. Needed where the client is pyrevm forking
    the node: pyrevm keeps the GIL while it fetches state, so a proxy thread in the test's process would
    never get to answer it."""
    script = ("import sys, time; from tests.support.anvil import RpcProxy; "
              "p = RpcProxy(sys.argv[1], hidden=set(sys.argv[2:])); print(p.url, flush=True); time.sleep(3600)")
    process = subprocess.Popen([sys.executable, "-c", script, upstream, *sorted(hidden)],
                               cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait(10)
