"""audit records

Revision ID: 0001_audit_records
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001_audit_records"
down_revision = None
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "audit_records",
        sa.Column("id", sa.String(26), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("request", JSONType, nullable=False),
        sa.Column("result", JSONType, nullable=False),
        sa.Column("model", JSONType, nullable=False),
        sa.Column("sampling", JSONType, nullable=True),
        sa.Column("prompt", sa.Text(), nullable=True),
        sa.Column("raw_output", sa.Text(), nullable=True),
        sa.Column("validator", JSONType, nullable=False),
        sa.Column("tool_calls", JSONType, nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("policy_sha256", sa.String(64), nullable=False),
        sa.Column("canonical", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(66), nullable=False, unique=True),
        sa.Column("schema_version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.create_index("ix_audit_records_verdict", "audit_records", ["verdict"])
    op.create_index("ix_audit_records_created_at", "audit_records", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_records_created_at", table_name="audit_records")
    op.drop_index("ix_audit_records_verdict", table_name="audit_records")
    op.drop_table("audit_records")
