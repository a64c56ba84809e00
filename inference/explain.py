"""inference/'s service: ask the engine to explain the facts, and keep only what the guard accepts."""

from __future__ import annotations

from contextlib import nullcontext
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from chain import Analysis
from chain.rules import Policy
from chain.trace import Trace
from inference import metrics
from inference.admission import AdmissionGate
from inference.cache import NarrativeCache, narrative_key
from inference.engine import Engine, EngineError, Generation, ModelIdentity, Sampling
from inference.factsheet import fact_sheet
from inference.prompt import NARRATIVE_SCHEMA, build_messages
from inference.summary import summarize
from inference.validator import RejectReason, Verdict, Vocabulary, validate

RETRYABLE = {RejectReason.INVALID_JSON, RejectReason.SCHEMA, RejectReason.CONTROL_CHARACTERS}


class NarrativeSource(StrEnum):
    """Where ``explanation.narrative`` came from."""

    MODEL = "model"  # generated for this request and accepted by the validator
    CACHE = "cache"  # an accepted narrative for identical facts, model, policy and sampling, reused
    NONE = "none"  # no narrative: no engine, the engine failed, or the validator rejected it


class Explanation(BaseModel):
    """The contract's ``explanation`` object."""

    summary: str
    narrative: str | None
    narrative_source: NarrativeSource
    rejected_reason: str | None = None


class ModelCall(BaseModel):
    """What the audit record keeps about the model call."""

    prompt: str | None = None
    raw_output: str | None = None
    sampling: Sampling | None = None
    accepted: bool = False
    reject_code: str | None = None
    prompt_tokens: int | None = None
    cached_tokens: int | None = None
    completion_tokens: int | None = None
    ttft_ms: float | None = None
    attempts: int = 0
    narrative_key: str | None = None

    def gen_ai(self, identity: ModelIdentity) -> dict[str, Any]:
        """The call in OpenTelemetry GenAI semantic-convention names."""
        return {"gen_ai.request.model": identity.name,
                "gen_ai.request.seed": self.sampling.seed if self.sampling else None,
                "gen_ai.request.temperature": self.sampling.temperature if self.sampling else None,
                "gen_ai.request.max_tokens": self.sampling.max_tokens if self.sampling else None,
                "gen_ai.usage.input_tokens": self.prompt_tokens,
                "gen_ai.usage.output_tokens": self.completion_tokens,
                "gen_ai.usage.cache_read.input_tokens": self.cached_tokens}


def _symbols(analysis: Analysis) -> set[str]:
    facts = analysis.facts
    symbols = {t.symbol for t in facts.tokens.values() if t.symbol}
    symbols |= {c.symbol for c in facts.simulation.asset_changes if c.symbol} if facts.simulation else set()
    if int(facts.value):
        symbols.add("ETH")
    return symbols


def untrusted_texts(value: Any) -> set[str]:
    """Text in the facts that someone else wrote (token names and symbols, typed-data strings, messages,
    SIWE statements, revert reasons): every string of several words. Our own fields are codes and hex."""
    if isinstance(value, str):
        return {value} if len(value.split()) >= 2 else set()
    if isinstance(value, dict):
        return set().union(*(untrusted_texts(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(untrusted_texts(v) for v in value)) if value else set()
    return set()


def narrative_vocabulary(analysis: Analysis, policy: Policy, facts_text: str) -> Vocabulary:
    """What a narrative about ``analysis`` may mention, must mention one of, and must not repeat."""
    return Vocabulary.from_facts(
        facts_text, _symbols(analysis), {a.spender for a in analysis.facts.approvals},
        [example.answer for example in policy.prompt.examples], _anchors(analysis),
        untrusted_texts(analysis.facts.model_dump(mode="json")))


def _anchors(analysis: Analysis) -> set[str]:
    """Words a grounded narrative mentions at least one of: the function's name, a symbol."""
    decoded = analysis.facts.decoded
    anchors = _symbols(analysis)
    if decoded is not None and decoded.function:
        anchors.add(decoded.function.split("(")[0])
    if decoded is not None and decoded.function is None:
        anchors |= {"unknown", "not be decoded", "cannot tell", "can't tell", "nobody can"}
    if analysis.facts.kind != "transaction":
        anchors |= {"sign", "permit", "approv"}
    return anchors


def facts_key_material(analysis: Analysis) -> dict[str, Any]:
    """The canonical facts a narrative depends on. ``observed_at`` (the clock) is left out: the model never
    sees it, and what it changes (expiry findings and their messages) is in ``findings``."""
    return {"facts": analysis.facts.model_dump(mode="json", exclude={"observed_at"}), "verdict": analysis.verdict,
            "findings": [f.model_dump(mode="json") for f in analysis.findings]}


async def explain(analysis: Analysis, engine: Engine | None, policy: Policy, sampling: Sampling, trace: Trace,
                  cache: NarrativeCache | None = None,
                  gate: AdmissionGate | None = None) -> tuple[Explanation, ModelIdentity, ModelCall]:
    """The summary always; a narrative when one is cached or the engine answers and the validator accepts.

    Raises:
        ModelBusy: a model call is needed and ``gate`` has no free slot (nothing was generated).
    """
    summary = summarize(analysis)
    if engine is None:
        return (Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE),
                ModelIdentity(engine="none"), ModelCall())
    call = ModelCall(sampling=sampling)
    call.narrative_key = narrative_key(engine.identity.model_dump(mode="json"), policy.identity,
                                       sampling.model_dump(mode="json"), facts_key_material(analysis))
    if cache is not None:
        with trace.step("narrative_cache", key=call.narrative_key) as step:
            cached = cache.get(call.narrative_key)
            step.output = {"hit": cached is not None}
        if cached is not None:
            metrics.NARRATIVE_CACHE.labels("hit").inc()
            call.accepted = True
            return (Explanation(summary=summary, narrative=cached, narrative_source=NarrativeSource.CACHE),
                    engine.identity, call)
        if (rejected := cache.rejection(call.narrative_key)) is not None:
            metrics.NARRATIVE_CACHE.labels("hit_rejected").inc()
            call.reject_code = rejected[0]
            return (Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE,
                                rejected_reason=f"{rejected[1]} (the same facts were rejected before; the "
                                                "seeded model was not asked again)"), engine.identity, call)
        metrics.NARRATIVE_CACHE.labels("miss").inc()
    facts_text = fact_sheet(analysis)
    messages = build_messages(policy, facts_text)
    vocabulary = narrative_vocabulary(analysis, policy, facts_text)
    with gate.admit() if gate is not None else nullcontext():
        return await _narrate(analysis, engine, summary, call, messages, vocabulary, sampling, trace, cache)


async def _narrate(analysis: Analysis, engine: Engine, summary: str, call: ModelCall, messages: list[dict[str, str]],
                   vocabulary: Vocabulary, sampling: Sampling, trace: Trace,
                   cache: NarrativeCache | None) -> tuple[Explanation, ModelIdentity, ModelCall]:
    attempt_sampling = sampling
    outcome: Verdict | None = None
    while call.attempts < 2:  # one retry, only for output that does not parse
        call.attempts += 1
        try:
            generation = await _generate(engine, messages, attempt_sampling, trace)
        except EngineError as exc:
            call.reject_code = RejectReason.ENGINE_ERROR
            metrics.REJECTED.labels(RejectReason.ENGINE_ERROR).inc()
            return (Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE,
                                rejected_reason=f"{RejectReason.ENGINE_ERROR}: {exc}"), engine.identity, call)
        call.prompt, call.raw_output = generation.prompt, generation.text
        call.prompt_tokens, call.cached_tokens = generation.prompt_tokens, generation.cached_tokens
        call.completion_tokens, call.ttft_ms = generation.completion_tokens, generation.ttft_ms
        with trace.step("validate", verdict=analysis.verdict, attempt=call.attempts) as step:
            outcome = validate(generation.text, analysis.verdict, vocabulary)
            step.output = {"accepted": outcome.narrative is not None, "reason": outcome.rejected_reason}
        if outcome.narrative is not None or outcome.reason not in RETRYABLE:
            break
        attempt_sampling = sampling.model_copy(update={"seed": sampling.seed + 1,
                                                        "temperature": max(sampling.temperature, 0.3)})
    assert outcome is not None
    call.accepted, call.reject_code = outcome.narrative is not None, outcome.reason
    if outcome.narrative is None:
        metrics.REJECTED.labels(outcome.reason or "unknown").inc()
        if cache is not None and call.narrative_key is not None:
            cache.put_rejection(call.narrative_key, str(outcome.reason), outcome.rejected_reason or "rejected")
        return (Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE,
                            rejected_reason=outcome.rejected_reason), engine.identity, call)
    narrative = outcome.narrative.text()
    if cache is not None:
        cache.put(call.narrative_key, narrative)
    return (Explanation(summary=summary, narrative=narrative, narrative_source=NarrativeSource.MODEL),
            engine.identity, call)


async def _generate(engine: Engine, messages: list[dict[str, str]], sampling: Sampling, trace: Trace) -> Generation:
    with trace.step("model.generate", engine=engine.identity.engine, model=engine.identity.name,
                    seed=sampling.seed, temperature=sampling.temperature) as step:
        generation = await engine.generate(messages, NARRATIVE_SCHEMA, sampling)
        step.output = {"prompt_tokens": generation.prompt_tokens, "cached_tokens": generation.cached_tokens,
                       "completion_tokens": generation.completion_tokens, "ttft_ms": generation.ttft_ms,
                       "prefix_source": generation.prefix_source, "finish_reason": generation.finish_reason,
                       "raw_output": generation.text}
    if generation.ttft_ms is not None:
        metrics.TTFT.observe(generation.ttft_ms / 1000)
    if generation.cached_tokens:
        metrics.PREFIX_HIT_TOKENS.inc(generation.cached_tokens)
    return generation
