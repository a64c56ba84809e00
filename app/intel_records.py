"""Feed imports and refreshes as audit records (kind ``intel_feed``): which list, from where, which version and
sha256, so a verdict's evidence can be traced to the exact list version that was loaded when it was given."""

from __future__ import annotations

from datetime import UTC, datetime

from ulid import ULID

from audit import Ledger, RecordBody
from chain.intel.operator import FeedMeta

KIND = "intel_feed"


def feed_record(meta: FeedMeta, action: str, policy: dict[str, str]) -> RecordBody:
    """The audit record of ``action`` (imported | updated | removed) on feed ``meta``."""
    request = {"action": action, "feed": meta.feed, "category": meta.category, "source": meta.source,
               "url": meta.url}
    result = {"id": None, "feed": meta.feed, "category": meta.category, "version": meta.version,
              "sha256": meta.sha256, "entries": meta.entries, "fetched_at": meta.fetched_at, "etag": meta.etag}
    record_id = str(ULID())
    return RecordBody(id=record_id, created_at=datetime.now(UTC), kind=KIND, chain_id=0, verdict="ok",
                      request=request, result={**result, "id": record_id}, model={}, sampling=None, prompt=None,
                      raw_output=None, validator={}, tool_calls=[], policy=policy, tenant="default")


def append_feed_record(ledger: Ledger, meta: FeedMeta, action: str, policy: dict[str, str]) -> str:
    """Write the record; returns its id.

    Raises:
        AuditWriteError: it could not be written.
    """
    return ledger.append(feed_record(meta, action, policy)).id
