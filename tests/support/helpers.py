"""Calldata builders and the devnet's fixed addresses, for tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_utils import keccak

from chain.simulate.devnet import ALICE, BOB  # noqa: F401 - re-exported for tests


def registered(protocol: str, name: str, version: str | None = None, chain: int = 1) -> str:
    """A well-known contract's EIP-55 address from the protocol registry (never retyped in a test)."""
    from chain.protocols import protocol_registry

    return protocol_registry().find(chain, protocol, name, version)


DUSD = "0xF3F0912A998Cf4173790Bf119Cd4F477933c57A9"
DEMO = "0xcf6E4d6362AD785A10e5F488E19eA8a22b3E732f"
DPUNK = "0x94334c2c2c94021746a87B9D53F887D38140850b"
DRAINER_EOA = "0xeE76Fa70e8A002c9114C0aCB137b1E2951615424"
WETH = registered("Wrapped native", "WETH")
DMULTI = "0xB7A94e790D78b591D62187D274A5a78736392B21"
PERMIT2 = registered("Uniswap", "Permit2")
MULTICALL3 = registered("Multicall3", "Multicall3")
ROUTER = "0x0791C5d739896Df1d662d3e197cD3409cCC3734b"
DRAINER = "0x61204A81A05Fe1192913f3f416D496E920702319"
CLAIM = "0xfBf6f8AE9bd865f021aa9e90A70ea7eD1F3C5Df8"
PROXY = "0xd933b718D2db1deEB965F194cDD29B776f28D354"
SCAM = "0x51Ec19b063A63eb522127D67Dbb0313B860ce0A6"
MAX_UINT = 2**256 - 1
ROOT_DIR = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT_DIR / "examples"


def calldata(signature: str, *args: Any) -> str:
    """0x-hex calldata for ``signature`` (e.g. ``approve(address,uint256)``) and ``args``."""
    from chain.decode.codec import split_types

    types = split_types(signature[signature.index("(") + 1: -1])
    return "0x" + (keccak(text=signature)[:4] + encode(types, list(args))).hex()


def mapping_slot(key: str, slot: int, inner: str | None = None) -> str:
    """Storage slot of ``mapping[key]`` (or ``mapping[key][inner]``) declared at ``slot``."""
    outer = keccak(encode(["address", "uint256"], [key, slot]))
    if inner is None:
        return "0x" + outer.hex()
    return "0x" + keccak(encode(["address"], [inner]) + outer).hex()


def tx(to: str, data: str, **extra: Any) -> dict[str, Any]:
    """A bare devnet transaction from ALICE."""
    return {"chain_id": 31337, "from": ALICE, "to": to, "data": data, **extra}


def send_calls(*calls: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An EIP-5792 wallet_sendCalls request from ALICE on the devnet."""
    return {"chain_id": 31337, "method": "wallet_sendCalls", **extra,
            "params": [{"version": "2.0.0", "chainId": "0x7a69", "from": ALICE, "atomicRequired": True,
                        "calls": list(calls)}]}


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def explain_now(raw: Any, services: Any) -> dict[str, Any]:
    """Run the async explain pipeline to completion (tests call it from sync code)."""
    import asyncio

    from app.pipeline import explain_request

    return asyncio.run(explain_request(raw, services))


def record_body(result: dict[str, Any], record_id: str | None = None) -> Any:
    """A minimal audit record holding ``result`` (for tests that write the ledger without an explain)."""
    from datetime import UTC, datetime

    from ulid import ULID

    from audit import RecordBody

    return RecordBody(id=record_id or str(ULID()), created_at=datetime.now(UTC), kind="transaction", chain_id=31337,
                      verdict="ok", request={"test": True}, result=result, model={"engine": "none"}, sampling=None,
                      prompt=None, raw_output=None, validator={}, tool_calls=[],
                      policy={"version": "test", "sha256": "0" * 64})


def tamper(services: Any, seq: int, sql: str) -> None:
    """Run ``sql`` (with ``:seq``) against the ledger, as an attacker with database access would."""
    from sqlalchemy import text

    engine = services.sessions.kw["bind"]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # a superuser switching the append-only triggers off
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(sql), {"seq": seq})


def assert_ledger_whole(database_url: str, public_key_hex: str, answered: list[str]) -> int:
    """Every answered id has its record, ``seq`` has no gap and the ledger verifies (read straight from the
    database at ``database_url``); returns the number of records."""
    from sqlalchemy import create_engine, select

    from audit import AuditRecord, session_factory, verify_ledger

    engine = create_engine(database_url)
    sessions = session_factory(engine)
    try:
        with sessions() as session:
            seqs = list(session.scalars(select(AuditRecord.seq).order_by(AuditRecord.seq)))
            stored = set(session.scalars(select(AuditRecord.id)))
        assert seqs == list(range(1, len(seqs) + 1)), "seq has a gap"
        assert set(answered) <= stored, f"{len(set(answered) - stored)} answered requests have no record"
        report = verify_ledger(sessions, public_key_hex)
        assert report.ok and report.records == len(seqs), report
    finally:
        engine.dispose()
    return len(seqs)
