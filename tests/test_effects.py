"""Effects: what a request does to the user, judged generically — every order kind read as give / get / receiver
(payloads signed by the protocols' own SDKs: 1inch, CoW, Velora, seaport-js bulk listings), grants beyond ERC-20
approvals (Aave credit delegation, Compound III allow, ERC-721 permits, increaseApproval), and swaps and transfers
said in the user's units, on the embedded world and on anvil."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from chain import Analysis
from chain.analyze import analyze
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from inference.summary import summarize
from tests.conftest import ROOT, need
from tests.support.helpers import registered

PAYLOADS = {p["name"]: p for p in json.loads((ROOT / "tests/payloads/effects.json").read_text())["payloads"]}
WORLD = {p["name"]: p for p in json.loads((ROOT / "tests/payloads/world.json").read_text())["payloads"]}
USER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
THIEF = "0xeE76Fa70e8A002c9114C0aCB137b1E2951615424"
USDC, WETH = registered("Token", "USDC"), registered("Wrapped native", "WETH")


def judged(name: str, backend: RevmBackend, policy: Policy, payloads: dict[str, Any] = PAYLOADS) -> Analysis:
    return analyze(parse_request(payloads[name]["request"]), backend, policy, Trace())


def moved(analysis: Analysis) -> list[tuple[str, str | None, str | None, str | None, str]]:
    """(kind, token, amount, recipient, display) of each give and get."""
    return [(e.kind.value, e.asset.token if e.asset else None, e.amount, e.recipient, e.display)
            for e in analysis.facts.effects if e.kind.value in ("give", "get")]


def test_the_payloads_are_what_the_sdks_emit_today(tmp_path: Path) -> None:
    need(shutil.which("node") is not None and (ROOT / "node_modules" / "@cowprotocol" / "cow-sdk").exists(),
         "node and the protocols' npm SDKs")
    out = tmp_path / "effects.json"
    subprocess.run(["node", "tests/payloads/generate_effects.mjs", str(out)], cwd=ROOT, check=True, timeout=180)
    assert json.loads(out.read_text())["payloads"] == list(PAYLOADS.values()), "run generate_effects.mjs"


@pytest.mark.parametrize(("name", "protocol"), [("1inch-limit-order", "1inch"), ("cow-order", "cow"),
                                                ("velora-delta-order", "velora")])
def test_every_swap_order_is_read_as_give_and_get(name: str, protocol: str, backend: RevmBackend,
                                                  policy: Policy) -> None:
    analysis = judged(name, backend, policy)
    (order,) = analysis.facts.typed_data.orders
    assert (order.protocol, order.signer) == (protocol, USER)
    assert moved(analysis) == [("give", USDC, "2500000000", None, "2,500 USDC"),
                               ("get", WETH, "1000000000000000000", USER, "1 WETH")]
    assert analysis.verdict == "ok" and "gives 2,500 USDC and pays at least 1 WETH to you." in summarize(analysis)


@pytest.mark.parametrize("name", ["1inch-limit-order-to-third-party", "cow-order-to-third-party",
                                  "velora-delta-order-to-third-party"])
def test_an_order_paying_a_third_party_is_a_recipient_mismatch(name: str, backend: RevmBackend,
                                                               policy: Policy) -> None:
    analysis = judged(name, backend, policy)
    assert [f.rule for f in analysis.findings] == ["SWAP_RECIPIENT_MISMATCH"] and analysis.verdict == "warn"
    assert analysis.findings[0].evidence["recipient"] == THIEF
    assert f"pays at least 1 WETH to {THIEF}, not to you." in summarize(analysis)


def test_every_leaf_of_a_bulk_listing_is_read_and_the_worst_decides(backend: RevmBackend, policy: Policy) -> None:
    fair = judged("seaport-bulk-listing", backend, policy)
    assert fair.facts.typed_data.classification == "seaport_bulk_order" and len(fair.facts.typed_data.orders) == 2
    assert fair.verdict == "ok" and sorted(e.order for e in fair.facts.effects) == [0, 0, 1, 1]
    rigged = judged("seaport-bulk-listing-one-for-nothing", backend, policy)
    assert (rigged.verdict, [f.rule for f in rigged.findings]) == ("block", ["ORDER_FOR_NOTHING"])
    assert rigged.findings[0].evidence["order"] == 1
    assert "Order 2 of 2 in this bulk signature (Seaport" in summarize(rigged)
    assert "pays nothing back to you" in summarize(rigged)


@pytest.mark.parametrize(("name", "standard", "permission", "rules", "said"), [
    ("aave-approve-delegation", "credit_delegation", "credit_delegation", ["UNLIMITED_APPROVAL"],
     f"It lets {THIEF} borrow up to unlimited tokens of"),
    ("aave-delegation-with-sig", "credit_delegation", "credit_delegation", [],
     f"It lets {THIEF} borrow up to 5,000,000,000 base units of"),
    ("compound-allow", "account_control", "account_control", ["APPROVAL_FOR_ALL"],
     f"It lets {THIEF} act on your whole position in"),
    ("compound-allow-by-sig", "account_control", "account_control", ["APPROVAL_FOR_ALL"],
     f"It lets {THIEF} act on your whole position in"),
    ("uniswap-v3-position-permit", "erc721", "token", [],
     f"It lets {THIEF} transfer your item #4242 of the collection"),
    ("increase-approval", "erc20", "allowance", [], f"It lets {THIEF} spend 1,000,000 USDC from your wallet."),
])
def test_grants_beyond_erc20_approvals_are_judged_as_approvals(name: str, standard: str, permission: str,
                                                               rules: list[str], said: str, backend: RevmBackend,
                                                               policy: Policy) -> None:
    analysis = judged(name, backend, policy)
    (approval,) = analysis.facts.approvals
    assert (approval.standard, approval.spender) == (standard, THIEF)
    (grant,) = [e for e in analysis.facts.effects if e.kind.value == "grant"]
    assert (grant.permission, grant.counterparty) == (permission, THIEF)
    assert [f.rule for f in analysis.findings if f.rule != "SIMULATION_UNAVAILABLE"] == rules
    assert said in summarize(analysis)


def test_a_swap_is_what_you_pay_and_what_you_get(backend: RevmBackend, policy: Policy) -> None:
    analysis = judged("ur-buy-usdc-with-eth", backend, policy, WORLD)
    gives = [(e.asset.standard, e.amount) for e in analysis.facts.effects if e.kind.value == "give"]
    gets = [(e.asset.token, e.amount, e.recipient) for e in analysis.facts.effects if e.kind.value == "get"]
    assert gives == [("native", "1000000000000000000")]
    assert gets == [(USDC, WORLD["ur-buy-usdc-with-eth"]["expect"]["usdc_out"], USER)]
    assert "You pay 1 ETH ($2,500.00) and get 2,486.30 USDC ($2,486.30)." in summarize(analysis)


def test_a_safe_transaction_says_what_the_safe_sends(backend: RevmBackend, policy: Policy) -> None:
    analysis = judged("safe-exec-usdc-to-bob", backend, policy, WORLD)
    safe = analysis.facts.to
    (give,) = [e for e in analysis.facts.effects if e.kind.value == "give"]
    assert (give.account, give.display) == (safe, "100 USDC")
    assert f"The Safe {safe} sends 100 USDC ($100.00) to " in summarize(analysis)


BASE_UNITS = re.compile(r"\b\d{7,}\b")  # an integer of 7+ digits in a sentence is a base-unit amount or a timestamp


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_no_sentence_says_wei_unix_time_a_signature_or_a_base_unit_integer(name: str, backend: RevmBackend,
                                                                          policy: Policy) -> None:
    summary = summarize(judged(name, backend, policy))
    assert "wei" not in summary and "unix time" not in summary and "(address," not in summary
    assert not BASE_UNITS.search(summary), summary
    sentences = [s for s in re.split(r"(?<=\.) ", summary) if s]
    assert len(sentences) == len(set(sentences)), "a sentence is said twice"
