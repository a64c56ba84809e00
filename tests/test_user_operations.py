"""ERC-4337 ``eth_sendUserOperation``: user operations exactly as viem's bundler client sends them (EntryPoint v0.6,
v0.7, v0.8, a paymaster, an EIP-7702 account; tests/payloads/corpus.json), explained as the call their EntryPoint
makes into the account — decoded and judged from the bytes, and simulated from the EntryPoint's address on the
embedded devnet, on a real anvil (eth_simulateV1) and on a revm fork of it, which must agree."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chain import RequestError
from chain.analyze import analyze
from chain.decode.user_operation import entry_points
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend, RpcBackend
from chain.simulate.devnet import deploy_devnet_rpc
from chain.trace import Trace
from inference.summary import summarize
from tests.conftest import ROOT, need
from tests.support.anvil import ANVIL, running_anvil
from tests.support.helpers import ALICE, DRAINER_EOA, DUSD, calldata, registered

CORPUS = {p["name"]: p for p in json.loads((ROOT / "tests" / "payloads" / "corpus.json").read_text())["payloads"]}
USER_OPS = [name for name, p in CORPUS.items() if p["request"]["method"] == "eth_sendUserOperation"]
EP_V07, EP_V08 = registered("ERC-4337", "EntryPoint", "0.7"), registered("ERC-4337", "EntryPoint", "0.8")
SIMPLE_7702 = json.loads((ROOT / "node_modules" / "@account-abstraction" / "contracts" / "artifacts"
                          / "Simple7702Account.json").read_text()) if (ROOT / "node_modules").exists() else None


def corpus_op(name: str) -> dict[str, Any]:
    return json.loads(json.dumps(CORPUS[name]["request"]))


def explain(raw: dict[str, Any], backend: Any, policy: Policy):  # type: ignore[no-untyped-def]
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    return analysis, [f.rule for f in analysis.findings]


def test_the_corpus_has_every_entry_point_version() -> None:
    assert {entry_points()[CORPUS[n]["request"]["params"][1]] for n in USER_OPS} == {"0.6", "0.7", "0.8"}


@pytest.mark.parametrize(("name", "version", "factory", "paymaster", "calls"), [
    ("viem-userop-v06-coinbase-approve-eoa", "0.6", "0xBA5ED110eFDBa3D005bfC882d75358ACBbB85842", None,
     ["approve(address,uint256)"]),
    ("viem-userop-v07-solady-batch", "0.7", None, None, ["approve(address,uint256)", "transfer(address,uint256)"]),
    ("viem-userop-v08-solady-paymaster", "0.8", None, "0x9A9A9A9a9A9A9A9a9A9a9a9A9A9a9A9a9A9A9a9a",
     ["transfer(address,uint256)"]),
    ("viem-userop-v08-7702", "0.8", "0x7702000000000000000000000000000000000000", None, ["approve(address,uint256)"]),
])
def test_each_operation_is_read_as_the_call_its_entry_point_makes(name: str, version: str, factory: str | None,
                                                                  paymaster: str | None, calls: list[str],
                                                                  backend: RevmBackend, policy: Policy) -> None:
    analysis, rules = explain(corpus_op(name), backend, policy)
    op, facts = analysis.facts.user_operation, analysis.facts
    assert op is not None and (op.version, op.factory, op.paymaster) == (version, factory, paymaster)
    assert op.user_op_hash == CORPUS[name]["digest"]  # viem's getUserOperationHash
    assert facts.sender == facts.to == op.account and facts.kind == "transaction"
    assert [c.function for c in facts.decoded.calls] == calls  # the account's execute/executeBatch, unpacked
    assert ("UNLIMITED_APPROVAL" in rules) == ("approve(address,uint256)" in calls)
    assert "EIP7702_DELEGATION" not in rules  # Simple7702Account is on chain 1's delegate allowlist
    assert "SIMULATION_UNAVAILABLE" in rules and analysis.verdict != "ok"  # chain 1 is not simulated here
    summary = summarize(analysis)
    assert f"EntryPoint v{version} ({op.entry_point}) calls the account" in summary
    assert (f"the paymaster {paymaster} pays" if paymaster else "the account pays at most") in summary


def test_an_account_without_code_is_not_simulated_as_an_empty_call(policy: Policy) -> None:
    mainnet = RevmBackend(chain_id=1)  # state for chain 1, where the corpus's accounts have no code
    delegate = registered("ERC-4337", "Simple7702Account")
    for name, why in (("viem-userop-v06-coinbase-approve-eoa", "deploys it through its factory"),
                      ("viem-userop-v07-solady-batch", "names no factory"),
                      ("viem-userop-v08-7702", f"EIP-7702 delegation to {delegate}")):
        analysis, rules = explain(corpus_op(name), mainnet, policy)
        sim = analysis.facts.simulation
        assert sim.status.value == "unavailable" and "has no code yet" in sim.error and why in sim.error, name
        assert "SIMULATION_UNAVAILABLE" in rules


def devnet_op(**changes: Any) -> dict[str, Any]:
    """A v0.8 operation on the devnet: ALICE's account (code: the npm Simple7702Account, as once delegated) sends
    5 DUSD to a plain account through ``execute``."""
    need(SIMPLE_7702 is not None, "npm @account-abstraction/contracts")
    inner = calldata("transfer(address,uint256)", DRAINER_EOA, 5 * 10**6)
    op = {**corpus_op("viem-userop-v08-solady-paymaster")["params"][0], "sender": ALICE,
          "callData": calldata("execute(address,uint256,bytes)", DUSD, 0, bytes.fromhex(inner[2:]))}
    for key in ("paymaster", "paymasterData", "paymasterVerificationGasLimit", "paymasterPostOpGasLimit"):
        op.pop(key)
    return {"chain_id": 31337, "method": "eth_sendUserOperation", "params": [op, EP_V08],
            "state_overrides": {ALICE: {"code": SIMPLE_7702["deployedBytecode"]}}, **changes}


@pytest.fixture(scope="module")
def anvil() -> Iterator[str]:
    need(ANVIL.exists(), "node_modules/.bin/anvil (npm ci)")
    with running_anvil() as url:
        deploy_devnet_rpc(url)
        yield url


def moves(analysis: Any) -> list[tuple[str, str, str]]:
    return sorted((c.address, c.symbol or c.standard, c.delta) for c in analysis.facts.simulation.asset_changes)


def test_simulated_from_the_entry_point_alike_on_devnet_anvil_and_a_fork(anvil: str, backend: RevmBackend,
                                                                         policy: Policy) -> None:
    seen = {}
    for label, simulator in (("devnet", backend), ("rpc", RpcBackend(anvil)), ("fork", RevmBackend(fork_url=anvil))):
        analysis, rules = explain(devnet_op(), simulator, policy)
        assert analysis.facts.simulation.status.value == "success", (label, analysis.facts.simulation)
        seen[label] = (moves(analysis), rules)
    assert seen["devnet"] == seen["rpc"] == seen["fork"]
    assert seen["devnet"][0] == sorted([(ALICE, "DUSD", str(-5 * 10**6)), (DRAINER_EOA, "DUSD", str(5 * 10**6))])


def test_not_from_the_entry_point_the_account_refuses(backend: RevmBackend, policy: Policy) -> None:
    """The account only takes calls from its EntryPoint: an operation for another one reverts in simulation."""
    analysis, _ = explain(devnet_op(params=[devnet_op()["params"][0], EP_V07]), backend, policy)
    assert analysis.facts.simulation.status.value == "reverted"


def test_revm_calls_from_an_entry_point_with_code_as_a_node_does(backend: RevmBackend, policy: Policy) -> None:
    """The devnet's EntryPoint v0.8 has code (pyrevm refuses such a caller, EIP-3607): it is set aside for the
    call and put back after it."""
    with backend.session({}) as chain:
        before = chain.code(EP_V08)
    assert before, "the devnet holds the EntryPoint"
    assert explain(devnet_op(), backend, policy)[0].facts.simulation.status.value == "success"
    with backend.session({}) as chain:
        assert chain.code(EP_V08) == before


def test_an_unknown_entry_point_is_named_and_its_hash_not_guessed(backend: RevmBackend, policy: Policy) -> None:
    raw = corpus_op("viem-userop-v07-solady-batch")
    raw["params"][1] = DUSD
    analysis, _ = explain(raw, backend, policy)
    assert (analysis.facts.user_operation.version, analysis.facts.user_operation.user_op_hash) == (None, None)
    assert f"the EntryPoint {DUSD}, which is not a canonical deployment" in summarize(analysis)


@pytest.mark.parametrize(("edit", "field", "words"), [
    (lambda p: p[0].pop("paymaster") and p[0].update(initCode="0x"), "params[0]", "EntryPoint v0.8 takes factory"),
    (lambda p: p.__setitem__(1, registered("ERC-4337", "EntryPoint", "0.6")), "params[0]", "v0.6 takes initCode"),
    (lambda p: p[0].update(initCode="0x"), "params[0]", "mixes EntryPoint v0.6 fields"),
    (lambda p: p[0].update(callGasLimit=hex(2**128)), "params[0].callGasLimit", "less than"),
    (lambda p: p[0].pop("sender"), "params[0].sender", "required"),
    (lambda p: p[0].update(surprise=1), "params[0].surprise", "not permitted"),
    (lambda p: p.__setitem__(1, "0x1234"), "params[1]", ""),
    (lambda p: p.pop(), "params[1]", "required"),
])
def test_shapes_that_do_not_fit_are_422_naming_the_field(edit: Any, field: str, words: str) -> None:
    raw = corpus_op("viem-userop-v08-solady-paymaster")
    edit(raw["params"])
    with pytest.raises(RequestError) as caught:
        parse_request(raw)
    assert any(e["field"] == field and words in e["message"] for e in caught.value.errors), caught.value.errors


def test_served_end_to_end(sqlite_url: str, make_services: Any, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from app.api import create_app

    services = make_services(sqlite_url)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        answer = client.post("/v1/explain", json=devnet_op())
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["user_operation"]["entry_point"] == EP_V08 and body["user_operation"]["version"] == "0.8"
        assert body["simulation"]["status"] == "success" and body["verdict"] == "ok"
        record = client.get(f"/v1/audit/records/{body['id']}").json()["record"]
        assert record["request"]["method"] == "eth_sendUserOperation"
