"""The user's words and the cost of their values, figures side by side:

1. text quality over the real payloads (the viem/ethers corpus, the SDK world on the embedded devnet, the protocols'
   orders and grants): how many summaries say a base-unit integer (7+ digits: an amount or a timestamp), "wei",
   "unix time", a function signature, or a sentence twice — the narrative in claims mode is made of the same
   sentences, so the same counts hold for it;
2. the pricing cost per request: the analysis of the world's priced requests (swaps, transfers, approvals) with and
   without reading prices, interleaved, medians.

Run: .venv/bin/python -m bench.effects [--rounds 200]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from pathlib import Path

from chain.analyze import analyze
from chain.request import parse_request
from chain.rules import load_policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from inference.summary import summarize

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ("corpus.json", "world.json", "effects.json")
CHECKS = {"base-unit integer": re.compile(r"(?<![0-9a-fA-Fx,.])\d{7,}(?![0-9,])"), "wei": re.compile(r"\bwei\b"),
          "unix time": re.compile(r"unix time"), "function signature": re.compile(r"\b\w+\((address|uint|bytes|bool)")}


def requests(name: str) -> list[dict]:
    return [p["request"] for p in json.loads((ROOT / "tests/payloads" / name).read_text())["payloads"]]


def repeated(summary: str) -> bool:
    sentences = [s for s in re.split(r"(?<=\.) ", summary) if s]
    return len(sentences) != len(set(sentences))


def quality(backend: RevmBackend) -> None:
    policy = load_policy()
    print("text quality: summaries that say …")
    print(f"{'corpus':<14}{'requests':>9}" + "".join(f"{k:>20}" for k in (*CHECKS, "a sentence twice")))
    for name in CORPORA:
        summaries = [summarize(analyze(parse_request(r), backend, policy, Trace())) for r in requests(name)]
        counts = [sum(bool(p.search(s)) for s in summaries) for p in CHECKS.values()]
        counts.append(sum(repeated(s) for s in summaries))
        print(f"{name:<14}{len(summaries):>9}" + "".join(f"{c:>20}" for c in counts))


def pricing(backend: RevmBackend, rounds: int) -> None:
    from chain.analyze import _price

    policy = load_policy()
    analysed = [(r, analyze(r, backend, policy, Trace())) for r in map(parse_request, requests("world.json"))]
    priced = [(r, a) for r, a in analysed if any(e.usd for e in a.facts.effects)]
    whole, prices = [], []
    for _ in range(rounds):
        for request, analysis in priced:
            start = time.perf_counter()
            analyze(request, backend, policy, Trace())
            whole.append(time.perf_counter() - start)
            facts, skipped = analysis.facts, list(analysis.facts.skipped)
            for effect in facts.effects:
                effect.usd = effect.price_source = None
            start = time.perf_counter()
            _price(facts, backend, policy, Trace())
            prices.append(time.perf_counter() - start)
            facts.skipped = skipped
    a, b = statistics.median(whole) * 1000, statistics.median(prices) * 1000
    print(f"\npricing: {len(priced)} priced requests of the world x {rounds} rounds, interleaved")
    print(f"{'whole analysis, p50':<34}{a:>9.3f} ms")
    print(f"{'reading the prices, p50':<34}{b:>9.3f} ms")
    print(f"{'share of the analysis':<34}{b / a:>9.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    backend = RevmBackend()
    quality(backend)
    pricing(backend, args.rounds)


if __name__ == "__main__":
    main()
