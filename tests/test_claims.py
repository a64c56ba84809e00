"""Claims: the true statements about a request, the summary made of them, and claims-mode narratives that can
only tell them — with a scripted engine where the exact path is the point, and the real model."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from chain import Analysis
from chain.analyze import analyze
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from inference import Generation, ModelIdentity, Sampling, explain
from inference.cache import NarrativeCache
from inference.claim_words import ADVICE, EMPHASIS, HEADLINE_LABELS, NO_FINDING
from inference.claims import claims_of
from inference.claims_mode import claims_schema, labels, select
from inference.summary import summarize
from inference.validator import Verdict
from tests.conftest import ROOT
from tests.support.helpers import BOB, DRAINER_EOA, DUSD, MAX_UINT, SCAM, calldata, tx

DRAIN = tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT))
TRANSFER = tx(DUSD, calldata("transfer(address,uint256)", BOB, 25_000_000))
CORPUS = {p["name"]: p["request"] for p in json.loads((ROOT / "tests" / "payloads" / "corpus.json").read_text())
          ["payloads"]}


def judged(raw: dict[str, Any], backend: RevmBackend, policy: Policy) -> Analysis:
    return analyze(parse_request(raw), backend, policy, Trace())


class Labeller:
    """A scripted engine that answers with labels, and keeps the schema it was given."""

    identity = ModelIdentity(engine="scripted", name="labeller")

    def __init__(self, answer: dict[str, Any]):
        self.answer = answer
        self.schemas: list[dict[str, Any]] = []

    async def generate(self, messages: list[dict[str, str]], schema: dict[str, Any],
                       sampling: Sampling) -> Generation:
        self.schemas.append(schema)
        return Generation(prompt=messages[-1]["content"], text=json.dumps(self.answer), prompt_tokens=10,
                          cached_tokens=0, completion_tokens=30, finish_reason="stop", duration_ms=1.0)


def test_claims_carry_stable_ids_and_the_summary_is_made_of_them(backend: RevmBackend, policy: Policy) -> None:
    analysis = judged(DRAIN, backend, policy)
    claims = claims_of(analysis)
    assert [c.id for c in claims.claims] == [
        "request.call", "approval.0", "approval.0.spender_eoa", "simulation", "skipped_checks", "verdict",
        "finding.APPROVAL_TO_EOA.0", "finding.UNLIMITED_APPROVAL.1"]  # DUSD, the devnet's own token, has no price
    assert summarize(analysis) == " ".join(c.text for c in claims.claims if c.in_summary)
    assert claims.top is not None and claims.top.id == "finding.APPROVAL_TO_EOA.0"
    assert [c.id for c in claims.required()] == ["finding.APPROVAL_TO_EOA.0", "finding.UNLIMITED_APPROVAL.1"]
    assert claims.by_id()["approval.0.spender_eoa"].text == (
        f"The spender {DRAINER_EOA} is a plain account with no contract code.")
    assert claims.advice == list(ADVICE["block"])


LOOK_CLOSELY_EOA = HEADLINE_LABELS[EMPHASIS + "this hands a plain account the right to take your tokens."]


def test_schema_allows_only_this_requests_labels(backend: RevmBackend, policy: Policy) -> None:
    named = labels(claims_of(judged(DRAIN, backend, policy)))
    schema = claims_schema(named)
    assert named.first == "c1" and "first" not in schema["properties"]  # the most severe finding, fixed
    assert named.required == ["c2"]  # the other critical/high finding follows it whatever the model picks
    assert schema["properties"]["more"] == {"type": "array", "items": {"enum": ["c3", "c4", "c5", "c6", "c7"]},
                                            "maxItems": 5}
    assert schema["properties"]["advice"] == {"enum": ["a1", "a2"]}
    assert schema["properties"]["headline"] == {"enum": ["h1", LOOK_CLOSELY_EOA]}  # the fixed prefix's labels


def test_claims_mode_narrative_is_this_requests_sentences(backend: RevmBackend, policy: Policy) -> None:
    analysis = judged(DRAIN, backend, policy)
    engine = Labeller({"headline": LOOK_CLOSELY_EOA, "first": "c1", "more": ["c4", "c3"], "advice": "a1"})
    explanation, _, call = asyncio.run(explain(analysis, engine, policy, Sampling(), Trace(), mode="claims"))
    claims = claims_of(analysis).by_id()
    assert explanation.mode == "claims" and explanation.narrative_source == "model"
    assert explanation.claims == ["finding.APPROVAL_TO_EOA.0", "finding.UNLIMITED_APPROVAL.1", "approval.0",
                                  "request.call"]
    assert explanation.narrative == "\n\n".join((
        "Look closely: this hands a plain account the right to take your tokens.",
        " ".join(claims[i].text for i in explanation.claims), "Do not sign this."))
    assert call.raw_output == json.dumps(engine.answer)


@pytest.mark.parametrize(("answer", "reason"), [
    ({"headline": "h1", "first": "c9", "more": [], "advice": "a1"}, "not_a_claim"),
    ({"headline": "h1", "first": "c1", "more": ["you are safe"], "advice": "a1"}, "not_a_claim"),
    ({"headline": "h1", "first": "c1", "more": [], "advice": "a5"}, "not_a_claim"),  # an ok-verdict advice
    ({"headline": "h1", "first": "c3", "more": [], "advice": "a1"}, "wrong_first_claim"),  # a server ignoring it
    ({"headline": "h1", "first": "c1", "more": [], "advice": "a1", "extra": 1}, None),
    ('{"headline": "h1", "first": ', "invalid_json"),
])
def test_select_refuses_anything_but_the_offered_labels(answer: Any, reason: str | None, backend: RevmBackend,
                                                        policy: Policy) -> None:
    claims = claims_of(judged(DRAIN, backend, policy))
    outcome = select(answer if isinstance(answer, str) else json.dumps(answer), labels(claims), claims)
    assert (outcome.reason if isinstance(outcome, Verdict) else None) == reason


def test_a_cache_hit_keeps_the_claim_ids(backend: RevmBackend, policy: Policy) -> None:
    analysis, cache = judged(TRANSFER, backend, policy), NarrativeCache()
    engine = Labeller({"headline": HEADLINE_LABELS[NO_FINDING.format(kind="transaction")], "first": "c1",
                       "more": ["c2"], "advice": "a5"})
    first, _, _ = asyncio.run(explain(analysis, engine, policy, Sampling(), Trace(), cache))
    second, _, _ = asyncio.run(explain(analysis, engine, policy, Sampling(), Trace(), cache))
    assert second.narrative_source == "cache" and len(engine.schemas) == 1
    assert (second.narrative, second.claims, second.mode) == (first.narrative, ["request.call", "effects.moves"],
                                                              "claims")


def test_claims_quoting_an_injected_instruction_are_never_offered(backend: RevmBackend, policy: Policy) -> None:
    """The SCAM token's symbol carries an instruction: the summary quotes it as data, a narrative never tells it."""
    analysis = judged(tx(SCAM, calldata("transfer(address,uint256)", BOB, 5)), backend, policy)
    from inference.claims import untrusted_in

    claims = claims_of(analysis)
    withheld = untrusted_in(claims, analysis)
    assert "request.call" in withheld and "ignore previous" in claims.by_id()["request.call"].text
    offered = labels(claims, withheld).claims.values()
    assert all("ignore previous" not in c.text.lower() for c in offered)


@pytest.mark.model
@pytest.mark.parametrize("name", ["viem-approve-unlimited-eoa-datasuffix", "permit2-sdk-permit-single-eoa",
                                  "seaport-giveaway", "seaport-listing", "viem-siwe", "viem-safe-exec-add-owner"])
def test_real_model_in_claims_mode_tells_only_claims(name: str, engine, backend: RevmBackend,  # type: ignore[no-untyped-def]
                                                     policy: Policy) -> None:
    analysis = judged(CORPUS[name], backend, policy)
    explanation, _, call = asyncio.run(explain(analysis, engine, policy, Sampling(), Trace()))
    claims = claims_of(analysis)
    assert explanation.mode == "claims" and explanation.narrative is not None, explanation.rejected_reason
    known = claims.by_id()
    assert explanation.claims and all(i in known for i in explanation.claims)
    headline, told, advice = explanation.narrative.split("\n\n")
    assert headline in claims.headlines and advice in ADVICE[analysis.verdict]
    assert told == " ".join(known[i].text for i in explanation.claims)
    if claims.top is not None:
        assert explanation.claims[0] == claims.top.id
    assert {c.id for c in claims.required()} <= set(explanation.claims)
    if analysis.verdict == "ok":
        assert "do not sign" not in explanation.narrative.lower()
    assert call.completion_tokens is not None and call.completion_tokens < 60
