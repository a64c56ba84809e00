"""Operator feeds: address and domain lists an operator imports (``txexplain intel import``) — an export of a scam
database, a sanctions list, a tenant's own denylist — kept as one JSON file each in the intel directory
(TXEXPLAIN_INTEL_DIR), with their provenance (source, version, fetch time, sha256, entry count). Lookups are in
memory: each address feed is one sorted blob of 20-byte keys searched by bisection (1M addresses ≈ 20 MB), so no
request waits on a file or a network."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eth_utils import to_checksum_address

from chain.intel.feeds import Provenance

CATEGORIES = {"malicious": "addresses", "sanctioned": "addresses", "labels": "addresses", "phishing": "domains"}
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
_lock = threading.Lock()
_directory: Path | None = None
_loaded: OperatorFeeds | None = None


class FeedError(ValueError):
    """A feed file that cannot be imported; the message names the entry (line or item) at fault."""


@dataclass(frozen=True)
class FeedMeta:
    """What is known of one imported feed besides its entries."""

    feed: str
    category: str
    source: str
    version: str
    fetched_at: str
    sha256: str
    entries: int
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    checked_at: str | None = None
    last_error: str | None = None
    max_age_s: float | None = None

    @property
    def provenance(self) -> Provenance:
        return Provenance(feed=self.feed, source=self.source, version=self.version, sha256=self.sha256,
                          entries=self.entries)

    def age_s(self, now: datetime | None = None) -> float:
        """Seconds since the feed was last fetched or confirmed unchanged."""
        moment = datetime.fromisoformat(self.checked_at or self.fetched_at)
        return ((now or datetime.now(UTC)) - moment).total_seconds()

    def stale(self, now: datetime | None = None) -> bool:
        return self.max_age_s is not None and self.age_s(now) > self.max_age_s


class AddressSet:
    """Sorted 20-byte keys in one bytes object; membership by bisection. Labels only where the feed gave them."""

    def __init__(self, keys: list[bytes], labels: dict[bytes, str]):
        self._blob = b"".join(sorted(set(keys)))
        self._labels = labels

    def __len__(self) -> int:
        return len(self._blob) // 20

    def find(self, address: str) -> tuple[bool, str | None]:
        """(listed, label) for a 0x address."""
        key = bytes.fromhex(address[2:].lower())
        low, high = 0, len(self)
        while low < high:
            mid = (low + high) // 2
            probe = self._blob[mid * 20:(mid + 1) * 20]
            if probe < key:
                low = mid + 1
            elif probe > key:
                high = mid
            else:
                return True, self._labels.get(key)
        return False, None


@dataclass
class OperatorFeeds:
    """Every imported feed, loaded: address sets and domain sets by feed, with their metadata."""

    meta: dict[str, FeedMeta] = field(default_factory=dict)
    addresses: dict[str, AddressSet] = field(default_factory=dict)
    domains: dict[str, frozenset[str]] = field(default_factory=dict)

    def listed(self, category: str, address: str) -> list[tuple[FeedMeta, str | None]]:
        """The feeds of ``category`` that list ``address``, each with the label it gave."""
        hits = []
        for name, entries in self.addresses.items():
            if self.meta[name].category == category:
                found, label = entries.find(address)
                if found:
                    hits.append((self.meta[name], label))
        return hits

    def listed_domain(self, host: str) -> FeedMeta | None:
        """The first phishing feed listing ``host`` or a parent domain of it."""
        parts = host.split(".")
        candidates = {".".join(parts[i:]) for i in range(len(parts) - 1)}
        for name, entries in self.domains.items():
            if candidates & entries:
                return self.meta[name]
        return None


def configure(directory: Path | None) -> None:
    """Where feeds live (the service's TXEXPLAIN_INTEL_DIR); drops what was loaded."""
    global _directory, _loaded
    with _lock:
        _directory, _loaded = directory, None


def feed_dir() -> Path | None:
    return _directory


def operator_feeds() -> OperatorFeeds:
    """The imported feeds, loaded once per configuration or reload (empty without a directory)."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _load(_directory)
        return _loaded


def reload() -> None:
    """Read the directory again (after an import or a refresh)."""
    global _loaded
    fresh = _load(_directory)
    with _lock:
        _loaded = fresh


def _load(directory: Path | None) -> OperatorFeeds:
    feeds = OperatorFeeds()
    if directory is None or not directory.is_dir():
        return feeds
    for path in sorted(directory.glob("*.json")):
        try:
            stored = json.loads(path.read_text())
            meta = FeedMeta(**stored["meta"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a half-written or foreign file is not a feed
        feeds.meta[meta.feed] = meta
        if CATEGORIES[meta.category] == "domains":
            feeds.domains[meta.feed] = frozenset(stored["entries"])
        else:
            keys = [bytes.fromhex(e[2:]) for e, _ in stored["entries"]]
            labels = {bytes.fromhex(e[2:]): label for e, label in stored["entries"] if label}
            feeds.addresses[meta.feed] = AddressSet(keys, labels)
    return feeds


def parse_feed(raw: bytes, category: str) -> list[tuple[str, str | None]]:
    """The (entry, label) pairs of a JSON or CSV list: a JSON array of strings or of objects (``address`` or
    ``domain``, optional ``label``/``name``), a JSON object of arrays (ScamSniffer's ``{"address": [...],
    "domains": [...]}``), or CSV / one entry a line (a header naming ``address`` or ``domain`` picks the column;
    ``#`` lines are comments). Addresses come back lowercase; a mixed-case one must carry a valid EIP-55 checksum.

    Raises:
        FeedError: not parseable, no entries, or an entry that is not an address (domain); names the entry.
    """
    kind = CATEGORIES[category]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedError(f"not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip()
    items = _json_items(stripped, kind) if stripped[:1] in ("[", "{") else _csv_items(text, kind)
    out = [(_entry(value, kind, where), label) for value, label, where in items]
    if not out:
        raise FeedError("the file lists no entry")
    return out


def _json_items(text: str, kind: str) -> list[tuple[Any, str | None, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    key = "address" if kind == "addresses" else "domain"
    if isinstance(data, dict):  # {"address": [...], "domains": [...]}: the lists of this feed's kind
        wanted = ("address", "addresses") if kind == "addresses" else ("domain", "domains")
        data = [v for k in wanted for v in data.get(k) or []]
    if not isinstance(data, list):
        raise FeedError("JSON must be an array, or an object of arrays")
    items = []
    for i, item in enumerate(data):
        if isinstance(item, dict):
            label = item.get("label") or item.get("name")
            items.append((item.get(key), str(label)[:128] if label else None, f"item {i}"))
        else:
            items.append((item, None, f"item {i}"))
    return items


def _csv_items(text: str, kind: str) -> list[tuple[Any, str | None, str]]:
    rows = [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), 1)
            if row and row[0].strip() and not row[0].lstrip().startswith("#")]
    column, label_at = 0, None
    key = "address" if kind == "addresses" else "domain"
    if rows and key in [c.strip().lower() for c in rows[0][1]]:
        header = [c.strip().lower() for c in rows[0][1]]
        column = header.index(key)
        label_at = next((header.index(k) for k in ("label", "name") if k in header), None)
        rows = rows[1:]
    return [(row[column].strip() if column < len(row) else None,
             row[label_at].strip()[:128] or None if label_at is not None and label_at < len(row) else None,
             f"line {n}") for n, row in rows]


def _entry(value: Any, kind: str, where: str) -> str:
    if not isinstance(value, str):
        raise FeedError(f"{where}: {str(value)[:60]!r} is not {'an address' if kind == 'addresses' else 'a domain'}")
    value = value.strip()
    if kind == "domains":
        domain = value.lower().rstrip(".")
        if "://" in domain:
            domain = domain.split("://", 1)[1].split("/", 1)[0]
        if not _DOMAIN.match(domain):
            raise FeedError(f"{where}: {value[:60]!r} is not a domain")
        return domain
    if not _ADDRESS.match(value):
        raise FeedError(f"{where}: {value[:60]!r} is not an address (0x and 40 hex digits)")
    if value[2:] not in (value[2:].lower(), value[2:].upper()) and to_checksum_address(value) != value:
        raise FeedError(f"{where}: {value} has an invalid EIP-55 checksum")
    return value.lower()


def store_feed(name: str, category: str, raw: bytes, source: str, *, version: str | None = None,
               url: str | None = None, etag: str | None = None, last_modified: str | None = None,
               max_age_s: float | None = None) -> FeedMeta:
    """Parse ``raw`` and write it as feed ``name`` (atomically: a reader sees the old file or the new one).

    Raises:
        FeedError: a bad name or category, or a file :func:`parse_feed` refuses (nothing is written then).
    """
    if not NAME.match(name):
        raise FeedError(f"feed name {name!r}: lowercase letters, digits, '.', '_' and '-', at most 64")
    if category not in CATEGORIES:
        raise FeedError(f"category {category!r}: one of {', '.join(CATEGORIES)}")
    directory = _directory
    if directory is None:
        raise FeedError("no intel directory is configured (TXEXPLAIN_INTEL_DIR)")
    entries = parse_feed(raw, category)
    digest = hashlib.sha256(raw).hexdigest()
    now = datetime.now(UTC).isoformat()
    meta = FeedMeta(feed=name, category=category, source=source, version=version or f"sha256:{digest[:16]}",
                    fetched_at=now, sha256=digest, entries=len({e for e, _ in entries}), url=url, etag=etag,
                    last_modified=last_modified, checked_at=now, max_age_s=max_age_s)
    stored = entries if CATEGORIES[category] == "addresses" else sorted({e for e, _ in entries})
    _write(directory, name, {"meta": vars(meta), "entries": stored})
    return meta


def update_meta(name: str, **changes: Any) -> FeedMeta:
    """Rewrite feed ``name``'s metadata only (a refresh that found it unchanged, or failed), entries kept.

    Raises:
        FeedError: no such feed.
    """
    if _directory is None or not (_directory / f"{name}.json").exists():
        raise FeedError(f"no feed named {name!r}")
    stored = json.loads((_directory / f"{name}.json").read_text())
    stored["meta"].update(changes)
    _write(_directory, name, stored)
    return FeedMeta(**stored["meta"])


def remove_feed(name: str) -> None:
    """Delete feed ``name``.

    Raises:
        FeedError: no such feed.
    """
    if _directory is None or not (_directory / f"{name}.json").exists():
        raise FeedError(f"no feed named {name!r}")
    (_directory / f"{name}.json").unlink()


def _write(directory: Path, name: str, stored: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    with os.fdopen(handle, "w") as out:
        json.dump(stored, out, separators=(",", ":"))
    os.replace(temporary, directory / f"{name}.json")
