"""The audit tables. Their columns are a contract: tests/test_audit_schema.py pins them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class AuditRecord(Base):
    """One explained request: inputs, outputs, model call, tool calls; its leaf and chain hashes."""

    __tablename__ = "audit_records"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)  # ULID
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    chain_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    verdict: Mapped[str] = mapped_column(String(8), nullable=False, index=True)
    request: Mapped[Any] = mapped_column(JSONType, nullable=False)
    result: Mapped[Any] = mapped_column(JSONType, nullable=False)
    model: Mapped[Any] = mapped_column(JSONType, nullable=False)
    sampling: Mapped[Any] = mapped_column(JSONType, nullable=True)
    prompt: Mapped[str | None] = mapped_column(Text, nullable=True)
    raw_output: Mapped[str | None] = mapped_column(Text, nullable=True)
    validator: Mapped[Any] = mapped_column(JSONType, nullable=False)
    tool_calls: Mapped[Any] = mapped_column(JSONType, nullable=False)
    policy_version: Mapped[str] = mapped_column(String(64), nullable=False)
    policy_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    canonical: Mapped[str] = mapped_column(Text, nullable=False)  # RFC 8785 JSON the leaf is hashed over
    leaf_hash: Mapped[str] = mapped_column(String(66), nullable=False, unique=True)
    schema_version: Mapped[int] = mapped_column(Integer, nullable=False, default=2, server_default="1")
    chain_hash: Mapped[str] = mapped_column(String(66), nullable=False)  # SHA-256(prev chain ‖ leaf)
    tenant: Mapped[str] = mapped_column(String(64), nullable=False, default="default", server_default="default",
                                        index=True)
    model_name: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    cid: Mapped[str | None] = mapped_column(String(100), nullable=True)  # CIDv1 raw of the canonical bytes
    narrative_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class AuditRecordTerm(Base):
    """Search terms of a record (addresses it involves, rules that fired), for indexed filters."""

    __tablename__ = "audit_record_terms"
    __table_args__ = (Index("ix_audit_record_terms_lookup", "kind", "value", "seq"),)

    record_id: Mapped[str] = mapped_column(ForeignKey("audit_records.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # address | rule
    value: Mapped[str] = mapped_column(String(100), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)


class Checkpoint(Base):
    """A signed statement of the ledger's state: size, Merkle root, chain head, time."""

    __tablename__ = "audit_checkpoints"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    root_hash: Mapped[str] = mapped_column(String(66), nullable=False)
    chain_head: Mapped[str] = mapped_column(String(66), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    signed: Mapped[str] = mapped_column(Text, nullable=False)  # the exact bytes signed (RFC 8785 JSON)
    key_id: Mapped[str] = mapped_column(String(16), nullable=False)
    public_key: Mapped[str] = mapped_column(String(66), nullable=False)
    signature: Mapped[str] = mapped_column(String(130), nullable=False)
    cid: Mapped[str | None] = mapped_column(String(100), nullable=True)


class PinTask(Base):
    """Outbox of IPFS pins: the only mutable audit table (status moves pending → pinned | failed)."""

    __tablename__ = "audit_pin_outbox"
    __table_args__ = (UniqueConstraint("target_kind", "target_id", name="uq_audit_pin_outbox_target"),
                      Index("ix_audit_pin_outbox_due", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    target_kind: Mapped[str] = mapped_column(String(16), nullable=False)  # record | checkpoint
    target_id: Mapped[str] = mapped_column(String(32), nullable=False)
    cid: Mapped[str] = mapped_column(String(100), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    pinned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ApiKey(Base):
    """An API key: only a salted SHA-256 of its secret is stored; ``id`` is the public part of the key."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)  # client | auditor
    salt: Mapped[str] = mapped_column(String(32), nullable=False)  # hex
    secret_sha256: Mapped[str] = mapped_column(String(64), nullable=False)  # hex of sha256(salt ‖ secret)
    rate_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: the settings' default
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RateBucket(Base):
    """One API key's token bucket, shared by the replicas on this database when no Redis is configured."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float, nullable=False)
    at: Mapped[float] = mapped_column(Float, nullable=False)  # epoch seconds on the database's clock
    allowed: Mapped[bool] = mapped_column(Boolean, nullable=False)  # whether the last take was allowed


class TreeNode(Base):
    """An interior node of the Merkle tree: the root of leaves [idx·2^level, (idx+1)·2^level) (audit.tree)."""

    __tablename__ = "audit_tree_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[str] = mapped_column(String(66), nullable=False)
