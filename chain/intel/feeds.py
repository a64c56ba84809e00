"""Where a feed came from: its package (or file), version, the sha256 of its bytes and its entry count, so any
verdict can be traced to the exact list that produced it. Feeds are read from the npm packages the Makefile
installs (never copied into the repository); a feed that is absent is reported, not guessed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from chain.npm import NODE_MODULES, package_version

__all__ = ["NODE_MODULES", "Provenance", "read_package_json"]


@dataclass(frozen=True)
class Provenance:
    """One feed's identity, carried in the evidence of every finding it supports."""

    feed: str
    source: str  # package@version and file, or the file an operator imported
    version: str
    sha256: str
    entries: int

    def evidence(self) -> dict[str, Any]:
        return {"feed": self.feed, "source": self.source, "version": self.version, "sha256": self.sha256}


def read_package_json(package: str, file: str) -> tuple[Any, str, str]:
    """(parsed JSON, "package@version file", sha256) of ``file`` in the installed npm ``package``.

    Raises:
        OSError: the package is not installed. ValueError: the file is not JSON.
    """
    raw = (NODE_MODULES / package / file).read_bytes()
    version = package_version(package, NODE_MODULES)
    return json.loads(raw), f"{package}@{version} {file}", hashlib.sha256(raw).hexdigest()
