"""Feed imports and refreshes as audit records (kind ``intel_feed``): which list, from where, which version and
sha256, so a verdict's evidence can be traced to the exact list version that was loaded when it was given."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from ulid import ULID

from audit import Ledger, RecordBody
from audit.kinds import RecordKind
from audit.models import AuditRecord
from chain.intel.bundled import bundled_feeds
from chain.intel.operator import FeedMeta

KIND = RecordKind.INTEL_FEED


def feed_record(meta: FeedMeta, action: str, policy: dict[str, str]) -> RecordBody:
    """The audit record of ``action`` (imported | updated | removed) on feed ``meta``."""
    request = {"action": action, "feed": meta.feed, "category": meta.category, "source": meta.source,
               "url": meta.url}
    return _body(request, {"feed": meta.feed, "category": meta.category, "version": meta.version,
                           "sha256": meta.sha256, "entries": meta.entries, "fetched_at": meta.fetched_at,
                           "etag": meta.etag}, policy)


def _body(request: dict[str, object], result: dict[str, object], policy: dict[str, str]) -> RecordBody:
    record_id = str(ULID())
    return RecordBody(id=record_id, created_at=datetime.now(UTC), kind=KIND, chain_id=0, verdict="ok",
                      request=request, result={"id": record_id, **result}, model={}, sampling=None, prompt=None,
                      raw_output=None, validator={}, tool_calls=[], policy=policy, tenant="default")


def record_bundled_feeds(sessions: sessionmaker[Session], ledger: Ledger, policy: dict[str, str]) -> list[str]:
    """An ``intel_feed`` record (action ``loaded``) for each bundled list whose (feed, sha256) the ledger has not
    recorded yet, so the lists a verdict was given on are in the ledger too; returns the new records' ids.

    Raises:
        AuditWriteError: a record could not be written.
    """
    with sessions() as session:
        seen = {(r.get("feed"), r.get("sha256"))
                for r in session.scalars(select(AuditRecord.result).where(AuditRecord.kind == KIND))}
    fresh = [p for p in bundled_feeds() if (p.feed, p.sha256) not in seen]
    return [ledger.append(_body({"action": "loaded", "feed": p.feed, "category": "bundled", "source": p.source},
                                {"feed": p.feed, "category": "bundled", "version": p.version, "sha256": p.sha256,
                                 "entries": p.entries}, policy)).id
            for p in fresh]


def append_feed_record(ledger: Ledger, meta: FeedMeta, action: str, policy: dict[str, str]) -> str:
    """Write the record; returns its id.

    Raises:
        AuditWriteError: it could not be written.
    """
    return ledger.append(feed_record(meta, action, policy)).id
