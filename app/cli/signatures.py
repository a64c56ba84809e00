"""`txexplain signatures`: where the decoder's signatures come from, and how many each source gave."""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Annotated

import typer

signatures_app = typer.Typer(help="The decoder's signature tables.", no_args_is_help=True)
KINDS = ("functions", "errors", "events")


def source_counts() -> dict[str, dict[str, int]]:
    """{source: {functions, errors, events}}: each npm package@version of the table generated from published
    ABIs, and the hand-written table."""
    from chain.decode.registry import published_table, selector_table

    per: dict[str, Counter[str]] = {}
    for kind, signatures in published_table()["origins"].items():
        for sources in signatures.values():
            for source in sources:
                per.setdefault(source, Counter())[kind] += 1
    hand = selector_table()
    per["chain/decode/signatures (hand-written)"] = Counter({k: sum(len(v) for v in hand[k].values()) for k in KINDS})
    return {source: {k: counter[k] for k in KINDS} for source, counter in sorted(per.items())}


@signatures_app.command("stats")
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """How many function, error and event signatures each source gave."""
    counts = source_counts()
    if as_json:
        sys.stdout.write(json.dumps(counts, indent=2) + "\n")
        return
    width = max(len(s) for s in counts)
    sys.stdout.write(f"{'source':<{width}}  functions  errors  events\n")
    for source, c in counts.items():
        sys.stdout.write(f"{source:<{width}}  {c['functions']:>9}  {c['errors']:>6}  {c['events']:>6}\n")
