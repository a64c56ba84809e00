"""Decode sources in order (caller's ABI, bundled, selector table, bytecode), collisions and proxies."""

from __future__ import annotations

import re
from typing import Any

import pytest

from chain.decode import decode_calldata
from chain.decode.proxy import EIP1967_BEACON, EIP1967_IMPLEMENTATION, ERC1822_PROXIABLE
from chain.decode.registry import functions_from_abi
from chain.request import AccountOverride, parse_request
from chain.simulate import RevmBackend
from tests.support.helpers import ALICE, DEMO, DRAINER, DRAINER_EOA, DUSD, MAX_UINT, PROXY, calldata

# Two names whose selectors collide (found by a birthday search over transfer_<hex>): both 0xb36bf3e1.
COLLIDING = ("transfer_4b10(address,uint256)", "transfer_174c8(address,uint256)")
ELSEWHERE = "0x00000000000000000000000000000000000C0dE5"


def data(signature: str, *args: Any) -> bytes:
    return bytes.fromhex(calldata(signature, *args)[2:])


def fn_abi(name: str, *inputs: tuple[str, str]) -> dict[str, Any]:
    return {"type": "function", "name": name, "inputs": [{"name": n, "type": t} for t, n in inputs]}


def dump(decoded: Any) -> dict[str, Any]:
    return decoded.model_dump(mode="json", exclude={"calls"})


def test_decode_callers_abi_comes_first_and_names_arguments() -> None:
    abi = functions_from_abi([fn_abi("approve", ("address", "guy"), ("uint256", "wad"))])
    decoded = decode_calldata(data("approve(address,uint256)", DRAINER_EOA, 5), DUSD, abi=abi)
    assert (decoded.source, [a.name for a in decoded.args]) == ("abi", ["guy", "wad"])


def test_decode_callers_abi_resolves_an_unbundled_function() -> None:
    abi = functions_from_abi([fn_abi("stakeFor", ("address", "beneficiary"), ("uint64", "lockDays"))])
    decoded = decode_calldata(data("stakeFor(address,uint64)", ALICE, 30), DUSD, abi=abi)
    assert dump(decoded) == {
        "selector": "0x" + data("stakeFor(address,uint64)", ALICE, 30)[:4].hex(),
        "function": "stakeFor(address,uint64)",
        "source": "abi", "args": [{"name": "beneficiary", "type": "address", "value": ALICE},
                                  {"name": "lockDays", "type": "uint64", "value": "30"}],
        "error": None, "target": None, "value": None, "operation": None, "command": None, "proxy": None,
        "candidates": [], "trailing_data": None,
    }


def test_decode_selector_table_names_scam_and_unbundled_functions() -> None:
    decoded = decode_calldata(data("claimAirdrop()"), DRAINER)  # no package ships it: the hand-written table
    assert (decoded.function, decoded.source, decoded.args) == ("claimAirdrop()", "selectors", [])
    minted = decode_calldata(data("mint(uint256)", 3), DUSD)  # OpenZeppelin's ABIs name its argument
    assert (minted.source, [(a.name, a.value) for a in minted.args]) == ("abi", [("_value", "3")])


def test_decode_reports_colliding_selectors_as_ambiguous() -> None:
    abi = functions_from_abi([fn_abi(sig.split("(")[0], ("address", "to"), ("uint256", "amount")) for sig in COLLIDING])
    assert abi[0].selector == abi[1].selector
    decoded = decode_calldata(data(COLLIDING[0], ALICE, 1), DUSD, abi=abi)
    assert decoded.source == "unknown" and decoded.function is None
    assert decoded.candidates == sorted(COLLIDING)
    assert decoded.error == "ambiguous: the bytes decode exactly as " + " and ".join(sorted(COLLIDING))


def test_decode_collision_resolved_by_exact_re_encoding() -> None:
    """Same selector (0x6d5fee22), different argument types: only the candidate whose canonical
    encoding is exactly the input is kept."""
    abi = functions_from_abi([fn_abi("transfer_2506d", ("address", "to"), ("uint256", "amount")),
                              fn_abi("note_157fc", ("string", "text"))])
    assert abi[0].selector == abi[1].selector == bytes.fromhex("6d5fee22")
    as_transfer = decode_calldata(data("transfer_2506d(address,uint256)", ALICE, 1), DUSD, abi=abi)
    as_note = decode_calldata(data("note_157fc(string)", "gm"), DUSD, abi=abi)
    assert (as_transfer.function, as_note.function) == ("transfer_2506d(address,uint256)", "note_157fc(string)")
    assert as_transfer.candidates == as_note.candidates == []


def test_decode_infers_argument_types_from_bytecode(backend: RevmBackend) -> None:
    """Drainer.sweepNft(address,address,uint256[]) is in no ABI or table; evmole reads it from the code."""
    raw = data("sweepNft(address,address,uint256[])", DUSD, ALICE, [1, 2])
    with backend.session({}) as state:
        decoded = decode_calldata(raw, DRAINER, state=state)
    assert dump(decoded) == {
        "selector": "0x6acbf0f9", "function": "0x6acbf0f9(address,address,uint256[])", "source": "bytecode",
        "args": [{"name": "arg0", "type": "address", "value": DUSD},
                 {"name": "arg1", "type": "address", "value": ALICE},
                 {"name": "arg2", "type": "uint256[]", "value": ["1", "2"]}],
        "error": None, "target": None, "value": None, "operation": None, "command": None, "proxy": None,
        "candidates": [], "trailing_data": None,
    }


def test_decode_without_state_leaves_unbundled_calls_to_a_guessed_layout() -> None:
    """No table names it and no bytecode can be read: the layout is inferred from the calldata, unnamed."""
    decoded = decode_calldata(data("sweepNft(address,address,uint256[])", DUSD, ALICE, [1]), DRAINER)
    assert (decoded.source, decoded.error) == ("guessed", "no known function has this selector; the argument layout "
                                                          "is guessed from the calldata")
    assert decoded.function == decoded.selector + "(address,address,uint256[])"


def test_decode_selector_absent_from_bytecode_stays_unknown(backend: RevmBackend) -> None:
    with backend.session({}) as state:
        decoded = decode_calldata(bytes.fromhex("12345678") + bytes(32), DUSD, state=state)
    assert decoded.source == "unknown"


def _override(**fields: Any) -> AccountOverride:
    return AccountOverride.model_validate(fields)


def _slot(value: str) -> dict[str, str]:
    return {hex(0): "0x" + "00" * 12 + value[2:].lower()}


RETURN_DEMO = "0x73" + DEMO[2:].lower() + "60005260206000f3"  # returns DEMO as a word: a tiny beacon


@pytest.mark.parametrize(("name", "overrides", "want"), [
    ("eip1967", {}, {"kind": "eip1967", "implementation": DEMO, "beacon": None}),
    ("eip7702", {ELSEWHERE: _override(code="0xef0100" + DEMO[2:].lower())},
     {"kind": "eip7702", "implementation": DEMO, "beacon": None}),
    ("eip1167", {ELSEWHERE: _override(code="0x363d3d373d3d3d363d73" + DEMO[2:].lower()
                                      + "5af43d82803e903d91602b57fd5bf3")},
     {"kind": "eip1167", "implementation": DEMO, "beacon": None}),
    ("eip1167-push0", {ELSEWHERE: _override(code="0x365f5f375f5f365f73" + DEMO[2:].lower()
                                            + "5af43d5f5f3e5f3d91602a57fd5bf3")},
     {"kind": "eip1167", "implementation": DEMO, "beacon": None}),
    ("beacon", {ELSEWHERE: _override(code="0x6000", stateDiff={hex(EIP1967_BEACON): "0x" + DUSD[2:].lower()}),
                DUSD: _override(code=RETURN_DEMO)},
     {"kind": "eip1967_beacon", "implementation": DEMO, "beacon": DUSD}),
    ("eip1822", {ELSEWHERE: _override(code="0x6000", stateDiff={hex(ERC1822_PROXIABLE): "0x" + DEMO[2:].lower()})},
     {"kind": "eip1822", "implementation": DEMO, "beacon": None}),
    ("safe", {ELSEWHERE: _override(code="0x63a619486e6000", stateDiff={hex(0): "0x" + DEMO[2:].lower()})},
     {"kind": "safe", "implementation": DEMO, "beacon": None}),
])
def test_decode_reports_proxy_and_its_implementation(backend: RevmBackend, name: str,
                                                     overrides: dict[str, AccountOverride], want: dict) -> None:
    target = PROXY if name == "eip1967" else ELSEWHERE
    with backend.session(overrides) as state:
        decoded = decode_calldata(data("approve(address,uint256)", DRAINER_EOA, MAX_UINT), target, state=state)
    assert decoded.function == "approve(address,uint256)"
    assert decoded.proxy.model_dump() == want


def test_decode_proxy_slot_points_to_the_devnet_implementation(backend: RevmBackend) -> None:
    with backend.session({}) as state:
        assert state.storage(PROXY, EIP1967_IMPLEMENTATION) == int(DEMO, 16)
        plain = decode_calldata(data("approve(address,uint256)", DRAINER_EOA, 1), DUSD, state=state)
    assert plain.proxy is None


def test_decode_bytecode_of_a_proxy_comes_from_its_implementation(backend: RevmBackend) -> None:
    """An EIP-1167 clone of the Drainer: the clone's own code is 45 bytes, the function is in the Drainer."""
    clone = "0x363d3d373d3d3d363d73" + DRAINER[2:].lower() + "5af43d82803e903d91602b57fd5bf3"
    raw = data("sweepNft(address,address,uint256[])", DUSD, ALICE, [])
    with backend.session({ELSEWHERE: _override(code=clone)}) as state:
        decoded = decode_calldata(raw, ELSEWHERE, state=state)
    assert (decoded.source, decoded.proxy.implementation) == ("bytecode", DRAINER)


def test_request_abi_is_validated_and_names_the_field() -> None:
    base = {"chain_id": 1, "from": ALICE, "to": DUSD, "data": "0x"}
    for bad, message in [
        ("not json", "abi: is not valid JSON"),
        ({"a": 1}, "abi: must be a JSON ABI"),
        ([fn_abi("f", ("uint7", "x"))], "abi: entry 0 (f): uint7"),
        ([{"type": "function", "inputs": []}], "abi: entry 0 (?): name is missing"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_request({**base, "abi": bad})
    parsed = parse_request({**base, "abi": '[{"type":"function","name":"f","inputs":[]}]'})
    assert [f.signature for f in parsed.abi] == ["f()"]
