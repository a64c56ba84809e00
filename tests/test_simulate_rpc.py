"""Both backends against a real anvil: rpc (eth_simulateV1, then its fallbacks) and revm forking from it
must agree with each other and with the embedded devnet; node faults degrade to 'unavailable'."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from chain.analyze import analyze
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend, RpcBackend
from chain.simulate.devnet import deploy_devnet_rpc
from chain.trace import Trace
from tests.conftest import need
from tests.support.anvil import ANVIL, RpcProxy, free_port, rpc_proxy_process, running_anvil
from tests.support.helpers import (
    ALICE,
    BOB,
    CLAIM,
    DEMO,
    DMULTI,
    DPUNK,
    DRAINER,
    DRAINER_EOA,
    DUSD,
    MAX_UINT,
    MULTICALL3,
    ROUTER,
    WETH,
    calldata,
    mapping_slot,
    send_calls,
    tx,
)

ALLOW_DUSD = "0x" + f"{10**12:064x}"
INITCODE = "0x6080604052348015600f57600080fd5b50603e80601d6000396000f3fe6080604052600080fdfea164736f6c6343000818000a"

pytestmark = pytest.mark.anvil

SCENARIOS = {
    "transfer": tx(DUSD, calldata("transfer(address,uint256)", BOB, 25_000_000)),
    "unlimited approval to EOA": tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)),
    "nft approval for all": tx(DPUNK, calldata("setApprovalForAll(address,bool)", BOB, True)),
    "nft transfer": tx(DPUNK, calldata("transferFrom(address,address,uint256)", ALICE, BOB, 2)),
    "native transfer": {"chain_id": 31337, "from": ALICE, "to": BOB, "value": hex(3 * 10**17)},
    "reverting transfer": tx(DUSD, calldata("transfer(address,uint256)", BOB, 10**30)),
    "revert with reason": tx(DPUNK, calldata("transferFrom(address,address,uint256)", BOB, ALICE, 1)),
    "unknown function": tx(DEMO, "0xdeadbeef"),
    "wrap ether": {"chain_id": 31337, "from": ALICE, "to": WETH, "value": hex(10**18), "data": calldata("deposit()")},
    "unwrap ether (balances overridden)": {
        **tx(WETH, calldata("withdraw(uint256)", 4 * 10**17)),
        "state_overrides": {WETH: {"balance": hex(10**18), "stateDiff": {mapping_slot(ALICE, 3): hex(10**18)}}}},
    "swap DUSD for DEMO (allowance overridden)": {
        **tx(ROUTER, calldata("swapExactTokensForTokens(uint256,uint256,address[],address,uint256)", 5 * 10**6, 0,
                              [DUSD, DEMO], ALICE, 2**40)),
        "state_overrides": {DUSD: {"stateDiff": {mapping_slot(ALICE, 4, ROUTER): ALLOW_DUSD}}}},
    "drainer pulls the approved balance": {
        **tx(DRAINER, calldata("claimRewards(address,address)", DUSD, ALICE)),
        "state_overrides": {DUSD: {"stateDiff": {mapping_slot(ALICE, 4, DRAINER): ALLOW_DUSD}}}},
    "payable fake security update": {**tx(CLAIM, calldata("SecurityUpdate()")), "value": hex(2 * 10**18)},
    "multicall3 batch": tx(MULTICALL3, calldata(
        "aggregate3((address,bool,bytes)[])",
        [(DUSD, False, bytes.fromhex(calldata("approve(address,uint256)", BOB, 7)[2:])),
         (DEMO, True, bytes.fromhex("deadbeef"))])),
    "erc1155 transfer": tx(DMULTI, calldata("safeTransferFrom(address,address,uint256,uint256,bytes)", ALICE, BOB,
                                            2, 5, b"")),
    "wallet_sendCalls batch": send_calls(
        {"to": DUSD, "data": calldata("approve(address,uint256)", BOB, 7)},
        {"to": BOB, "value": hex(10**18)},
        {"to": DUSD, "data": calldata("transfer(address,uint256)", BOB, 25 * 10**6)}),
    # CREATE addresses follow the sender's nonce, which the two worlds' setups leave differently: pin it.
    "contract deployment": {"chain_id": 31337, "from": ALICE, "data": INITCODE,
                            "state_overrides": {ALICE: {"nonce": "0x5"}}},
    "wallet_sendCalls batch with a deployment": {
        **send_calls({"data": INITCODE}, {"to": BOB, "value": hex(10**17)}, {"data": INITCODE}),
        "state_overrides": {ALICE: {"nonce": "0x5"}}},
    "wallet_sendCalls batch with a failing call": send_calls(
        {"to": BOB, "value": hex(10**18)},
        {"to": DUSD, "data": calldata("transfer(address,uint256)", BOB, 10**30)}),
}


def test_batch_without_eth_simulate_v1_runs_on_a_revm_fork_of_the_node(anvil: str, backend: RevmBackend,
                                                                         policy: Policy) -> None:
    with rpc_proxy_process(anvil, {"eth_simulateV1"}) as node:
        rpc = RpcBackend(node)
        result = observed(rpc, policy, SCENARIOS["wallet_sendCalls batch"])
    devnet = observed(backend, policy, SCENARIOS["wallet_sendCalls batch"])
    assert result["status"] == "success" and result["asset_changes"]
    assert result == devnet  # the same changes, approvals, verdict and findings as the embedded devnet


def test_batch_is_unavailable_when_the_node_cannot_be_forked(anvil: str, policy: Policy) -> None:
    with rpc_proxy_process(anvil, {"eth_simulateV1", "eth_blockNumber"}) as node:  # the fork cannot pin a block
        analysis = analyze(parse_request(SCENARIOS["wallet_sendCalls batch"]), RpcBackend(node), policy, Trace())
    simulation = analysis.facts.simulation
    assert simulation.status.value == "unavailable" and "revm fork" in (simulation.error or "")
    assert analysis.verdict != "ok" and "SIMULATION_UNAVAILABLE" in [f.rule for f in analysis.findings]


@pytest.fixture(scope="module")
def anvil() -> Iterator[str]:
    need(ANVIL.exists(), "node_modules/.bin/anvil (npm ci)")
    with running_anvil() as url:
        assert deploy_devnet_rpc(url) == RevmBackend().addresses
        yield url


def observed(backend, policy: Policy, raw: dict) -> dict:  # type: ignore[no-untyped-def]
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    sim = analysis.facts.simulation
    return {"status": sim.status.value, "revert_reason": sim.revert_reason,
            "asset_changes": [c.model_dump() for c in sim.asset_changes], "deployed": sim.deployed,
            "approvals": [a.model_dump() for a in analysis.facts.approvals],
            "verdict": analysis.verdict, "findings": [f.rule for f in analysis.findings]}


def test_rpc_fork_and_devnet_agree_on_every_scenario(anvil: str, backend: RevmBackend, policy: Policy) -> None:
    rpc = RpcBackend(anvil)
    fork = RevmBackend(fork_url=anvil)
    for name, raw in SCENARIOS.items():
        via_rpc, via_fork, via_devnet = (observed(b, policy, raw) for b in (rpc, fork, backend))
        assert via_rpc == via_fork == via_devnet, name
    assert rpc.mode == "eth_simulateV1"
    assert observed(rpc, policy, SCENARIOS["revert with reason"])["revert_reason"] == "Error: wrong owner"
    assert observed(rpc, policy, SCENARIOS["transfer"])["asset_changes"][0]["symbol"] == "DUSD"
    scam = observed(fork, policy, SCENARIOS["payable fake security update"])["asset_changes"]
    assert sorted((c["address"], c["delta"]) for c in scam) == sorted(
        [(ALICE, str(-2 * 10**18)), (DRAINER_EOA, str(2 * 10**18))])  # the internal transfer to the owner
    unwrap = observed(fork, policy, SCENARIOS["unwrap ether (balances overridden)"])["asset_changes"]
    assert sorted((c["address"], c["standard"], c["delta"]) for c in unwrap) == sorted(
        [(ALICE, "native", str(4 * 10**17)), (WETH, "native", str(-4 * 10**17)), (ALICE, "erc20", str(-4 * 10**17))])


def test_approval_changes_come_from_events_at_any_depth(anvil: str, backend: RevmBackend, policy: Policy) -> None:
    raw = parse_request(SCENARIOS["multicall3 batch"])
    for simulator in (RpcBackend(anvil), backend):
        with simulator.session({}) as state:
            changes = [c.model_dump(exclude_none=True) for c in state.simulate(raw).approval_changes]
        assert changes == [{"standard": "erc20", "token": DUSD, "owner": MULTICALL3, "spender": BOB, "amount": "7"}]


def test_state_overrides_reach_the_node(anvil: str, policy: Policy) -> None:
    raw = {**SCENARIOS["unlimited approval to EOA"], "state_overrides": {DRAINER_EOA: {"code": "0x6000"}}}
    result = observed(RpcBackend(anvil), policy, raw)
    assert result["findings"] == ["UNLIMITED_APPROVAL"]  # the spender has code under the override


def test_fallback_to_debug_trace_call(anvil: str, policy: Policy) -> None:
    proxy = RpcProxy(anvil, hidden={"eth_simulateV1"})
    try:
        rpc = RpcBackend(proxy.url)
        for name in ("transfer", "native transfer", "reverting transfer", "nft transfer",
                     "payable fake security update", "unwrap ether (balances overridden)", "multicall3 batch"):
            assert observed(rpc, policy, SCENARIOS[name]) == observed(RpcBackend(anvil), policy, SCENARIOS[name]), name
        assert rpc.mode == "debug_traceCall"
        assert proxy.methods.count("eth_simulateV1") == 1  # detected once, then remembered
    finally:
        proxy.close()


def test_a_node_refusing_the_wall_clock_time_simulates_at_its_own(anvil: str, policy: Policy) -> None:
    """eth_simulateV1 runs at the wall clock's time, as revm does; a node that refuses that time (geth, for a time
    not after its head's) is asked again with its own default, and stays an eth_simulateV1 node."""
    proxy = RpcProxy(anvil, mode="refuse-time")
    try:
        rpc = RpcBackend(proxy.url)
        direct = observed(RpcBackend(anvil), policy, SCENARIOS["transfer"])
        assert observed(rpc, policy, SCENARIOS["transfer"]) == direct
        assert rpc.mode == "eth_simulateV1" and proxy.methods.count("eth_simulateV1") == 2
    finally:
        proxy.close()


def test_fallback_to_eth_call_says_asset_changes_are_unknown(anvil: str, policy: Policy) -> None:
    proxy = RpcProxy(anvil, hidden={"eth_simulateV1", "debug_traceCall"})
    try:
        rpc = RpcBackend(proxy.url)
        ok = observed(rpc, policy, SCENARIOS["transfer"])
        reverted = observed(rpc, policy, SCENARIOS["revert with reason"])
    finally:
        proxy.close()
    assert rpc.mode == "eth_call"
    assert (ok["status"], ok["asset_changes"], ok["findings"]) == ("success", [], ["SIMULATION_UNAVAILABLE"])
    assert reverted["status"] == "reverted" and reverted["revert_reason"] == "Error: wrong owner"


@pytest.mark.parametrize("fault", ["down", "hang", "garbage"])
def test_node_faults_give_unavailable_never_ok(fault: str, policy: Policy) -> None:
    proxy = None
    if fault == "down":
        url = f"http://127.0.0.1:{free_port()}"
    else:
        proxy = RpcProxy("http://127.0.0.1:9", mode=fault)
        url = proxy.url
    try:
        start = time.monotonic()
        rpc = RpcBackend(url, timeout_s=0.5, retries=1)
        result = observed(rpc, policy, SCENARIOS["transfer"])
        elapsed = time.monotonic() - start
    finally:
        if proxy:
            proxy.close()
    assert result["status"] == "unavailable" and result["findings"] == ["SIMULATION_UNAVAILABLE"]
    assert result["verdict"] == "warn"  # a plain transfer, but nobody could see what it does
    assert result["asset_changes"] == [] and elapsed < 10
