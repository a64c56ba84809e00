"""Values in dollars, read on-chain from the state a request is judged on: the price source the chain's Aave market
uses (the embedded world places Chainlink's own aggregator at mainnet's addresses), else a deep enough Uniswap pool;
a grant's value at risk; UNFAIR_EXCHANGE; "unpriced" said, never guessed — on the embedded world and on anvil."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from chain.analyze import analyze
from chain.pricing import Pricer, PricingSources, pricing_sources
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend, RpcBackend
from chain.simulate.devnet import USD_PRICES, deploy_devnet_rpc
from chain.trace import Trace
from inference.summary import summarize
from tests.conftest import ROOT, need
from tests.support.anvil import ANVIL, running_anvil
from tests.support.helpers import registered

WORLD = {p["name"]: p["request"] for p in json.loads((ROOT / "tests/payloads/world.json").read_text())["payloads"]}
EFFECTS = {p["name"]: p["request"] for p in json.loads((ROOT / "tests/payloads/effects.json").read_text())["payloads"]}
USDC, WETH = registered("Token", "USDC"), registered("Wrapped native", "WETH")
ETH_FEED = pricing_sources().feed(1, WETH)
V2_PAIR, V3_POOL = "0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc", "0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640"


def test_the_pricing_table_is_what_the_packages_say_today(tmp_path: Path) -> None:
    need(shutil.which("node") is not None and (ROOT / "node_modules" / "@bgd-labs/aave-address-book").exists(),
         "node and npm @bgd-labs/aave-address-book")
    out = tmp_path / "sources.json"
    subprocess.run(["node", "scripts/gen_pricing.mjs", str(out)], cwd=ROOT, check=True, timeout=120)
    assert json.loads(out.read_text()) == pricing_sources().data, "run node scripts/gen_pricing.mjs"
    chains = {int(c) for c in pricing_sources().data["feeds"]}
    assert {1, 10, 56, 100, 137, 324, 8453, 42161, 43114, 59144, 534352, 11155111} <= chains


def priced(raw: dict, backend, policy: Policy):  # type: ignore[no-untyped-def]
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    return analysis, [(e.kind.value, e.usd, e.price_source) for e in analysis.facts.effects]


def said(raw: dict, backend, policy: Policy) -> list[tuple[str, str, str | None]]:  # type: ignore[no-untyped-def]
    """Each effect as the user reads it: kind, display, value."""
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    return [(e.kind.value, e.display, e.usd) for e in analysis.facts.effects]


def test_a_swap_is_valued_from_the_chains_own_price_sources(backend: RevmBackend, policy: Policy) -> None:
    analysis, values = priced(WORLD["ur-buy-usdc-with-eth"], backend, policy)
    usdc_feed = pricing_sources().feed(1, USDC)
    assert values == [("give", "2500.00", f"chainlink:{ETH_FEED}"), ("get", "2486.30", f"chainlink:{usdc_feed}")]
    assert "You pay 1 ETH ($2,500.00) and get 2,486.30 USDC ($2,486.30)." in summarize(analysis)
    assert analysis.findings == []


def test_a_grant_is_valued_at_what_the_spender_could_take_now(backend: RevmBackend, policy: Policy) -> None:
    analysis, values = priced(WORLD["viem-approve-usdc-drainer"], backend, policy)
    assert values == [("grant", "10000.00", f"chainlink:{pricing_sources().feed(1, USDC)}")]  # Alice holds 10,000
    assert "unlimited USDC from your wallet ($10,000.00 of yours at risk now)." in summarize(analysis)


def test_giving_far_more_than_you_get_is_an_unfair_exchange(backend: RevmBackend, policy: Policy) -> None:
    analysis, values = priced(EFFECTS["seaport-sell-weth-far-below-its-price"], backend, policy)
    assert [v[:2] for v in values] == [("give", "2500.00"), ("get", "100.00")]
    (unfair,) = analysis.findings
    assert (unfair.rule, unfair.evidence["loss_percent"], analysis.verdict) == ("UNFAIR_EXCHANGE", "96.0", "warn")


def test_a_token_without_a_feed_is_priced_by_a_deep_pool_or_not_at_all(backend: RevmBackend) -> None:
    data = json.loads(json.dumps(pricing_sources().data))
    del data["feeds"]["1"][USDC.lower()]  # as if no Aave market priced USDC: its pools must
    no_feed = PricingSources(data)
    with backend.session({}) as state:
        v2 = Pricer(state, 31337, Decimal(50_000), no_feed).token(USDC)
        data["uniswap_v2_factory"].pop("1")
        v3 = Pricer(state, 31337, Decimal(50_000), PricingSources(data)).token(USDC)
        shallow = Pricer(state, 31337, Decimal(10**7), no_feed).token(USDC)  # the pools hold $1M of WETH: not enough
    assert v2 is not None and v2.source == f"uniswap-v2:{V2_PAIR}" and abs(v2.usd - 1) < Decimal("0.01")
    assert v3 is not None and v3.source == f"uniswap-v3:{V3_POOL}" and abs(v3.usd - 1) < Decimal("0.01")
    assert shallow is None


def test_what_has_no_price_is_said_unpriced(backend: RevmBackend, policy: Policy) -> None:
    mainnet, _ = priced(EFFECTS["1inch-limit-order"], backend, policy)  # chain 1: no state here
    assert all(e.usd is None for e in mainnet.facts.effects)
    (skipped,) = [c for c in mainnet.facts.skipped if c.check == "prices"]
    assert skipped.reason.startswith("nothing was priced: ") and skipped.rules == ["UNFAIR_EXCHANGE"]
    assert "their value in dollars" in summarize(mainnet)


@pytest.fixture(scope="module")
def anvil_backend() -> Iterator[RpcBackend]:
    need(ANVIL.exists(), "node_modules/.bin/anvil (npm ci)")
    with running_anvil() as url:
        deploy_devnet_rpc(url)
        yield RpcBackend(url)


def test_anvil_prices_the_world_as_the_embedded_simulator_does(anvil_backend: RpcBackend, backend: RevmBackend,
                                                               policy: Policy) -> None:
    for raw in (WORLD["ur-buy-usdc-with-eth"], WORLD["viem-approve-usdc-drainer"],
                EFFECTS["seaport-sell-weth-far-below-its-price"]):
        assert priced(raw, anvil_backend, policy)[1] == priced(raw, backend, policy)[1]
        assert said(raw, anvil_backend, policy) == said(raw, backend, policy)
    assert USD_PRICES["WETH"] == 2_500 * 10**8
