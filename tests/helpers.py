"""Calldata builders and the devnet's fixed addresses, for tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_utils import keccak

from chain.simulate.devnet import ALICE, BOB  # noqa: F401 - re-exported for tests

DUSD = "0xF3F0912A998Cf4173790Bf119Cd4F477933c57A9"
DEMO = "0xcf6E4d6362AD785A10e5F488E19eA8a22b3E732f"
DPUNK = "0x94334c2c2c94021746a87B9D53F887D38140850b"
DRAINER_EOA = "0xeE76Fa70e8A002c9114C0aCB137b1E2951615424"
MAX_UINT = 2**256 - 1
ROOT_DIR = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT_DIR / "examples"


def calldata(signature: str, *args: Any) -> str:
    """0x-hex calldata for ``signature`` (e.g. ``approve(address,uint256)``) and ``args``."""
    types = signature[signature.index("(") + 1: -1].split(",") if not signature.endswith("()") else []
    return "0x" + (keccak(text=signature)[:4] + encode(types, list(args))).hex()


def tx(to: str, data: str, **extra: Any) -> dict[str, Any]:
    """A bare devnet transaction from ALICE."""
    return {"chain_id": 31337, "from": ALICE, "to": to, "data": data, **extra}


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def explain_now(raw: Any, services: Any) -> dict[str, Any]:
    """Run the async explain pipeline to completion (tests call it from sync code)."""
    import asyncio

    from app.service import explain_request

    return asyncio.run(explain_request(raw, services))
