"""Cold vs warm-prefix TTFT for the embedded engine and warm generation latency, claims mode beside free mode in
one run (claims mode's suffix is a short list of labels; free mode's is the fact sheet).

Run: .venv/bin/python -m bench.prefix_cache [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable
from typing import Any

from chain.analyze import analyze
from chain.request import parse_request
from chain.rules import load_policy
from chain.simulate import RevmBackend
from chain.simulate.devnet import ALICE, BOB
from chain.trace import Trace
from inference import Sampling, default_model_path
from inference.factsheet import fact_sheet
from inference.llama_engine import LlamaCppEngine
from inference.prompt import NARRATIVE_SCHEMA, build_messages


def requests(backend: RevmBackend) -> list[dict]:
    from eth_abi import encode
    from eth_utils import keccak

    def cd(sig: str, types: list[str], args: list) -> str:
        return "0x" + (keccak(text=sig)[:4] + encode(types, args)).hex()

    dusd, dpunk = backend.addresses["DUSD"], backend.addresses["DPUNK"]
    return [
        {"chain_id": 31337, "from": ALICE, "to": dusd, "data": cd("approve(address,uint256)", ["address", "uint256"],
                                                                  [BOB, 2**256 - 1])},
        {"chain_id": 31337, "from": ALICE, "to": dusd, "data": cd("transfer(address,uint256)", ["address", "uint256"],
                                                                  [BOB, 7 * 10**6])},
        {"chain_id": 31337, "from": ALICE, "to": dpunk, "data": cd("setApprovalForAll(address,bool)",
                                                                   ["address", "bool"], [BOB, True])},
        {"chain_id": 31337, "from": ALICE, "to": BOB, "value": hex(10**17)},
    ]


def side_by_side(rows: list[tuple[str, Callable[[Any], str]]], columns: dict[str, Any], width: int = 40,
                 column: int = 16, note: str = "") -> None:
    """Print one figure per row, one column per mode (claims beside free), from ``columns``' measurements."""
    print(f"{'figure':<{width}}" + "".join(f"{name:>{column}}" for name in columns) + note)
    for label, figure in rows:
        print(f"{label:<{width}}" + "".join(f"{figure(value):>{column}}" for value in columns.values()))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(engine: LlamaCppEngine, chats: list[list[dict[str, str]]], schemas: list[dict], runs: int) -> dict:
    """Cold and warm-prefix TTFT, then warm generation, for one mode's chats."""
    one = Sampling(max_tokens=1)
    cold, warm, prefill_rates = [], [], []
    for i in range(runs):  # alternate cold and warm so both see the same machine state
        engine._llm.reset()  # empty context: the whole prompt is evaluated
        g = engine.generate_sync(chats[i % len(chats)], schemas[i % len(chats)], one)
        cold.append(g.ttft_ms)
        prefill_rates.append((g.prompt_tokens - g.cached_tokens) / (g.ttft_ms / 1000))
        j = (i + 1) % len(chats)  # same prefix, new facts
        g = engine.generate_sync(chats[j], schemas[j], one)
        warm.append(g.ttft_ms)
    prefix_tokens = engine.count_tokens(engine.render_prefix(chats[0][:-1]))
    explain_ms, tokens = [], []
    for i in range(runs * len(chats)):
        g = engine.generate_sync(chats[i % len(chats)], schemas[i % len(chats)], Sampling())
        explain_ms.append(g.duration_ms)
        tokens.append(g.completion_tokens)
    return {"prefix": prefix_tokens, "facts": g.prompt_tokens - prefix_tokens, "cold": statistics.median(cold),
            "warm": statistics.median(warm), "prefill": statistics.median(prefill_rates), "ms": explain_ms,
            "tokens": statistics.median(tokens)}


def main() -> None:
    from inference.claims import claims_of
    from inference.claims_mode import claims_schema, claims_sheet, labels

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    backend, policy = RevmBackend(), load_policy()
    engine = LlamaCppEngine(default_model_path(), n_threads=os.cpu_count() or 1, prefix_states=0)
    analyses = [analyze(parse_request(r), backend, policy, Trace()) for r in requests(backend)]
    named = [labels(claims_of(a)) for a in analyses]
    modes = {
        "claims": ([build_messages(policy, claims_sheet(a.verdict, n), "claims") for a, n in zip(analyses, named,
                                                                                                  strict=True)],
                   [claims_schema(n) for n in named]),
        "free": ([build_messages(policy, fact_sheet(a)) for a in analyses], [NARRATIVE_SCHEMA] * len(analyses)),
    }
    figures = {mode: measure(engine, chats, schemas, args.runs) for mode, (chats, schemas) in modes.items()}
    rows = [
        ("policy-prefix tokens", lambda f: f"{f['prefix']}"),
        ("facts tokens (last request)", lambda f: f"{f['facts']}"),
        ("cold TTFT, median", lambda f: f"{f['cold']:.1f} ms"),
        ("warm-prefix TTFT, median", lambda f: f"{f['warm']:.1f} ms"),
        ("prefill rate, median", lambda f: f"{f['prefill']:.0f} tok/s"),
        ("generated tokens, median", lambda f: f"{f['tokens']:.0f}"),
        ("warm generation p50", lambda f: f"{pct(f['ms'], .5):.0f} ms"),
        ("warm generation p95", lambda f: f"{pct(f['ms'], .95):.0f} ms"),
        ("warm-prefix TTFT speedup", lambda f: f"{f['cold'] / f['warm']:.1f}x"),
    ]
    side_by_side(rows, figures, 32, 14, f"   ({args.runs} runs, {len(analyses)} requests)")


if __name__ == "__main__":
    main()
