"""Threat-intelligence lookups, figures side by side:

1. the cost per request of every intel rule with all bundled feeds loaded (eth-phishing-detect, the token lists,
   Safe's deployments) plus a 1M-address operator feed, against the same requests with no operator feed (goal:
   < 0.2 ms p50 added);
2. memory of the loaded feeds (RSS before and after loading them);
3. the import time of a 1M-address file (parse, validate, store) and its load time;
4. /v1/decode's work (``decode_request``: parse, decode, static rules) in requests per second over a mix of SDK
   requests, with no feed installed, with the bundled feeds, and with the 1M-address feed added.

Run: .venv/bin/python -m bench.intel [--addresses 1000000] [--rounds 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from chain.analyze import analyze, decode_request
from chain.facts import Facts
from chain.intel import feeds, operator
from chain.intel.phishing import phishing_list
from chain.intel.safe import safe_deployments
from chain.intel.sanctions import sanctions_list
from chain.intel.tokens import token_lists
from chain.request import parse_request
from chain.rules import RULES, load_policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from tests.support.helpers import DRAINER_EOA, DUSD, calldata, tx

INTEL_RULES = ("KNOWN_MALICIOUS", "SANCTIONED_ADDRESS", "PHISHING_ORIGIN", "LOOKALIKE_ORIGIN", "IMPERSONATOR_TOKEN",
               "DELEGATECALL")


def rss_mib() -> float:
    """This process's resident set now, in MiB (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def rules_ms(facts: Facts, policy: object, rounds: int) -> float:
    """p50 milliseconds of running the intel rules once over ``facts``."""
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        for rule_id in INTEL_RULES:
            RULES[rule_id](facts, policy)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


WORLD = Path(__file__).resolve().parents[1] / "tests" / "payloads" / "world.json"
BUNDLED = (phishing_list, token_lists, safe_deployments, sanctions_list)


def decode_rps(requests: list[dict], policy: object, seconds: float = 3.0) -> float:
    """Requests per second of ``decode_request`` over ``requests`` in turn, for about ``seconds``."""
    parsed = [parse_request(r) for r in requests]
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for request in parsed:
            decode_request(request, policy)
        done += len(parsed)
    return done / (time.perf_counter() - started)


def without_bundled_feeds(policy: object, requests: list[dict]) -> float:
    """decode throughput with every bundled list absent (as if node_modules were not installed)."""
    kept = feeds.NODE_MODULES
    with tempfile.TemporaryDirectory() as empty:
        feeds.NODE_MODULES = Path(empty)
        for load in BUNDLED:
            load.cache_clear()
        try:
            return decode_rps(requests, policy)
        finally:
            feeds.NODE_MODULES = kept
            for load in BUNDLED:
                load.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--addresses", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    policy, backend = load_policy(), RevmBackend()
    mix = [{**p["request"], "context": {"origin": "https://app.uniswap.org"}}
           for p in json.loads(WORLD.read_text())["payloads"]]
    none_rps = without_bundled_feeds(policy, mix)
    before = rss_mib()
    for load in BUNDLED:
        load()
    bundled = rss_mib()
    bundled_rps = decode_rps(mix, policy)
    request = {**tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, 5)),
               "context": {"origin": "https://app.uniswap.org"}}
    facts = analyze(parse_request(request), backend, policy, Trace()).facts
    with tempfile.TemporaryDirectory() as home:
        operator.configure(Path(home))
        empty_ms = rules_ms(facts, policy, args.rounds)
        lines = "\n".join("0x" + os.urandom(20).hex() for _ in range(args.addresses)).encode()
        started = time.perf_counter()
        operator.store_feed("bench", "malicious", lines, "bench.txt")
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        operator.reload()
        load_s = time.perf_counter() - started
        loaded = rss_mib()
        full_ms = rules_ms(facts, policy, args.rounds)
        full_rps = decode_rps(mix, policy)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'intel rules p50, bundled feeds only':52s} {empty_ms:10.4f} ms")
    print(f"{'intel rules p50, + ' + f'{args.addresses:,}' + '-address operator feed':52s} {full_ms:10.4f} ms")
    print(f"{'RSS: before feeds / bundled loaded / + operator feed':52s} {before:7.0f} / {bundled:.0f} / "
          f"{loaded:.0f} MiB (peak {peak:.0f})")
    print(f"{'import (parse, validate, store) / load':52s} {import_s:10.2f} s / {load_s:.2f} s")
    print(f"{'/v1/decode work, req/s: no feeds / bundled / + feed':52s} {none_rps:10.0f} / {bundled_rps:.0f} / "
          f"{full_rps:.0f}   ({len(mix)} SDK requests in turn)")
    print(f"{'added by the operator feed (goal < 0.2 ms)':52s} {full_ms - empty_ms:10.4f} ms")
    print(f"{'decode throughput, bundled / none and + feed / bundled':52s} {bundled_rps / none_rps:10.2f}x / "
          f"{full_rps / bundled_rps:.2f}x")


if __name__ == "__main__":
    main()
