"""ledger: chain hashes, tenant, search terms, signed checkpoints, pin outbox, append-only guards

Revision ID: 0002_ledger
Revises: 0001_audit_records
Create Date: 2026-11-24
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0002_ledger"
down_revision = "0001_audit_records"
branch_labels = None
depends_on = None

APPEND_ONLY = ("audit_records", "audit_record_terms", "audit_checkpoints")
APP_ROLE = "txexplain_app"


def _rows(bind: sa.engine.Connection) -> list[dict]:
    rows = bind.execute(sa.text("SELECT id, seq, leaf_hash, canonical, model, request, result "
                                "FROM audit_records ORDER BY seq")).mappings().all()
    return [{k: (json.loads(v) if k in ("model", "request", "result") and isinstance(v, str) else v)
             for k, v in row.items()} for row in rows]


def _backfill_columns(bind: sa.engine.Connection) -> None:
    """Chain hashes, model names and CIDs for records written before this revision."""
    from audit.cid import cid_v1_raw

    chain = bytes(32)
    for row in _rows(bind):
        chain = hashlib.sha256(chain + bytes.fromhex(row["leaf_hash"][2:])).digest()
        bind.execute(sa.text("UPDATE audit_records SET chain_hash = :chain, model_name = :name, cid = :cid "
                             "WHERE id = :id"),
                     {"chain": "0x" + chain.hex(), "name": row["model"].get("name"),
                      "cid": cid_v1_raw(row["canonical"].encode("utf-8")), "id": row["id"]})


def _backfill_terms(bind: sa.engine.Connection) -> None:
    """Search terms for records written before this revision."""
    from audit.terms import record_terms

    for row in _rows(bind):
        for kind, value in sorted(record_terms(row["request"], row["result"])):
            bind.execute(sa.text("INSERT INTO audit_record_terms (record_id, kind, value, seq) "
                                 "VALUES (:id, :kind, :value, :seq)"),
                         {"id": row["id"], "kind": kind, "value": value, "seq": row["seq"]})


def upgrade() -> None:
    with op.batch_alter_table("audit_records") as batch:
        batch.add_column(sa.Column("chain_hash", sa.String(66), nullable=True))
        batch.add_column(sa.Column("tenant", sa.String(64), nullable=False, server_default="default"))
        batch.add_column(sa.Column("model_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("cid", sa.String(100), nullable=True))
    _backfill_columns(op.get_bind())
    with op.batch_alter_table("audit_records") as batch:
        batch.alter_column("chain_hash", existing_type=sa.String(66), nullable=False)
        batch.create_index("ix_audit_records_tenant", ["tenant"])
        batch.create_index("ix_audit_records_model_name", ["model_name"])
    op.create_table(
        "audit_record_terms",
        sa.Column("record_id", sa.String(26), sa.ForeignKey("audit_records.id"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(100), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_audit_record_terms_lookup", "audit_record_terms", ["kind", "value", "seq"])
    _backfill_terms(op.get_bind())
    op.create_table(
        "audit_checkpoints",
        sa.Column("size", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("root_hash", sa.String(66), nullable=False),
        sa.Column("chain_head", sa.String(66), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signed", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("public_key", sa.String(66), nullable=False),
        sa.Column("signature", sa.String(130), nullable=False),
        sa.Column("cid", sa.String(100), nullable=True),
    )
    op.create_table(
        "audit_pin_outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(32), nullable=False),
        sa.Column("cid", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("target_kind", "target_id", name="uq_audit_pin_outbox_target"),
    )
    op.create_index("ix_audit_pin_outbox_due", "audit_pin_outbox", ["status", "next_attempt_at"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_guards()


def _postgres_guards() -> None:
    """BEFORE UPDATE/DELETE/TRUNCATE triggers that raise, and an app role with SELECT and INSERT only."""
    op.execute("""
        CREATE OR REPLACE FUNCTION txexplain_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$""")
    for table in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION txexplain_append_only()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION txexplain_append_only()")
    op.execute(f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} NOLOGIN;
            END IF;
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO {APP_ROLE}', current_schema());
        END $$""")
    for table in APPEND_ONLY:
        op.execute(f"GRANT SELECT, INSERT ON {table} TO {APP_ROLE}")
    op.execute(f"GRANT SELECT ON alembic_version TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON audit_pin_outbox TO {APP_ROLE}")
    op.execute(f"GRANT USAGE ON SEQUENCE audit_pin_outbox_id_seq TO {APP_ROLE}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"REVOKE ALL ON audit_records FROM {APP_ROLE}")
        op.execute(f"REVOKE ALL ON alembic_version FROM {APP_ROLE}")
        op.execute("DROP FUNCTION IF EXISTS txexplain_append_only() CASCADE")
        op.execute("""
            DO $$ BEGIN
                EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM txexplain_app', current_schema());
            END $$""")
    op.drop_index("ix_audit_pin_outbox_due", table_name="audit_pin_outbox")
    op.drop_table("audit_pin_outbox")
    op.drop_table("audit_checkpoints")
    op.drop_index("ix_audit_record_terms_lookup", table_name="audit_record_terms")
    op.drop_table("audit_record_terms")
    with op.batch_alter_table("audit_records") as batch:
        batch.drop_index("ix_audit_records_model_name")
        batch.drop_index("ix_audit_records_tenant")
        batch.drop_column("cid")
        batch.drop_column("model_name")
        batch.drop_column("tenant")
        batch.drop_column("chain_hash")
