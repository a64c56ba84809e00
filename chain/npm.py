"""Where the npm packages the Makefile installs live (node_modules at the repository root), and their versions:
the one home of that path for the intelligence feeds and the devnet's protocol contracts."""

from __future__ import annotations

import json
from pathlib import Path

NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"


def package_version(package: str, root: Path | None = None) -> str:
    """The installed version of an npm package (``root``: another node_modules).

    Raises:
        OSError: the package is not installed.
    """
    return str(json.loads(((root or NODE_MODULES) / package / "package.json").read_text())["version"])
