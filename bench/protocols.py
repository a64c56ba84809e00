"""How many calls to the well-known protocols the decoder names, per protocol and per chain, side by side: without
the protocol registry (the published-ABI and selector tables alone, as before it) and with it (each registered
contract's own ABI first, then the registry's ABIs as a table).

The corpus (``tests/payloads/protocols.json``, each call citing package@version, file and function) is one call per
state-changing function of every ABI the registry holds and one per registered contract and chain. It is drawn
from the same packages as the registry, so it measures the table — that every registered contract is named on every
chain — not the world: protocols no installed package covers are absent from both.

A call is *named* when the decoder resolves it to the corpus's own function (a different function with the same
selector counts as *wrong*), *guessed* when only the layout was inferred, else *unknown* (ambiguous included).

Run: .venv/bin/python -m bench.protocols
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from contextlib import ExitStack
from pathlib import Path
from unittest.mock import patch

from chain.decode import decode_calldata
from chain.decode.registry import parse_signature

ROOT = Path(__file__).resolve().parents[1]
SETUPS = ("without the registry", "with the registry")
CATEGORIES = ("named", "wrong", "guessed", "unknown")


def corpus() -> list[dict]:
    return json.loads((ROOT / "tests/payloads/protocols.json").read_text())["corpus"]


def without_registry(stack: ExitStack) -> None:
    """Switch the registry's ABIs off in the decoder (bench only: the decoder has no switch for what it always uses)."""
    stack.enter_context(patch("chain.decode.calldata.Decoder._registered", lambda self, target: {}))
    stack.enter_context(patch("chain.decode.calldata.protocol_registry",
                              lambda: type("Empty", (), {"all_functions": {}})()))


def category(case: dict, with_registry: bool) -> str:
    """What the decoder makes of one corpus call."""
    with ExitStack() as stack:
        if not with_registry:
            without_registry(stack)
        decoded = decode_calldata(bytes.fromhex(case["data"][2:]), case["to"], chain_id=case["chain"])
    assert decoded is not None
    if decoded.source.value == "guessed":
        return "guessed"
    if decoded.function is None:
        return "unknown"
    return "named" if decoded.function == parse_signature(case["function"]).signature else "wrong"


def measure(cases: list[dict]) -> dict[str, dict[tuple[str, str], Counter[str]]]:
    """Per setup: (axis, key) → category counts, for axis protocol and chain."""
    table: dict[str, dict[tuple[str, str], Counter[str]]] = {}
    for setup in SETUPS:
        rows: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for case in cases:
            found = category(case, setup == SETUPS[1])
            rows[("protocol", case["protocol"])][found] += 1
            rows[("chain", str(case["chain"]))][found] += 1
            rows[("all", "all")][found] += 1
        table[setup] = rows
    return table


def share(counts: Counter[str]) -> str:
    total = sum(counts.values())
    return f"{counts['named']}/{total} ({100 * counts['named'] / total:.1f}%)" if total else "-"


def main() -> None:
    cases = corpus()
    table = measure(cases)
    print(f"corpus: {len(cases)} calls to registered contracts (tests/payloads/protocols.json)")
    print(f"{'':32} {'named ' + SETUPS[0]:>34} {'named ' + SETUPS[1]:>34}  wrong/guessed/unknown with")
    keys = sorted(table[SETUPS[1]], key=lambda k: (k[0] != "all", k[0], k[1]))
    for key in keys:
        before, after = table[SETUPS[0]][key], table[SETUPS[1]][key]
        label = "all" if key[0] == "all" else f"{key[0]} {key[1]}"
        rest = "/".join(str(after[c]) for c in CATEGORIES[1:])
        print(f"{label:32} {share(before):>34} {share(after):>34}  {rest}")
    before, after = table[SETUPS[0]][("all", "all")], table[SETUPS[1]][("all", "all")]
    total = sum(after.values())
    print(f"ratio named with / without: {after['named'] / max(before['named'], 1):.2f} "
          f"({after['named']}/{total} vs {before['named']}/{total})")


if __name__ == "__main__":
    main()
