"""Per-transaction simulation latency, side by side in one run: revm on the devnet, revm forking a
real anvil (warm), and the rpc backend's eth_simulateV1 against that anvil — for an ERC-20 transfer on our token
and, on the protocols' own contracts, a Universal Router swap (1 ETH for USDC through Uniswap V2) and a signed
Safe execTransaction, both built by the SDKs (tests/payloads/world.json).

Run: .venv/bin/python -m bench.simulate [--runs 300]   (needs node_modules: `npm ci`)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from eth_abi import encode
from eth_utils import keccak

from chain.request import parse_request
from chain.simulate import RevmBackend, RpcBackend
from chain.simulate.devnet import ALICE, BOB, deploy_devnet_rpc
from tests.support.anvil import running_anvil

WORLD = Path(__file__).resolve().parents[1] / "tests" / "payloads" / "world.json"
BURST = 10
REAL = {"Universal Router swap": "ur-buy-usdc-with-eth", "Safe execTransaction": "safe-exec-usdc-to-bob"}


def requests(addresses: dict[str, str]) -> dict[str, object]:
    data = keccak(text="transfer(address,uint256)")[:4] + encode(["address", "uint256"], [BOB, 10**6])
    named = {p["name"]: p["request"] for p in json.loads(WORLD.read_text())["payloads"]}
    return {"DUSD transfer": parse_request({"chain_id": 31337, "from": ALICE, "to": addresses["DUSD"],
                                            "data": "0x" + data.hex()}),
            **{label: parse_request(named[name]) for label, name in REAL.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with running_anvil() as url:
        txs = requests(deploy_devnet_rpc(url))
        backends = {"revm devnet": RevmBackend(), "revm fork of anvil (warm)": RevmBackend(fork_url=url),
                    "rpc eth_simulateV1 on anvil": RpcBackend(url)}
        timings = {(tx, name): [] for tx in txs for name in backends}
        for tx_name, tx in txs.items():
            for name, backend in backends.items():  # warm-up: the fork fetches state on first touch
                with backend.session({}) as state:
                    assert state.simulate(tx).status == "success", (tx_name, name)
        # Rounds interleave the backends, in a shuffled order, so all see the same machine state; within a round
        # each runs a burst of BURST requests, as a service runs its one backend (a per-request interleave
        # measures the CPU caches the other backends evicted, and anvil's tail work on the 2 cores).
        order = list(backends.items())
        shuffle = random.Random(7).shuffle
        for _ in range(max(1, args.runs // BURST)):
            for tx_name, tx in txs.items():
                shuffle(order)
                for name, backend in order:
                    for _ in range(BURST):
                        start = time.perf_counter()
                        with backend.session({}) as state:
                            state.simulate(tx)
                        timings[(tx_name, name)].append((time.perf_counter() - start) * 1000)
    median = {key: statistics.median(values) for key, values in timings.items()}
    for (tx_name, name), values in timings.items():
        print(f"{tx_name:<22} {name:<28} median {median[(tx_name, name)]:8.3f} ms   p95 "
              f"{sorted(values)[int(0.95 * (len(values) - 1))]:8.3f} ms   ({len(values)} runs)")
    for tx_name in txs:
        rpc = median[(tx_name, "rpc eth_simulateV1 on anvil")]
        print(f"{tx_name:<22} revm devnet speedup vs anvil eth_simulateV1: "
              f"{rpc / median[(tx_name, 'revm devnet')]:6.1f}x   revm fork: "
              f"{rpc / median[(tx_name, 'revm fork of anvil (warm)')]:6.1f}x")


if __name__ == "__main__":
    main()
