"""audit/: an append-only, hash-chained, Merkle-checkpointed ledger of every explanation."""

from audit.canonical import canonical_json
from audit.cid import cid_v1_raw
from audit.db import (
    AUDIT_FAILURES,
    STORE_UNAVAILABLE,
    AuditError,
    AuditWriteError,
    current_revision,
    downgrade,
    failure_text,
    make_engine,
    session_factory,
    upgrade,
)
from audit.hashing import LEAF_PREFIX, leaf_hash
from audit.ledger import Appended, Ledger
from audit.models import AuditRecord, Checkpoint, PinTask
from audit.queries import (
    RecordFilter,
    cached_narrative,
    checkpoint_at,
    checkpoint_json,
    count_records,
    export_records,
    get_record,
    latest_checkpoint,
    ledger_consistency,
    pin_status,
    record_inclusion,
    record_summary,
    search_records,
)
from audit.record import RecordBody
from audit.signing import Signer
from audit.verify import (
    VerificationError,
    VerifyReport,
    verify_checkpoint,
    verify_extends,
    verify_ledger,
    verify_record_proof,
)

__all__ = ["AUDIT_FAILURES", "LEAF_PREFIX", "STORE_UNAVAILABLE", "Appended", "AuditError", "AuditRecord",
           "AuditWriteError", "Checkpoint", "Ledger", "PinTask", "RecordBody", "RecordFilter", "Signer",
           "VerificationError", "VerifyReport", "cached_narrative", "canonical_json", "checkpoint_at",
           "checkpoint_json", "cid_v1_raw", "count_records", "current_revision", "downgrade", "export_records",
           "failure_text", "get_record", "latest_checkpoint", "leaf_hash", "ledger_consistency", "make_engine",
           "pin_status", "record_inclusion", "record_summary", "search_records", "session_factory", "upgrade",
           "verify_checkpoint", "verify_extends", "verify_ledger", "verify_record_proof"]
