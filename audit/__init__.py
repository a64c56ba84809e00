"""audit/: an append-only ledger of every explanation. Stores what it is given."""

from audit.canonical import LEAF_PREFIX, canonical_json, leaf_hash
from audit.db import (
    AuditError,
    AuditWriteError,
    current_revision,
    downgrade,
    make_engine,
    session_factory,
    upgrade,
)
from audit.models import AuditRecord
from audit.store import Appended, RecordBody, append, count_records, get_record

__all__ = [
    "LEAF_PREFIX",
    "Appended",
    "AuditError",
    "AuditRecord",
    "AuditWriteError",
    "RecordBody",
    "append",
    "canonical_json",
    "count_records",
    "current_revision",
    "downgrade",
    "get_record",
    "leaf_hash",
    "make_engine",
    "session_factory",
    "upgrade",
]
