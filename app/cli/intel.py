"""`txexplain intel …`: the threat-intelligence feeds the rules read, with their provenance — the bundled lists
from npm packages, and the feeds an operator imports (each import an audit record)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from app.errors import EXIT_FLAGGED, InvalidInput
from app.settings import settings

intel_app = typer.Typer(help="Threat intelligence: phishing domains, token lists, imported address and domain "
                             "feeds, with provenance.", no_args_is_help=True)
err = Console(stderr=True)


def _configured() -> None:
    from chain.intel import operator

    operator.configure(settings.intel_dir)


def _record(meta: Any, action: str) -> str:
    """Append the feed's audit record through a ledger on the configured database."""
    from app.cli.audit import open_sessions
    from app.intel_records import append_feed_record
    from app.runtime import build_ledger
    from chain.rules import load_policy

    ledger = build_ledger(settings, open_sessions())
    return append_feed_record(ledger, meta, action, load_policy(settings.policy_file).identity)


@intel_app.command("list")
def list_feeds(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every feed loaded: its name, source, version, sha256, entry count, age and whether it is stale."""
    from chain.intel.bundled import bundled_feeds
    from chain.intel.operator import operator_feeds

    _configured()
    bundled = bundled_feeds()
    rows = [{"feed": f.feed, "source": f.source, "version": f.version, "sha256": f.sha256, "entries": f.entries,
             "category": "bundled", "age_s": None, "stale": False, "last_error": None} for f in bundled]
    for meta in operator_feeds().meta.values():
        rows.append({"feed": meta.feed, "source": meta.source, "version": meta.version, "sha256": meta.sha256,
                     "entries": meta.entries, "category": meta.category, "age_s": round(meta.age_s()),
                     "stale": meta.stale(), "last_error": meta.last_error})
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    table = Table(title="threat intelligence feeds")
    for column in ("feed", "category", "source", "version", "entries", "age", "sha256"):
        table.add_column(column)
    for row in rows:
        age = "" if row["age_s"] is None else f"{row['age_s'] // 3600}h" + (" STALE" if row["stale"] else "")
        table.add_row(row["feed"], row["category"], row["source"], row["version"], f"{row['entries']:,}", age,
                      row["sha256"][:16])
    Console().print(table)
    if not rows:
        err.print("no feed is installed (npm ci installs them): the intel rules cannot run")


@intel_app.command("import")
def import_feed(
    source: Annotated[str, typer.Argument(help="A JSON or CSV file, or an http(s) URL (then refreshed).")],
    feed: Annotated[str, typer.Option(help="The feed's name (lowercase, digits, . _ -).")],
    category: Annotated[str, typer.Option(help="malicious | sanctioned | labels (addresses) or phishing "
                                               "(domains).")],
    version: Annotated[str | None, typer.Option(help="The list's own version; default: its sha256.")] = None,
    max_age_hours: Annotated[float | None, typer.Option(help="Stale past this age (/readyz says so); URL feeds "
                                                             "default to 24.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import (or replace) a feed: every entry validated (a bad one names its line or item and nothing is
    written), stored with its provenance, and recorded in the audit ledger."""
    from chain.intel.operator import FeedError, store_feed
    from chain.intel.refresh import fetch

    _configured()
    url = source if source.startswith(("http://", "https://")) else None
    try:
        if url:
            answer = fetch(url)
            raw, etag, modified = answer.body, answer.etag, answer.last_modified
        else:
            raw, etag, modified = Path(source).read_bytes(), None, None
        max_age = max_age_hours * 3600 if max_age_hours is not None else (86400.0 if url else None)
        meta = store_feed(feed, category, raw, url or str(Path(source).resolve()), version=version, url=url,
                          etag=etag, last_modified=modified, max_age_s=max_age)
    except FeedError as exc:
        raise FeedError(f"{source}: {exc}") from None
    except Exception as exc:
        raise InvalidInput("source", f"{source} cannot be read: {type(exc).__name__}: {exc}"[:400]) from None
    record_id = _record(meta, "imported")
    out = {**vars(meta), "audit_record": record_id}
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
    else:
        Console().print(f"imported {meta.feed} ({meta.category}): {meta.entries:,} entries, version "
                        f"{meta.version}, sha256 {meta.sha256[:16]}…; audit record {record_id}")


@intel_app.command("refresh")
def refresh(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Refresh every URL feed now (conditional GET); a failure keeps the last good version. Exit 1 if any failed."""
    from chain.intel.operator import operator_feeds
    from chain.intel.refresh import refresh_feed

    _configured()
    done = [refresh_feed(meta) for meta in operator_feeds().meta.values() if meta.url]
    for result in done:
        if result.outcome == "updated":
            _record(result.meta, "updated")
    rows = [{"feed": r.feed, "outcome": r.outcome, "version": r.meta.version, "error": r.error} for r in done]
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
    else:
        for row in rows:
            Console().print(f"{row['feed']}: {row['outcome']} (version {row['version']})"
                            + (f": {row['error']}" if row["error"] else ""))
    if any(r.outcome == "failed" for r in done):
        raise typer.Exit(EXIT_FLAGGED)


@intel_app.command("remove")
def remove(feed: Annotated[str, typer.Option(help="The feed to delete.")]) -> None:
    """Delete an imported feed (recorded in the audit ledger)."""
    from chain.intel.operator import FeedError, operator_feeds, remove_feed

    _configured()
    meta = operator_feeds().meta.get(feed)
    try:
        remove_feed(feed)
    except FeedError as exc:
        raise InvalidInput("feed", str(exc)) from None
    if meta is not None:
        _record(meta, "removed")
    Console().print(f"removed {feed}")
