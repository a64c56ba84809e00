"""`txexplain intel …`: the threat-intelligence feeds the rules read, with their provenance."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

intel_app = typer.Typer(help="Threat intelligence: phishing domains and token lists, with provenance.",
                        no_args_is_help=True)


@intel_app.command("list")
def list_feeds(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every feed loaded: its name, source package@version and file, version, sha256 and entry count."""
    from chain.intel.phishing import phishing_list
    from chain.intel.tokens import token_lists

    phishing = phishing_list()
    feeds = ([phishing.provenance] if phishing is not None else []) + token_lists().provenance
    rows = [{"feed": f.feed, "source": f.source, "version": f.version, "sha256": f.sha256, "entries": f.entries}
            for f in feeds]
    if as_json:
        sys.stdout.write(json.dumps(rows) + "\n")
        return
    table = Table(title="threat intelligence feeds")
    for column in ("feed", "source", "version", "entries", "sha256"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["feed"], row["source"], row["version"], f"{row['entries']:,}", row["sha256"][:16])
    Console().print(table)
    if not rows:
        Console(stderr=True).print("no feed is installed (npm ci installs them): the intel rules cannot run")
