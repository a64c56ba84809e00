"""The request contract: accepted forms and field-naming rejections."""

from __future__ import annotations

import pytest

from chain.request import RequestError, parse_request
from tests.support.helpers import ALICE, DUSD, calldata, tx

APPROVE = calldata("approve(address,uint256)", ALICE, 1)


def errors_of(raw: object, **kwargs: int) -> list[dict[str, str]]:
    with pytest.raises(RequestError) as caught:
        parse_request(raw, **kwargs)
    return caught.value.errors


def test_parse_bare_and_rpc_forms_agree() -> None:
    bare = parse_request(tx(DUSD, APPROVE, value="0x0", gas="0x30000"))
    rpc = parse_request({"chain_id": 31337, "method": "eth_sendTransaction",
                         "params": [{"from": ALICE.lower(), "to": DUSD, "input": APPROVE, "gas": "196608"}]})
    assert bare == rpc
    assert bare.sender == ALICE and bare.to == DUSD and bare.gas == 0x30000
    assert bare.selector == bytes.fromhex("095ea7b3")


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"data": "0x095ea7b"}, "data", "has an odd number of hex digits"),
    ({"data": "0xzz"}, "data", "must be 0x-prefixed hex"),
    ({"to": "0x1234"}, "to", "must be a 0x-prefixed 20-byte hex address"),
    ({"to": DUSD.replace("F3F0", "f3F0")}, "to", "has an invalid EIP-55 checksum"),
    ({"value": "-1"}, "value", "must be a 0x-hex or decimal quantity"),
    ({"value": 1.5}, "value", "must be an integer: JSON numbers with a fraction are refused; send quantities as 0x-hex "
     "or decimal strings"),
    ({"chain_id": 2**53}, "chain_id", "Input should be less than or equal to 9007199254740991"),
    ({"blobs": ["0x00"]}, "blobs", "EIP-4844 blob transactions (type 3) are not supported: their blobs cannot be "
     "simulated or explained here; send the transaction without blobs"),
    ({"type": "0x3"}, "type", "EIP-4844 blob transactions (type 3) are not supported: their blobs cannot be "
     "simulated or explained here; send the transaction without blobs"),
    ({"chain_id": 0}, "chain_id", "Input should be greater than or equal to 1"),
    ({"too": DUSD}, "too", "Extra inputs are not permitted"),
])
def test_reject_bad_field_naming_it(change: dict[str, object], field: str, message: str) -> None:
    assert errors_of({**tx(DUSD, APPROVE), **change}) == [{"field": field, "message": message}]


def test_reject_missing_fields_naming_each() -> None:
    assert errors_of({"to": DUSD}) == [
        {"field": "from", "message": "Field required"},
        {"field": "chain_id", "message": "Field required"},
    ]


def test_reject_rpc_param_naming_its_path() -> None:
    raw = {"chain_id": 1, "method": "eth_sendTransaction", "params": [{"from": ALICE, "to": "0xabc"}]}
    assert errors_of(raw) == [{"field": "params[0].to", "message": "must be a 0x-prefixed 20-byte hex address"}]


def test_reject_unsupported_method() -> None:
    assert errors_of({"chain_id": 1, "method": "eth_getBalance", "params": []}) == [
        {"field": "method", "message": "unsupported method 'eth_getBalance'; supported: eth_sendTransaction, "
         "eth_signTransaction, wallet_sendTransaction, eth_sendRawTransaction, wallet_sendCalls, "
         "eth_sendUserOperation, eth_signTypedData_v4, eth_signTypedData_v3, eth_signTypedData, "
         "eth_signTypedData_v1, personal_sign, eth_sign"}]
    assert errors_of({"chain_id": 1, "method": "eth_sign", "params": []}) == [
        {"field": "params", "message": "List should have at least 2 items after validation, not 0"}]


def test_reject_calldata_over_the_limit() -> None:
    assert errors_of(tx(DUSD, "0x" + "00" * 65), max_calldata_bytes=64) == [
        {"field": "data", "message": "is 65 bytes, over the limit of 64"}]


def test_reject_full_state_override() -> None:
    raw = {**tx(DUSD, APPROVE), "state_overrides": {DUSD: {"state": {"0x01": "0x02"}}}}
    assert errors_of(raw) == [{"field": f"state_overrides.{DUSD}.state",
                               "message": "full storage replacement is not supported; use stateDiff"}]


def test_reject_chain_id_disagreement() -> None:
    raw = {"chain_id": 1, "method": "eth_sendTransaction", "params": [{"from": ALICE, "chainId": "0x5"}]}
    assert errors_of(raw) == [{"field": "params[0].chainId", "message": "differs from chain_id 1"}]


def test_accept_fields_as_wallets_send_them() -> None:
    """value/data as null or "" (absent), integral JSON numbers (31337.0, 1e18), big JSON integers, and Celo's
    feeCurrency."""
    raw = {"chain_id": 31337.0, "from": ALICE, "to": DUSD, "data": "", "value": None, "gas": 1e6,
           "feeCurrency": "0x765DE816845861e75A25fCA122bb6898B8B1282a"}
    parsed = parse_request(raw)
    assert (parsed.chain_id, parsed.data, parsed.value, parsed.gas) == (31337, b"", 0, 1_000_000)
    assert parse_request({**tx(DUSD, APPROVE), "value": 1e18}).value == 10**18
    assert parse_request({**tx(DUSD, APPROVE), "value": 2**256 - 1}).value == 2**256 - 1


def test_reject_json_nested_past_the_limit_in_linear_time() -> None:
    """'[' * 100000 segfaulted the server once py_ecc had raised the recursion limit; typed data and ABIs sent
    as JSON strings are measured the same way as bodies."""
    import time

    from chain.jsonlimits import JsonTooDeep, check_depth

    deep = "[" * 100_000 + "]" * 100_000
    start = time.perf_counter()
    with pytest.raises(JsonTooDeep):
        check_depth(deep)
    assert time.perf_counter() - start < 0.1
    check_depth('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')  # inside a string
    typed = {"chain_id": 1, "method": "eth_signTypedData_v4", "params": [ALICE, "[" * 70 + "]" * 70]}
    assert errors_of(typed) == [{"field": "params[1]", "message": "nests deeper than 64 levels"}]
    assert errors_of({**tx(DUSD, APPROVE), "abi": "[" * 70 + "]" * 70})[0]["message"] == "nests deeper than 64 levels"
