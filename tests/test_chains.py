"""A node per chain (TXEXPLAIN_RPC_URLS): two real anvils with different chain ids side by side, each request
simulated on its own chain's node, a chain with no node told so by name, and /readyz reporting each chain."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.runtime import Services, build_backend
from app.settings import Settings
from chain.analyze import analyze
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import ChainBackends, RevmBackend, RpcBackend, UnservedChain
from chain.simulate.devnet import deploy_devnet_rpc
from chain.simulate.jsonrpc import JsonRpcClient
from chain.trace import Trace
from tests.conftest import need
from tests.support.anvil import ANVIL, free_port, running_anvil
from tests.support.helpers import BOB, DRAINER_EOA, DUSD, MAX_UINT, ROOT_DIR, calldata, tx

CORPUS = {p["name"]: p for p in json.loads((ROOT_DIR / "tests" / "payloads" / "corpus.json").read_text())["payloads"]}


@pytest.fixture(scope="module")
def nodes() -> Iterator[dict[int, str]]:
    """anvils for chains 1 and 8453 with the devnet's contracts; on 8453 only, DRAINER_EOA has code."""
    need(ANVIL.exists(), "node_modules/.bin/anvil (npm ci)")
    with ExitStack() as stack:
        urls = {chain: stack.enter_context(running_anvil(chain_id=chain)) for chain in (1, 8453)}
        for url in urls.values():
            deploy_devnet_rpc(url)
        JsonRpcClient(urls[8453]).request("anvil_setCode", [DRAINER_EOA, "0x6000"])
        yield urls


def settings_for(nodes: dict[int, str], **extra: object) -> Settings:
    return Settings(simulation_backend="rpc", rpc_urls=",".join(f"{c}={u}" for c, u in nodes.items()), **extra)


def judged(backend: object, policy: Policy, chain_id: int, data: str, to: str = DUSD) -> tuple[str, list[str], str]:
    analysis = analyze(parse_request(tx(to, data, chain_id=chain_id)), backend, policy, Trace())  # type: ignore[arg-type]
    sim = analysis.facts.simulation
    return sim.status.value, [f.rule for f in analysis.findings], sim.error or ""


def test_each_chain_is_simulated_on_its_own_node(nodes: dict[int, str], policy: Policy) -> None:
    backend = build_backend(settings_for(nodes))
    assert isinstance(backend, ChainBackends) and all(isinstance(b, RpcBackend) for b in backend.backends.values())
    approve = calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)
    status, rules, _ = judged(backend, policy, 1, approve)
    assert status == "success" and "APPROVAL_TO_EOA" in rules  # on chain 1 the spender is a plain account
    status, rules, _ = judged(backend, policy, 8453, approve)
    assert status == "success" and "APPROVAL_TO_EOA" not in rules  # chain 8453's node: it has code there
    status, rules, _ = judged(backend, policy, 31337, calldata("transfer(address,uint256)", BOB, 1))
    assert status == "success"  # the embedded devnet keeps its own chain id


def test_a_chain_with_no_node_is_named_and_never_read_as_empty(nodes: dict[int, str], policy: Policy) -> None:
    backend = build_backend(settings_for(nodes))
    status, rules, error = judged(backend, policy, 10, calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT))
    assert status == "unavailable" and "SIMULATION_UNAVAILABLE" in rules
    assert "no node is configured for chain 10" in error and "serves chains 1, 8453" in error
    assert "APPROVAL_TO_EOA" not in rules  # the spender's code was not looked up anywhere: not "no code"
    # viem's EIP-2612 permit at 2^256-1 (tests/payloads/corpus.json), its domain moved to chain 10
    permit = json.loads(json.dumps(CORPUS["viem-eip2612-permit-max"]["request"]))
    document = json.loads(permit["params"][1])
    document["domain"]["chainId"] = 10
    permit["params"][1] = json.dumps(document)
    analysis = analyze(parse_request(permit), backend, policy, Trace())
    assert analysis.facts.accounts[DRAINER_EOA].has_code is None  # valid on chain 10: nobody looked it up
    assert "no node is configured for chain 10" in analysis.facts.lookups_unavailable


def test_the_setting_takes_pairs_or_json_and_names_a_bad_entry() -> None:
    assert Settings(rpc_urls="1=http://a:8545, 8453=http://b").rpc_urls == {1: "http://a:8545", 8453: "http://b"}
    assert Settings(rpc_urls='{"10": "http://c"}').rpc_urls == {10: "http://c"}
    with pytest.raises(ValidationError, match="rpc_urls") as caught:
        Settings(rpc_urls="mainnet=http://a")
    assert "'mainnet=http://a' is not CHAIN_ID=URL" in str(caught.value)


def test_a_node_that_cannot_be_forked_serves_its_chain_as_unavailable(nodes: dict[int, str], policy: Policy) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    backend = build_backend(Settings(rpc_urls=f"1={nodes[1]},8453={dead}"))  # revm forks, one per node
    assert isinstance(backend.backends[1], RevmBackend) and isinstance(backend.backends[8453], UnservedChain)
    assert judged(backend, policy, 1, calldata("transfer(address,uint256)", BOB, 1))[0] == "success"
    status, _, error = judged(backend, policy, 8453, calldata("transfer(address,uint256)", BOB, 1))
    assert status == "unavailable" and "the node for chain 8453 could not be forked at start" in error


def test_readyz_reports_each_chain(nodes: dict[int, str], sqlite_url: str, tmp_path: Path,
                                   make_services: Callable[..., Services]) -> None:
    from app.api import create_app

    services = make_services(sqlite_url)
    dead = f"http://127.0.0.1:{free_port()}"
    services.backend = build_backend(settings_for({1: nodes[1], 8453: nodes[8453], 10: dead}))
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        body = client.get("/readyz").json()
    rpc = body["checks"]["rpc"]
    assert body["status"] == "ready" and "rpc" in body["degraded"]  # results still audit; chain 10 degrades
    assert rpc["chains"]["1"]["ok"] and rpc["chains"]["8453"]["ok"] and not rpc["chains"]["10"]["ok"]
    assert "chain 8453" in rpc["chains"]["8453"]["detail"] and "down: 10" in rpc["detail"]


def test_a_node_answering_another_chain_is_not_ready(nodes: dict[int, str]) -> None:
    from app.api.readiness import _rpc

    class Holder:
        backend = build_backend(settings_for({1: nodes[8453]}))

    check = _rpc(Holder)  # type: ignore[arg-type]
    assert not check["ok"] and "answers chain 8453, configured for chain 1" in check["chains"]["1"]["detail"]
