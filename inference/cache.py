"""The narrative cache: an in-process LRU in front of a second tier (the audit store, wired by app/)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from inference.lru import Lru

VALIDATOR_VERSION = "5"  # bump when the validator's rules change: old narratives are no longer trusted
Cached = dict[str, Any]  # {"narrative": text, "claims": [ids] | None, "mode": "claims" | "free"}


SHARED_SCOPE = "*"  # the scope of a narrative cache shared by every tenant (an explicit setting)


def narrative_key(identity: dict[str, Any], policy: dict[str, str], sampling: dict[str, Any],
                  facts: dict[str, Any], scope: str = SHARED_SCOPE) -> str:
    """sha256 over the sorted, compact JSON of what determines a narrative (Python's JSON, not RFC 8785: the
    facts carry integers up to 2^256 that JCS refuses). ``scope`` is the tenant whose cache it is: one tenant's
    request never hits another's narrative (a hit answers in milliseconds, which would tell B what A asked)."""
    material = {"model": identity, "policy": policy, "sampling": sampling, "facts": facts,
                "validator": VALIDATOR_VERSION, "scope": scope}
    return hashlib.sha256(json.dumps(material, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class NarrativeCache:
    """Accepted narratives (with their claim ids and mode) by key; ``second_tier(key)`` is asked on a local miss.

    Rejections are kept too (in process only): sampling is seeded, so the same key gives the same output and
    the same rejection; asking again would only spend a model slot. Engine errors are never kept.
    """

    def __init__(self, capacity: int = 1024, second_tier: Callable[[str], Cached | None] | None = None):
        self.second_tier = second_tier
        self._items: Lru[Cached] = Lru(capacity)
        self._rejected: Lru[tuple[str, str]] = Lru(capacity)

    def rejection(self, key: str) -> tuple[str, str] | None:
        """(reason code, reason text) of the validator's earlier rejection under ``key``, if kept."""
        return self._rejected.get(key)

    def put_rejection(self, key: str, code: str, reason: str) -> None:
        self._rejected.put(key, (code, reason))

    def get(self, key: str) -> Cached | None:
        if (local := self._items.get(key)) is not None:
            return local
        try:
            found = self.second_tier(key) if self.second_tier else None
        except Exception:  # a broken second tier is a miss; the audit write reports the outage
            found = None
        if found is not None:
            self.put(key, found)
        return found

    def put(self, key: str, narrative: Cached) -> None:
        self._items.put(key, narrative)
