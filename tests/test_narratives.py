"""Narrative cache, the one retry, and metrics — driven by a scripted engine so the path is exact. The
scripted answers are free-mode JSON, so these run in free mode; claims mode has its own tests
(test_claims.py).

The scripted engine stands in for the model only where an exact answer is the point (cache hits,
retries); everything the real model does is tested in test_prompt.py and test_engines.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable

from fastapi.testclient import TestClient

from app.api import create_app
from app.runtime import Services
from chain.analyze import analyze
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from inference import Sampling, explain
from inference.cache import NarrativeCache
from inference.engine import EngineError
from inference.explain import facts_key_material
from tests.support.helpers import BOB, DUSD, calldata, explain_now, tx
from tests.support.scripted import ScriptedEngine

TRANSFER = tx(DUSD, calldata("transfer(address,uint256)", BOB, 25_000_000))
GOOD = json.dumps({"headline": "A transfer of 25 DUSD to the recipient.",
                   "explanation": "This transfer moves 25 DUSD from your wallet to the recipient.",
                   "advice": "Check the recipient before you sign."})


def run_explain(backend: RevmBackend, policy: Policy, engine: ScriptedEngine, cache: NarrativeCache | None,
                sampling: Sampling | None = None):  # type: ignore[no-untyped-def]
    analysis = analyze(parse_request(TRANSFER), backend, policy, Trace())
    return asyncio.run(explain(analysis, engine, policy, sampling or Sampling(), Trace(), cache, mode="free"))


def test_cache_serves_identical_facts_without_the_model(backend: RevmBackend, policy: Policy) -> None:
    engine, cache = ScriptedEngine([GOOD]), NarrativeCache()
    first, _, call = run_explain(backend, policy, engine, cache)
    second, _, again = run_explain(backend, policy, engine, cache)
    assert (first.narrative_source, second.narrative_source) == ("model", "cache")
    assert second.narrative == first.narrative and len(engine.calls) == 1
    assert again.narrative_key == call.narrative_key
    other, _, _ = run_explain(backend, policy, ScriptedEngine([GOOD]), cache, Sampling(seed=5))
    assert other.narrative_source == "model"  # other sampling, other key


def test_cache_key_ignores_the_clock_but_not_what_it_changes(backend: RevmBackend, policy: Policy) -> None:
    analysis = analyze(parse_request(TRANSFER), backend, policy, Trace())
    later = dataclasses.replace(analysis, facts=analysis.facts.model_copy(update={
        "observed_at": analysis.facts.observed_at + 5}))
    assert facts_key_material(later) == facts_key_material(analysis)  # a second later: still a hit
    assert "observed_at" not in facts_key_material(analysis)["facts"]


def test_a_rejection_is_kept_so_the_seeded_model_is_not_asked_again(backend: RevmBackend, policy: Policy) -> None:
    bad = json.dumps({"headline": "Sends 999 DUSD.", "explanation": "x", "advice": "y"})
    engine, cache = ScriptedEngine([bad]), NarrativeCache()
    first, _, _ = run_explain(backend, policy, engine, cache)
    second, _, call = run_explain(backend, policy, engine, cache)
    assert first.rejected_reason == "unknown_number: 999" and len(engine.calls) == 1
    assert second.narrative is None and second.rejected_reason.startswith("unknown_number: 999 (the same facts")
    assert call.reject_code == "unknown_number" and call.attempts == 0
    flaky, cache = ScriptedEngine([EngineError("connection reset"), GOOD]), NarrativeCache()
    down, _, _ = run_explain(backend, policy, flaky, cache)  # an engine error is transient: never kept
    up, _, _ = run_explain(backend, policy, flaky, cache)
    assert down.rejected_reason.startswith("engine_error") and up.narrative_source == "model"


def test_retry_once_with_next_seed_when_output_does_not_parse(backend: RevmBackend, policy: Policy) -> None:
    engine = ScriptedEngine(['{"headline": "cut', GOOD])
    explanation, _, call = run_explain(backend, policy, engine, None, Sampling(seed=7))
    assert explanation.narrative_source == "model" and call.attempts == 2
    assert [(s.seed, s.temperature) for s in engine.calls] == [(7, 0.0), (8, 0.3)]
    twice_bad = ScriptedEngine(['{"headline": "cut', '{"also": "wrong"}'])
    explanation, _, call = run_explain(backend, policy, twice_bad, None)
    assert call.attempts == 2 and explanation.rejected_reason.startswith("schema: ")
    no_retry = ScriptedEngine([json.dumps({"headline": "Sends 999 DUSD.", "explanation": "x", "advice": "y"})])
    explanation, _, call = run_explain(backend, policy, no_retry, None)
    assert call.attempts == 1 and explanation.rejected_reason == "unknown_number: 999"


def test_audit_store_is_the_second_tier(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url, narrative_mode="free")
    services.engine = ScriptedEngine([GOOD])
    first = explain_now(TRANSFER, services)
    services.narratives = NarrativeCache(second_tier=services.narratives.second_tier)  # a restart: empty LRU
    second = explain_now(TRANSFER, services)
    assert first["explanation"]["narrative_source"] == "model"
    assert second["explanation"]["narrative_source"] == "cache"
    assert second["explanation"]["narrative"] == first["explanation"]["narrative"]


def test_metrics_count_rejections_ttft_and_prefix_hits(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url, narrative_cache_size=0, narrative_mode="free")
    services.narratives = None
    bad = json.dumps({"headline": "Sends 31337000 DUSD now.", "explanation": "x", "advice": "y"})
    services.engine = ScriptedEngine([bad, GOOD])
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        def sample(name: str) -> float:
            for line in client.get("/metrics").text.splitlines():
                if line.startswith(name + " ") or line.startswith(name + "{"):
                    return float(line.rsplit(" ", 1)[1])
            return 0.0

        rejected = 'txexplain_narrative_rejected_total{reason="unknown_number"}'
        before = (sample(rejected), sample("txexplain_ttft_seconds_count"),
                  sample("txexplain_prefix_cache_hit_tokens_total"), sample("txexplain_explain_seconds_count"))
        client.post("/v1/explain", json=TRANSFER)
        client.post("/v1/explain", json=TRANSFER)
        after = (sample(rejected), sample("txexplain_ttft_seconds_count"),
                 sample("txexplain_prefix_cache_hit_tokens_total"), sample("txexplain_explain_seconds_count"))
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 2, 180, 2]


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_stream_sends_audited_result_then_validated_narrative(sqlite_url: str,
                                                              make_services: Callable[..., Services]) -> None:
    from audit import get_record, verify_ledger

    services = make_services(sqlite_url, narrative_mode="free")
    services.engine = ScriptedEngine([GOOD])
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        response = client.post("/v1/explain", params={"stream": "true"}, json=TRANSFER)
        bad = client.post("/v1/explain", params={"stream": "true"}, json={**TRANSFER, "to": "0x12"})
    assert response.headers["content-type"].startswith("text/event-stream")
    (first, result), (second, narrative) = parse_sse(response.text)
    assert (first, second) == ("result", "narrative")
    assert result["verdict"] == "ok" and result["explanation"]["narrative"] is None
    assert result["explanation"]["rejected_reason"].startswith("pending")
    assert narrative["parent"] == result["id"] and narrative["explanation"]["narrative_source"] == "model"
    assert narrative["audit"]["seq"] == result["audit"]["seq"] + 1
    assert get_record(services.sessions, narrative["id"]).kind == "narrative"
    assert verify_ledger(services.sessions).ok
    assert bad.status_code == 422  # invalid input is refused before any stream starts


def test_stream_never_sends_rejected_text(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url, narrative_mode="free")
    rejected = {"headline": "Totally safe transfer, sends 5 USDT.", "explanation": "x", "advice": "y"}
    services.engine = ScriptedEngine([json.dumps(rejected)])
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        events = parse_sse(client.post("/v1/explain", params={"stream": "true"}, json=TRANSFER).text)
    narrative = events[1][1]
    assert narrative["explanation"]["narrative"] is None
    assert "USDT" not in json.dumps(narrative["explanation"])
    assert narrative["explanation"]["rejected_reason"] == "unknown_number: 5"


def test_one_tenants_cached_narrative_is_not_anothers(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    """A hit answers in milliseconds where a model call takes seconds: shared, tenant B repeating tenant A's
    request would learn A had asked it. Each tenant has its own cache unless sharing is set."""
    import asyncio

    from app.pipeline import explain_request

    services = make_services(sqlite_url, narrative_mode="free")
    services.engine = ScriptedEngine([GOOD, GOOD, GOOD])
    sources = [asyncio.run(explain_request(TRANSFER, services, tenant))["explanation"]["narrative_source"]
               for tenant in ("acme", "acme", "globex")]
    assert sources == ["model", "cache", "model"]
    services.narratives = NarrativeCache(second_tier=services.narratives.second_tier)  # a restart: the store only
    assert asyncio.run(explain_request(TRANSFER, services, "initech"))["explanation"]["narrative_source"] == "model"
    shared = make_services(sqlite_url, narrative_mode="free", narrative_cache_shared=True)
    shared.engine = ScriptedEngine([GOOD])
    first, second = (asyncio.run(explain_request(TRANSFER, shared, t))["explanation"]["narrative_source"]
                     for t in ("acme", "globex"))
    assert (first, second) == ("model", "cache")
