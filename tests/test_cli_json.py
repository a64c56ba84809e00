"""`--json` on the commands machines call: model hash, replay over many records, pubkey, db upgrade,
vllm-command, openapi; and the exit codes that go with them."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from app.runtime import Services
from inference.model_files import cached_sha256, weights_sha256
from tests.conftest import ROOT
from tests.support.helpers import BOB, DRAINER_EOA, DUSD, MAX_UINT, calldata, explain_now, tx


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=300)


def test_model_hash_reports_progress_then_caches(tmp_path: Path) -> None:
    weights = tmp_path / "tiny.Q4_1.gguf"
    weights.write_bytes(os.urandom(3 * (1 << 20) + 17))
    seen: list[tuple[int, int]] = []
    digest = weights_sha256(weights, cache_dir=tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert digest == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert seen[-1] == (weights.stat().st_size, weights.stat().st_size) and len(seen) == 4
    assert cached_sha256(weights, tmp_path) == digest
    done = cli("model", "hash", str(weights), "--json", env={"HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"path": str(weights), "sha256": digest, "bytes": weights.stat().st_size,
                                       "quantization": "Q4_1"}
    missing = cli("model", "hash", str(tmp_path / "absent.gguf"))
    assert missing.returncode == 2 and "path:" in missing.stderr


def test_replay_many_records_as_json_lines(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url, engine="none")
    results = [explain_now(tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)), services),
               explain_now(tx(DUSD, calldata("transfer(address,uint256)", BOB, 5)), services)]
    env = {"TXEXPLAIN_DATABASE_URL": sqlite_url, "TXEXPLAIN_ENGINE": "none",
           "TXEXPLAIN_SIGNING_KEY_PATH": str(services.settings.signing_key_path)}
    done = cli("audit", "replay", "--since", "2000-01-01", "--json", env=env)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(line["id"], line["equal"]) for line in lines] == [(r["id"], True) for r in results]
    unknown = cli("audit", "replay", "01NOPE", env=env)
    assert unknown.returncode == 2 and "record_ids" in unknown.stderr
    nothing = cli("audit", "replay", env=env)
    assert nothing.returncode == 2 and "record_ids" in nothing.stderr


def test_other_commands_speak_json(tmp_path: Path) -> None:
    env = {"TXEXPLAIN_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
           "TXEXPLAIN_SIGNING_KEY_PATH": str(tmp_path / "k.pem")}
    pubkey = json.loads(cli("audit", "pubkey", "--json", env=env).stdout)
    upgraded = json.loads(cli("db", "upgrade", "--json", env=env).stdout)
    vllm = json.loads(cli("vllm-command", "org/model-awq", "--json").stdout)
    document = json.loads(cli("openapi").stdout)
    assert pubkey["public_key"].startswith("0x") and len(pubkey["key_id"]) == 16 and "BEGIN PUBLIC KEY" in pubkey["pem"]
    assert upgraded["revision"]
    assert "--enable-prefix-caching" in vllm["command"] and vllm["env"]["TXEXPLAIN_ENGINE"] == "openai_compatible"
    assert document == json.loads((ROOT / "sdk" / "ts" / "openapi.json").read_text())
