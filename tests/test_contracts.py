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


def test_seaport_artifacts_match_the_installed_sources(npm_tools: Path) -> None:
    """Seaport takes a minute to compile: --check re-hashes the installed seaport-core sources against the hashes
    each artifact recorded, and the compiler's version, without compiling."""
    done = subprocess.run(["node", "contracts/seaport/compile.mjs", "--check"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_seaport_check_notices_a_changed_source(npm_tools: Path, tmp_path: Path) -> None:
    import json
    import shutil

    shutil.copytree(ROOT / "contracts" / "artifacts" / "seaport", tmp_path, dirs_exist_ok=True)
    data = json.loads((tmp_path / "Seaport.json").read_text())
    data["sources"]["seaport-core/src/Seaport.sol"] = "0" * 64
    (tmp_path / "Seaport.json").write_text(json.dumps(data))
    done = subprocess.run(["node", "contracts/seaport/compile.mjs", "--check", "--artifacts", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Seaport (seaport-core/src/Seaport.sol)" in done.stderr
