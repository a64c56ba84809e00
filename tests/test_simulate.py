"""pyrevm over the devnet: outcomes, asset changes, overrides applied and undone."""

from __future__ import annotations

from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from tests.support.helpers import ALICE, BOB, DUSD, calldata, tx


def simulate(backend: RevmBackend, raw: dict) -> dict:
    request = parse_request(raw)
    with backend.session(request.state_overrides) as state:
        return state.simulate(request).model_dump(mode="json")


def test_simulate_transfer_reports_both_sides(backend: RevmBackend) -> None:
    result = simulate(backend, tx(DUSD, calldata("transfer(address,uint256)", BOB, 25_000_000)))
    assert result["status"] == "success" and result["backend"] == "revm"
    assert result["asset_changes"] == [
        {"address": BOB, "standard": "erc20", "token": DUSD, "token_id": None, "delta": "25000000",
         "symbol": "DUSD", "decimals": 6, "symbol_raw": None},
        {"address": ALICE, "standard": "erc20", "token": DUSD, "token_id": None, "delta": "-25000000",
         "symbol": "DUSD", "decimals": 6, "symbol_raw": None},
    ]


def test_simulate_native_transfer(backend: RevmBackend) -> None:
    result = simulate(backend, {"chain_id": 31337, "from": ALICE, "to": BOB, "value": hex(10**18)})
    assert result["gas_used"] == 21000
    assert [(c["address"], c["delta"], c["symbol"]) for c in result["asset_changes"]] == [
        (BOB, str(10**18), "ETH"), (ALICE, str(-(10**18)), "ETH")]


def test_simulate_revert_decodes_custom_error(backend: RevmBackend) -> None:
    result = simulate(backend, tx(DUSD, calldata("transfer(address,uint256)", BOB, 10**30)))
    assert result["status"] == "reverted"
    # DemoToken's InsufficientBalance(address,uint256,uint256), named from the selector table
    assert result["revert_reason"] == f"InsufficientBalance({ALICE}, 1000000000000, {10**30})"
    assert result["asset_changes"] == []


def test_revert_reasons_from_error_panic_and_the_table() -> None:
    from eth_abi import encode
    from eth_utils import keccak

    from chain.simulate.revert import decode_revert

    def error(signature: str, types: list[str], values: list) -> bytes:
        return keccak(text=signature)[:4] + encode(types, values)

    assert decode_revert(error("Error(string)", ["string"], ["nope"])) == "Error: nope"
    assert decode_revert(error("Panic(uint256)", ["uint256"], [0x11])) == (
        "Panic(0x11): arithmetic overflow or underflow")
    assert decode_revert(error("AllowanceExpired(uint256)", ["uint256"], [5])) == "AllowanceExpired(5)"
    assert decode_revert(error("V2TooLittleReceived()", [], [])) == "V2TooLittleReceived()"
    assert decode_revert(error("AllowanceExpired(uint256)", ["uint256"], [5]) + b"x") == (
        "custom error 0xd81b2f2e (37 bytes of revert data)")
    assert decode_revert(b"") == "reverted without a reason"


def test_simulate_other_chain_is_unavailable(backend: RevmBackend) -> None:
    result = simulate(backend, {**tx(DUSD, "0x"), "chain_id": 1})
    assert result["status"] == "unavailable"
    assert result["error"] == "the simulator serves chain 31337, the request is for chain 1"


def test_state_overrides_apply_then_restore(backend: RevmBackend) -> None:
    # balanceOf lives in slot 3 of DemoToken: zero ALICE's balance, so the transfer must revert.
    from eth_abi import encode
    from eth_utils import keccak

    slot = "0x" + keccak(encode(["address", "uint256"], [ALICE, 3])).hex()
    transfer = tx(DUSD, calldata("transfer(address,uint256)", BOB, 1))
    overridden = {**transfer, "state_overrides": {DUSD: {"stateDiff": {slot: "0x0"}},
                                                  BOB: {"code": "0x6000", "balance": "0x7"}}}
    request = parse_request(overridden)
    with backend.session(request.state_overrides) as state:
        assert state.simulate(request).status == "reverted"
        assert state.code(BOB) == bytes.fromhex("6000")
    with backend.session({}) as state:
        assert state.code(BOB) == b""
    assert simulate(backend, transfer)["status"] == "success"


def test_gas_past_the_budget_is_not_simulated_and_a_loop_ends_at_the_budget(backend: RevmBackend,
                                                                             policy: Policy) -> None:
    """A looping contract with gas 2^64-1 used to freeze the process (revm holds the interpreter lock)."""
    import time

    from chain.analyze import analyze
    from chain.request import parse_request
    from chain.trace import Trace

    loop = "0x00000000000000000000000000000000000100bb"
    request = {"chain_id": 31337, "from": ALICE, "to": loop, "data": "0x01",
               "state_overrides": {loop: {"code": "0x5b600056"}}}  # JUMPDEST PUSH1 0 JUMP, forever
    start = time.perf_counter()
    huge = analyze(parse_request({**request, "gas": hex(2**64 - 1)}), backend, policy, Trace())
    assert huge.facts.simulation.status == "unavailable"
    assert huge.facts.simulation.error == ("exceeded the simulation budget: the request asks for "
                                           f"{2**64 - 1} gas, the budget is 30000000")
    assert [f.rule for f in huge.findings] == ["UNKNOWN_FUNCTION", "SIMULATION_UNAVAILABLE"]
    bounded = analyze(parse_request(request), backend, policy, Trace())  # the default gas: the budget
    assert bounded.facts.simulation.status == "reverted" and time.perf_counter() - start < 5


def test_a_batch_shares_one_budget_between_its_calls(backend: RevmBackend, policy: Policy) -> None:
    """256 calls that each burn almost all of their gas and succeed held the process for 7.7 billion gas (5.8 s
    here); the budget is the request's, so the batch stops where it is spent, and a batch that fits runs whole."""
    from chain.analyze import analyze
    from chain.trace import Trace

    burner = "0x00000000000000000000000000000000000100bc"
    code = "0x5b6127105a10600c576000565b00"  # loop until less than 10,000 gas is left, then STOP
    batch = {"chain_id": 31337, "method": "wallet_sendCalls", "state_overrides": {burner: {"code": code}},
             "params": [{"version": "2.0.0", "chainId": "0x7a69", "from": ALICE,
                         "calls": [{"to": burner, "data": "0x"} for _ in range(256)]}]}
    spent = analyze(parse_request(batch), backend, policy, Trace()).facts.simulation
    assert spent is not None and spent.status == "unavailable"
    assert spent.error is not None and spent.error.startswith("exceeded the simulation budget: the calls before "
                                                              "call 1 used ")
    fits = {**batch, "params": [{**batch["params"][0], "calls": [
        {"to": DUSD, "data": calldata("transfer(address,uint256)", BOB, 1)} for _ in range(3)]}]}
    whole = analyze(parse_request(fits), backend, policy, Trace()).facts.simulation
    assert whole is not None and whole.status == "success" and whole.gas_used < 30_000_000
