"""The rest of a wallet's request surface: eth_signTypedData_v3 hashed as MetaMask's V3 hashes it (digests from
@metamask/eth-sig-util, tests/vectors/eip712.json), and wallet_sendTransaction explained as eth_sendTransaction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chain import RequestError, Signature
from chain.analyze import analyze
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from tests.support.helpers import ALICE, BOB, DUSD, calldata, tx

VECTORS = json.loads((Path(__file__).parent / "vectors" / "eip712.json").read_text())["vectors"]
SIGNER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def vector(desc: str) -> dict:
    return next(v for v in VECTORS if v["desc"] == desc)


@pytest.mark.parametrize("desc", ["v3: a field absent from the message", "v3: an empty message",
                                  "v3: a field absent from the domain"])
def test_v3_requests_sign_the_digest_eth_sig_util_computes(desc: str) -> None:
    case = vector(desc)
    for payload in (case["typed_data"], json.dumps(case["typed_data"])):  # as an object and as a string
        signature = parse_request({"chain_id": 1, "method": "eth_signTypedData_v3", "params": [SIGNER, payload]})
        assert isinstance(signature, Signature) and signature.method == "eth_signTypedData_v3"
        assert "0x" + signature.digest.hex() == case["want_hash_v3"]
    with pytest.raises(RequestError):  # the same document is not hashable as V4 (a missing field)
        parse_request({"chain_id": 1, "method": "eth_signTypedData_v4", "params": [SIGNER, case["typed_data"]]})


def test_v3_refuses_what_v3_cannot_hash_naming_the_field() -> None:
    mail = next(v for v in VECTORS if "want_err_v3" in v and "Mail" in v["typed_data"].get("types", {}))
    with pytest.raises(RequestError) as caught:
        parse_request({"chain_id": 1, "method": "eth_signTypedData_v3", "params": [SIGNER, mail["typed_data"]]})
    assert caught.value.errors[0]["field"] == "params[1]"
    assert "eth_signTypedData_v3" in caught.value.errors[0]["message"]


def test_a_v3_permit_is_judged_like_a_v4_one(backend: RevmBackend, policy: Policy) -> None:
    permit = next(v for v in VECTORS if v.get("want_hash_v3") and v.get("want_hash")
                  and v["typed_data"].get("primaryType") == "Permit")["typed_data"]
    rules = {}
    for method in ("eth_signTypedData_v4", "eth_signTypedData_v3"):
        analysis = analyze(parse_request({"chain_id": 1, "method": method, "params": [SIGNER, permit]}), backend,
                           policy, Trace())
        rules[method] = (analysis.verdict, sorted(f.rule for f in analysis.findings))
    assert rules["eth_signTypedData_v3"] == rules["eth_signTypedData_v4"]
    assert "PERMIT_SIGNATURE" in rules["eth_signTypedData_v3"][1]


def test_wallet_send_transaction_is_explained_as_eth_send_transaction(backend: RevmBackend, policy: Policy) -> None:
    params = {k: v for k, v in tx(DUSD, calldata("transfer(address,uint256)", BOB, 5)).items() if k != "chain_id"}
    judged = {}
    for method in ("eth_sendTransaction", "wallet_sendTransaction"):
        request = parse_request({"chain_id": 31337, "method": method, "params": [params]})
        analysis = analyze(request, backend, policy, Trace())
        judged[method] = (request.sender, analysis.verdict, [f.rule for f in analysis.findings],
                          analysis.facts.simulation.status if analysis.facts.simulation else None)
    assert judged["wallet_sendTransaction"] == judged["eth_sendTransaction"]
    assert judged["wallet_sendTransaction"][0] == ALICE


ALICE_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # anvil's first dev account


def signed(tx_fields: dict) -> str:
    from eth_account import Account

    return "0x" + bytes(Account.from_key(ALICE_KEY).sign_transaction(tx_fields).raw_transaction).hex()


def raw_request(raw: str, chain_id: int = 31337) -> dict:
    return {"chain_id": chain_id, "method": "eth_sendRawTransaction", "params": [raw]}


TRANSFER = {"chainId": 31337, "nonce": 0, "to": DUSD, "value": 0, "gas": 100_000, "maxFeePerGas": 10**9,
            "maxPriorityFeePerGas": 1, "data": calldata("transfer(address,uint256)", BOB, 5), "type": 2}


@pytest.mark.parametrize("variant", ["eip1559", "eip2930", "legacy eip155", "legacy pre-155"])
def test_a_signed_envelope_is_explained_as_the_transaction_it_carries(variant: str, backend: RevmBackend,
                                                                       policy: Policy) -> None:
    fields = dict(TRANSFER)
    if variant != "eip1559":
        fields = {k: v for k, v in fields.items() if k not in ("maxFeePerGas", "maxPriorityFeePerGas", "type")}
        fields["gasPrice"] = 10**9
    if variant == "eip2930":
        fields.update(type=1, accessList=[])
    if variant == "legacy pre-155":
        fields.pop("chainId")
    request = parse_request(raw_request(signed(fields)))
    assert (request.sender, request.to, request.data.hex()) == (ALICE, DUSD, TRANSFER["data"][2:])
    analysis = analyze(request, backend, policy, Trace())
    plain = analyze(parse_request(tx(DUSD, TRANSFER["data"])), backend, policy, Trace())
    assert (analysis.verdict, [f.rule for f in analysis.findings]) == (plain.verdict, [f.rule for f in plain.findings])
    assert analysis.facts.simulation is not None and analysis.facts.simulation.status == "success"


def test_a_signed_7702_authorization_is_judged(backend: RevmBackend, policy: Policy) -> None:
    from eth_account import Account

    account = Account.from_key(ALICE_KEY)
    auth = account.sign_authorization({"chainId": 31337, "address": "0x" + "de" * 20, "nonce": 1})
    raw = signed({**TRANSFER, "type": 4, "authorizationList": [auth]})
    request = parse_request(raw_request(raw))
    assert [d.lower() for d in request.delegations] == ["0x" + "de" * 20]
    analysis = analyze(request, backend, policy, Trace())
    assert "EIP7702_DELEGATION" in [f.rule for f in analysis.findings] and analysis.verdict == "block"


def test_envelopes_that_do_not_fit_are_422_naming_params0() -> None:
    cases = {
        "0x1234": "not a signed transaction that recovers",
        "0x03" + "00" * 40: "EIP-4844 blob transactions (type 3) are not supported",
        signed({**TRANSFER, "chainId": 1}): "signed for chain 1, the request is for chain 31337",
    }
    tampered = bytearray(bytes.fromhex(signed(TRANSFER)[2:]))
    tampered[-40] ^= 0xFF  # a byte of the signature's s: recovers another address, or none
    for raw, message in cases.items():
        with pytest.raises(RequestError) as caught:
            parse_request(raw_request(raw))
        assert caught.value.errors[0]["field"] == "params[0]" and message in caught.value.errors[0]["message"], raw
    try:
        other = parse_request(raw_request("0x" + tampered.hex()))
    except RequestError as exc:
        assert exc.errors[0]["field"] == "params[0]"
    else:
        assert other.sender != ALICE  # a signature that recovers someone else is that someone else's transaction
