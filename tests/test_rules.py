"""One firing and one non-firing case per rule, through chain.analyze on the devnet."""

from __future__ import annotations

from importlib import resources

import pytest

from chain.analyze import analyze
from chain.request import parse_request
from chain.rules import Policy
from chain.rules.policy import RuleSettings, parse_policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from tests.support.helpers import BOB, DEMO, DPUNK, DRAINER_EOA, DUSD, MAX_UINT, calldata, tx


def judge(backend: RevmBackend, policy: Policy, raw: dict) -> tuple[str, list[str]]:
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    return analysis.verdict, [f.rule for f in analysis.findings]


CASES = [
    ("unlimited to EOA", tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)),
     "block", ["APPROVAL_TO_EOA", "UNLIMITED_APPROVAL"]),
    ("unlimited to contract", tx(DUSD, calldata("approve(address,uint256)", DEMO, MAX_UINT)),
     "warn", ["UNLIMITED_APPROVAL"]),
    ("exact to contract", tx(DUSD, calldata("approve(address,uint256)", DEMO, 10**6)), "ok", []),
    ("increaseAllowance to EOA", tx(DUSD, calldata("increaseAllowance(address,uint256)", DRAINER_EOA, 5)),
     "block", ["APPROVAL_TO_EOA"]),
    ("revoke", tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, 0)), "ok", []),
    ("nft for all to EOA", tx(DPUNK, calldata("setApprovalForAll(address,bool)", BOB, True)),
     "block", ["APPROVAL_TO_EOA", "APPROVAL_FOR_ALL"]),
    ("nft for all to contract", tx(DPUNK, calldata("setApprovalForAll(address,bool)", DEMO, True)),
     "warn", ["APPROVAL_FOR_ALL"]),
    ("nft revoke for all", tx(DPUNK, calldata("setApprovalForAll(address,bool)", BOB, False)), "ok", []),
    ("unknown function", tx(DUSD, "0xdeadbeef"), "warn", ["SIMULATION_REVERTED", "UNKNOWN_FUNCTION"]),
    ("truncated approve", tx(DUSD, calldata("approve(address,uint256)", BOB, 1)[:50]),
     "warn", ["SIMULATION_REVERTED", "UNKNOWN_FUNCTION"]),
    ("transfer", tx(DUSD, calldata("transfer(address,uint256)", BOB, 1)), "ok", []),
    ("reverting transfer", tx(DUSD, calldata("transfer(address,uint256)", BOB, 10**30)),
     "warn", ["SIMULATION_REVERTED"]),
    # nothing could be simulated: a low finding, but effects nobody could see are never "ok"
    ("other chain", {**tx(DUSD, calldata("transfer(address,uint256)", BOB, 1)), "chain_id": 1},
     "warn", ["SIMULATION_UNAVAILABLE"]),
]


@pytest.mark.parametrize(("raw", "verdict", "rules"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rules_decide_verdict(backend: RevmBackend, policy: Policy, raw: dict, verdict: str,
                              rules: list[str]) -> None:
    assert judge(backend, policy, raw) == (verdict, rules)


@pytest.mark.parametrize("floor", ["ok", "warn", "block"])
def test_policy_sets_the_verdict_floor_when_a_check_could_not_run(backend: RevmBackend, floor: str) -> None:
    raw = resources.files("chain.rules").joinpath("policy/default.toml").read_bytes()
    assert b'unchecked = "warn"' in raw
    tuned = parse_policy(raw.replace(b'unchecked = "warn"', f'unchecked = "{floor}"'.encode()))
    other_chain = {**tx(DUSD, calldata("transfer(address,uint256)", BOB, 1)), "chain_id": 1}
    assert judge(backend, tuned, other_chain) == (floor, ["SIMULATION_UNAVAILABLE"])
    # the floor never lowers a verdict the findings make, and does nothing when every check ran
    drain = tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT))
    assert judge(backend, tuned, drain)[0] == "block"
    assert judge(backend, tuned, tx(DUSD, calldata("transfer(address,uint256)", BOB, 1)))[0] == "ok"


def test_nft_single_approve_is_not_an_erc20_allowance(backend: RevmBackend, policy: Policy) -> None:
    analysis = analyze(parse_request(tx(DPUNK, calldata("approve(address,uint256)", DRAINER_EOA, 3))),
                       backend, policy, Trace())
    assert [a.model_dump() for a in analysis.facts.approvals] == [
        {"standard": "erc721", "token": DPUNK, "spender": DRAINER_EOA, "amount": "1", "unlimited": False,
         "expires_at": None, "token_id": "3",
         "revokes": False, "standard_confirmed": True, "source": "calldata"}]
    assert [f.rule for f in analysis.findings] == ["APPROVAL_TO_EOA"]


def test_allowlisted_operator_does_not_fire(backend: RevmBackend, policy: Policy) -> None:
    from chain.rules.policy import ChainAllowlist

    trusted = policy.model_copy(update={"allowlist": {"31337": ChainAllowlist(operators=[DEMO])}})
    assert judge(backend, trusted, tx(DPUNK, calldata("setApprovalForAll(address,bool)", DEMO, True))) == ("ok", [])


def test_policy_severity_changes_verdict(backend: RevmBackend, policy: Policy) -> None:
    rules = {**policy.rules, "SIMULATION_UNAVAILABLE": RuleSettings(severity="medium")}
    strict = policy.model_copy(update={"rules": rules})
    raw = {**tx(DUSD, calldata("transfer(address,uint256)", BOB, 1)), "chain_id": 1}
    assert judge(backend, strict, raw) == ("warn", ["SIMULATION_UNAVAILABLE"])
