"""Narratives from the real model over the scenario set: acceptance rate by rejection reason, and the
narrative cache's speedup (a cache hit vs a model call), side by side in one run.

Run: .venv/bin/python -m bench.narratives [--seeds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections import Counter

from bench.prefix_cache import requests
from chain import analyze, parse_request
from chain.rules import load_policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from inference import Sampling, default_model_path, explain
from inference.cache import NarrativeCache
from inference.llama_engine import LlamaCppEngine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=3, help="sampling seeds per scenario (temperature 0.3)")
    args = parser.parse_args()
    backend, policy = RevmBackend(), load_policy()
    engine = LlamaCppEngine(default_model_path(), n_threads=os.cpu_count() or 1)
    analyses = [analyze(parse_request(r), backend, policy, Trace()) for r in requests(backend)]
    outcomes: Counter[str] = Counter()
    samplings = [Sampling()] + [Sampling(seed=s, temperature=0.3) for s in range(1, args.seeds)]
    for analysis in analyses:
        for sampling in samplings:
            explanation, _, _ = asyncio.run(explain(analysis, engine, policy, sampling, Trace()))
            outcomes[(explanation.rejected_reason or "accepted").split(":")[0]] += 1
    total = sum(outcomes.values())
    print(f"{total} narratives ({len(analyses)} scenarios x {len(samplings)} samplings):")
    for reason, count in outcomes.most_common():
        print(f"  {reason:<22} {count:3d}  {100 * count / total:5.1f}%")

    model_ms, hit_ms = [], []
    cache = NarrativeCache()
    for analysis in analyses:  # the same facts: a model call, then a cache hit
        start = time.perf_counter()
        _, _, call = asyncio.run(explain(analysis, engine, policy, Sampling(), Trace()))
        model_ms.append((time.perf_counter() - start) * 1000)
        # Only accepted narratives are cached; seed every key so each scenario measures a hit.
        cache.put(call.narrative_key or "", "an accepted narrative")
        start = time.perf_counter()
        explanation, _, _ = asyncio.run(explain(analysis, engine, policy, Sampling(), Trace(), cache))
        hit_ms.append((time.perf_counter() - start) * 1000)
        assert explanation.narrative_source == "cache"
    m, h = statistics.median(model_ms), statistics.median(hit_ms)
    print(f"model call median {m:.0f} ms; narrative-cache hit median {h:.2f} ms")
    print(f"narrative-cache speedup: {m / h:.0f}x")


if __name__ == "__main__":
    main()
