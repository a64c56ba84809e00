"""Safe transactions: a SafeTx signature (built with Safe's own EIP-712 type and transaction builder, signed through
viem: tests/payloads/corpus.json) is judged as the execTransaction it authorizes, and a delegatecall — signed or
executed, at any depth — is judged against Safe's own deployments of its libraries on that chain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak

from chain.analyze import analyze, decode_request
from chain.intel import safe as safe_feed
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from inference.claims import action
from inference.summary import summarize
from tests.conftest import ROOT
from tests.support.helpers import calldata, registered

CORPUS = {p["name"]: p for p in json.loads((ROOT / "tests" / "payloads" / "corpus.json").read_text())["payloads"]}
SAFE = "0x5afe5afE5afE5afE5afE5aFe5aFe5Afe5Afe5AfE"
MULTISEND_CALL_ONLY = "0x9641d764fc13c8B624c04430C7356C1C7C8102e2"  # Safe 1.4.1
UNKNOWN = "0x96221423681A6d52E184D440a8eFCEbB105C7242"
USDC = registered("Token", "USDC")
EXEC = "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)"
ZERO = "0x" + "00" * 20


def safe_tx(name: str, chain_id: int | None = None) -> dict[str, Any]:
    """A corpus SafeTx request, its domain (and the request) moved to ``chain_id`` if given."""
    raw = json.loads(json.dumps(CORPUS[name]["request"]))
    if chain_id is not None:
        document = json.loads(raw["params"][1])
        document["domain"]["chainId"] = chain_id
        raw["params"][1], raw["chain_id"] = json.dumps(document), chain_id
    return raw


def judged(raw: dict[str, Any], backend: RevmBackend, policy: Policy):  # type: ignore[no-untyped-def]
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    return analysis, [f.rule for f in analysis.findings]


@pytest.mark.parametrize(("name", "verdict", "rules", "inner", "operation"), [
    ("safe-tx-usdc-transfer", "ok", [], "transfer(address,uint256)", None),
    ("safe-tx-add-owner", "warn", ["OWNERSHIP_CHANGE"], "addOwnerWithThreshold(address,uint256)", None),
    ("safe-tx-multisend-approve", "warn", ["UNLIMITED_APPROVAL", "SIMULATION_UNAVAILABLE"], "multiSend(bytes)",
     "delegatecall"),
    ("safe-tx-delegatecall-unknown", "block", ["DELEGATECALL"], "transfer(address,uint256)", "delegatecall"),
])
def test_a_safe_tx_is_judged_as_the_exec_transaction_it_authorizes(name: str, verdict: str, rules: list[str],
                                                                  inner: str, operation: str | None,
                                                                  backend: RevmBackend, policy: Policy) -> None:
    analysis, fired = judged(safe_tx(name), backend, policy)
    facts = analysis.facts
    assert (analysis.verdict, fired) == (verdict, rules)
    assert facts.typed_data.classification == "safe_tx" and facts.to == SAFE
    assert facts.decoded.function == EXEC and facts.decoded.calls[0].function == inner
    assert facts.decoded.calls[0].operation == operation
    summary = summarize(analysis)
    assert f"Signs a Safe transaction for the Safe {SAFE}" in summary
    assert f"the Safe will {action(inner, infinitive=True)}" in summary


def test_the_bybit_shaped_signature_names_the_code_and_the_list(backend: RevmBackend, policy: Policy) -> None:
    analysis, _ = judged(safe_tx("safe-tx-delegatecall-unknown"), backend, policy)
    evidence = analysis.findings[0].evidence
    assert evidence["target"] == UNKNOWN and evidence["function"] == "transfer(address,uint256)"
    assert evidence["list"]["source"].startswith("@safe-global/safe-deployments@1.37.63")
    assert "as a delegatecall (the Safe runs that code as its own)" in summarize(analysis)


def test_safes_contracts_are_named_from_its_deployments(backend: RevmBackend, policy: Policy) -> None:
    analysis, _ = judged(safe_tx("safe-tx-multisend-approve"), backend, policy)
    label = analysis.facts.labels[MULTISEND_CALL_ONLY]
    assert label.name == "Safe MultiSendCallOnly 1.4.1" and label.source.startswith("@safe-global/safe-deployments@")
    assert f"send several calls through Safe MultiSendCallOnly 1.4.1 ({MULTISEND_CALL_ONLY})" in summarize(analysis)


def test_a_library_is_known_only_on_the_chains_safe_deployed_it_to(backend: RevmBackend, policy: Policy) -> None:
    assert "DELEGATECALL" not in judged(safe_tx("safe-tx-multisend-approve", 8453), backend, policy)[1]
    assert "DELEGATECALL" in judged(safe_tx("safe-tx-multisend-approve", 31337), backend, policy)[1]


def exec_tx(to: str, data: bytes, operation: int, chain_id: int = 1) -> dict[str, Any]:
    body = calldata(EXEC, to, 0, data, operation, 0, 0, 0, ZERO, ZERO, b"")
    return {"chain_id": chain_id, "from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "to": SAFE, "data": body}


def multisend(*txs: tuple[int, str, bytes]) -> bytes:
    packed = b"".join(bytes([op]) + bytes.fromhex(to[2:]) + (0).to_bytes(32, "big") + len(data).to_bytes(32, "big")
                      + data for op, to, data in txs)
    return keccak(text="multiSend(bytes)")[:4] + encode(["bytes"], [packed])


def test_an_executed_delegatecall_is_judged_at_any_depth(backend: RevmBackend, policy: Policy) -> None:
    transfer = bytes.fromhex(calldata("transfer(address,uint256)", UNKNOWN, 5)[2:])
    clean = multisend((0, USDC, transfer))
    assert "DELEGATECALL" not in judged(exec_tx(MULTISEND_CALL_ONLY, clean, 1), backend, policy)[1]
    nested = multisend((0, USDC, transfer), (1, UNKNOWN, transfer))  # MultiSend (not CallOnly) runs an op 1 inside
    analysis, rules = judged(exec_tx("0x38869bf66a61cF6bDB996A6aE40D5853Fd43B526", nested, 1), backend, policy)
    assert rules.count("DELEGATECALL") == 1 and analysis.findings[0].evidence["target"] == UNKNOWN
    assert analysis.verdict == "block"


def test_without_safes_list_every_delegatecall_fires_and_says_why(backend: RevmBackend, policy: Policy,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    import chain.intel.feeds as feeds

    monkeypatch.setattr(feeds, "NODE_MODULES", tmp_path)  # the npm package is not installed
    safe_feed.safe_deployments.cache_clear()
    try:
        analysis, rules = judged(safe_tx("safe-tx-multisend-approve"), backend, policy)
    finally:
        safe_feed.safe_deployments.cache_clear()
    assert "DELEGATECALL" in rules and analysis.findings[0].evidence["list"] is None
    skipped = [c for c in analysis.facts.skipped if c.check == "safe_deployments"]
    assert skipped and "@safe-global/safe-deployments" in skipped[0].reason and skipped[0].rules == ["DELEGATECALL"]


def test_decode_shows_the_authorized_call(policy: Policy) -> None:
    decoded = decode_request(parse_request(safe_tx("safe-tx-add-owner")), policy).model_dump(mode="json")
    assert decoded["decoded"]["calls"][0]["function"] == "addOwnerWithThreshold(address,uint256)"
