"""EIP-712 clear-signing descriptors from Ledger's crypto-assets list (npm ``@ledgerhq/cryptoassets-evm-signatures``,
``lib/data/eip712_v2.json``): for a well-known contract and schema, the contract's name and a label and format for
each field a user should see ("1inch Order — Send …, Receive minimum …").

A descriptor is found by ``chainId:verifyingContract:schemaHash``, the key Ledger's own hw-app-eth computes: the
schema hash is SHA-224 of ``JSON.stringify`` of the document's ``types`` with the type names, and each field's keys,
in sorted order (fields stay in their order). Labels come from the list only, never from the request; the values
shown beside them are the request's own, addresses and numbers as such and text sanitized.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address
from pydantic import BaseModel, Field

from chain.sanitize import sanitize_text

PACKAGE = "@ledgerhq/cryptoassets-evm-signatures"
DATA_FILE = "lib/data/eip712_v2.json"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "node_modules" / PACKAGE
MAX_VALUES = 16  # per field: an array path may expand to many


class LabelledField(BaseModel):
    """One field as the descriptor labels it, with the request's values at its path."""

    label: str
    path: str
    format: str = Field(description="raw | amount | token | datetime, as the descriptor gives it")
    values: list[Any] = Field(default_factory=list, description="The request's values at the path (addresses "
                              "EIP-55, integers as decimal strings, datetimes ISO 8601, text sanitized).")


class ClearSigning(BaseModel):
    """``typed_data.clear_signing``: the descriptor that matched, where it came from, and the labelled fields."""

    contract_name: str
    fields: list[LabelledField]
    key: str = Field(description="chainId:verifyingContract:schemaHash, the descriptor's key in the list")
    source: str = Field(description="The package, version and file the descriptor was read from.")
    source_sha256: str = Field(description="SHA-256 of that file.")


def schema_hash(types: dict[str, Any]) -> str:
    """Ledger's schema hash of an EIP-712 ``types`` object (see the module docstring)."""
    ordered = {name: [{k: f[k] for k in sorted(f)} if isinstance(f, dict) else f for f in fields]
               if isinstance(fields, list) else fields for name, fields in sorted(types.items())}
    text = json.dumps(ordered, separators=(",", ":"), ensure_ascii=False).replace(" ", "", 1)
    return hashlib.sha224(text.encode("utf-8")).hexdigest()


class Descriptors:
    """A loaded descriptor list: its entries, source and SHA-256."""

    def __init__(self, path: Path):
        raw = path.read_bytes()
        self.entries: dict[str, dict[str, Any]] = json.loads(raw)
        self.sha256 = hashlib.sha256(raw).hexdigest()
        self.source = _source_of(path)

    def describe(self, typed_data: dict[str, Any]) -> ClearSigning | None:
        """The labelled fields of ``typed_data`` when a descriptor matches its chain, contract and schema."""
        domain = typed_data.get("domain") or {}
        types = typed_data.get("types")
        contract = domain.get("verifyingContract")
        chain_id = _number(domain.get("chainId"))
        if not isinstance(types, dict) or not isinstance(contract, str) or chain_id is None:
            return None
        key = f"{chain_id}:{contract.lower()}:{schema_hash(types)}"
        entry = self.entries.get(key)
        if entry is None:
            return None
        message = typed_data.get("message") or {}
        fields = [LabelledField(label=sanitize_text(str(f.get("label", "")), 80), path=str(f.get("path", "")),
                                format=str(f.get("format", "raw")),
                                values=[_shown(v, str(f.get("format", "raw")))
                                        for v in _at(message, str(f.get("path", "")).split("."))][:MAX_VALUES])
                  for f in entry.get("fields", [])]
        name = sanitize_text(str((entry.get("contractName") or {}).get("label", "")), 80)
        return ClearSigning(contract_name=name, fields=fields, key=key, source=self.source, source_sha256=self.sha256)


def _source_of(path: Path) -> str:
    package = path.parents[2] / "package.json"
    try:
        meta = json.loads(package.read_text())
        return f"{meta['name']}@{meta['version']} {path.relative_to(package.parent)}"
    except (OSError, ValueError, KeyError):
        return str(path)


def _number(value: Any) -> int | None:
    try:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            return int(value, 16) if value.lower().startswith("0x") else int(value)
    except ValueError:
        return None
    return None


def _at(value: Any, path: list[str]) -> list[Any]:
    """The values at a descriptor path (``a.b``, ``a.[].b`` for every element of an array)."""
    if not path or path == [""]:
        return [value]
    head, rest = path[0], path[1:]
    if head == "[]":
        return [v for item in value for v in _at(item, rest)] if isinstance(value, list) else []
    if isinstance(value, dict) and head in value:
        return _at(value[head], rest)
    return []


def _shown(value: Any, fmt: str) -> Any:
    if isinstance(value, str) and is_address(value) and len(value) == 42:
        return to_checksum_address(value)
    number = value if isinstance(value, int) and not isinstance(value, bool) else _number(value)
    if number is not None and fmt in ("amount", "datetime", "raw"):
        if fmt == "datetime" and 0 < number < 253402300800:  # before year 10000
            return datetime.fromtimestamp(number, UTC).isoformat().replace("+00:00", "Z")
        return str(number)
    if isinstance(value, str):
        return sanitize_text(value, 128)
    if isinstance(value, bool) or value is None:
        return value
    return sanitize_text(json.dumps(value, default=str), 128)


_lock = threading.Lock()
_loaded: dict[Path, Descriptors | None] = {}
_configured: list[Path] = []


def configure(path: Path | None) -> None:
    """Use the descriptor list at ``path`` (another copy of eip712_v2.json: a newer list, or one outside the tree)
    instead of the installed package's; None goes back to the package."""
    _configured[:] = [Path(path)] if path is not None else []


def descriptors() -> Descriptors | None:
    """The descriptor list in use (the configured file, else the installed package), loaded once; None when it
    is absent or unreadable (typed data is then shown field by field, unlabelled)."""
    path = _configured[0] if _configured else DEFAULT_DIR / DATA_FILE
    with _lock:
        if path not in _loaded:
            try:
                _loaded[path] = Descriptors(path)
            except (OSError, ValueError):
                _loaded[path] = None
        return _loaded[path]


def clear_signing(typed_data: dict[str, Any]) -> ClearSigning | None:
    """The clear-signing view of ``typed_data`` from the list in use, or None."""
    loaded = descriptors()
    return loaded.describe(typed_data) if loaded is not None else None
