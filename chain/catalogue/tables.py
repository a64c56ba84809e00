"""The catalogue as the README's Markdown tables (rules, checks, the protocol registry), written by
``scripts/gen_readme.py`` between markers and held to the catalogue by a test; ``txexplain rules --markdown`` prints
the rules' table, ``txexplain protocols --markdown`` the registry's."""

from __future__ import annotations

from chain.catalogue.checks import CHECK_SPECS
from chain.catalogue.rules import RULE_SPECS, rules_needing


def rules_table() -> str:
    """Every rule: id, default severity, when it fires."""
    rows = ["| rule | default severity | fires when |", "|---|---|---|"]
    rows += [f"| `{spec.id}` | {spec.severity} | {spec.description} |" for spec in RULE_SPECS]
    return "\n".join(rows)


def checks_table() -> str:
    """Every check: name, what it reads, the rules that need it."""
    rows = ["| check | what it reads | rules that need it |", "|---|---|---|"]
    rows += [f"| `{spec.name}` | {spec.description} | {', '.join(f'`{r}`' for r in rules_needing(spec.name))} |"
             for spec in CHECK_SPECS]
    return "\n".join(rows)


def protocols_table() -> str:
    """Every protocol the registry knows: the chains it is on, how many contracts, and the packages they come from."""
    from chain.protocols import protocol_registry

    registry = protocol_registry()
    by_protocol: dict[str, list] = {}
    for contract in registry.contracts():
        by_protocol.setdefault(contract.protocol, []).append(contract)
    rows = ["| protocol | chains | contracts | from |", "|---|---|---|---|"]
    for protocol, contracts in sorted(by_protocol.items(), key=lambda item: item[0].lower()):
        chains = ", ".join(str(c) for c in sorted({c.chain for c in contracts}))
        packages = sorted({c.source.split(" ")[0] for c in contracts})
        rows.append(f"| {protocol} | {chains} | {len(contracts)} | {', '.join(f'`{p}`' for p in packages)} |")
    return "\n".join(rows)


TABLES = {"rules": rules_table, "checks": checks_table, "protocols": protocols_table}
"""The README's generated sections, by marker name: ``<!-- catalogue:NAME -->`` … ``<!-- /catalogue:NAME -->``."""


def with_tables(readme: str) -> str:
    """``readme`` with each marked section replaced by its table.

    Raises:
        ValueError: a section's markers are missing.
    """
    for name, table in TABLES.items():
        begin, end = f"<!-- catalogue:{name} -->", f"<!-- /catalogue:{name} -->"
        if begin not in readme or end not in readme:
            raise ValueError(f"README.md lacks the markers {begin} … {end}")
        head, rest = readme.split(begin, 1)
        _, tail = rest.split(end, 1)
        readme = f"{head}{begin}\n{table()}\n{end}{tail}"
    return readme
