"""Rich rendering of a result for people at a terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

VERDICT_STYLE = {"ok": "bold green", "warn": "bold yellow", "block": "bold white on red"}
EFFECT_WORDS = {"give": "you give", "get": "you get", "grant": "you allow", "revoke": "you revoke",
                "control": "control", "sign_in": "you sign in", "deploy": "deploys"}
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def render_result(result: dict[str, Any], console: Console) -> None:
    """Verdict, findings, what it does to the user (effects, with values), decoded call, summary, narrative (or why
    not), audit id."""
    verdict = result["verdict"]
    console.print(Panel(Text(f" {verdict.upper()} ", style=VERDICT_STYLE.get(verdict, "bold")),
                        title="txexplain verdict", expand=False))
    if result["findings"]:
        table = Table(title="Findings", show_lines=False)
        table.add_column("rule", style="bold")
        table.add_column("severity")
        table.add_column("message", overflow="fold")
        for f in result["findings"]:
            table.add_row(f["rule"], Text(f["severity"], style=SEVERITY_STYLE.get(f["severity"], "")),
                          Text(f["message"]))
        console.print(table)
    effects = result.get("effects") or []
    if effects:
        table = Table(title="What it does to you")
        for column in ("", "what", "who", "value"):
            table.add_column(column, overflow="fold")
        for effect in effects:
            who = effect.get("recipient") if effect["kind"] == "get" else effect.get("counterparty")
            who = "you" if who is not None and who == result.get("sender") else who
            named = f"{effect['counterparty_label']} ({who})" if effect.get("counterparty_label") and who == \
                effect.get("counterparty") else who
            value = f"${float(effect['usd']):,.2f}" if effect.get("usd") is not None else ""
            table.add_row(EFFECT_WORDS.get(effect["kind"], effect["kind"]), Text(effect["display"]),
                          Text(named or ""), value)
        console.print(table)
    decoded = result.get("decoded")
    if decoded:
        call = Table(title=f"Decoded call ({decoded['source']})", show_header=True)
        call.add_column("argument")
        call.add_column("type")
        call.add_column("value", overflow="fold")
        for arg in decoded["args"]:
            call.add_row(arg["name"], arg["type"], Text(str(arg["value"])))
        heading = Text(decoded["function"] or f"unknown function {decoded['selector']}", style="bold")
        console.print(Group(heading, call) if decoded["args"] else heading)
    typed = result.get("typed_data")
    if typed:
        console.print(Text(f"Typed data {typed['primary_type']} ({typed['classification']})", style="bold"))
    message = result.get("message")
    if message:
        console.print(Text(f"Message ({message['kind']}, {message['size']} bytes"
                           + (", blind" if message["blind"] else "") + ")", style="bold"))
        if message.get("text"):
            console.print(Panel(Text(message["text"]), title="Message text (as signed)"))
    sim = result.get("simulation")
    if sim:
        console.print(Text(f"Simulation ({sim['backend']}): {sim['status']}"
                           + (f", gas {sim['gas_used']}" if sim.get("gas_used") is not None else "")))
    for check in result.get("skipped_checks") or []:
        console.print(Text(f"Not checked: {check['check']}" + (f" {check['subject']}" if check.get("subject") else "")
                           + f" — {check['reason']}", style="yellow"))
    explanation = result["explanation"]
    console.print(Panel(Text(explanation["summary"]), title="Summary"))
    if explanation["narrative"]:
        console.print(Panel(Text(explanation["narrative"]),
                            title=f"Narrative ({result['model'].get('name') or result['model']['engine']})"))
    else:
        console.print(Text(f"No narrative: {explanation.get('rejected_reason') or 'no model configured'}",
                           style="dim"))
    audit = result["audit"]
    console.print(Text(f"Audit record {audit['id']} · seq {audit['seq']} · leaf {audit['leaf_hash']}",
                       style="dim"))
