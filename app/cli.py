"""The txexplain command line (typer)."""

from __future__ import annotations

import asyncio
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from app.audit_cli import audit_app
from app.settings import settings

app = typer.Typer(help="txexplain: what a transaction really does, before you sign it.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
db_app = typer.Typer(help="Audit database commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
err = Console(stderr=True)

EXIT_INVALID = 2
EXIT_FAILED = 3


class FailOn(StrEnum):
    warn = "warn"
    block = "block"


def _read_request(file: str) -> object:
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text()
    except OSError as exc:
        err.print(f"error: cannot read {file}: {exc.strerror}")
        raise typer.Exit(EXIT_INVALID) from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        err.print(f"error: (body): {file} is not valid JSON: {exc}")
        raise typer.Exit(EXIT_INVALID) from exc


@app.command()
def explain(
    file: Annotated[str, typer.Argument(help="Request JSON file, or - for standard input.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly the result contract.")] = False,
    fail_on: Annotated[FailOn | None, typer.Option(help="Exit 1 when the verdict is at least this.")] = None,
) -> None:
    """Explain one request. Exit 0 whatever the verdict (unless --fail-on), 2 on invalid input."""
    from app.render import render_result
    from app.service import build_services, explain_request
    from audit import AuditWriteError
    from chain import RequestError, parse_request
    from chain.rules import PolicyError

    raw = _read_request(file)
    try:  # validate first: bad input never loads the model or touches the database
        parse_request(raw, max_calldata_bytes=settings.max_calldata_bytes)
    except RequestError as exc:
        for item in exc.errors:
            err.print(f"error: {item['field']}: {item['message']}")
        raise typer.Exit(EXIT_INVALID) from exc
    try:
        services = build_services(settings)
        result = asyncio.run(explain_request(raw, services))
    except (AuditWriteError, PolicyError) as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(EXIT_FAILED) from exc
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        render_result(result, Console())
    order = {"ok": 0, "warn": 1, "block": 2}
    if fail_on is not None and order[result["verdict"]] >= order[fail_on.value]:
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default TXEXPLAIN_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default TXEXPLAIN_PORT).")] = None,
) -> None:
    """Run the HTTP API (uvicorn)."""
    import uvicorn

    from app.api import create_app

    uvicorn.run(create_app(settings), host=host or settings.host, port=port or settings.port)


@app.command()
def devnet(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print the embedded devnet: chain id, funded accounts and contract addresses."""
    from chain.simulate import RevmBackend, devnet_description

    description = devnet_description(RevmBackend().addresses)
    if as_json:
        sys.stdout.write(json.dumps(description, indent=2) + "\n")
        return
    console = Console()
    console.print(f"chain id {description['chain_id']}")
    for name, address in description["accounts"].items():
        console.print(f"  account  {name:<9} {address}")
    for label, item in description["contracts"].items():
        console.print(f"  contract {label:<9} {item['address']}  ({item['artifact']})")


@app.command()
def rules(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List every rule with its ID, severity and description under the active policy."""
    from rich.table import Table

    from chain.rules import catalogue, load_policy

    policy = load_policy(settings.policy_file)
    listed = catalogue(policy)["rules"]
    if as_json:
        sys.stdout.write(json.dumps(catalogue(policy), indent=2) + "\n")
        return
    table = Table(title=f"rules — policy {policy.version} ({policy.sha256[:12]})")
    for column in ("rule", "severity", "description"):
        table.add_column(column)
    for item in listed:
        table.add_row(item["rule"], item["severity"], item["description"])
    Console().print(table)


@app.command("vllm-command")
def vllm_command(
    model: Annotated[str, typer.Argument(help="Hugging Face id or local path of the (quantized) model.")],
    quantization: Annotated[str, typer.Option(help="awq or fp8")] = "awq",
    port: int = 8000,
) -> None:
    """Print the vLLM command that serves MODEL the way txexplain expects (prefix caching, seeded)."""
    from inference.vllm import shell_line

    if quantization not in ("awq", "fp8"):
        err.print("error: quantization: must be awq or fp8")
        raise typer.Exit(EXIT_INVALID)
    sys.stdout.write(shell_line(model, quantization, port=port) + "\n")  # type: ignore[arg-type]
    sys.stdout.write(f"then: TXEXPLAIN_ENGINE=openai_compatible TXEXPLAIN_OPENAI_BASE_URL=http://HOST:{port}\n")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the audit database (TXEXPLAIN_DATABASE_URL) to REVISION."""
    from audit import current_revision, make_engine, upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine, revision)
    Console().print(f"database at revision {current_revision(engine)}")


def main() -> None:
    """Entry point of the ``txexplain`` script."""
    app()


if __name__ == "__main__":
    main()
