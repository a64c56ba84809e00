"""How much real calldata the decoder names, side by side in one run: the hand-written table alone (the decoder
before the published-ABI table), with the table generated from the protocols' npm ABIs, and with layout guessing.

The corpus is what the protocols' own SDKs and ABIs build (``tests/payloads/calldata.json``, each call citing its
package@version and function) and the transactions viem, ethers and the protocol SDKs hand a wallet
(``tests/payloads/corpus.json``). Every call is counted, nested ones included (Universal Router commands,
multicalls, batches).

Run: .venv/bin/python -m bench.decode_coverage   (bench.decode prints it before its throughput figures)
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from unittest.mock import patch

from bench.protocols import without_registry
from chain.decode import DecodedCall, decode_calldata

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ("named", "ambiguous", "guessed", "unknown")
SETUPS = ("hand-written table", "+ published ABIs", "+ guessing")


def corpus() -> list[tuple[str, str, bytes]]:
    """(name, to, calldata) of every call in the two corpus files that carries calldata."""
    calls = json.loads((ROOT / "tests/payloads/calldata.json").read_text())["calls"]
    samples = [(c["name"], c["to"], bytes.fromhex(c["data"][2:])) for c in calls]
    for payload in json.loads((ROOT / "tests/payloads/corpus.json").read_text())["payloads"]:
        request = payload["request"]
        params = request.get("params") or [{}]
        if request.get("method") in ("eth_sendTransaction", "eth_signTransaction"):
            txs = [params[0]]
        elif request.get("method") == "wallet_sendCalls":
            txs = params[0].get("calls", [])
        else:
            continue
        for i, tx in enumerate(txs):
            data = tx.get("data") or tx.get("input") or "0x"
            if len(data) > 2 and tx.get("to"):
                samples.append((f"{payload['name']}[{i}]", tx["to"], bytes.fromhex(data[2:])))
    return samples


def category(call: DecodedCall) -> str:
    """named (a signature resolved it), ambiguous (several did), guessed, or unknown."""
    if call.source.value == "guessed":
        return "guessed"
    if call.function is not None:
        return "named"
    return "ambiguous" if call.candidates else "unknown"


def _every(call: DecodedCall) -> Iterator[DecodedCall]:
    yield call
    for child in call.calls:
        yield from _every(child)


def _setup(stack: ExitStack, setup: str) -> None:
    """Switch off what a setup lacks (bench only: the decoder has no switch for a table it always uses)."""
    if setup == SETUPS[0]:
        empty = {"functions": {}, "errors": {}, "events": {}, "sources": {}, "origins": {}}
        stack.enter_context(patch("chain.decode.calldata.published_table", lambda: empty))
        without_registry(stack)  # the registry's ABIs are published ABIs too
    if setup != SETUPS[2]:
        stack.enter_context(patch("chain.decode.calldata.guess_types", lambda body: None))


def coverage(samples: list[tuple[str, str, bytes]]) -> dict[str, Counter[str]]:
    """Per setup, how many calls (at any depth) fall in each category."""
    counts: dict[str, Counter[str]] = {}
    for setup in SETUPS:
        with ExitStack() as stack:
            _setup(stack, setup)
            counts[setup] = Counter(category(c) for _, to, data in samples
                                    for c in _every(decode_calldata(data, to)))  # type: ignore[arg-type]
    return counts


def still_unnamed(samples: list[tuple[str, str, bytes]]) -> list[str]:
    """The calls the full decoder does not name, as ``name: selector (category)``."""
    out = []
    for name, to, data in samples:
        for call in _every(decode_calldata(data, to)):  # type: ignore[arg-type]
            if category(call) != "named":
                out.append(f"{name}: {call.selector} ({category(call)})")
    return out


def report(samples: list[tuple[str, str, bytes]]) -> list[str]:
    """The coverage table's lines."""
    counts = coverage(samples)
    total = sum(counts[SETUPS[0]].values())
    lines = [f"coverage over {len(samples)} transactions ({total} calls at any depth) from tests/payloads/",
             f"{'':<12}" + "".join(f"{s:>22}" for s in SETUPS)]
    for cat in CATEGORIES:
        lines.append(f"{cat:<12}" + "".join(f"{counts[s][cat]:>12} ({100 * counts[s][cat] / total:5.1f}%)"
                                            for s in SETUPS))
    lines += [f"not named: {entry}" for entry in still_unnamed(samples)]
    return lines


def main() -> dict[str, Any]:
    samples = corpus()
    for line in report(samples):
        print(line)
    return {"samples": len(samples)}


if __name__ == "__main__":
    main()
