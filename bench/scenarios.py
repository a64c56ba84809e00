"""The narrative benches' scenario set (≥ 40): the real-library payload corpus, the README's examples, each
catalogue rule's firing and quiet cases from tests/test_rules_catalogue.py, and a few requests for the rules
those do not reach — every rule fires at least once, and each request kind has a benign `ok` case."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chain.simulate.devnet import ALICE, BOB

ROOT = Path(__file__).resolve().parents[1]


def scenarios(addresses: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    """(name, request) pairs; ``addresses`` are the devnet's (``RevmBackend().addresses``)."""
    from eth_abi import encode
    from eth_utils import keccak

    from tests.test_rules_catalogue import CASES

    corpus = json.loads((ROOT / "tests" / "payloads" / "corpus.json").read_text())["payloads"]
    out = [(f"corpus/{p['name']}", p["request"]) for p in corpus]
    out += [(f"examples/{p.stem}", json.loads(p.read_text())) for p in sorted((ROOT / "examples").glob("*.json"))]
    for rule, fires, quiet in CASES:
        out += [(f"rule/{rule}", fires), (f"quiet/{rule}", quiet)]
    dusd = addresses["DUSD"]
    transfer = "0x" + (keccak(text="transfer(address,uint256)")[:4] + encode(["address", "uint256"],
                                                                             [BOB, 10**30])).hex()
    siwe = next(p["request"] for p in corpus if p["name"] == "viem-siwe")
    out += [
        ("rule/BLIND_SIGNATURE", {"chain_id": 31337, "method": "eth_sign", "params": [ALICE, "0x" + "ab" * 32]}),
        ("rule/SIWE_DOMAIN_MISMATCH", {**siwe, "context": {"origin": "https://app-uniswap.org.example"}}),
        ("rule/SIMULATION_REVERTED", {"chain_id": 31337, "from": ALICE, "to": dusd, "data": transfer}),
        ("rule/UNKNOWN_FUNCTION", {"chain_id": 31337, "from": ALICE, "to": dusd, "data": "0xdeadbeef"}),
        ("ok/personal_sign", {"chain_id": 31337, "method": "personal_sign",
                              "params": ["0x" + b"Sign in to Example".hex(), ALICE]}),
    ]
    return out
