"""Per-transaction simulation latency, side by side in one run: revm on the devnet, revm forking a
real anvil (warm), and the rpc backend's eth_simulateV1 against that anvil.

Run: .venv/bin/python -m bench.simulate [--runs 300]   (needs node_modules/.bin/anvil: `npm ci`)
"""

from __future__ import annotations

import argparse
import statistics
import time

from chain.request import parse_request
from chain.simulate import RevmBackend, RpcBackend
from chain.simulate.devnet import ALICE, BOB, deploy_devnet_rpc
from tests.support.anvil import running_anvil


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    with running_anvil() as url:
        addresses = deploy_devnet_rpc(url)
        from eth_abi import encode
        from eth_utils import keccak

        data = keccak(text="transfer(address,uint256)")[:4] + encode(["address", "uint256"], [BOB, 10**6])
        tx = parse_request({"chain_id": 31337, "from": ALICE, "to": addresses["DUSD"], "data": "0x" + data.hex()})
        backends = {"revm devnet": RevmBackend(), "revm fork of anvil (warm)": RevmBackend(fork_url=url),
                    "rpc eth_simulateV1 on anvil": RpcBackend(url)}
        timings: dict[str, list[float]] = {name: [] for name in backends}
        for name, backend in backends.items():  # warm-up: the fork fetches state on first touch
            with backend.session({}) as state:
                assert state.simulate(tx).status == "success", name
        for _ in range(args.runs):  # interleaved so all three see the same machine state
            for name, backend in backends.items():
                start = time.perf_counter()
                with backend.session({}) as state:
                    state.simulate(tx)
                timings[name].append((time.perf_counter() - start) * 1000)
    for name, values in timings.items():
        print(f"{name:<30} median {statistics.median(values):8.3f} ms   p95 "
              f"{sorted(values)[int(0.95 * (len(values) - 1))]:8.3f} ms   ({len(values)} runs)")
    rpc = statistics.median(timings["rpc eth_simulateV1 on anvil"])
    fork = statistics.median(timings["revm fork of anvil (warm)"])
    print(f"revm fork speedup vs anvil eth_simulateV1: {rpc / fork:.1f}x")
    print(f"revm speedup vs anvil eth_simulateV1: {rpc / statistics.median(timings['revm devnet']):.1f}x")


if __name__ == "__main__":
    main()
