"""narrative key: the second tier of the narrative cache

Revision ID: 0003_narrative_key
Revises: 0002_ledger
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_narrative_key"
down_revision = "0002_ledger"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, no batch copy: on SQLite a table copy would trip the foreign keys that
# audit_record_terms holds on audit_records (SQLite ≥ 3.35 drops columns natively).


def upgrade() -> None:
    op.add_column("audit_records", sa.Column("narrative_key", sa.String(64), nullable=True))
    op.create_index("ix_audit_records_narrative_key", "audit_records", ["narrative_key"])


def downgrade() -> None:
    op.drop_index("ix_audit_records_narrative_key", table_name="audit_records")
    op.execute("ALTER TABLE audit_records DROP COLUMN narrative_key")
