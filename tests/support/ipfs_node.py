"""A real IPFS node: js-ipfs (npm `ipfs` 0.66.1) run offline on loopback ports, serving the Kubo-compatible
HTTP RPC. It can be stopped and started again on the same repository and port, as an operator's node that
goes away and comes back."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx

from tests.support.anvil import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[2]
JSIPFS = ROOT / "node_modules" / ".bin" / "jsipfs"


class JsIpfs:
    """``with JsIpfs(tmp_path) as node:`` → ``node.url`` is the RPC base URL; ``stop()`` / ``start()`` in between."""

    def __init__(self, home: Path, lifetime_s: int = 600):
        self.repo, self.lifetime_s = home / "ipfs-repo", lifetime_s
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log = home / "jsipfs.log"
        subprocess.run([str(JSIPFS), "init", "--profile", "test", "--empty-repo"], env=self._env(), check=True,
                       capture_output=True, timeout=120)
        config_path = self.repo / "config"
        config = json.loads(config_path.read_text())
        config["Addresses"].update({"API": f"/ip4/127.0.0.1/tcp/{self.port}", "Gateway": "/ip4/127.0.0.1/tcp/0",
                                    "RPC": "/ip4/127.0.0.1/tcp/0/ws", "Swarm": ["/ip4/127.0.0.1/tcp/0"]})
        config_path.write_text(json.dumps(config))

    def _env(self) -> dict[str, str]:
        return {**os.environ, "IPFS_PATH": str(self.repo), "IPFS_MONITORING": "", "DEBUG": ""}

    def start(self) -> None:
        """Start the daemon (offline: no bootstrap, no DHT) and wait until its RPC answers."""
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(["timeout", str(self.lifetime_s), str(JSIPFS), "daemon", "--offline"],
                                             env=self._env(), stdout=log, stderr=subprocess.STDOUT)
        wait_until_serving(f"{self.url}/api/v0/id", self._process, self._log, 90, method="POST")

    def stop(self) -> None:
        """SIGTERM the daemon and wait; its repository (blocks and pins) stays for the next start."""
        if self._process is None:
            return
        self._process.terminate()  # `timeout` passes SIGTERM on to the daemon
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None
        (self.repo / "repo.lock").unlink(missing_ok=True)  # a killed daemon leaves it behind
        (self.repo / "api").unlink(missing_ok=True)

    def pins(self) -> set[str]:
        """The recursively pinned CIDs, in base32 (as Kubo and this project print them)."""
        response = httpx.post(f"{self.url}/api/v0/pin/ls", params={"type": "recursive", "cid-base": "base32"},
                              timeout=10)
        response.raise_for_status()
        return set(response.json().get("Keys", {}))

    def __enter__(self) -> JsIpfs:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
