"""`txexplain keys …`: API keys in TXEXPLAIN_DATABASE_URL (only a salted hash of each is stored)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console

from app.errors import InvalidInput, NotFound

keys_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)


@keys_app.command()
def create(
    tenant: Annotated[str | None, typer.Option(help="Tenant the key acts for.")] = None,
    role: Annotated[str, typer.Option(help="client, or auditor to read every tenant's records.")] = "client",
    rate: Annotated[int | None, typer.Option(help="Requests per minute for this key.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """`keys create --tenant acme [--role auditor]` prints the key once."""
    from app.auth import create_key
    from app.cli.audit import open_sessions

    if not tenant:
        raise InvalidInput("tenant", "--tenant is required to create a key")
    try:
        key, row = create_key(open_sessions(), tenant, role, rate)
    except ValueError as exc:
        raise InvalidInput("role" if "role" in str(exc) else "tenant", str(exc)) from None
    out = {"id": row.id, "tenant": row.tenant, "role": row.role, "rate_per_minute": row.rate_per_minute, "key": key}
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
    else:
        Console().print(f"key for tenant {row.tenant} ({row.role}), id {row.id} — shown once:\n{key}")


@keys_app.command("list")
def list_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every key, revoked ones with their revocation time."""
    from app.auth import list_keys
    from app.cli.audit import open_sessions

    rows = [{"id": k.id, "tenant": k.tenant, "role": k.role, "rate_per_minute": k.rate_per_minute,
             "created_at": k.created_at.isoformat(),
             "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None} for k in list_keys(open_sessions())]
    sys.stdout.write(json.dumps(rows, indent=None if as_json else 2) + "\n")


@keys_app.command()
def revoke(key_id: Annotated[str | None, typer.Option("--id", help="Key id.")] = None) -> None:
    """`keys revoke --id ID`."""
    from app.auth import revoke_key
    from app.cli.audit import open_sessions

    if not key_id or not revoke_key(open_sessions(), key_id):
        raise NotFound("id", f"no key with id {key_id!r}", "No such key")
    Console().print(f"revoked {key_id}")
