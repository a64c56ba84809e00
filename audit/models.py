"""The audit table. Its columns are a contract: tests/test_audit_schema.py pins them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class AuditRecord(Base):
    """One explained request: inputs, outputs, model call, tool calls, and its leaf hash."""

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
    schema_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")
