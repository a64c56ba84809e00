"""Nested calls: Universal Router commands, Safe + MultiSend, ERC-4337, ERC-7579; approvals at any depth."""

from __future__ import annotations

from typing import Any

from eth_abi import encode

from chain.analyze import analyze
from chain.decode import decode_calldata
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from tests.support.helpers import ALICE, BOB, DEMO, DRAINER_EOA, DUSD, MAX_UINT, PERMIT2, WETH, calldata, registered, tx

UNIVERSAL_ROUTER = registered("Uniswap", "Universal Router", "1.2")
SAFE = "0x00000000000000000000000000000000000054fe"
MULTISEND = "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D"
ENTRY_POINT = registered("ERC-4337", "EntryPoint", "0.7")
ACCOUNT = "0x000000000000000000000000000000000000AcC7"
MAX_UINT160 = 2**160 - 1


def raw(signature: str, *args: Any) -> bytes:
    return bytes.fromhex(calldata(signature, *args)[2:])


def shape(call: Any) -> list:
    """(function, target, value, operation, command) for each nested call, depth first."""
    return [(c.function, c.target, c.value, c.operation, c.command, shape(c)) for c in call.calls]


def permit_single(token: str, spender: str, amount: int, expiration: int) -> tuple:
    return ((token, amount, expiration, 0), spender, 2_000_000_000)


def ur_execute(commands: bytes, inputs: list[bytes]) -> bytes:
    return raw("execute(bytes,bytes[],uint256)", commands, inputs, 2_000_000_000)


def test_decode_universal_router_commands() -> None:
    permit = encode(["((address,uint160,uint48,uint48),address,uint256)", "bytes"],
                    [permit_single(DUSD, UNIVERSAL_ROUTER, MAX_UINT160, 1_900_000_000), b"\x01" * 65])
    swap = encode(["address", "uint256", "uint256", "address[]", "bool"],
                  ["0x" + "00" * 19 + "02", 10**18, 1, [DUSD, WETH], True])
    unwrap = encode(["address", "uint256"], ["0x" + "00" * 19 + "01", 1])
    sub_plan = encode(["bytes", "bytes[]"], [b"\x05", [encode(["address", "address", "uint256"], [DEMO, BOB, 3])]])
    commands = b"\x0a\x08\x8c\x21\x3f"  # 0x8c: UNWRAP_WETH allowed to revert; 0x3f: no such command
    decoded = decode_calldata(ur_execute(commands, [permit, swap, unwrap, sub_plan, b""]), UNIVERSAL_ROUTER)
    assert decoded.function == "execute(bytes,bytes[],uint256)"
    assert shape(decoded) == [
        ("PERMIT2_PERMIT(((address,uint160,uint48,uint48),address,uint256),bytes)", UNIVERSAL_ROUTER, "0", None,
         "0x0a", []),
        ("V2_SWAP_EXACT_IN(address,uint256,uint256,address[],bool)", UNIVERSAL_ROUTER, "0", None, "0x08", []),
        ("UNWRAP_WETH(address,uint256)", UNIVERSAL_ROUTER, "0", None, "0x8c", []),
        ("EXECUTE_SUB_PLAN(bytes,bytes[])", UNIVERSAL_ROUTER, "0", None, "0x21",
         [("TRANSFER(address,address,uint256)", UNIVERSAL_ROUTER, "0", None, "0x05", [])]),
        (None, UNIVERSAL_ROUTER, "0", None, "0x3f", []),
    ]
    swap_call = decoded.calls[1]
    assert [a.name for a in swap_call.args] == ["recipient", "amountIn", "amountOutMin", "path", "payerIsUser"]
    assert swap_call.arg("path") == [DUSD, WETH]
    assert decoded.calls[4].error == "unknown Universal Router command 0x3f"


def test_decode_universal_router_mismatched_inputs() -> None:
    decoded = decode_calldata(ur_execute(b"\x0b\x0c", [encode(["address", "uint256"], [ALICE, 1])]), UNIVERSAL_ROUTER)
    assert decoded.error == "2 commands but 1 inputs" and decoded.calls == []


def multisend(*txs: tuple[int, str, int, bytes]) -> bytes:
    return b"".join(op.to_bytes(1, "big") + bytes.fromhex(to[2:]) + value.to_bytes(32, "big")
                    + len(data).to_bytes(32, "big") + data for op, to, value, data in txs)


def exec_transaction(to: str, value: int, data: bytes, operation: int) -> bytes:
    return raw("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)",
               to, value, data, operation, 0, 0, 0, "0x" + "00" * 20, "0x" + "00" * 20, b"\x02" * 65)


def test_decode_safe_exec_transaction_with_multisend() -> None:
    packed = multisend((0, DUSD, 0, raw("approve(address,uint256)", DRAINER_EOA, MAX_UINT)), (0, BOB, 5, b""))
    decoded = decode_calldata(exec_transaction(MULTISEND, 0, raw("multiSend(bytes)", packed), 1), SAFE)
    assert shape(decoded) == [
        ("multiSend(bytes)", MULTISEND, "0", "delegatecall", None, [
            ("approve(address,uint256)", DUSD, "0", None, None, []),
            (None, BOB, "5", None, None, []),
        ]),
    ]
    assert decoded.calls[0].calls[1].source == "abi"  # a plain value transfer is not an unknown call


def test_decode_malformed_multisend_keeps_the_reason() -> None:
    packed = multisend((0, DUSD, 0, raw("transfer(address,uint256)", BOB, 1)))[:-10]
    decoded = decode_calldata(raw("multiSend(bytes)", packed), MULTISEND)
    assert decoded.error == "inner calls are malformed: MultiSend transaction at byte 0 claims 68 bytes of data"
    bad_op = decode_calldata(raw("multiSend(bytes)", multisend((7, BOB, 0, b""))), MULTISEND)
    assert bad_op.error == "inner calls are malformed: operation 7 is neither 0 (call) nor 1 (delegatecall)"


USER_OP_V7 = "(address,uint256,bytes,bytes,bytes32,uint256,bytes32,bytes,bytes)"
USER_OP_V6 = "(address,uint256,bytes,bytes,uint256,uint256,uint256,uint256,uint256,bytes,bytes)"


def test_decode_erc4337_handle_ops_v07_with_execute_batch() -> None:
    batch = raw("executeBatch((address,uint256,bytes)[])",
                [(DUSD, 0, raw("approve(address,uint256)", DRAINER_EOA, 1)), (BOB, 7, b"")])
    op = (ACCOUNT, 0, b"", batch, b"\x00" * 32, 50_000, b"\x00" * 32, b"", b"\x03" * 65)
    decoded = decode_calldata(raw(f"handleOps({USER_OP_V7}[],address)", [op], ALICE), ENTRY_POINT)
    assert shape(decoded) == [
        ("executeBatch((address,uint256,bytes)[])", ACCOUNT, "0", None, None, [
            ("approve(address,uint256)", DUSD, "0", None, None, []),
            (None, BOB, "7", None, None, []),
        ]),
    ]


def test_decode_erc4337_handle_ops_v06_with_simple_account_batches() -> None:
    two = raw("executeBatch(address[],bytes[])", [DUSD], [raw("transfer(address,uint256)", BOB, 1)])
    three = raw("executeBatch(address[],uint256[],bytes[])", [BOB, DEMO], [1, 0],
                [b"", raw("approve(address,uint256)", BOB, 2)])
    single = raw("execute(address,uint256,bytes)", DUSD, 0, raw("transfer(address,uint256)", BOB, 3))
    ops = [(ACCOUNT, n, b"", data, 1, 1, 1, 1, 1, b"", b"") for n, data in enumerate([two, three, single])]
    decoded = decode_calldata(raw(f"handleOps({USER_OP_V6}[],address)", ops, ALICE), ENTRY_POINT)
    assert [[(c.function, c.target, c.value) for c in op.calls] for op in decoded.calls] == [
        [("transfer(address,uint256)", DUSD, "0")],
        [(None, BOB, "1"), ("approve(address,uint256)", DEMO, "0")],
        [("transfer(address,uint256)", DUSD, "0")],
    ]


def test_decode_execute_batch_with_unequal_arrays_is_malformed() -> None:
    decoded = decode_calldata(raw("executeBatch(address[],bytes[])", [DUSD, BOB], [b""]), ACCOUNT)
    assert decoded.error == "inner calls are malformed: batch arrays have different lengths"


def test_decode_erc7579_single_batch_and_delegatecall_modes() -> None:
    transfer = raw("transfer(address,uint256)", BOB, 9)
    single = decode_calldata(raw("execute(bytes32,bytes)", bytes(32), bytes.fromhex(DUSD[2:]) + (0).to_bytes(32, "big")
                                 + transfer), ACCOUNT)
    batch_mode = b"\x01" + bytes(31)
    batch = decode_calldata(raw("execute(bytes32,bytes)", batch_mode,
                                encode(["(address,uint256,bytes)[]"], [[(DUSD, 0, transfer), (BOB, 4, b"")]])), ACCOUNT)
    delegate = decode_calldata(raw("execute(bytes32,bytes)", b"\xff" + bytes(31), bytes.fromhex(DEMO[2:]) + transfer),
                               ACCOUNT)
    assert shape(single) == [("transfer(address,uint256)", DUSD, "0", None, None, [])]
    assert shape(batch) == [("transfer(address,uint256)", DUSD, "0", None, None, []), (None, BOB, "4", None, None, [])]
    assert shape(delegate) == [("transfer(address,uint256)", DEMO, "0", "delegatecall", None, [])]


def test_decode_multicall_with_previous_blockhash() -> None:
    decoded = decode_calldata(raw("multicall(bytes32,bytes[])", b"\x11" * 32, [raw("refundETH()")]), DUSD)
    assert shape(decoded) == [("refundETH()", DUSD, "0", None, None, [])]


def _approvals(backend: RevmBackend, policy: Policy, body: dict) -> list[dict]:
    analysis = analyze(parse_request(body), backend, policy, Trace())
    return [a.model_dump(mode="json") for a in analysis.facts.approvals]


def test_approvals_from_universal_router_permit2_command(backend: RevmBackend, policy: Policy) -> None:
    permit = encode(["((address,uint160,uint48,uint48),address,uint256)", "bytes"],
                    [permit_single(DUSD, DRAINER_EOA, MAX_UINT160, 0), b"\x01" * 65])
    body = tx(UNIVERSAL_ROUTER, "0x" + ur_execute(b"\x0a", [permit]).hex())
    assert _approvals(backend, policy, body) == [
        {"standard": "permit2", "token": DUSD, "spender": DRAINER_EOA, "amount": str(MAX_UINT160), "unlimited": True,
         "expires_at": None, "token_id": None,
         "revokes": False, "standard_confirmed": True, "source": "calldata"},
    ]


def test_approvals_from_permit2_calls_and_token_permits(backend: RevmBackend, policy: Policy) -> None:
    approve = calldata("approve(address,address,uint160,uint48)", DUSD, DRAINER_EOA, 10**6, 1_900_000_000)
    batch = calldata("permit(address,((address,uint160,uint48,uint48)[],address,uint256),bytes)", ALICE,
                     ([(DUSD, 5, 0, 0), (DEMO, MAX_UINT160, 0, 0)], DRAINER_EOA, 2_000_000_000), b"")
    eip2612 = calldata("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", ALICE, DRAINER_EOA, MAX_UINT,
                       1_900_000_000, 27, b"\x01" * 32, b"\x02" * 32)
    assert _approvals(backend, policy, tx(PERMIT2, approve)) == [
        {"standard": "permit2", "token": DUSD, "spender": DRAINER_EOA, "amount": str(10**6), "unlimited": False,
         "expires_at": 1_900_000_000, "token_id": None,
         "revokes": False, "standard_confirmed": True, "source": "calldata"}]
    assert [(a["token"], a["amount"], a["unlimited"]) for a in _approvals(backend, policy, tx(PERMIT2, batch))] == [
        (DUSD, "5", False), (DEMO, str(MAX_UINT160), True)]
    assert _approvals(backend, policy, tx(DUSD, eip2612)) == [
        {"standard": "permit", "token": DUSD, "spender": DRAINER_EOA, "amount": str(MAX_UINT), "unlimited": True,
         "expires_at": 1_900_000_000, "token_id": None,
         "revokes": False, "standard_confirmed": True, "source": "calldata"}]


def test_approvals_inside_safe_multisend_reach_the_rules(backend: RevmBackend, policy: Policy) -> None:
    packed = multisend((0, DUSD, 0, raw("approve(address,uint256)", DRAINER_EOA, MAX_UINT)))
    body = tx(SAFE, "0x" + exec_transaction(MULTISEND, 0, raw("multiSend(bytes)", packed), 1).hex())
    analysis = analyze(parse_request(body), backend, policy, Trace())
    assert [(a.token, a.spender, a.unlimited) for a in analysis.facts.approvals] == [(DUSD, DRAINER_EOA, True)]
    assert "APPROVAL_TO_EOA" in {f.rule for f in analysis.findings}


def test_wallet_send_calls_batch_is_decoded_simulated_and_judged(backend: RevmBackend, policy: Policy) -> None:
    from inference.summary import summarize
    from tests.support.helpers import send_calls

    body = send_calls({"to": DUSD, "data": calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)},
                      {"to": BOB, "value": hex(10**18)})
    analysis = analyze(parse_request(body), backend, policy, Trace())
    facts = analysis.facts
    assert facts.kind == "batch" and facts.decoded.function == "wallet_sendCalls"
    assert shape(facts.decoded) == [("approve(address,uint256)", DUSD, "0", None, None, []),
                                    (None, BOB, str(10**18), None, None, [])]
    assert [(a.token, a.spender, a.unlimited) for a in facts.approvals] == [(DUSD, DRAINER_EOA, True)]
    assert sorted((c.address, c.delta) for c in facts.simulation.asset_changes) == sorted(
        [(ALICE, str(-(10**18))), (BOB, str(10**18))])
    assert analysis.verdict == "block" and "APPROVAL_TO_EOA" in {f.rule for f in analysis.findings}
    assert summarize(analysis).startswith(
        f'Sends a batch of 2 calls (wallet_sendCalls), run in order: approve a spender on "DUSD" ({DUSD}); '
        f"send 1 ETH to {BOB}. You send 1 ETH ($2,500.00) to {BOB}. It lets {DRAINER_EOA} spend unlimited DUSD from "
        "your wallet.")


def test_wallet_send_calls_failing_call_is_named(backend: RevmBackend, policy: Policy) -> None:
    from tests.support.helpers import send_calls

    body = send_calls({"to": BOB, "value": "0x1"},
                      {"to": DUSD, "data": calldata("transfer(address,uint256)", BOB, 10**30)})
    sim = analyze(parse_request(body), backend, policy, Trace()).facts.simulation
    assert sim.status == "reverted"
    assert sim.revert_reason == f"call 1 of the batch: InsufficientBalance({ALICE}, 1000000000000, {10**30})"


def test_wallet_send_calls_request_errors_name_the_field() -> None:
    import pytest

    from chain.request import RequestError
    from tests.support.helpers import send_calls

    cases = [
        ({**send_calls({"to": BOB}), "chain_id": 1}, "params[0].chainId", "differs from chain_id 1"),
        (send_calls(), "params[0].calls", "List should have at least 1 item after validation, not 0"),
        (send_calls({"to": BOB, "value": "lots"}), "params[0].calls[0].value", "must be a 0x-hex or decimal quantity"),
    ]
    for body, field, message in cases:
        with pytest.raises(RequestError) as caught:
            parse_request(body)
        assert caught.value.errors == [{"field": field, "message": message}]


def test_decode_endpoint_takes_wallet_send_calls_and_a_callers_abi(sqlite_url: str, make_services) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from app.api import create_app
    from tests.support.helpers import send_calls

    abi = [{"type": "function", "name": "stakeFor", "inputs": [{"name": "who", "type": "address"}]}]
    body = send_calls({"to": DUSD, "data": calldata("stakeFor(address)", BOB)}, {"to": BOB, "value": "0x5"}, abi=abi)
    services = make_services(sqlite_url)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        decoded = client.post("/v1/decode", json=body).json()["decoded"]
        bad = client.post("/v1/decode", json={**body, "abi": [{"type": "function", "name": "f",
                                                                "inputs": [{"type": "uint9"}]}]})
    assert decoded["function"] == "wallet_sendCalls"
    assert [(c["function"], c["target"], c["value"], c["args"]) for c in decoded["calls"]] == [
        ("stakeFor(address)", DUSD, "0", [{"name": "who", "type": "address", "value": BOB}]),
        (None, BOB, "5", []),
    ]
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "abi", "message": "entry 0 (f): uint9: width must be a multiple of 8 "
                                                                "in 8..256"}]


def test_swap_recipient_is_checked_in_v3_routers_and_universal_router_commands(backend: RevmBackend,
                                                                               policy: Policy) -> None:
    def rules(to: str, data: bytes) -> list:
        analysis = analyze(parse_request(tx(to, "0x" + data.hex())), backend, policy, Trace())
        return [(f.rule, f.evidence.get("recipient")) for f in analysis.findings if f.rule == "SWAP_RECIPIENT_MISMATCH"]

    def v2_command(recipient: str) -> bytes:
        return encode(["address", "uint256", "uint256", "address[]", "bool"],
                      [recipient, 10**18, 1, [DUSD, WETH], True])

    single = "exactInputSingle((address,address,uint24,address,uint256,uint256,uint160))"
    assert rules(UNIVERSAL_ROUTER, raw(single, (DUSD, WETH, 500, DRAINER_EOA, 1, 1, 0))) == [
        ("SWAP_RECIPIENT_MISMATCH", DRAINER_EOA)]
    assert rules(UNIVERSAL_ROUTER, raw(single, (DUSD, WETH, 500, ALICE, 1, 1, 0))) == []
    assert rules(UNIVERSAL_ROUTER, ur_execute(b"\x08", [v2_command(DRAINER_EOA)])) == [
        ("SWAP_RECIPIENT_MISMATCH", DRAINER_EOA)]
    for fine in ("0x" + "00" * 19 + "01", "0x" + "00" * 19 + "02", ALICE):
        assert rules(UNIVERSAL_ROUTER, ur_execute(b"\x08", [v2_command(fine)])) == [], fine
    sweep = encode(["address", "address", "uint256"], [WETH, DRAINER_EOA, 0])
    assert rules(UNIVERSAL_ROUTER, ur_execute(b"\x04", [sweep])) == [("SWAP_RECIPIENT_MISMATCH", DRAINER_EOA)]
