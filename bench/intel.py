"""Threat-intelligence lookups, figures side by side:

1. the cost per request of every intel rule with all bundled feeds loaded (eth-phishing-detect, the token lists,
   Safe's deployments) plus a 1M-address operator feed, against the same requests with no operator feed (goal:
   < 0.2 ms p50 added);
2. memory of the loaded feeds (RSS before and after loading them);
3. the import time of a 1M-address file (parse, validate, store) and its load time.

Run: .venv/bin/python -m bench.intel [--addresses 1000000] [--rounds 2000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from chain.analyze import analyze
from chain.facts import Facts
from chain.intel import operator
from chain.intel.phishing import phishing_list
from chain.intel.safe import safe_deployments
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--addresses", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    policy, backend = load_policy(), RevmBackend()
    before = rss_mib()
    phishing_list(), token_lists(), safe_deployments()
    bundled = rss_mib()
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'intel rules p50, bundled feeds only':52s} {empty_ms:10.4f} ms")
    print(f"{'intel rules p50, + ' + f'{args.addresses:,}' + '-address operator feed':52s} {full_ms:10.4f} ms")
    print(f"{'RSS: before feeds / bundled loaded / + operator feed':52s} {before:7.0f} / {bundled:.0f} / "
          f"{loaded:.0f} MiB (peak {peak:.0f})")
    print(f"{'import (parse, validate, store) / load':52s} {import_s:10.2f} s / {load_s:.2f} s")
    print(f"{'added by the operator feed (goal < 0.2 ms)':52s} {full_ms - empty_ms:10.4f} ms")


if __name__ == "__main__":
    main()
