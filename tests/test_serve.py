"""`txexplain serve` answers over real HTTP on a loopback port."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.conftest import ROOT
from tests.support.anvil import free_port, wait_until_serving
from tests.support.helpers import example


@pytest.mark.model
@pytest.mark.slow
def test_serve_explains_over_http(tmp_path, engine) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {**os.environ, "TXEXPLAIN_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
           "TXEXPLAIN_SIGNING_KEY_PATH": str(tmp_path / "signing.key")}
    log = (tmp_path / "serve.log").open("w")  # a pipe nobody reads would fill up and block the server
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(f"{base}/healthz", server, tmp_path / "serve.log", 60)
        response = httpx.post(f"{base}/v1/explain", json=example("unlimited-approval-to-eoa"), timeout=120)
        assert response.status_code == 200
        assert response.json()["verdict"] == "block"
        from chain.intel.bundled import bundled_feeds

        # after the records of the bundled lists the server answers with (TXEXPLAIN_RECORD_BUNDLED_FEEDS)
        assert response.json()["audit"]["seq"] == len(bundled_feeds()) + 1
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
