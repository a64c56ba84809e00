"""rate buckets: the per-key token buckets replicas share when no Redis is configured

Revision ID: 0005_rate_buckets
Revises: 0004_api_keys
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_rate_buckets"
down_revision = "0004_api_keys"
branch_labels = None
depends_on = None

APP_ROLE = "txexplain_app"


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("at", sa.Float, nullable=False),  # epoch seconds on the database's clock
        sa.Column("allowed", sa.Boolean, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # the only table the service updates: buckets are state, not records (the ledger stays append-only)
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON rate_buckets TO {APP_ROLE}")


def downgrade() -> None:
    op.drop_table("rate_buckets")
