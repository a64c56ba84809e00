"""The protocol registry: generated from the protocols' own packages, the one home of well-known addresses, and what
allowlists, labels, decoding and the devnet's world derive from — on every chain it serves."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from eth_abi import encode
from eth_utils import is_checksum_address, keccak

from bench.protocols import category
from chain import Analysis
from chain.analyze import analyze
from chain.decode import decode_calldata
from chain.protocols import Role, protocol_registry
from chain.request import parse_request
from chain.rules import Policy
from chain.rules.policy import parse_policy
from chain.simulate import RevmBackend
from chain.simulate.devnet import placed_addresses
from chain.trace import Trace
from inference.summary import summarize
from tests.conftest import ROOT, need

DATA = json.loads((ROOT / "tests/payloads/protocols.json").read_text())
PAYLOADS, CORPUS = DATA["payloads"], DATA["corpus"]
SERVED = {1, 10, 56, 100, 137, 324, 8453, 42161, 43114, 59144, 81457, 534352, 11155111}
L2S = (10, 137, 8453, 42161)
USER, ZERO = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0x0000000000000000000000000000000000000000"


def judged(name: str, backend: RevmBackend, policy: Policy) -> Analysis:
    return analyze(parse_request(PAYLOADS[name]["request"]), backend, policy, Trace())


def severities(analysis: Analysis) -> dict[str, str]:
    return {f.rule: f.severity for f in analysis.findings}


def test_the_registry_is_what_the_packages_declare_today(tmp_path: Path) -> None:
    need(shutil.which("node") is not None and (ROOT / "node_modules/@lido-sdk/constants").exists(),
         "node and the protocols' npm packages")
    out = tmp_path / "registry.json"
    subprocess.run(["node", "scripts/gen_registry.mjs", str(out)], cwd=ROOT, check=True, timeout=180)
    assert json.loads(out.read_text()) == protocol_registry().data, "run node scripts/gen_registry.mjs"
    corpus = tmp_path / "protocols.json"
    subprocess.run(["node", "tests/payloads/generate_protocols.mjs", str(corpus)], cwd=ROOT, check=True, timeout=180)
    assert json.loads(corpus.read_text()) == DATA, "run node tests/payloads/generate_protocols.mjs"


def test_every_entry_names_its_package_roles_and_abi() -> None:
    registry = protocol_registry()
    data = registry.data
    assert set(registry.chain_ids) == SERVED and len(data["chains"]) > 400
    assert {c.chain for c in registry.contracts()} == SERVED
    for contract in registry.contracts():
        assert is_checksum_address(contract.address) and contract.roles, contract
        package = contract.source.split("@")[0] if not contract.source.startswith("@") else \
            "@" + contract.source[1:].split("@")[0]
        assert contract.source.startswith(f"{package}@{data['packages'][package]} "), contract
        assert contract.abi is None or contract.abi in data["abis"], contract
    for abi in data["abis"].values():
        assert abi["version"] == data["packages"][abi["package"]] and len(abi["sha256"]) == 64 and abi["functions"]
    assert set(Role) >= {Role(r) for c in data["contracts"] for r in c["roles"]}


def test_the_devnet_registry_is_mainnet_where_its_world_places_it() -> None:
    registry = protocol_registry()
    devnet = {c.address for c in registry.contracts(31337)}
    assert devnet == {a for a in placed_addresses() if registry.contract(1, a) is not None}
    router = registry.find(1, "Uniswap", "Universal Router", "2.1.1")
    assert registry.contract(31337, router) == registry.contract(1, router)
    one_inch = registry.find(1, "1inch", "Aggregation Router", "6")
    assert registry.contract(31337, one_inch) is None  # not in the world: no code there, so not known there
    assert registry.chain(137).native == "POL" and registry.chain(31337).native == "ETH"
    assert registry.chain(5000).native == "MNT"  # not served, still named: what a user pays with there


def test_every_corpus_call_is_named_with_its_own_function() -> None:
    missed = [(c["protocol"], c["chain"], c["function"], found) for c in CORPUS
              if (found := category(c, with_registry=True)) != "named"]
    assert not missed
    assert {c["chain"] for c in CORPUS} == SERVED
    assert {"Lido", "Compound", "Across", "Aave", "Uniswap", "1inch", "0x", "CoW Protocol", "Balancer"} <= {
        c["protocol"] for c in CORPUS}


@pytest.mark.parametrize(("contract", "function", "args"), [
    ("stETH", "submit(address)", (ZERO,)),
    ("wstETH", "wrap(uint256)", (10**18,)),
    ("WithdrawalQueueERC721", "requestWithdrawals(uint256[],address)", ([10**18], USER)),
])
def test_lido_is_named_on_mainnet(contract: str, function: str, args: tuple) -> None:
    """The held-out sets' commonest miss: a benign Lido stake read as an unknown function."""
    to = protocol_registry().find(1, "Lido", contract)
    types = function[function.index("(") + 1:-1].split(",")
    decoded = decode_calldata(keccak(text=function)[:4] + encode(types, args), to, chain_id=1)
    assert decoded is not None and decoded.function == function and decoded.source.value == "abi"


def test_packed_words_decode_as_the_routers_own_integers() -> None:
    """1inch v6 packs a token and flags into one uint256: its own ABI says so, so it is never shown as an address."""
    router = protocol_registry().find(137, "1inch", "Aggregation Router", "6")
    case = next(c for c in CORPUS if c["to"] == router.lower() and c["chain"] == 137)
    decoded = decode_calldata(bytes.fromhex(case["data"][2:]), router, chain_id=137)
    assert decoded is not None and decoded.function == case["function"].replace(" ", "")


@pytest.mark.parametrize("chain", L2S)
def test_a_routine_uniswap_permit_is_ok_on_every_chain_as_on_mainnet(chain: int, backend: RevmBackend,
                                                                      policy: Policy) -> None:
    here, mainnet = judged(f"uniswap-permit-router-{chain}", backend, policy), \
        judged("uniswap-permit-router-1", backend, policy)
    assert here.verdict == mainnet.verdict == "ok"
    assert severities(here) == severities(mainnet) and severities(here)["PERMIT2_SIGNATURE"] == "low"
    router = here.facts.approvals[0].spender
    assert here.facts.labels[router].name == "Uniswap Universal Router v2.0"


@pytest.mark.parametrize("chain", L2S)
def test_an_unknown_spender_is_judged_on_every_chain_as_on_mainnet(chain: int, backend: RevmBackend,
                                                                   policy: Policy) -> None:
    for name in ("uniswap-permit-eoa", "approve-unknown-spender", "uniswap-approve-permit2"):
        here, mainnet = judged(f"{name}-{chain}", backend, policy), judged(f"{name}-1", backend, policy)
        assert (here.verdict, severities(here)) == (mainnet.verdict, severities(mainnet)), name
    assert judged(f"uniswap-permit-eoa-{chain}", backend, policy).verdict == "warn"
    approve = judged(f"uniswap-approve-permit2-{chain}", backend, policy)
    assert severities(approve)["UNLIMITED_APPROVAL"] == "low"  # Permit2 is trusted there as on mainnet


def test_the_policy_selects_by_role_and_protocol_and_may_add_or_remove(policy: Policy) -> None:
    registry = protocol_registry()
    permit2, router = registry.find(137, "Uniswap", "Permit2"), registry.find(137, "Uniswap", "Universal Router", "2.0")
    seaport = registry.find(137, "OpenSea", "Seaport", "1.6")
    assert {permit2, router} <= policy.allowed_spenders(137) and seaport in policy.allowed_operators(137)
    assert seaport not in policy.allowed_spenders(137)  # a marketplace is trusted as an operator, not a spender
    raw = (ROOT / "chain/rules/policy/default.toml").read_text()
    narrowed = parse_policy(raw.replace('[trust]\n', '[trust]\nprotocols = ["Lido"]\n', 1).replace(
        '[allowlist."1"]\n', f'[allowlist."1"]\nremove = ["{registry.find(1, "Lido", "wstETH")}"]\n', 1).encode())
    assert permit2 not in narrowed.allowed_spenders(137)
    assert registry.find(1, "Lido", "WithdrawalQueueERC721") in narrowed.allowed_spenders(1)
    assert registry.find(1, "Lido", "wstETH") not in narrowed.allowed_spenders(1)
    with pytest.raises(ValueError, match=r"trust\.spenders"):
        parse_policy(raw.replace('spenders = ["router"', 'spenders = ["routers"', 1).encode())


def test_the_cli_lists_the_registry_and_refuses_a_chain_it_does_not_serve() -> None:
    txexplain = [sys.executable, "-m", "app.cli"]
    listed = subprocess.run([*txexplain, "protocols", "--chain", "137", "--json"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    entries = json.loads(listed.stdout)
    assert {e["address"] for e in entries} == {c.address for c in protocol_registry().contracts(137)}
    assert any(e["label"] == "Uniswap Universal Router v2.0" and e["roles"] == ["router"] for e in entries)
    refused = subprocess.run([*txexplain, "protocols", "--chain", "5"], cwd=ROOT, capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode == 2 and "chain: 5 is not a chain the registry serves" in refused.stderr


@pytest.mark.parametrize(("owner", "function", "types", "args", "intent"), [
    ("Ethena", "cooldownShares(uint256)", ["uint256"], [10**18], "Cooldown Shares"),
    ("Ethereum", "deposit(bytes,bytes,bytes,bytes32)", ["bytes", "bytes", "bytes", "bytes32"],
     [b"\x01" * 48, b"\x02" * 32, b"\x03" * 96, b"\x04" * 32], "Stake ETH"),
])
def test_clear_signing_descriptors_name_the_long_tail(owner: str, function: str, types: list[str], args: list,
                                                      intent: str, backend: RevmBackend,
                                                      policy: Policy) -> None:
    """The ERC-7730 registry's contracts (Ethena's staked USDe, the beacon deposit contract) are named, decoded with
    the functions their descriptors format, and a call's intent is said; what the intents say the contract is for
    (staking, here) is its role, and the policy trusts that role as it trusts any other."""
    to = protocol_registry().find(1, owner, owner)
    data = keccak(text=function)[:4] + encode(types, args)
    raw = {"chain_id": 1, "from": USER, "to": to, "data": "0x" + data.hex()}
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    assert analysis.facts.decoded.function == function and "UNKNOWN_FUNCTION" not in severities(analysis)
    assert analysis.facts.labels[to].name == owner
    summary = summarize(analysis)
    assert f'Its clear-signing descriptor (ERC-7730) calls this "{intent}".' in summary
    assert Role.STAKING in protocol_registry().contract(1, to).roles and to in policy.allowed_spenders(1)


def test_a_descriptor_whose_intents_name_no_role_is_named_but_not_trusted(policy: Policy) -> None:
    registry = protocol_registry()
    named_only = [c for c in registry.contracts(1) if c.roles == (Role.CLEAR_SIGNED,)]
    assert named_only and not {c.address for c in named_only} & policy.allowed_spenders(1)
    velora = next(c for c in registry.contracts(137) if c.protocol == "Velora")
    assert Role.ROUTER in velora.roles and velora.address in policy.allowed_spenders(137)  # its intents: "Swap"
