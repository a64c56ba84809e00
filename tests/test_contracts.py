"""Committed artifacts match what the pinned npm solc compiles from contracts/*.sol."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import ROOT


def test_artifacts_are_fresh(npm_tools: Path) -> None:
    done = subprocess.run(["node", "contracts/compile.mjs", "--check"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def test_artifacts_target_cancun_for_pyrevm() -> None:
    import json

    for path in sorted((ROOT / "contracts" / "artifacts").glob("*.json")):
        artifact = json.loads(path.read_text())
        assert artifact["evmVersion"] == "cancun", path.name
        assert artifact["compiler"].startswith("solc 0.8.37"), path.name
