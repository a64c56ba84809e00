"""`txexplain audit …`: keys, verification, queries, export and replay of the ledger."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.filters import record_filter_options
from app.errors import EXIT_FLAGGED, InvalidInput, NotFound
from app.settings import settings
from audit.queries import RecordFilter

audit_app = typer.Typer(help="Audit ledger: keys, verification, queries, export, replay.", no_args_is_help=True)
checkpoint_app = typer.Typer(help="Signed checkpoints, to keep outside the database.", no_args_is_help=True)
audit_app.add_typer(checkpoint_app, name="checkpoint")
err = Console(stderr=True)


def open_sessions():  # type: ignore[no-untyped-def]
    """Sessions on TXEXPLAIN_DATABASE_URL, migrated first unless TXEXPLAIN_AUTO_UPGRADE is off (commands that
    write: keys)."""
    from audit import make_engine, session_factory, upgrade

    engine = make_engine(settings.database_url)
    if settings.auto_upgrade:
        upgrade(engine)
    return session_factory(engine)


def ledger_sessions():  # type: ignore[no-untyped-def]
    """Sessions on the existing ledger at TXEXPLAIN_DATABASE_URL: nothing is created or migrated.

    Raises:
        LedgerMissing: no database there, no ledger in it, or one at another revision.
    """
    from audit import session_factory
    from audit.db import existing_ledger

    return session_factory(existing_ledger(settings.database_url))


def trusted_key(public_key: str | None) -> str:
    """The key whose checkpoints are trusted: the one given, else this node's (read, never created).

    Raises:
        InvalidInput: none given and no key file.
    """
    from audit import Signer

    if public_key:
        return public_key
    try:
        return Signer.load(settings.signing_key_path).public_key_hex
    except FileNotFoundError:
        raise InvalidInput("public_key", f"no signing key at {settings.signing_key_path}: pass --public-key, the "
                           "key whose checkpoints you trust") from None


@audit_app.command()
def pubkey(pem: Annotated[bool, typer.Option("--pem", help="PEM instead of raw hex.")] = False,
           as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print the public key that signs checkpoints (creating the key pair on first run)."""
    from audit import Signer

    signer = Signer.load_or_create(settings.signing_key_path)
    if as_json:
        sys.stdout.write(json.dumps({"public_key": signer.public_key_hex, "key_id": signer.key_id,
                                     "pem": signer.public_pem()}) + "\n")
        return
    sys.stdout.write(signer.public_pem() if pem else f"{signer.public_key_hex}\n")


@audit_app.command()
def verify(
    public_key: Annotated[str | None, typer.Option(help="Trusted key (0x-hex); default: this node's key.")] = None,
    checkpoint: Annotated[str | None, typer.Option(help="A signed checkpoint saved earlier (`audit checkpoint export`"
                                                         "), as a file or as the CID it was pinned under (fetched "
                                                         "from TXEXPLAIN_IPFS_API): prove the ledger still extends "
                                                         "it.")] = None,
    export: Annotated[Path | None, typer.Option(help="Verify this `audit export` file instead of the database (no "
                                                     "database is opened).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recompute every leaf, the chain, each checkpoint's root and signature, every column and search term; with
    --checkpoint, prove the ledger extends a saved checkpoint (truncation, rollback, rewrite); with --export, check
    an exported file alone. Read-only: nothing is created or migrated. Exit 1 on a fault."""
    from audit import VerificationError, verify_extends, verify_ledger
    from audit.pinning import PinError

    extends, notes = None, []
    if export is not None:
        report, notes = _verify_export_file(export, trusted_key(public_key), checkpoint)
    else:
        sessions = ledger_sessions()
        trusted = trusted_key(public_key)
        with Progress(TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True, disable=as_json) as progress:
            task = progress.add_task("verify", total=None)
            report = verify_ledger(sessions, trusted, progress=lambda n: progress.update(task, completed=n))
        if checkpoint is not None and report.ok:
            try:
                extends = verify_extends(sessions, json.loads(_checkpoint_text(checkpoint)), trusted)
            except (OSError, ValueError, KeyError, TypeError, VerificationError, PinError) as exc:
                reason = (str(exc) if isinstance(exc, VerificationError)
                          else f"checkpoint: {checkpoint} is unusable: {exc}")
                report = replace(report, reason=reason)
    if as_json:
        sys.stdout.write(json.dumps({"ok": report.ok, "records": report.records, "checkpoints": report.checkpoints,
                                     "first_bad_seq": report.first_bad_seq, "first_bad_id": report.first_bad_id,
                                     "reason": report.reason, "root_hash": report.root_hash,
                                     **({"notes": notes} if export is not None else {}),
                                     **({"extends": extends} if checkpoint is not None and export is None
                                        else {})}) + "\n")
    elif report.ok:
        Console().print(f"[green]ok[/]: {report.records} records, {report.checkpoints} checkpoints, "
                        f"root {report.root_hash}" + (f"; {extends}" if extends else ""))
        for note in notes:
            Console().print(f"note: {note}")
    else:
        where = f" (record {report.first_bad_id})" if report.first_bad_id else ""
        at = f" at seq {report.first_bad_seq}{where}" if report.first_bad_seq else ""
        err.print(f"[red]FAILED[/]{at}: {report.reason}")
    if not report.ok:
        raise typer.Exit(EXIT_FLAGGED)


def _verify_export_file(path: Path, trusted: str, checkpoint: str | None):  # type: ignore[no-untyped-def]
    """Verify an export file (and, with a saved checkpoint, that it holds what the checkpoint signed).

    Raises:
        InvalidInput: the file or the checkpoint cannot be read.
    """
    from audit.pinning import PinError
    from audit.verify_export import verify_export

    try:
        saved = json.loads(_checkpoint_text(checkpoint)) if checkpoint is not None else None
    except (OSError, ValueError, PinError) as exc:
        raise InvalidInput("checkpoint", f"{checkpoint} is unusable: {exc}") from None
    try:
        with path.open() as lines:
            return verify_export(lines, trusted, saved)
    except OSError as exc:
        raise InvalidInput("export", f"cannot read {path}: {exc.strerror}") from None


def _checkpoint_text(where: str) -> str:
    """A saved checkpoint's JSON: read from the file ``where``, or fetched by CID from the Kubo node (the bytes
    must hash to the CID)."""
    from audit.cid import sha256_of
    from audit.pinning import KuboClient

    path = Path(where)
    if path.exists():
        return path.read_text()
    try:
        sha256_of(where)
    except ValueError:
        raise OSError(f"no such file, nor a CID: {where}") from None
    if not settings.ipfs_api:
        raise OSError(f"fetching {where} by CID needs TXEXPLAIN_IPFS_API (a Kubo RPC URL)")
    return KuboClient(settings.ipfs_api).fetch(where).decode("utf-8")


@audit_app.command()
def repair(
    quarantine_file: Annotated[Path | None, typer.Option(
        "--quarantine", help="Export the rows no trusted checkpoint covers to this JSONL file, then drop them.",
    )] = None,
    adopt: Annotated[bool, typer.Option("--adopt", help="Instead, sign a checkpoint over them (rows you vouch for, "
                                                        "e.g. a ledger from before checkpoints).")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Repair a ledger fault: rows past the last checkpoint the sequencer signed (inserted with database
    credentials, or a seq gap). Run as the database owner; nothing is chained onto the tail until then."""
    from audit import Signer
    from audit.repair import adopt as adopt_tail
    from audit.repair import quarantine
    from audit.tail import trusted_key_set

    if (quarantine_file is None) == (not adopt):
        raise InvalidInput("quarantine", "give --quarantine FILE (export and remove) or --adopt (sign over them)")
    if quarantine_file is not None and not quarantine_file.resolve().parent.is_dir():
        raise InvalidInput("quarantine", f"no directory {quarantine_file.resolve().parent} to write {quarantine_file}"
                           " into: nothing was removed")
    sessions = ledger_sessions()
    try:
        signer = Signer.load(settings.signing_key_path)
    except FileNotFoundError:
        raise InvalidInput("signing_key", f"no signing key at {settings.signing_key_path} "
                           "(TXEXPLAIN_SIGNING_KEY_PATH): the ledger's own key is needed") from None
    trusted = trusted_key_set(signer.public_key_hex, settings.trusted_signing_keys)
    done = adopt_tail(sessions, signer) if adopt else quarantine(sessions, trusted, quarantine_file)  # type: ignore[arg-type]
    out = {"trusted_size": done.trusted_size, "removed": done.removed, "checkpoints_removed": done.checkpoints_removed,
           "adopted": adopt}
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
    elif adopt:
        Console().print(f"signed a checkpoint over all {done.trusted_size} records")
    else:
        Console().print(f"removed {len(done.removed)} records (kept in {quarantine_file}) and "
                        f"{len(done.checkpoints_removed)} checkpoints; the ledger ends at seq {done.trusted_size}")


@audit_app.command()
def stats(tenant: Annotated[str | None, typer.Option(help="Only this tenant's records and feedback.")] = None,
          as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Per rule: the records it fired on, the feedback they got (proceeded, rejected, reported_malicious,
    false_positive) and its override rate — (proceeded + false_positive) / feedback."""
    from audit.queries import feedback_stats

    rows = feedback_stats(ledger_sessions(), tenant)
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    table = Table(title="rules and the feedback on them")
    for column in ("rule", "fired", "feedback", "proceeded", "rejected", "reported_malicious", "false_positive",
                   "override rate"):
        table.add_column(column)
    for rule_id, row in rows.items():
        rate = "—" if row["override_rate"] is None else f"{row['override_rate']:.1%}"
        table.add_row(rule_id, *(str(row[k]) for k in ("fired", "feedback", "proceeded", "rejected",
                                                         "reported_malicious", "false_positive")), rate)
    Console().print(table)


@checkpoint_app.command("export")
def checkpoint_export(output: Annotated[Path | None, typer.Option(help="Write here instead of standard "
                                                                       "output.")] = None) -> None:
    """Print the latest signed checkpoint as JSON: kept by an auditor (or pinned), it later proves the ledger was
    neither truncated nor rewritten (`audit verify --checkpoint FILE`)."""
    from audit import checkpoint_json, latest_checkpoint

    latest = latest_checkpoint(ledger_sessions())
    if latest is None:
        raise NotFound("checkpoint", "the ledger has no checkpoint yet", "No checkpoint yet")
    text = json.dumps(checkpoint_json(latest), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)


@audit_app.command()
@record_filter_options
def query(
    filters: RecordFilter,
    limit: int = 20,
    cursor: int | None = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List records newest first, filtered (the same filters as `GET /v1/audit/records` and the explorer)."""
    from audit import record_summary, search_records

    page, next_cursor = search_records(ledger_sessions(), filters, cursor=cursor, limit=limit)
    rows = [record_summary(r) for r in page]
    if as_json:
        sys.stdout.write(json.dumps({"records": rows, "next_cursor": next_cursor}) + "\n")
        return
    table = Table(title="audit records")
    for column in ("seq", "id", "created_at", "verdict", "rules", "model"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["seq"]), row["id"], row["created_at"][:19], row["verdict"], ", ".join(row["rules"]),
                      row["model"] or "")
    Console().print(table)
    if next_cursor:
        Console().print(f"more: --cursor {next_cursor}")


@audit_app.command()
def export(since: datetime | None = None) -> None:
    """Write records (with their canonical JSON) as JSON lines to standard output (always machine-readable;
    the progress bar goes to standard error)."""
    from audit import count_records, export_records

    sessions = ledger_sessions()
    with Progress(TextColumn("exporting"), BarColumn(), MofNCompleteColumn(), console=err, transient=True) as bar:
        task = bar.add_task("export", total=count_records(sessions))
        for row in export_records(sessions, since):
            sys.stdout.write(json.dumps(row) + "\n")
            bar.advance(task)


@audit_app.command()
def replay(
    record_ids: Annotated[list[str] | None, typer.Argument(help="Record ids (or none, with --since).")] = None,
    since: Annotated[datetime | None, typer.Option(help="Replay every record from this time.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per record.")] = False,
) -> None:
    """Re-run recorded requests (and the model, if its weights are here) and diff with the records.
    Exit 1 when any replay differs, 2 when a record id is unknown."""
    from app.replay import replay as run_replay
    from app.runtime import build_services
    from audit import AuditRecord, RecordFilter, get_record, search_records

    if not record_ids and since is None:
        raise InvalidInput("record_ids", "give record ids, or --since for a range")
    services = build_services(settings)
    records: list[AuditRecord] = []
    for record_id in record_ids or []:
        record = get_record(services.sessions, record_id)
        if record is None:
            raise NotFound("record_ids", f"no audit record {record_id!r}")
        records.append(record)
    if since is not None:
        cursor: int | None = None
        while True:
            page, cursor = search_records(services.sessions, RecordFilter(since=since), cursor=cursor, limit=200)
            records.extend(page)
            if cursor is None:
                break
        records.sort(key=lambda r: r.seq)
    differing = 0
    with Progress(TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                  transient=True, disable=as_json or len(records) < 2) as bar:
        task = bar.add_task("replay", total=len(records))
        for record in records:
            outcome = asyncio.run(run_replay(record, services))
            differing += not outcome.equal
            if as_json:
                sys.stdout.write(json.dumps({"id": record.id, "seq": record.seq, "equal": outcome.equal,
                                             "diff": outcome.diff or None, "notes": outcome.notes}) + "\n")
            else:
                for note in outcome.notes:
                    bar.console.print(f"note: {record.id}: {note}")
                if outcome.equal:
                    bar.console.print(f"[green]identical[/]: replay of {record.id} reproduces the recorded result")
                else:
                    bar.console.print(f"[red]differs[/]: {record.id}")
                    sys.stdout.write(outcome.diff + "\n")
            bar.advance(task)
    if differing:
        raise typer.Exit(EXIT_FLAGGED)
