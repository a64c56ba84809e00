"""The devnet's world: the protocols' own contracts at their mainnet addresses, the same in pyrevm and in anvil,
and requests built by the protocols' SDKs (tests/payloads/world.json) explained end to end on both."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak

from chain.analyze import analyze
from chain.npm import NODE_MODULES
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend, RpcBackend
from chain.simulate.artifacts import Artifact
from chain.simulate.devnet import ALICE, BOB, contracts, deploy_devnet_rpc, devnet_description
from chain.simulate.jsonrpc import JsonRpcClient
from chain.trace import Trace
from tests.conftest import ROOT, need
from tests.support.anvil import ANVIL, running_anvil
from tests.support.helpers import registered

WORLD = json.loads((ROOT / "tests" / "payloads" / "world.json").read_text())
PAYLOADS = {p["name"]: p for p in WORLD["payloads"]}
DRAINER_EOA = "0xeE76Fa70e8A002c9114C0aCB137b1E2951615424"
PAIR = "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc"  # mainnet's Uniswap V2 USDC/WETH pair
POOL_V3 = "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640"  # mainnet's Uniswap V3 USDC/WETH 0.05% pool
WETH9 = registered("Wrapped native", "WETH")
UNLIMITED = str(2**256 - 1)


def code_at(backend: RevmBackend, address: str) -> bytes:
    with backend.session({}) as chain:
        return chain.code(address)


@pytest.fixture(scope="module")
def anvil_world() -> Iterator[tuple[str, dict[str, str]]]:
    need(ANVIL.exists(), "node_modules/.bin/anvil (npm ci)")
    with running_anvil() as url:
        yield url, deploy_devnet_rpc(url)


def test_world_json_is_what_the_sdks_emit_today(tmp_path: Path) -> None:
    need(shutil.which("node") is not None and (ROOT / "node_modules" / "viem").exists(), "node and npm viem")
    out = tmp_path / "world.json"
    subprocess.run(["node", "tests/payloads/generate_world.mjs", str(out)], cwd=ROOT, check=True, timeout=120)
    assert json.loads(out.read_text()) == WORLD, "tests/payloads/world.json is stale: run the generator"


def test_safe_contracts_are_byte_for_byte_mainnets(backend: RevmBackend) -> None:
    """safe-deployments publishes each contract's code hash on chain: the placed code has it."""
    for asset, label in (("safe", "SAFE_SINGLETON"), ("safe_proxy_factory", "SAFE_PROXY_FACTORY"),
                         ("multi_send", "SAFE_MULTISEND"), ("multi_send_call_only", "SAFE_MULTISEND_CALL_ONLY"),
                         ("compatibility_fallback_handler", "SAFE_FALLBACK_HANDLER")):
        assets = NODE_MODULES / "@safe-global/safe-deployments/dist/assets/v1.4.1"
        doc = json.loads((assets / f"{asset}.json").read_text())
        canonical = doc["deployments"]["canonical"]
        assert backend.addresses[label] == canonical["address"]
        assert "0x" + keccak(code_at(backend, canonical["address"])).hex() == canonical["codeHash"], label


def test_contracts_without_immutables_carry_their_packages_runtime_code(backend: RevmBackend) -> None:
    for label, artifact in (("WETH", Artifact("build/contracts/WETH9.json", "canonical-weth")),
                            ("UNISWAP_V2_FACTORY", Artifact("build/UniswapV2Factory.json", "@uniswap/v2-core"))):
        data = json.loads(artifact.file.read_text())
        runtime = data.get("deployedBytecode") or data["evm"]["deployedBytecode"]["object"]
        assert code_at(backend, backend.addresses[label]) == bytes.fromhex(runtime.removeprefix("0x")), label


def test_the_pool_and_accounts_are_where_mainnet_and_the_factories_put_them(backend: RevmBackend) -> None:
    # CREATE2 from the factory at its mainnet address, with v2-core's pair code: mainnet's USDC/WETH pair.
    assert backend.addresses["UNISWAP_V2_USDC_WETH"] == PAIR and code_at(backend, PAIR)
    assert backend.addresses["UNISWAP_V3_USDC_WETH_500"] == POOL_V3 and code_at(backend, POOL_V3)
    assert backend.addresses["SAFE"] == PAYLOADS["safe-exec-usdc-to-bob"]["request"]["params"][0]["to"]
    with backend.session({}) as chain:
        owners = chain.call(backend.addresses["SAFE"], keccak(text="getOwners()")[:4])
        assert owners is not None and owners[-20:] == bytes.fromhex(ALICE[2:])
        symbol = chain.call(backend.addresses["USDC"], keccak(text="symbol()")[:4])
        assert symbol is not None and b"USDC" in symbol
    assert code_at(backend, backend.addresses["SIMPLE_ACCOUNT"])  # created through the EntryPoint's SenderCreator
    from chain.decode.user_operation import sender_creator

    assert backend.addresses["SENDER_CREATOR"] == sender_creator(backend.addresses["ENTRY_POINT"])
    op = PAYLOADS["userop-simple-account-usdc-to-bob"]["request"]["params"]
    assert (op[0]["sender"], op[1]) == (backend.addresses["SIMPLE_ACCOUNT"], backend.addresses["ENTRY_POINT"])
    op = PAYLOADS["userop-v07-simple-account-usdc-to-bob"]["request"]["params"]
    assert (op[0]["sender"], op[1]) == (backend.addresses["SIMPLE_ACCOUNT_V07"], backend.addresses["ENTRY_POINT_V07"])


def test_devnet_says_where_each_contract_comes_from(backend: RevmBackend) -> None:
    described = devnet_description(backend.addresses)["contracts"]
    assert set(described) >= {c.label for c in contracts()} | {"SAFE", "UNISWAP_V2_USDC_WETH", "SIMPLE_ACCOUNT"}
    assert described["UNIVERSAL_ROUTER"]["source"].startswith("npm @uniswap/universal-router@2.1.0 ")
    assert described["PERMIT2"]["source"].endswith("(ours)") and "no npm package" in described["PERMIT2"]["note"]
    assert described["USDC"]["placement"] == "mainnet address"


def test_anvil_holds_the_same_world(anvil_world: tuple[str, dict[str, str]], backend: RevmBackend) -> None:
    url, addresses = anvil_world
    assert addresses == backend.addresses
    client = JsonRpcClient(url, timeout_s=10)
    for label, address in addresses.items():
        served = bytes.fromhex(client.request("eth_getCode", [address, "latest"])[2:])
        embedded = code_at(backend, address)
        # revm keeps code it created itself analysed, zero-padded past the end; code it was handed stays as is
        assert embedded.startswith(served) and not embedded[len(served):].strip(b"\0"), label
        assert bool(served) == (label != "BOB_COUNTERFACTUAL_ACCOUNT_V07"), label  # an address funded, not deployed
    for slot in range(8):  # the Safe's owners, threshold and nonce
        word = client.request("eth_getStorageAt", [addresses["SAFE"], hex(slot), "latest"])
        with backend.session({}) as chain:
            assert int(word, 16) == chain.storage(addresses["SAFE"], slot), slot


# What each SDK-built request does, asserted on the embedded world and on anvil alike.
EXPECTED: dict[str, dict[str, Any]] = {
    "ur-sell-usdc-with-permit2": {
        "verdict": "warn", "findings": {"UNLIMITED_APPROVAL", "LONG_EXPIRY"},  # a max permit valid until 2100
        "calls": ["execute(bytes,bytes[],uint256)",
                  "PERMIT2_PERMIT(((address,uint160,uint48,uint48),address,uint256),bytes)",
                  "V2_SWAP_EXACT_IN(address,uint256,uint256,address[],bool,uint256[])"],
        "approvals": [(registered("Uniswap", "Universal Router", "2.1.1"), str(2**160 - 1))],
        "changes": {(ALICE, "USDC"): "-usdc_in", (ALICE, "WETH"): "weth_out", (PAIR, "USDC"): "usdc_in",
                    (PAIR, "WETH"): "-weth_out"}},
    "ur-buy-usdc-with-eth": {
        "verdict": "ok", "findings": set(),
        "calls": ["execute(bytes,bytes[],uint256)", "WRAP_ETH(address,uint256)",
                  "V2_SWAP_EXACT_IN(address,uint256,uint256,address[],bool,uint256[])"],
        "approvals": [],
        "changes": {(ALICE, "ETH"): "-eth_in", (ALICE, "USDC"): "usdc_out", (PAIR, "USDC"): "-usdc_out",
                    (PAIR, "WETH"): "eth_in", (WETH9, "ETH"): "eth_in"}},
    "ur-buy-usdc-with-eth-v3": {
        "verdict": "ok", "findings": set(),
        "calls": ["execute(bytes,bytes[],uint256)", "WRAP_ETH(address,uint256)",
                  "V3_SWAP_EXACT_IN(address,uint256,uint256,bytes,bool,uint256[])"],
        "approvals": [],
        "changes": {(ALICE, "ETH"): "-eth_in", (ALICE, "USDC"): "usdc_out", (POOL_V3, "USDC"): "-usdc_out",
                    (POOL_V3, "WETH"): "eth_in", (WETH9, "ETH"): "eth_in"}},
    "viem-swaprouter02-exact-input-single": {
        "verdict": "ok", "findings": set(),
        "calls": ["exactInputSingle((address,address,uint24,address,uint256,uint256,uint160))"], "approvals": [],
        "changes": {(ALICE, "ETH"): str(-5 * 10**17), (POOL_V3, "WETH"): str(5 * 10**17)}},
    "viem-approve-usdc-universal-router": {
        "verdict": "ok", "findings": {"UNLIMITED_APPROVAL"}, "calls": ["approve(address,uint256)"],
        "approvals": [(registered("Uniswap", "Universal Router", "2.1.1"), UNLIMITED)], "changes": {}},
    "viem-approve-usdc-drainer": {
        "verdict": "block", "findings": {"APPROVAL_TO_EOA", "UNLIMITED_APPROVAL"},
        "calls": ["approve(address,uint256)"],
        "approvals": [(DRAINER_EOA, UNLIMITED)], "changes": {}},
    "viem-transfer-usdc-tornado": {  # the bundled OFAC SDN list names the recipient
        "verdict": "block", "findings": {"SANCTIONED_ADDRESS"}, "calls": ["transfer(address,uint256)"],
        "approvals": [],
        "changes": {(ALICE, "USDC"): str(-10**6), ("0x8589427373D6D84E98730D7795D8f6f8731FDA16", "USDC"): str(10**6)}},
    "viem-router02-swap-eth-for-usdc": {
        "verdict": "ok", "findings": set(),
        "calls": ["swapExactETHForTokens(uint256,address[],address,uint256)"], "approvals": [],
        "changes": {(ALICE, "ETH"): str(-5 * 10**17), (PAIR, "WETH"): str(5 * 10**17)}},
    "seaport-buy-dpunk": {
        "verdict": "ok", "findings": set(),
        "calls": ["fulfillOrder(((address,address,(uint8,address,uint256,uint256,uint256)[],"
                  "(uint8,address,uint256,uint256,uint256,address)[],uint8,uint256,uint256,bytes32,uint256,bytes32,"
                  "uint256),bytes),bytes32)"],
        "approvals": [],
        "changes": {(BOB, "ETH"): str(-10**18), (BOB, "DPUNK"): "1", (ALICE, "DPUNK"): "-1",
                    (ALICE, "ETH"): str(975 * 10**15),
                    ("0x0000a26b00c1F0DF003000390027140000fAa719", "ETH"): str(25 * 10**15)}},
    "userop-simple-account-usdc-to-bob": {  # from the EntryPoint v0.8 into the SimpleAccount, as once bundled
        "verdict": "ok", "findings": set(),
        "calls": ["execute(address,uint256,bytes)", "transfer(address,uint256)"], "approvals": [],
        "changes": {(BOB, "USDC"): str(10 * 10**6),
                    ("0xDDb09637F54b9d31dcDC1AAdc1aA4ECD5d4156cE", "USDC"): str(-10 * 10**6)}},
    "userop-v07-simple-account-usdc-to-bob": {  # the same through EntryPoint v0.7
        "verdict": "ok", "findings": set(),
        "calls": ["execute(address,uint256,bytes)", "transfer(address,uint256)"], "approvals": [],
        "changes": {(BOB, "USDC"): str(10 * 10**6),
                    ("0x07C8ebe8eC728F19418f9738d60AcC7BF0c63f0b", "USDC"): str(-10 * 10**6)}},
    "userop-v07-first-op-deploys-account": {  # the EntryPoint deploys Bob's account through its factory first
        "verdict": "ok", "findings": set(), "calls": ["execute(address,uint256,bytes)", None], "approvals": [],
        "changes": {(ALICE, "ETH"): str(10**17), ("0x6e334c0e91ADA3A871408a2854900915E83D8529", "ETH"): str(-10**17)}},
    "safe-exec-usdc-to-bob": {
        "verdict": "ok", "findings": set(),
        "calls": ["execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)",
                  "transfer(address,uint256)"],
        "approvals": [],
        "changes": {(BOB, "USDC"): str(100 * 10**6),
                    ("0x72d9F64B323ea368A3fE1824F5094b783Ca7D08a", "USDC"): str(-100 * 10**6)}},
}


def _flatten(call: Any) -> list[str]:
    return [call.function] + [name for child in call.calls for name in _flatten(child)]


def _expected_delta(text: str, expect: dict[str, str]) -> str:
    sign, key = ("-", text[1:]) if text.startswith("-") else ("", text)
    return sign + expect[key] if key in expect else text


def _check(name: str, backend: Any, policy: Policy) -> dict[str, Any]:
    payload, want = PAYLOADS[name], EXPECTED[name]
    analysis = analyze(parse_request(payload["request"]), backend, policy, Trace())
    simulation = analysis.facts.simulation
    assert simulation is not None and simulation.status.value == "success", (name, simulation)
    assert analysis.verdict == want["verdict"], name
    assert {f.rule for f in analysis.findings} == want["findings"], name
    assert _flatten(analysis.facts.decoded) == want["calls"], name
    assert [(a.spender, a.amount) for a in analysis.facts.approvals] == want["approvals"], name
    changes = {(c.address, c.symbol): c.delta for c in simulation.asset_changes}
    for key, delta in want["changes"].items():  # the SDK's own quote is what the contracts pay out
        assert changes.get(key) == _expected_delta(delta, payload["expect"]), (name, key, changes)
    return {"changes": changes, "approvals": [a.model_dump() for a in analysis.facts.approvals],
            "findings": sorted(f.rule for f in analysis.findings)}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sdk_request_runs_through_the_real_contracts(name: str, backend: RevmBackend, policy: Policy,
                                                     anvil_world: tuple[str, dict[str, str]]) -> None:
    embedded = _check(name, backend, policy)
    on_anvil = _check(name, RpcBackend(anvil_world[0]), policy)
    assert embedded == on_anvil, name


def test_the_seaport_listing_is_read_as_the_order_the_purchase_fills(policy: Policy) -> None:
    analysis = analyze(parse_request(PAYLOADS["seaport-list-dpunk"]["request"]), RevmBackend(), policy, Trace())
    assert analysis.verdict == "ok" and analysis.facts.typed_data.classification == "seaport_order"


def test_the_permit_request_is_the_one_the_swap_carries(policy: Policy) -> None:
    """The Permit2 permit the Uniswap app asks for is a signature: judged without a simulation."""
    analysis = analyze(parse_request(PAYLOADS["permit2-sdk-permit-single-router"]["request"]), RevmBackend(), policy,
                       Trace())
    assert analysis.verdict == "warn" and {f.rule for f in analysis.findings} == {
        "PERMIT2_SIGNATURE", "UNLIMITED_APPROVAL", "LONG_EXPIRY"}
    assert {f.rule: f.severity for f in analysis.findings}["PERMIT2_SIGNATURE"] == "low"  # the router is allowlisted


def test_examples_are_the_sdk_requests() -> None:
    """examples/ carries these requests verbatim (regenerate world.json, then copy the request)."""
    for example, payload in (("usdc-approve-universal-router", PAYLOADS["viem-approve-usdc-universal-router"]),
                             ("usdc-approve-drainer", PAYLOADS["viem-approve-usdc-drainer"]),
                             ("permit2-permit-single-router", PAYLOADS["permit2-sdk-permit-single-router"]),
                             ("universal-router-swap", PAYLOADS["ur-buy-usdc-with-eth"]),
                             ("safe-exec-transaction", PAYLOADS["safe-exec-usdc-to-bob"]),
                             ("seaport-listing", PAYLOADS["seaport-list-dpunk"]),
                             ("user-operation", PAYLOADS["userop-simple-account-usdc-to-bob"])):
        assert json.loads((ROOT / "examples" / f"{example}.json").read_text()) == payload["request"], example


def test_protocol_kit_requests_run_through_the_safe(anvil_world: tuple[str, dict[str, str]], backend: RevmBackend,
                                                    policy: Policy) -> None:
    """Safe{Core} protocol-kit, run live against the anvil world: its SafeTx signature request (signed by the node for
    Alice) is read as the execTransaction it authorizes, and its execTransaction moves the USDC on both simulators."""
    need(shutil.which("node") is not None and (ROOT / "node_modules/@safe-global/protocol-kit").exists(),
         "npm @safe-global/protocol-kit")
    url, addresses = anvil_world
    done = subprocess.run(["node", "tests/payloads/protocol_kit.mjs", url, addresses["SAFE"], addresses["USDC"], BOB,
                           str(25 * 10**6)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    kit = json.loads(done.stdout)
    sign = analyze(parse_request({"chain_id": 31337, **kit["sign"]}), backend, policy, Trace())
    assert sign.facts.typed_data.classification == "safe_tx" and sign.verdict == "ok"
    for simulator in (backend, RpcBackend(url)):
        executed = analyze(parse_request({"chain_id": 31337, **kit["execute"]}), simulator, policy, Trace())
        assert executed.facts.simulation.status.value == "success", executed.facts.simulation
        changes = {(c.address, c.symbol): c.delta for c in executed.facts.simulation.asset_changes}
        assert changes == {(BOB, "USDC"): str(25 * 10**6), (addresses["SAFE"], "USDC"): str(-25 * 10**6)}
        assert executed.verdict == "ok"


def test_seaport_js_orders_run_through_seaport(anvil_world: tuple[str, dict[str, str]], backend: RevmBackend,
                                               policy: Policy) -> None:
    """seaport-js, run live against the anvil world: createOrder's signature request (Alice's listing, signed by
    the node) is read as a Seaport order, and fulfillOrder's transaction (Bob buys) moves the punk and the ETH."""
    need(shutil.which("node") is not None, "node")
    url, addresses = anvil_world
    done = subprocess.run(["node", "tests/payloads/seaport_js.mjs", url, addresses["DPUNK"]], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sdk = json.loads(done.stdout)
    sign = analyze(parse_request({"chain_id": 31337, **sdk["sign"]}), backend, policy, Trace())
    assert sign.facts.typed_data.classification == "seaport_order" and sign.verdict == "ok"
    # seaport-js starts the order at the wall clock's second: both simulators simulate at the wall clock's time
    for simulator in (backend, RpcBackend(url)):
        bought = analyze(parse_request({"chain_id": 31337, **sdk["execute"]}), simulator, policy, Trace())
        assert bought.facts.simulation.status.value == "success", bought.facts.simulation
        assert bought.facts.decoded.function.startswith("fulfillBasicOrder(") and bought.verdict == "ok"
        changes = {(c.address, c.symbol): c.delta for c in bought.facts.simulation.asset_changes}
        assert changes == {(BOB, "DPUNK"): "1", (BOB, "ETH"): str(-10**18), (ALICE, "DPUNK"): "-1",
                           (ALICE, "ETH"): str(10**18)}


@pytest.mark.parametrize(("factory", "data", "words"), [
    ("WETH", "0x", "AA14: the factory"),  # its fallback succeeds and deploys nothing: never an empty call
    ("DUSD", None, "deploying the account through its factory"),  # it has no createAccount: the deployment reverts
])
def test_a_first_operation_whose_factory_deploys_nothing_is_refused(factory: str, data: str | None, words: str,
                                                                   backend: RevmBackend, policy: Policy,
                                                                   anvil_world: tuple[str, dict[str, str]]) -> None:
    raw = json.loads(json.dumps(PAYLOADS["userop-v07-first-op-deploys-account"]["request"]))
    raw["params"][0]["factory"] = backend.addresses[factory]
    if data is not None:
        raw["params"][0]["factoryData"] = data
    for simulator in (backend, RpcBackend(anvil_world[0])):
        simulation = analyze(parse_request(raw), simulator, policy, Trace()).facts.simulation
        assert simulation.status.value == "reverted" and words in (simulation.revert_reason or ""), simulation


def test_without_node_modules_the_devnet_says_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The embedded devnet reads the protocols' contracts from node_modules: without it the service does not start
    on a world missing them, and the failure is the error table's (exit 3, one line), naming the file."""
    import chain.simulate.artifacts as artifacts
    import chain.simulate.devnet as devnet
    from app.errors import failure_of
    from chain.simulate.artifacts import ArtifactMissing

    monkeypatch.setattr(artifacts, "NODE_MODULES", tmp_path)
    monkeypatch.setattr(devnet, "NODE_MODULES", tmp_path)
    with pytest.raises(ArtifactMissing, match=r"is missing \(make node_modules/\.installed") as raised:
        RevmBackend()
    failure = failure_of(raised.value)
    assert failure is not None and (failure.status, failure.slug, failure.exit_code) == (500, "devnet-unavailable", 3)
