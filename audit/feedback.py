"""A user's decision about an explained request, as an audit record of kind ``feedback`` linked to it: what the
wallet user did (proceeded, rejected) or said (reported_malicious, false_positive), and the rules that had fired —
copied in, so the override rate of each rule is read from the ledger alone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ulid import ULID

from audit.kinds import RecordKind
from audit.models import AuditRecord
from audit.record import RecordBody

KIND = RecordKind.FEEDBACK
DECISIONS = ("proceeded", "rejected", "reported_malicious", "false_positive")
OVERRIDES = ("proceeded", "false_positive")  # the user went against the findings, or said they were wrong


def feedback_record(parent: AuditRecord, decision: str, comment: str | None, tenant: str,
                    policy: dict[str, str]) -> RecordBody:
    """The feedback record about ``parent`` (same tenant as the caller's)."""
    record_id = str(ULID())
    rules = [f["rule"] for f in parent.result.get("findings", []) if isinstance(f, dict) and "rule" in f]
    result: dict[str, Any] = {"id": record_id, "feedback_for": parent.id, "parent_leaf_hash": parent.leaf_hash,
                              "decision": decision, "comment": comment, "rules": rules,
                              "parent_verdict": parent.verdict}
    return RecordBody(id=record_id, created_at=datetime.now(UTC), kind=KIND, chain_id=parent.chain_id,
                      verdict=parent.verdict, request={"record_id": parent.id, "decision": decision,
                                                       "comment": comment},
                      result=result, model={}, sampling=None, prompt=None, raw_output=None, validator={},
                      tool_calls=[], policy=policy, tenant=tenant)
