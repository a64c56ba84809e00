"""Alembic migrations for the audit store (see audit.db.upgrade)."""
