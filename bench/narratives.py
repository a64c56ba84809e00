"""Narratives from the real model over the scenario set (bench/scenarios.py), claims mode beside free mode in one
run: acceptance, served sentences that are not claims of the request, whether the headline and the first claim
address the most severe finding, coverage of critical and high findings, advice that matches the verdict,
generated tokens and warm latency; then the narrative cache's speedup. Ratios last.

Run: .venv/bin/python -m bench.narratives [--seeds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.prefix_cache import pct, side_by_side
from bench.scenarios import scenarios
from chain import Analysis
from chain.analyze import analyze
from chain.request import parse_request
from chain.rules import RULES, load_policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from inference import Sampling, default_model_path, explain
from inference.cache import NarrativeCache
from inference.claim_words import HEADLINES
from inference.claims import claims_of
from inference.llama_engine import LlamaCppEngine


@dataclass
class Tally:
    """One mode's figures over every scenario and sampling."""

    outcomes: Counter[str] = field(default_factory=Counter)
    not_claims: int = 0  # served sentences that are not this request's claims (claims mode only)
    sentences: int = 0
    on_top: list[bool] = field(default_factory=list)  # headline and first claim address the most severe finding
    covered: list[bool] = field(default_factory=list)  # every critical and high finding is told
    advice_ok: list[bool] = field(default_factory=list)  # ok never says "do not sign"; block always does
    tokens: list[int] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)


def judge_claims(analysis: Analysis, narrative: str, claim_ids: list[str], tally: Tally) -> None:
    """Check an accepted claims-mode narrative sentence by sentence against this request's claims."""
    claims = claims_of(analysis)
    known = claims.by_id()
    headline, told, advice = narrative.split("\n\n")
    expected = " ".join(known[i].text for i in claim_ids if i in known)
    tally.sentences += len(claim_ids) + 2
    tally.not_claims += (headline not in claims.headlines) + (advice not in claims.advice) + (told != expected) + sum(
        i not in known for i in claim_ids)
    if claims.top is not None:
        tally.on_top.append(claim_ids[0] == claims.top.id and HEADLINES[claims.top.rule or ""].lower()[1:] in
                            headline.lower())
    tally.covered.append({c.id for c in claims.required()} <= set(claim_ids))


def judge_advice(analysis: Analysis, narrative: str, tally: Tally) -> None:
    says_stop = "do not sign" in narrative.lower() or "reject" in narrative.lower()
    tally.advice_ok.append(says_stop if analysis.verdict == "block" else
                           not says_stop if analysis.verdict == "ok" else True)


def run(mode: str, analyses: list[Analysis], engine: LlamaCppEngine, policy, samplings: list[Sampling]) -> Tally:  # type: ignore[no-untyped-def]
    tally = Tally()
    for analysis in analyses:
        for sampling in samplings:
            start = time.perf_counter()
            explanation, _, call = asyncio.run(explain(analysis, engine, policy, sampling, Trace(), mode=mode))
            tally.ms.append((time.perf_counter() - start) * 1000)
            tally.tokens.append(call.completion_tokens or 0)
            tally.outcomes[(explanation.rejected_reason or "accepted").split(":")[0]] += 1
            if explanation.narrative is None:
                continue
            judge_advice(analysis, explanation.narrative, tally)
            if mode == "claims":
                judge_claims(analysis, explanation.narrative, explanation.claims or [], tally)
    return tally


def share(values: list[bool]) -> str:
    return f"{100 * sum(values) / len(values):5.1f}% of {len(values)}" if values else "  n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=1, help="samplings per scenario (seed 0 greedy, then t=0.3)")
    args = parser.parse_args()
    backend, policy = RevmBackend(), load_policy()
    engine = LlamaCppEngine(default_model_path(), n_threads=os.cpu_count() or 1)
    named = scenarios(backend.addresses)
    analyses = [analyze(parse_request(raw), backend, policy, Trace()) for _, raw in named]
    fired = {f.rule for a in analyses for f in a.findings}
    kinds = {(a.facts.kind, a.verdict) for a in analyses}
    print(f"{len(analyses)} scenarios; rules fired: {len(fired)}/{len(RULES)} (missing: {sorted(set(RULES) - fired)}); "
          f"benign ok of each kind: {sorted(k for k, v in kinds if v == 'ok')}")
    samplings = [Sampling()] + [Sampling(seed=s, temperature=0.3) for s in range(1, args.seeds)]
    for mode in ("claims", "free"):  # warm each mode's policy prefix before timing it
        asyncio.run(explain(analyses[0], engine, policy, Sampling(), Trace(), mode=mode))
    tallies = {mode: run(mode, analyses, engine, policy, samplings) for mode in ("claims", "free")}
    rows = [
        ("accepted", lambda t: f"{100 * t.outcomes['accepted'] / sum(t.outcomes.values()):5.1f}%"),
        ("served sentences not claims", lambda t: f"{t.not_claims} of {t.sentences}" if t.sentences else "  n/a"),
        ("headline + first claim on top finding", lambda t: share(t.on_top)),
        ("critical/high findings covered", lambda t: share(t.covered)),
        ("advice matches verdict", lambda t: share(t.advice_ok)),
        ("generated tokens p50", lambda t: f"{statistics.median(t.tokens):.0f}"),
        ("warm narrative latency p50", lambda t: f"{pct(t.ms, .5):.0f} ms"),
        ("warm narrative latency p95", lambda t: f"{pct(t.ms, .95):.0f} ms"),
    ]
    side_by_side(rows, tallies, 40, 22)
    for mode, tally in tallies.items():
        print(f"{mode} outcomes: " + ", ".join(f"{k} {v}" for k, v in tally.outcomes.most_common()))

    model_ms, hit_ms = [], []
    cache = NarrativeCache()
    for analysis in analyses[:12]:  # the same facts: a model call, then a cache hit
        start = time.perf_counter()
        _, _, call = asyncio.run(explain(analysis, engine, policy, Sampling(), Trace()))
        model_ms.append((time.perf_counter() - start) * 1000)
        cache.put(call.narrative_key or "", {"narrative": "an accepted narrative", "claims": None, "mode": "claims"})
        start = time.perf_counter()
        explanation, _, _ = asyncio.run(explain(analysis, engine, policy, Sampling(), Trace(), cache))
        hit_ms.append((time.perf_counter() - start) * 1000)
        assert explanation.narrative_source == "cache"
    claims, free = tallies["claims"], tallies["free"]
    print(f"narrative-cache hit median {statistics.median(hit_ms):.2f} ms vs model call "
          f"{statistics.median(model_ms):.0f} ms")
    print(f"free vs claims: tokens {statistics.median(free.tokens) / statistics.median(claims.tokens):.1f}x, "
          f"latency p50 {pct(free.ms, .5) / pct(claims.ms, .5):.1f}x; "
          f"narrative-cache speedup {statistics.median(model_ms) / statistics.median(hit_ms):.0f}x")


if __name__ == "__main__":
    main()
