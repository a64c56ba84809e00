"""Cold vs warm-prefix TTFT for the embedded engine, side by side in one run, plus warm explain
latency next to what llama.cpp's own prefill and decode speeds allow for the same token counts.

Run: .venv/bin/python -m bench.prefix_cache [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics

from chain import analyze, parse_request
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


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    backend, policy = RevmBackend(), load_policy()
    engine = LlamaCppEngine(default_model_path(), n_threads=os.cpu_count() or 1, prefix_states=0)
    chats = [build_messages(policy, fact_sheet(analyze(parse_request(r), backend, policy, Trace())))
             for r in requests(backend)]
    one = Sampling(max_tokens=1)
    cold, warm, prefill_rates = [], [], []
    for i in range(args.runs):  # alternate cold and warm so both see the same machine state
        engine._llm.reset()  # empty context: the whole prompt is evaluated
        g = engine.generate_sync(chats[i % len(chats)], NARRATIVE_SCHEMA, one)
        cold.append(g.ttft_ms)
        prefill_rates.append((g.prompt_tokens - g.cached_tokens) / (g.ttft_ms / 1000))
        g = engine.generate_sync(chats[(i + 1) % len(chats)], NARRATIVE_SCHEMA, one)  # same prefix, new facts
        warm.append(g.ttft_ms)
    prefix_tokens = engine.count_tokens(engine.render_prefix(chats[0][:-1]))
    print(f"prompt: {prefix_tokens} policy-prefix tokens + ~{g.prompt_tokens - prefix_tokens} facts tokens")
    print(f"cold TTFT (whole prompt evaluated): median {statistics.median(cold):7.1f} ms over {args.runs} runs")
    print(f"warm-prefix TTFT (facts only):      median {statistics.median(warm):7.1f} ms over {args.runs} runs")

    decode_rates, explain_ms, limit_ms = [], [], []
    for i in range(args.runs * len(chats)):
        g = engine.generate_sync(chats[i % len(chats)], NARRATIVE_SCHEMA, Sampling())
        decode_s = (g.duration_ms - g.ttft_ms) / 1000
        if g.completion_tokens > 1 and decode_s > 0:
            decode_rates.append((g.completion_tokens - 1) / decode_s)
        explain_ms.append(g.duration_ms)
        limit_ms.append(g)
    prefill, decode = statistics.median(prefill_rates), statistics.median(decode_rates)
    limits = [((g.prompt_tokens - g.cached_tokens) / prefill + g.completion_tokens / decode) * 1000 for g in limit_ms]
    print(f"llama.cpp in this run: prefill {prefill:.0f} tok/s, decode {decode:.0f} tok/s (medians)")
    print(f"warm narrative generation: p50 {pct(explain_ms, .5):.0f} ms, p95 {pct(explain_ms, .95):.0f} ms; "
          f"llama.cpp limit for the same tokens: p50 {pct(limits, .5):.0f} ms, p95 {pct(limits, .95):.0f} ms")
    print(f"warm-prefix TTFT speedup: {statistics.median(cold) / statistics.median(warm):.1f}x")


if __name__ == "__main__":
    main()
