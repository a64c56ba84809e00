"""`txexplain explain` renders every result kind, and an unreachable audit store exits 3 with one line."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from app.cli.render import render_result
from app.runtime import build_services
from app.settings import Settings
from chain.simulate import RevmBackend
from tests.conftest import EXAMPLES, ROOT
from tests.support.helpers import explain_now

CORPUS = {p["name"]: p["request"] for p in json.loads((ROOT / "tests" / "payloads" / "corpus.json").read_text())
          ["payloads"]}
REQUESTS = {f"examples/{p.name}": json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))} | {
    f"corpus/{name}": CORPUS[name] for name in ("viem-siwe", "seaport-listing", "viem-approve-revoke",
                                                 "viem-send-calls-no-account", "viem-deploy-contract")}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_every_result_kind_renders(name: str, sqlite_url: str, tmp_path: Path, backend: RevmBackend) -> None:
    services = build_services(Settings(database_url=sqlite_url, signing_key_path=tmp_path / "k", engine="none"),
                              engine=None)
    services.backend = backend
    result = explain_now(REQUESTS[name], services)
    out = io.StringIO()
    render_result(result, Console(file=out, width=160, color_system=None))
    text = out.getvalue()
    assert f" {result['verdict'].upper()} " in text
    assert f"Audit record {result['audit']['id']}" in text
    if result["kind"] in ("typed_data", "message"):
        assert "Simulation" not in text and ("Typed data" in text or "Message (" in text)


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "TXEXPLAIN_ENGINE": "none", **env})


def test_cli_renders_a_signature_request(tmp_path: Path) -> None:
    done = cli("explain", "examples/permit2-phishing-signature.json",
               TXEXPLAIN_DATABASE_URL=f"sqlite:///{tmp_path / 'audit.db'}",
               TXEXPLAIN_SIGNING_KEY_PATH=str(tmp_path / "k"))
    assert done.returncode == 0, done.stderr
    assert "BLOCK" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_unreachable_audit_store_exits_3_with_one_line(tmp_path: Path) -> None:
    from tests.support.anvil import free_port

    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none"
    for args in (("explain", "examples/plain-token-transfer.json"), ("audit", "verify")):
        done = cli(*args, TXEXPLAIN_DATABASE_URL=closed, TXEXPLAIN_SIGNING_KEY_PATH=str(tmp_path / "k"))
        assert (done.returncode, done.stderr) == (3, "error: the audit store did not answer (OperationalError)\n")
