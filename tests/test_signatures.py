"""Signing requests: the digest is what the wallet signs, permits become approvals, rules fire."""

from __future__ import annotations

import json
import time

import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from chain.analyze import analyze
from chain.request import RequestError, parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from tests.support.helpers import ALICE, DRAINER_EOA, DUSD, PERMIT2, ROUTER, example

# anvil's first default key: ALICE's.
ALICE_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
DOMAIN_712 = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
              {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}]
MAIL = {
    "types": {"EIP712Domain": DOMAIN_712,
              "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
              "Mail": [{"name": "from", "type": "Person"}, {"name": "to", "type": "Person"},
                       {"name": "contents", "type": "string"}]},
    "primaryType": "Mail",
    "domain": {"name": "Ether Mail", "version": "1", "chainId": 1,
               "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
    "message": {"from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
                "contents": "Hello, Bob!"},
}


def judge(backend: RevmBackend, policy: Policy, raw: dict):  # type: ignore[no-untyped-def]
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    return analysis, [f.rule for f in analysis.findings]


def test_typed_data_digest_matches_eip712_mail_example() -> None:
    signature = parse_request({"chain_id": 1, "method": "eth_signTypedData_v4", "params": [ALICE, json.dumps(MAIL)]})
    # The hash given in EIP-712's own example (Mail from Cow to Bob).
    assert signature.digest.hex() == "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"


def test_unhashable_typed_data_is_rejected_naming_the_param() -> None:
    broken = {**MAIL, "message": {**MAIL["message"], "to": {"name": "Bob"}}}  # MetaMask refuses a missing field
    with pytest.raises(RequestError) as caught:
        parse_request({"chain_id": 1, "method": "eth_signTypedData_v4", "params": [ALICE, broken]})
    assert caught.value.errors[0]["field"] == "params[1]"
    assert caught.value.errors[0]["message"] == ("not hashable EIP-712 typed data: message.to.wallet: missing value "
                                                 "of type address")


def test_permit2_phishing_signature_blocks(backend: RevmBackend, policy: Policy) -> None:
    analysis, rules = judge(backend, policy, example("permit2-phishing-signature"))
    assert analysis.facts.kind == "typed_data" and analysis.verdict == "block"
    assert rules == ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL", "LONG_EXPIRY", "PERMIT2_SIGNATURE"]
    assert [a.model_dump() for a in analysis.facts.approvals] == [
        {"standard": "permit2", "token": DUSD, "spender": DRAINER_EOA, "amount": str(2**160 - 1), "unlimited": True,
         "expires_at": 2**48 - 1, "token_id": None,
         "revokes": False, "standard_confirmed": True, "source": "typed_data"}]


def test_signed_permit2_digest_is_accepted_by_the_permit2_contract(backend: RevmBackend, policy: Policy) -> None:
    """The hash we show is the one Permit2 verifies: sign it, submit it, and the contract agrees."""
    raw = example("permit2-phishing-signature")
    typed = json.loads(raw["params"][1])
    signature = parse_request(raw)
    signed = Account.unsafe_sign_hash(signature.digest, ALICE_KEY)
    sig = signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big") + bytes([signed.v])
    d = typed["message"]["details"]
    call = keccak(text="permit(address,((address,uint160,uint48,uint48),address,uint256),bytes)")[:4] + encode(
        ["address", "((address,uint160,uint48,uint48),address,uint256)", "bytes"],
        [ALICE, ((d["token"], int(d["amount"]), int(d["expiration"]), int(d["nonce"])), DRAINER_EOA,
                 int(typed["message"]["sigDeadline"])), sig])
    submit = parse_request({"chain_id": 31337, "from": DRAINER_EOA, "to": PERMIT2, "data": "0x" + call.hex()})
    with backend.session({}) as state:
        result = state.simulate(submit)
    assert result.status == "success", result.revert_reason
    assert [c.model_dump(exclude_none=True) for c in result.approval_changes] == [
        {"standard": "permit2", "token": DUSD, "owner": ALICE, "spender": DRAINER_EOA, "amount": str(2**160 - 1),
         "expiration": 2**48 - 1}]


def test_eip2612_permit_with_short_deadline_to_a_contract(backend: RevmBackend, policy: Policy) -> None:
    permit = {"types": {"EIP712Domain": DOMAIN_712, "Permit": [
        {"name": "owner", "type": "address"}, {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"}, {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"}]}, "primaryType": "Permit",
        "domain": {"name": "Demo USD", "version": "1", "chainId": 31337, "verifyingContract": DUSD},
        "message": {"owner": ALICE, "spender": ROUTER, "value": "1000000", "nonce": "0",
                    "deadline": str(int(time.time()) + 600)}}  # a contract, not on the allowlist
    analysis, rules = judge(backend, policy, {"chain_id": 31337, "method": "eth_signTypedData_v4",
                                              "params": [ALICE, permit]})
    assert (analysis.verdict, rules) == ("warn", ["PERMIT_SIGNATURE"])
    _, rules = judge(backend, policy, {"chain_id": 1, "method": "eth_signTypedData_v4",
                                                 "params": [ALICE, permit]})
    assert rules == ["CHAIN_ID_MISMATCH", "PERMIT_SIGNATURE"]  # the spender is looked up on the domain's chain


def test_dai_permit_without_expiry(backend: RevmBackend, policy: Policy) -> None:
    dai = {"types": {"EIP712Domain": DOMAIN_712, "Permit": [
        {"name": "holder", "type": "address"}, {"name": "spender", "type": "address"},
        {"name": "nonce", "type": "uint256"}, {"name": "expiry", "type": "uint256"},
        {"name": "allowed", "type": "bool"}]}, "primaryType": "Permit",
        "domain": {"name": "Dai Stablecoin", "version": "1", "chainId": 31337, "verifyingContract": DUSD},
        "message": {"holder": ALICE, "spender": ROUTER, "nonce": 0, "expiry": 0, "allowed": True}}
    analysis, rules = judge(backend, policy, {"chain_id": 31337, "method": "eth_signTypedData_v4",
                                              "params": [ALICE, dai]})
    assert rules == ["UNLIMITED_APPROVAL", "LONG_EXPIRY", "PERMIT_SIGNATURE"]
    assert analysis.facts.typed_data.classification == "dai_permit"


@pytest.mark.parametrize(("raw", "verdict", "rules"), [
    ({"chain_id": 1, "method": "eth_sign", "params": [ALICE, "0x" + "ab" * 32]}, "block", ["BLIND_SIGNATURE"]),
    ({"chain_id": 1, "method": "personal_sign", "params": ["0x" + "cd" * 32, ALICE]}, "block", ["BLIND_SIGNATURE"]),
    ({"chain_id": 1, "method": "personal_sign", "params": ["0x" + b"Welcome to the app".hex(), ALICE]}, "ok", []),
])
def test_message_signatures(backend: RevmBackend, policy: Policy, raw: dict, verdict: str, rules: list) -> None:
    analysis, fired = judge(backend, policy, raw)
    assert (analysis.verdict, fired) == (verdict, rules)


def siwe(domain: str) -> str:
    text = (f"{domain} wants you to sign in with your Ethereum account:\n{ALICE}\n\nSign in to the app.\n\n"
            f"URI: https://{domain}\nVersion: 1\nChain ID: 1\nNonce: 32891756\nIssued At: 2026-11-24T00:00:00Z")
    return "0x" + text.encode().hex()


def test_siwe_domain_must_match_origin(backend: RevmBackend, policy: Policy) -> None:
    request = {"chain_id": 1, "method": "personal_sign", "context": {"origin": "https://app.example"}}
    matching, rules = judge(backend, policy, {**request, "params": [siwe("app.example"), ALICE]})
    assert rules == [] and matching.facts.message.siwe["nonce"] == "32891756"
    assert matching.facts.message.siwe["statement"] == "Sign in to the app."
    _, rules = judge(backend, policy, {**request, "params": [siwe("app-example.evil"), ALICE]})
    assert rules == ["SIWE_DOMAIN_MISMATCH"]


def test_legacy_eth_sign_of_bytes_is_blind_and_signed_with_the_personal_prefix() -> None:
    """ethers' legacy signer and web3.eth.sign send eth_sign with data that is not a hash; geth signs it with the
    EIP-191 prefix, as personal_sign does."""
    request = parse_request({"chain_id": 1, "method": "eth_sign", "params": [ALICE, "0x1234"]})
    signed = Account.sign_message(encode_defunct(primitive=bytes.fromhex("1234")), ALICE_KEY)
    assert request.digest == signed.message_hash
    hashed = parse_request({"chain_id": 1, "method": "eth_sign", "params": [ALICE, "0x" + "ab" * 32]})
    assert hashed.digest == bytes.fromhex("ab" * 32)  # a 32-byte hash is signed as it is (MetaMask)
