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

from app.settings import settings

audit_app = typer.Typer(help="Audit ledger: keys, verification, queries, export, replay.", no_args_is_help=True)
checkpoint_app = typer.Typer(help="Signed checkpoints, to keep outside the database.", no_args_is_help=True)
audit_app.add_typer(checkpoint_app, name="checkpoint")
err = Console(stderr=True)


def open_sessions():  # type: ignore[no-untyped-def]
    """Sessions on TXEXPLAIN_DATABASE_URL, migrated first unless TXEXPLAIN_AUTO_UPGRADE is off."""
    from audit import make_engine, session_factory, upgrade

    engine = make_engine(settings.database_url)
    if settings.auto_upgrade:
        upgrade(engine)
    return session_factory(engine)


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
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recompute every leaf, the chain, each checkpoint's root and signature, every column and search term; with
    --checkpoint, prove the ledger extends a saved checkpoint (truncation, rollback, rewrite). Exit 1 on a fault."""
    from sqlalchemy import func, select

    from audit import AuditRecord, Signer, VerificationError, verify_extends, verify_ledger
    from audit.pinning import PinError

    sessions = open_sessions()
    trusted = public_key or Signer.load_or_create(settings.signing_key_path).public_key_hex
    with sessions() as session:
        total = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    with Progress(TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True, disable=as_json) as progress:
        task = progress.add_task("verify", total=total)
        report = verify_ledger(sessions, trusted, progress=lambda n: progress.update(task, completed=n))
    extends = None
    if checkpoint is not None and report.ok:
        try:
            saved = json.loads(_checkpoint_text(checkpoint))
            extends = verify_extends(sessions, saved, trusted)
        except (OSError, ValueError, KeyError, TypeError, VerificationError, PinError) as exc:
            reason = str(exc) if isinstance(exc, VerificationError) else f"checkpoint: {checkpoint} is unusable: {exc}"
            report = replace(report, reason=reason)
    if as_json:
        sys.stdout.write(json.dumps({"ok": report.ok, "records": report.records, "checkpoints": report.checkpoints,
                                     "first_bad_seq": report.first_bad_seq, "first_bad_id": report.first_bad_id,
                                     "reason": report.reason, "root_hash": report.root_hash,
                                     **({"extends": extends} if checkpoint is not None else {})}) + "\n")
    elif report.ok:
        Console().print(f"[green]ok[/]: {report.records} records, {report.checkpoints} checkpoints, "
                        f"root {report.root_hash}" + (f"; {extends}" if extends else ""))
    else:
        where = f" (record {report.first_bad_id})" if report.first_bad_id else ""
        at = f" at seq {report.first_bad_seq}{where}" if report.first_bad_seq else ""
        err.print(f"[red]FAILED[/]{at}: {report.reason}")
    if not report.ok:
        raise typer.Exit(1)


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
    from audit.repair import RepairError, quarantine
    from audit.repair import adopt as adopt_tail
    from audit.tail import trusted_key_set

    if (quarantine_file is None) == (not adopt):
        err.print("error: quarantine: give --quarantine FILE (export and remove) or --adopt (sign over them)")
        raise typer.Exit(2)
    sessions = open_sessions()
    signer = Signer.load_or_create(settings.signing_key_path)
    trusted = trusted_key_set(signer.public_key_hex, settings.trusted_signing_keys)
    try:
        done = adopt_tail(sessions, signer) if adopt else quarantine(sessions, trusted, quarantine_file)  # type: ignore[arg-type]
    except RepairError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(3) from exc
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

    rows = feedback_stats(open_sessions(), tenant)
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

    latest = latest_checkpoint(open_sessions())
    if latest is None:
        err.print("error: checkpoint: the ledger has no checkpoint yet")
        raise typer.Exit(2)
    text = json.dumps(checkpoint_json(latest), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)


@audit_app.command()
def query(
    address: str | None = None,
    verdict: str | None = None,
    rule: str | None = None,
    model: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 20,
    cursor: int | None = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List records newest first, filtered."""
    from audit import RecordFilter, record_summary, search_records

    page, next_cursor = search_records(open_sessions(), RecordFilter(address=address, verdict=verdict, rule=rule,
                                                                  model=model, since=since, until=until),
                                       cursor=cursor, limit=limit)
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

    sessions = open_sessions()
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
        err.print("error: record_ids: give record ids, or --since for a range")
        raise typer.Exit(2)
    services = build_services(settings)
    records: list[AuditRecord] = []
    for record_id in record_ids or []:
        record = get_record(services.sessions, record_id)
        if record is None:
            err.print(f"error: record_ids: no audit record {record_id!r}")
            raise typer.Exit(2)
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
        raise typer.Exit(1)
