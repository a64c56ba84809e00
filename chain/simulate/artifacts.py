"""Compiled contracts: ours (contracts/artifacts, committed) and the protocols' own (npm packages, installed by
the Makefile into node_modules and read from there, never copied into the repository)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from chain.npm import NODE_MODULES

ARTIFACTS = Path(__file__).resolve().parents[2] / "contracts" / "artifacts"


class ArtifactMissing(RuntimeError):
    """An artifact's file is not there (node_modules not installed, or a package without it)."""


@dataclass(frozen=True)
class Artifact:
    """A compiled contract: ``package`` is an npm package name, or "" for ours in contracts/artifacts."""

    path: str
    package: str = ""

    @property
    def file(self) -> Path:
        return NODE_MODULES / self.package / self.path if self.package else ARTIFACTS / f"{self.path}.json"

    @property
    def source(self) -> str:
        """Where the bytecode comes from, as ``txexplain devnet`` prints it."""
        if not self.package:
            origin = load_json(self.file).get("compiledFrom")  # a protocol's sources compiled by us
            return f"contracts/artifacts/{self.path}.json ({origin or 'ours'})"
        return f"npm {self.package}@{load_json(NODE_MODULES / self.package / 'package.json')['version']} {self.path}"

    def creation_code(self) -> bytes:
        """The creation bytecode (hardhat, truffle and waffle layouts alike)."""
        data = load_json(self.file)
        code = data.get("bytecode") or data.get("evm", {}).get("bytecode", {})
        if isinstance(code, dict):
            code = code.get("object", "")
        if not code:
            raise ArtifactMissing(f"{self.file} has no creation bytecode")
        return bytes.fromhex(code.removeprefix("0x"))


@cache
def load_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ArtifactMissing(f"{path} is missing (make node_modules/.installed installs the npm packages)") from exc


def load_artifact(name: str) -> dict[str, Any]:
    """One of our compiled artifacts (abi, bytecode, deployedBytecode)."""
    return load_json(ARTIFACTS / f"{name}.json")
