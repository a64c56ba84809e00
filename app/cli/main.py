"""The txexplain command line (typer)."""

from __future__ import annotations

import asyncio
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from app.cli.audit import audit_app
from app.cli.intel import intel_app
from app.cli.keys import keys_app
from app.cli.signatures import signatures_app
from app.errors import EXIT_FLAGGED, InvalidInput, InvalidJson, SettingsRefused
from app.settings import settings

if TYPE_CHECKING:
    from fastapi import FastAPI

app = typer.Typer(help="txexplain: what a transaction really does, before you sign it.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
db_app = typer.Typer(help="Audit database commands.", no_args_is_help=True)
model_app = typer.Typer(help="The embedded model's weights.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(model_app, name="model")
app.add_typer(audit_app, name="audit")
app.add_typer(signatures_app, name="signatures")
app.add_typer(keys_app, name="keys")
app.add_typer(intel_app, name="intel")
err = Console(stderr=True)



class FailOn(StrEnum):
    warn = "warn"
    block = "block"


def hash_with_progress(path: Path, quiet: bool) -> str:
    """The weights' SHA-256, with a progress bar on standard error while a first hash is computed."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from inference.model_files import weights_sha256

    with Progress(TextColumn(f"hashing {path.name}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=quiet) as bar:
        task = bar.add_task("hash", total=path.stat().st_size)
        return weights_sha256(path, progress=lambda done, total: bar.update(task, completed=done))


def prepare_model(quiet: bool) -> None:
    """Before the embedded engine loads: hash its weights once (cached after) with a progress bar."""
    if settings.engine != "llama_cpp":
        return
    from inference.model_files import ModelFileError, cached_sha256, default_model_path

    try:
        path = settings.model_path or default_model_path()
        if path.is_file() and cached_sha256(path) is None:
            hash_with_progress(path, quiet)
    except (ModelFileError, OSError):
        return  # the engine reports a missing model its own way (summaries only)


def openapi_json(api: FastAPI) -> str:
    """The OpenAPI document of ``api`` as committed in sdk/ts/openapi.json."""
    return json.dumps(api.openapi(), indent=2, ensure_ascii=False) + "\n"


def _read_request(file: str) -> object:
    """The request file's JSON.

    Raises:
        InvalidInput: the file cannot be read.
        InvalidJson: it is not JSON, or nested too deep.
    """
    from chain.jsonlimits import check_depth

    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text()
    except OSError as exc:
        raise InvalidInput("file", f"cannot read {file}: {exc.strerror}") from None
    try:
        check_depth(text)
        return json.loads(text)
    except ValueError as exc:
        raise InvalidJson([{"field": "(body)", "message": f"{file} is not valid JSON: {exc}"}]) from None


@app.command()
def explain(
    file: Annotated[str, typer.Argument(help="Request JSON file, or - for standard input.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly the result contract.")] = False,
    fail_on: Annotated[FailOn | None, typer.Option(help="Exit 1 when the verdict is at least this.")] = None,
) -> None:
    """Explain one request. Exit 0 whatever the verdict (unless --fail-on), 2 on invalid input."""
    from app.cli.render import render_result
    from app.pipeline import explain_request
    from app.runtime import build_services
    from chain.request import parse_request

    raw = _read_request(file)
    parse_request(raw, max_calldata_bytes=settings.max_calldata_bytes)  # bad input loads no model, touches no store
    prepare_model(quiet=as_json)
    services = build_services(settings)  # a failure here or below exits through main()'s error table
    result = asyncio.run(explain_request(raw, services))
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        render_result(result, Console())
    order = {"ok": 0, "warn": 1, "block": 2}
    if fail_on is not None and order[result["verdict"]] >= order[fail_on.value]:
        raise typer.Exit(EXIT_FLAGGED)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default TXEXPLAIN_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default TXEXPLAIN_PORT).")] = None,
) -> None:
    """Run the HTTP API (uvicorn). Bound to anything but loopback, API keys are required."""
    import uvicorn
    from pydantic import ValidationError

    from app.api import create_app
    from app.settings import Settings

    try:  # the bind decides whether keys are required, so it goes through the settings' validators
        running = Settings.model_validate({**settings.model_dump(), "host": host or settings.host,
                                           "port": port or settings.port})
    except ValidationError as exc:
        raise SettingsRefused(exc.errors()[0]["msg"]) from None
    prepare_model(quiet=False)
    uvicorn.run(create_app(running), host=running.host, port=running.port)


@app.command()
def devnet(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print the embedded devnet: chain id, funded accounts, and each contract with where its code comes from."""
    from chain.simulate import RevmBackend, devnet_description

    description = devnet_description(RevmBackend().addresses)
    if as_json:
        sys.stdout.write(json.dumps(description, indent=2) + "\n")
        return
    console = Console(soft_wrap=True)
    console.print(f"chain id {description['chain_id']}")
    for name, address in description["accounts"].items():
        console.print(f"  account  {name:<9} {address}")
    for label, item in description["contracts"].items():
        console.print(f"  contract {label:<24} {item['address']}  {item['placement']}", highlight=False)
        if "source" in item:
            console.print(f"           {item['source']}", highlight=False)
        if "note" in item:
            console.print(f"           {item['note']}", highlight=False)


@app.command()
def rules(as_json: Annotated[bool, typer.Option("--json")] = False,
          markdown: Annotated[bool, typer.Option("--markdown", help="The catalogue's default table, as in the "
                                                                     "README.")] = False) -> None:
    """List every rule with its ID, severity and description under the active policy."""
    from rich.table import Table

    from chain.catalogue.tables import rules_table
    from chain.rules import catalogue, load_policy

    if markdown:
        sys.stdout.write(rules_table() + "\n")
        return
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


@app.command()
def protocols(chain: Annotated[int | None, typer.Option("--chain", help="Only this chain id.")] = None,
              as_json: Annotated[bool, typer.Option("--json")] = False,
              markdown: Annotated[bool, typer.Option("--markdown", help="The per-protocol table, as in the "
                                                                         "README.")] = False) -> None:
    """List the protocol registry: every well-known contract per chain, its roles and the package it comes from."""
    from chain.catalogue.tables import protocols_table
    from chain.protocols import protocol_registry

    if markdown:
        sys.stdout.write(protocols_table() + "\n")
        return
    registry = protocol_registry()
    served = [*registry.chain_ids, 31337]
    if chain is not None and chain not in served:
        raise InvalidInput("chain", f"{chain} is not a chain the registry serves ({', '.join(map(str, served))})")
    listed = registry.contracts(chain)
    if as_json:
        sys.stdout.write(json.dumps([{"chain": c.chain, "address": c.address, "label": c.label, "protocol": c.protocol,
                                      "name": c.name, "version": c.version, "roles": list(c.roles),
                                      "source": c.source, "abi": c.abi} for c in listed], indent=2) + "\n")
        return
    console = Console(soft_wrap=True)
    for contract in listed:
        console.print(f"{contract.chain:>9} {contract.address}  {contract.label}  ({', '.join(contract.roles)})",
                      highlight=False, markup=False)
        console.print(f"{'':>10}{contract.source}", highlight=False, markup=False)


@app.command("vllm-command")
def vllm_command(
    model: Annotated[str, typer.Argument(help="Hugging Face id or local path of the (quantized) model.")],
    quantization: Annotated[str, typer.Option(help="awq or fp8")] = "awq",
    port: int = 8000,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print the vLLM command that serves MODEL the way txexplain expects (prefix caching, seeded)."""
    from inference.vllm import shell_line

    if quantization not in ("awq", "fp8"):
        raise InvalidInput("quantization", "must be awq or fp8")
    line = shell_line(model, quantization, port=port)  # type: ignore[arg-type]
    env = {"TXEXPLAIN_ENGINE": "openai_compatible", "TXEXPLAIN_OPENAI_BASE_URL": f"http://HOST:{port}"}
    if as_json:
        sys.stdout.write(json.dumps({"command": line, "env": env}) + "\n")
        return
    sys.stdout.write(line + "\n")
    sys.stdout.write("then: " + " ".join(f"{k}={v}" for k, v in env.items()) + "\n")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head",
               as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Migrate the audit database (TXEXPLAIN_DATABASE_URL) to REVISION."""
    from audit import current_revision, make_engine, upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine, revision)
    if as_json:
        sys.stdout.write(json.dumps({"revision": current_revision(engine)}) + "\n")
    else:
        Console().print(f"database at revision {current_revision(engine)}")


@model_app.command("hash")
def model_hash(
    path: Annotated[Path | None, typer.Argument(help="GGUF file (default: the configured one).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Print the weights' SHA-256 (the identity every audit record names), hashing once with a progress bar."""
    from inference.model_files import ModelFileError, default_model_path, quantization_of

    try:
        target = path or settings.model_path or default_model_path()
        digest = hash_with_progress(target, quiet=as_json)
    except (ModelFileError, OSError) as exc:
        raise InvalidInput("path", str(exc)) from None
    if as_json:
        sys.stdout.write(json.dumps({"path": str(target), "sha256": digest, "bytes": target.stat().st_size,
                                     "quantization": quantization_of(target)}) + "\n")
    else:
        sys.stdout.write(f"{digest}  {target}\n")


@app.command()
def openapi(output: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None) -> None:
    """Print the OpenAPI document (JSON) that the TypeScript SDK is generated from."""
    from app.api import create_app
    from app.settings import Settings

    document = openapi_json(create_app(Settings()))
    if output is None:
        sys.stdout.write(document)
    else:
        output.write_text(document)


def main() -> None:
    """Entry point of the ``txexplain`` script. A failure in :data:`app.errors.ERRORS` exits with the table's
    code (3 for an audit store or policy that failed, as the API's 5xx) and one line on standard error, never
    a traceback."""
    from app.errors import failure_of

    try:
        app()
    except Exception as exc:
        failure = failure_of(exc)
        if failure is None:
            raise
        for line in failure.line(exc).splitlines() or [type(exc).__name__]:
            err.print(f"error: {line}", soft_wrap=True, markup=False, highlight=False)
        sys.exit(failure.exit_code)


if __name__ == "__main__":
    main()
