"""tree nodes: the Merkle tree's interior nodes, so proofs read O(log n) hashes

Revision ID: 0006_tree_nodes
Revises: 0005_rate_buckets
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_tree_nodes"
down_revision = "0005_rate_buckets"
branch_labels = None
depends_on = None

APP_ROLE = "txexplain_app"


def upgrade() -> None:
    op.create_table(
        "audit_tree_nodes",
        sa.Column("level", sa.Integer, primary_key=True),
        sa.Column("idx", sa.BigInteger, primary_key=True),
        sa.Column("hash", sa.String(66), nullable=False),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # derived data, not records: the sequencer upserts a block's root when the block is complete again
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON audit_tree_nodes TO {APP_ROLE}")
    from audit.merkle import Frontier  # the nodes of the records already stored

    frontier, rows = Frontier(), []
    for (leaf,) in bind.execute(sa.text("SELECT leaf_hash FROM audit_records ORDER BY seq")):
        rows += [{"level": level, "idx": index, "hash": "0x" + node.hex()}
                 for level, index, node in frontier.append(bytes.fromhex(leaf[2:]))]
    if rows:
        op.bulk_insert(sa.table("audit_tree_nodes", sa.column("level"), sa.column("idx"), sa.column("hash")), rows)


def downgrade() -> None:
    op.drop_table("audit_tree_nodes")
