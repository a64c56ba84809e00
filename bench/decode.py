"""Calldata decoding throughput, side by side in one run: txexplain's decoder vs web3.py's
``Contract.decode_function_input`` over the same corpus of realistic calldata.

web3.py is given one contract whose ABI holds every function of the corpus (it resolves overloads
by selector). txexplain decodes with its bundled tables and, unlike web3.py, also decodes the nested
calls of Multicall3 and the Universal Router; nothing is cached between calls on either side.

First it prints the coverage table of :mod:`bench.decode_coverage` (named / guessed / unknown over the SDK corpus,
beside the hand-written table alone), then the throughput.

Run: .venv/bin/python -m bench.decode [--rounds 15] [--per-round 2000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from eth_abi import encode

from bench.decode_coverage import corpus as coverage_corpus
from bench.decode_coverage import report as coverage_report
from chain.decode import decode_calldata
from chain.decode.codec import split_types
from chain.decode.registry import bundled_functions
from tests.support.helpers import (
    ALICE,
    BOB,
    DEMO,
    DPUNK,
    DRAINER_EOA,
    DUSD,
    MAX_UINT,
    MULTICALL3,
    WETH,
    calldata,
    registered,
)

ROUTER = registered("Uniswap", "Universal Router", "1.2")


def corpus() -> list[tuple[str, bytes]]:
    """(label, calldata) pairs a wallet sees daily."""
    def raw(signature: str, *args: Any) -> bytes:
        return bytes.fromhex(calldata(signature, *args)[2:])

    approve = raw("approve(address,uint256)", DRAINER_EOA, MAX_UINT)
    permit = encode(["((address,uint160,uint48,uint48),address,uint256)", "bytes"],
                    [((DUSD, 2**160 - 1, 1_900_000_000, 0), ROUTER, 1_900_000_000), b"\x01" * 65])
    v2 = encode(["address", "uint256", "uint256", "address[]", "bool"], [ALICE, 10**18, 1, [DUSD, WETH], True])
    return [
        ("erc20 transfer", raw("transfer(address,uint256)", BOB, 25 * 10**6)),
        ("erc20 approve", approve),
        ("erc20 transferFrom", raw("transferFrom(address,address,uint256)", ALICE, BOB, 10**18)),
        ("erc721 setApprovalForAll", raw("setApprovalForAll(address,bool)", DRAINER_EOA, True)),
        ("erc721 safeTransferFrom", raw("safeTransferFrom(address,address,uint256,bytes)", ALICE, BOB, 7, b"")),
        ("v2 swapExactTokensForTokens", raw("swapExactTokensForTokens(uint256,uint256,address[],address,uint256)",
                                            10**18, 1, [DUSD, WETH, DEMO], ALICE, 1_900_000_000)),
        ("v3 exactInputSingle", raw("exactInputSingle((address,address,uint24,address,uint256,uint256,uint160))",
                                    (DUSD, WETH, 500, ALICE, 10**18, 1, 0))),
        ("permit2 permit", raw("permit(address,((address,uint160,uint48,uint48),address,uint256),bytes)",
                               ALICE, ((DUSD, 10**9, 1_900_000_000, 0), ROUTER, 1_900_000_000), b"\x01" * 65)),
        ("erc1155 safeBatchTransferFrom", raw("safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)",
                                              ALICE, BOB, [1, 2, 3], [10, 20, 30], b"")),
        ("multicall3 aggregate3", raw("aggregate3((address,bool,bytes)[])",
                                      [(DUSD, False, approve), (DPUNK, False, raw("setApprovalForAll(address,bool)",
                                                                                   DRAINER_EOA, True))])),
        ("universal router execute", raw("execute(bytes,bytes[],uint256)", b"\x0a\x08", [permit, v2], 1_900_000_000)),
    ]


def _param(name: str, abi_type: str) -> dict[str, Any]:
    """A JSON ABI parameter for a canonical type (tuples get components)."""
    if abi_type.startswith("("):
        close = abi_type.rindex(")")
        members = split_types(abi_type[1:close])
        return {"name": name, "type": "tuple" + abi_type[close + 1:],
                "components": [_param(f"f{i}", t) for i, t in enumerate(members)]}
    return {"name": name, "type": abi_type}


def web3_contract(samples: list[tuple[str, bytes]]) -> Any:
    from web3 import Web3

    table = bundled_functions()
    abi = []
    for _, data in samples:
        for fn in table[data[:4]]:
            abi.append({"type": "function", "name": fn.name, "stateMutability": "nonpayable", "outputs": [],
                        "inputs": [_param(n, t) for n, t in zip(fn.names, fn.types, strict=True)]})
    return Web3().eth.contract(abi=abi)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=2000, help="calls per decoder per round")
    args = parser.parse_args()
    for line in coverage_report(coverage_corpus()):
        print(line)
    samples = corpus()
    contract = web3_contract(samples)
    for _, data in samples:  # both decode every sample before timing
        assert decode_calldata(data, MULTICALL3).function is not None
        contract.decode_function_input(data)
    hexed = ["0x" + data.hex() for _, data in samples]  # web3.py's usual input
    decoders = {
        "txexplain": lambda i: decode_calldata(samples[i][1], MULTICALL3),
        "web3.py": lambda i: contract.decode_function_input(hexed[i]),
    }
    rates: dict[str, list[float]] = {name: [] for name in decoders}
    n = len(samples)
    for _ in range(args.rounds):  # interleaved so both see the same machine state
        for name, decode in decoders.items():
            start = time.perf_counter()
            for i in range(args.per_round):
                decode(i % n)
            rates[name].append(args.per_round / (time.perf_counter() - start))
    print(f"corpus: {n} calldata shapes ({', '.join(label for label, _ in samples)})")
    for name, values in rates.items():
        print(f"{name:<10} median {statistics.median(values):10,.0f} calls/s   "
              f"min {min(values):10,.0f}   max {max(values):10,.0f}   ({args.rounds} rounds x {args.per_round})")
    speedup = statistics.median(rates["txexplain"]) / statistics.median(rates["web3.py"])
    print(f"decode speedup vs web3.py: {speedup:.1f}x")


if __name__ == "__main__":
    main()
