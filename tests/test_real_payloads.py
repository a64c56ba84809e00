"""Requests exactly as viem, ethers and the protocols' SDKs hand them to a wallet (tests/payloads/corpus.json, made
by tests/payloads/generate.mjs), explained with and without chain state for their chain."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from chain.analyze import NO_SENDER, Analysis, analyze
from chain.protocols import protocol_registry
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.simulate.devnet import load_artifact
from chain.trace import Trace
from inference.summary import summarize
from tests.conftest import ROOT, need
from tests.support.helpers import registered

CORPUS = json.loads((ROOT / "tests" / "payloads" / "corpus.json").read_text())
PAYLOADS = {p["name"]: p for p in CORPUS["payloads"]}
USDC = registered("Token", "USDC")
BAYC = "0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D"
PERMIT2 = registered("Uniswap", "Permit2")
UNIVERSAL_ROUTER = registered("Uniswap", "Universal Router", "2.0")
DRAINER = "0xeE76Fa70e8A002c9114C0aCB137b1E2951615424"  # a plain account, on every chain here
USER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
NEW_OWNER = "0x1234567890123456789012345678901234567890"


def request(name: str, **changes: Any) -> dict[str, Any]:
    return {**PAYLOADS[name]["request"], **changes}


def explain(raw: dict[str, Any], backend: RevmBackend, policy: Policy) -> tuple[Analysis, list[str]]:
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    return analysis, [f.rule for f in analysis.findings]


def code(artifact: str) -> str:
    return load_artifact(artifact)["deployedBytecode"]


@pytest.fixture(scope="module")
def mainnet() -> RevmBackend:
    """A simulator that serves chain 1: the devnet world under mainnet's chain id. Its protocols' contracts sit at
    their mainnet addresses (USDC, Permit2, Seaport…); state overrides put code only where the world has none."""
    return RevmBackend(chain_id=1)


def test_corpus_is_what_the_libraries_emit_today(tmp_path: Path) -> None:
    need(shutil.which("node") is not None and (ROOT / "node_modules" / "viem").exists(), "node and npm viem")
    out = tmp_path / "corpus.json"
    subprocess.run(["node", "tests/payloads/generate.mjs", str(out)], cwd=ROOT, check=True, timeout=120)
    assert json.loads(out.read_text()) == CORPUS, "tests/payloads/corpus.json is stale: run the generator"


@pytest.mark.parametrize("name", [n for n, p in PAYLOADS.items() if "digest" in p])
def test_digest_is_the_one_the_wallet_signs(name: str) -> None:
    """eth-sig-util (MetaMask) and viem computed these digests (a user operation's: viem's getUserOperationHash);
    the shown digest must be the signed one."""
    parsed = parse_request(request(name))
    op = getattr(parsed, "user_operation", None)
    shown = op.user_op_hash if op is not None else "0x" + parsed.digest.hex()
    assert shown == PAYLOADS[name]["digest"]


# --- what the bytes prove, with no state for the request's chain (the embedded devnet is chain 31337) ---------

def test_unlimited_approve_with_data_suffix_is_decoded_and_said_without_state(backend: RevmBackend,
                                                                             policy: Policy) -> None:
    analysis, rules = explain(request("viem-approve-unlimited-eoa-datasuffix"), backend, policy)
    assert (analysis.verdict, rules) == ("warn", ["UNLIMITED_APPROVAL", "SIMULATION_UNAVAILABLE"])
    decoded = analysis.facts.decoded
    assert (decoded.function, decoded.trailing_data) == (
        "approve(address,uint256)", "0xdeadbeef0000000000000000000000000000000080218021802180218021")
    assert [a.model_dump() for a in analysis.facts.approvals] == [
        {"standard": "erc20", "token": USDC, "spender": DRAINER, "amount": str(2**256 - 1), "unlimited": True,
         "expires_at": None, "token_id": None, "revokes": False, "standard_confirmed": False, "source": "calldata"}]
    assert [(c.check, c.subject, c.rules) for c in analysis.facts.skipped] == [
        ("simulation", None, ["SIMULATION_REVERTED"]),  # USDC is registered: its code needs no look-up
        ("spender_code", DRAINER, ["APPROVAL_TO_EOA"]),
        ("token_standard", USDC, ["APPROVAL_FOR_ALL"]),
        ("token_metadata", USDC, ["METADATA_INJECTION", "IMPERSONATOR_TOKEN"]),
        ("prices", None, ["UNFAIR_EXCHANGE"])]
    summary = summarize(analysis)
    assert f"It lets {DRAINER} spend unlimited USDC from your wallet." in summary
    assert f"Not checked: the spender's code ({DRAINER})" in summary
    assert "30 extra bytes after the arguments" in summary


def test_approval_for_all_to_an_unknown_operator_is_said_without_state(backend: RevmBackend, policy: Policy) -> None:
    analysis, rules = explain(request("viem-set-approval-for-all-eoa"), backend, policy)
    assert (analysis.verdict, rules) == ("warn", ["APPROVAL_FOR_ALL", "SIMULATION_UNAVAILABLE"])
    assert [(a.standard, a.spender, a.amount, a.standard_confirmed) for a in analysis.facts.approvals] == [
        ("erc721", DRAINER, None, False)]
    assert analysis.findings[0].evidence == {"token": BAYC, "operator": DRAINER, "standard": "erc721",
                                             "standard_confirmed": False}
    assert f"It lets {DRAINER} move every item you own in the collection {BAYC}" in summarize(analysis)


@pytest.mark.parametrize(("name", "standard", "token"), [
    ("viem-approve-revoke", "erc20", USDC),
    ("viem-set-approval-for-all-revoke", "erc721", BAYC),
    ("viem-permit2-lockdown", "permit2", USDC),
])
def test_revocations_are_listed_and_said(name: str, standard: str, token: str, backend: RevmBackend,
                                         policy: Policy) -> None:
    analysis, rules = explain(request(name), backend, policy)
    assert rules == ["SIMULATION_UNAVAILABLE"]
    assert [(a.standard, a.token, a.spender, a.revokes, a.unlimited) for a in analysis.facts.approvals] == [
        (standard, token, DRAINER, True, False)]
    assert f"It revokes the permission of {DRAINER}" in summarize(analysis)
    assert "spender_code" not in [c.check for c in analysis.facts.skipped]  # a revocation needs no spender check


def test_safe_owner_added_through_exec_transaction_is_an_ownership_change(backend: RevmBackend,
                                                                         policy: Policy) -> None:
    analysis, rules = explain(request("viem-safe-exec-add-owner"), backend, policy)
    assert rules == ["OWNERSHIP_CHANGE", "SIMULATION_UNAVAILABLE"]
    safe = analysis.facts.to
    assert analysis.findings[0].evidence == {"function": "addOwnerWithThreshold(address,uint256)", "contract": safe,
                                             "new_party": NEW_OWNER}
    assert analysis.findings[0].message == (f"addOwnerWithThreshold changes who controls {safe}: "
                                            f"owner {NEW_OWNER}.")


@pytest.mark.parametrize(("call", "arg"), [
    ("removeOwner(address,address,uint256)", ["0x0000000000000000000000000000000000000001", NEW_OWNER, 1]),
    ("swapOwner(address,address,address)", ["0x0000000000000000000000000000000000000001", DRAINER, NEW_OWNER]),
    ("changeThreshold(uint256)", [1]),
    ("changeMasterCopy(address)", [NEW_OWNER]),
    ("setGuard(address)", [NEW_OWNER]),
    ("enableModule(address)", [NEW_OWNER]),
    ("setFallbackHandler(address)", [NEW_OWNER]),
])
def test_every_safe_control_change_fires_inside_multisend(call: str, arg: list[Any], backend: RevmBackend,
                                                         policy: Policy) -> None:
    """Safe's MultiSend packs (operation, to, value, data length, data); the Safe calls itself."""
    from eth_abi import encode
    from eth_abi.packed import encode_packed
    from eth_utils import keccak

    from chain.decode.codec import split_types

    safe = "0x5afe5afE5afE5afE5afE5aFe5aFe5Afe5Afe5AfE"
    inner = keccak(text=call)[:4] + encode(split_types(call[call.index("(") + 1:-1]), arg)
    packed = encode_packed(["uint8", "address", "uint256", "uint256", "bytes"], [0, safe, 0, len(inner), inner])
    data = keccak(text="multiSend(bytes)")[:4] + encode(["bytes"], [packed])
    analysis, rules = explain({"chain_id": 1, "from": USER, "to": "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D",
                               "data": "0x" + data.hex()}, backend, policy)
    assert "OWNERSHIP_CHANGE" in rules
    assert [f.evidence["function"] for f in analysis.findings if f.rule == "OWNERSHIP_CHANGE"] == [call]


def test_batch_without_from_is_judged_not_simulated(backend: RevmBackend, policy: Policy) -> None:
    analysis, rules = explain(request("viem-send-calls-no-account", chain_id=8453), backend, policy)
    assert analysis.facts.sender is None
    assert rules == ["UNLIMITED_APPROVAL", "SIMULATION_UNAVAILABLE"]
    assert analysis.facts.simulation.error == NO_SENDER and not analysis.facts.simulation.asset_changes_known
    assert "swap_recipient" in [c.check for c in analysis.facts.skipped]


def test_batch_draft_shape_with_chain_id_on_each_call_is_accepted() -> None:
    """viem 2.21's draft EIP-5792 shape: version "1.0", chainId on each call, not on the batch."""
    call = {"to": USDC, "data": "0x", "value": "0x0", "chainId": "0x1"}
    parsed = parse_request({"chain_id": 1, "method": "wallet_sendCalls",
                            "params": [{"version": "1.0", "from": USER, "calls": [call]}]})
    assert parsed.calls is not None and parsed.calls[0].chain_id == 1
    with pytest.raises(Exception) as caught:
        parse_request({"chain_id": 1, "method": "wallet_sendCalls",
                       "params": [{"version": "1.0", "from": USER, "calls": [{**call, "chainId": "0x2105"}]}]})
    assert caught.value.errors == [{"field": "params[0].calls[0].chainId", "message": "differs from chain_id 1"}]


@pytest.mark.parametrize(("name", "verdict", "rules"), [
    ("seaport-listing", "ok", []),
    ("seaport-offer", "ok", []),
    ("seaport-collection-offer", "ok", []),
    ("seaport-giveaway", "block", ["ORDER_FOR_NOTHING"]),
])
def test_seaport_orders_for_nothing_only_when_nothing_comes_back(name: str, verdict: str, rules: list[str],
                                                                 backend: RevmBackend, policy: Policy) -> None:
    analysis, found = explain(request(name), backend, policy)
    assert (analysis.verdict, found) == (verdict, rules)
    assert analysis.facts.typed_data.classification == "seaport_order"


@pytest.mark.parametrize("name", ["viem-eip2612-permit-max", "viem-eip2612-permit-unused-type",
                                  "ethers-eip2612-permit-max"])
def test_max_uint_permits_from_every_library_agree(name: str, backend: RevmBackend, policy: Policy) -> None:
    analysis, rules = explain(request(name), backend, policy)
    assert rules == ["UNLIMITED_APPROVAL", "LONG_EXPIRY", "PERMIT_SIGNATURE", "SIMULATION_UNAVAILABLE"]
    assert "with no practical expiry" in summarize(analysis)


def test_siwe_and_multiline_messages_keep_their_line_breaks(backend: RevmBackend, policy: Policy) -> None:
    siwe, rules = explain(request("viem-siwe", context={"origin": "https://app.uniswap.org"}), backend, policy)
    assert rules == [] and siwe.facts.message.siwe["statement"] == "Sign in to Uniswap."
    assert siwe.facts.message.text.splitlines()[:3] == [
        "app.uniswap.org wants you to sign in with your Ethereum account:", USER, ""]
    _, rules = explain(request("viem-siwe", context={"origin": "https://app-uniswap.org.example"}), backend, policy)
    assert rules == ["SIWE_DOMAIN_MISMATCH"]
    text, _ = explain(request("viem-personal-sign-multiline"), backend, policy)
    assert text.facts.message.text == ("Welcome to Example!\n\nClick to sign in and accept the Terms of Service.\n\n"
                                       "Nonce: 42")


@pytest.mark.parametrize(("payload", "kind", "rules"), [
    ("0x" + b"Please sign to log in".hex(), "text", []),
    ("0x01020304", "binary", ["BLIND_SIGNATURE"]),
    ("0x" + "ab" * 32, "hash", ["BLIND_SIGNATURE"]),
])
def test_legacy_eth_sign_is_explained_as_what_it_is(payload: str, kind: str, rules: list[str], backend: RevmBackend,
                                                   policy: Policy) -> None:
    """web3.eth.sign(data, address) and ethers v5's legacy signer send eth_sign [address, data]."""
    analysis, found = explain({"chain_id": 1, "method": "eth_sign", "params": [USER, payload]}, backend, policy)
    assert (analysis.facts.message.kind, found) == (kind, rules)


# --- with state for the request's chain ----------------------------------------------------------------------

def test_unlimited_approve_with_data_suffix_to_a_plain_account_blocks(mainnet: RevmBackend, policy: Policy) -> None:
    raw = request("viem-approve-unlimited-eoa-datasuffix")  # USDC is the world's, at its mainnet address
    analysis, rules = explain(raw, mainnet, policy)
    assert (analysis.verdict, rules) == ("block", ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL"])
    assert analysis.facts.approvals[0].standard_confirmed and analysis.facts.skipped == []


def test_approving_permit2_is_routine(mainnet: RevmBackend, policy: Policy) -> None:
    raw = request("viem-approve-permit2")
    analysis, rules = explain(raw, mainnet, policy)
    assert (analysis.verdict, rules) == ("ok", ["UNLIMITED_APPROVAL"])
    assert analysis.findings[0].severity == "low" and analysis.findings[0].evidence["allowlisted"] is True


def test_universal_router_permit2_permit_is_routine_and_a_plain_account_blocks(mainnet: RevmBackend,
                                                                                policy: Policy) -> None:
    router = {UNIVERSAL_ROUTER: {"code": code("SimpleSwapRouter")}}
    analysis, rules = explain(request("permit2-sdk-permit-single-router", state_overrides=router), mainnet, policy)
    assert (analysis.verdict, rules) == ("ok", ["PERMIT2_SIGNATURE", "UNLIMITED_APPROVAL"])
    assert {f.severity for f in analysis.findings} == {"low"}
    analysis, rules = explain(request("permit2-sdk-permit-single-eoa"), mainnet, policy)
    assert (analysis.verdict, rules) == ("block", ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL", "LONG_EXPIRY",
                                                   "PERMIT2_SIGNATURE"])


def test_permit_for_another_chain_is_checked_on_that_chain(policy: Policy) -> None:
    """The permit's domain is Base (8453): its spender is looked up there, not on the wallet's chain — and mainnet
    USDC's address on Base is not Base's listed "USD Coin", which the token lists know."""
    analysis, rules = explain(request("viem-eip2612-permit-other-chain"), RevmBackend(chain_id=8453), policy)
    assert (analysis.verdict, rules) == ("block", ["APPROVAL_TO_EOA", "CHAIN_ID_MISMATCH", "IMPERSONATOR_TOKEN",
                                                   "PERMIT_SIGNATURE"])
    impersonated = next(f for f in analysis.findings if f.rule == "IMPERSONATOR_TOKEN").evidence
    assert impersonated["listed_address"] == registered("Token", "USDC", chain=8453)


def test_approval_seen_only_by_the_simulation_reaches_the_rules(backend: RevmBackend, policy: Policy) -> None:
    """A contract behind an unknown selector that emits Approval(you, plain account, max): the decoder sees
    nothing, the simulation sees the approval, and the rules judge it."""
    from eth_utils import keccak

    topic = keccak(text="Approval(address,address,uint256)")
    emitter = ("0x7f" + "ff" * 32 + "600052" + "73" + DRAINER[2:].lower() + "33" + "7f" + topic.hex()
               + "6020" + "6000" + "a3" + "00")  # mstore(0, max); log3(0, 32, topic, caller, drainer); stop
    token = "0x00000000000000000000000000000000000c0de1"
    analysis, rules = explain({"chain_id": 31337, "from": USER, "to": token, "data": "0x12345678",
                               "state_overrides": {token: {"code": emitter}}}, backend, policy)
    assert (analysis.verdict, rules) == ("block", ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL", "UNKNOWN_FUNCTION"])
    assert [(a.spender, a.unlimited, a.source) for a in analysis.facts.approvals] == [(DRAINER, True, "simulation")]


def test_deployment_is_simulated_and_reports_the_new_contract(backend: RevmBackend, policy: Policy) -> None:
    analysis, rules = explain(request("viem-deploy-contract", chain_id=31337), backend, policy)
    assert rules == [] and analysis.facts.decoded.source == "deployment"
    deployed = analysis.facts.simulation.deployed
    from chain.hexutil import create_address

    nonce = backend._evm.basic(USER).nonce  # the devnet sender's nonce: the address CREATE gives
    assert deployed == [create_address(USER, nonce)]
    summary = summarize(analysis)
    assert summary.startswith("Deploys a new contract from 51 bytes of initcode.")
    assert f"It creates a new contract at {deployed[0]}." in summary
    batch, rules = explain(request("viem-send-calls-deploy", chain_id=31337,
                                   params=[{**PAYLOADS["viem-send-calls-deploy"]["request"]["params"][0],
                                            "chainId": "0x7a69"}]), backend, policy)
    assert batch.facts.decoded.calls[0].source == "deployment" and len(batch.facts.simulation.deployed) == 1


@pytest.mark.parametrize("name", ["viem-raw-approve-unlimited-eoa", "viem-wallet-send-transaction-fallback"])
def test_raw_and_wallet_namespace_sends_are_judged_like_eth_send_transaction(name: str, mainnet: RevmBackend,
                                                                             policy: Policy) -> None:
    """viem broadcasting a locally signed transaction (eth_sendRawTransaction), and viem falling back to
    wallet_sendTransaction when a wallet refuses eth_sendTransaction: the same approval, the same verdict."""
    analysis, rules = explain(request(name), mainnet, policy)
    assert (analysis.verdict, rules) == ("block", ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL"])
    assert analysis.facts.sender == USER and analysis.facts.to == USDC
    assert analysis.facts.approvals[0].spender == DRAINER and analysis.facts.approvals[0].unlimited


@pytest.mark.parametrize("name", ["viem-tx-legacy", "viem-tx-eip2930", "viem-approve-unlimited-eoa-datasuffix"])
def test_every_transaction_type_viem_sends_is_judged_alike(name: str, backend: RevmBackend, policy: Policy) -> None:
    """Type 0 with gasPrice, type 1 with an access list, type 2: the same approval, the same verdict."""
    analysis, rules = explain(request(name), backend, policy)
    assert (analysis.verdict, rules) == ("warn", ["UNLIMITED_APPROVAL", "SIMULATION_UNAVAILABLE"])
    assert analysis.facts.approvals[0].spender == DRAINER and analysis.facts.approvals[0].unlimited


def test_a_signed_7702_authorization_is_judged_by_its_delegate(backend: RevmBackend, policy: Policy) -> None:
    trusted, rules = explain(request("viem-tx-eip7702-simple7702"), backend, policy)
    assert trusted.facts.delegations == [registered("ERC-4337", "Simple7702Account")]
    assert "EIP7702_DELEGATION" not in rules  # chain 1's delegate allowlist (policy 2026.12.3)
    unknown, rules = explain(request("viem-tx-eip7702-unknown"), backend, policy)
    assert "EIP7702_DELEGATION" in rules and unknown.verdict == "block"
    assert unknown.findings[0].evidence["delegate"] == DRAINER


def test_a_uniswapx_order_is_routine_and_its_shape_to_a_plain_account_is_not(backend: RevmBackend,
                                                                            policy: Policy) -> None:
    """A Dutch order from @uniswap/uniswapx-sdk: Permit2 PermitWitnessTransferFrom to the reactor (on chain 1's
    allowlist, from the SDK's REACTOR_ADDRESS_MAPPING); the same witness with a plain account as spender is not."""
    order, _ = explain(request("uniswapx-dutch-order"), backend, policy)
    typed = order.facts.typed_data
    assert typed.classification == "permit2_PermitWitnessTransferFrom"
    assert typed.clear_signing is not None and "UniswapX" in typed.clear_signing.contract_name
    assert [(a.token, a.spender, a.amount) for a in order.facts.approvals] == [
        (USDC, registered("UniswapX", "Dutch reactor"), "1000000000")]
    assert {f.rule: f.severity for f in order.findings}["PERMIT2_SIGNATURE"] == "low"
    assert order.verdict != "block"
    assert order.facts.typed_data.witness_order["outputs"][0]["recipient"] == USER
    assert "SWAP_RECIPIENT_MISMATCH" not in {f.rule for f in order.findings}
    phishing, _ = explain(request("uniswapx-shaped-order-to-eoa"), backend, policy)
    assert {f.rule: f.severity for f in phishing.findings}["PERMIT2_SIGNATURE"] == "medium"
    assert phishing.facts.approvals[0].spender == DRAINER
    elsewhere, _ = explain(request("uniswapx-order-paying-another-account"), backend, policy)
    mismatch = next(f for f in elsewhere.findings if f.rule == "SWAP_RECIPIENT_MISMATCH")
    assert (mismatch.evidence["recipient"], mismatch.evidence["token"]) == (
        DRAINER, registered("Wrapped native", "WETH"))


def test_well_known_protocols_are_named_from_the_registry(backend: RevmBackend, policy: Policy) -> None:
    analysis, _ = explain(request("permit2-sdk-permit-single-router"), backend, policy)
    label = analysis.facts.labels[UNIVERSAL_ROUTER]
    sdk = protocol_registry().packages["@uniswap/universal-router-sdk"]
    assert (label.name, label.source) == (
        "Uniswap Universal Router v2.0", f'@uniswap/universal-router-sdk@{sdk} UNIVERSAL_ROUTER_ADDRESS("2.0", 1)')
    assert f"It lets Uniswap Universal Router v2.0 ({UNIVERSAL_ROUTER}) spend" in summarize(analysis)
