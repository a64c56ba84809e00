"""inference/'s service: ask the engine to explain the facts, and keep only what the guard accepts."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from chain import Analysis
from chain.rules import Policy
from chain.trace import Trace
from inference import metrics
from inference.admission import AdmissionGate
from inference.cache import SHARED_SCOPE, NarrativeCache, narrative_key
from inference.claim_words import RULE_WORDS, STOP_WORDS
from inference.claims import claims_of, untrusted_in
from inference.claims_mode import Selection, claims_schema, claims_sheet, labels, select
from inference.engine import Engine, EngineError, Generation, ModelIdentity, Sampling, StructuredOutputRefused
from inference.factsheet import fact_sheet
from inference.prompt import NARRATIVE_SCHEMA, build_messages
from inference.validator import RejectReason, Verdict, Vocabulary, validate

RETRYABLE = {RejectReason.INVALID_JSON, RejectReason.SCHEMA, RejectReason.CONTROL_CHARACTERS}


class NarrativeSource(StrEnum):
    """Where ``explanation.narrative`` came from."""

    MODEL = "model"  # generated for this request and accepted by the validator
    CACHE = "cache"  # an accepted narrative for identical facts, model, policy and sampling, reused
    NONE = "none"  # no narrative: no engine, the engine failed, or the validator rejected it


class NarrativeMode(StrEnum):
    """How the narrative was generated (the contract's ``explanation.mode``)."""

    CLAIMS = "claims"  # the model chose and ordered this request's claims; the grammar allowed nothing else
    FREE = "free"  # the model wrote free text, which the validator checked against the facts


class Explanation(BaseModel):
    """The contract's ``explanation`` object."""

    summary: str
    narrative: str | None
    narrative_source: NarrativeSource
    rejected_reason: str | None = None
    mode: NarrativeMode | None = None  # None when no model was asked
    claims: list[str] | None = None  # claims mode: the stable ids of the claims the narrative tells, in order


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
    """What a narrative about ``analysis`` may mention, must mention one of, must not repeat, and (free mode's
    quality check) must address: the most severe finding in the headline, every critical and high finding."""
    base = Vocabulary.from_facts(
        facts_text, _symbols(analysis), {a.spender for a in analysis.facts.approvals},
        [example.answer for example in policy.prompt.examples], _anchors(analysis),
        untrusted_texts(analysis.facts.model_dump(mode="json")))
    findings = analysis.findings  # most severe first
    required = tuple(dict.fromkeys((f.rule, RULE_WORDS.get(f.rule, ())) for f in findings
                                   if f.severity in ("critical", "high")))
    return dataclasses.replace(base, top_words=RULE_WORDS.get(findings[0].rule, ()) if findings else (),
                               required_words=required, stop_words=STOP_WORDS)


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


def facts_key_material(analysis: Analysis, mode: str = "claims") -> dict[str, Any]:
    """The canonical facts a narrative depends on, and the mode it is written in. ``observed_at`` (the clock) is
    left out: the model never sees it, and what it changes (expiry findings and their messages) is in
    ``findings``."""
    return {"facts": analysis.facts.model_dump(mode="json", exclude={"observed_at"}), "verdict": analysis.verdict,
            "findings": [f.model_dump(mode="json") for f in analysis.findings], "mode": str(mode)}


async def explain(analysis: Analysis, engine: Engine | None, policy: Policy, sampling: Sampling, trace: Trace,
                  cache: NarrativeCache | None = None, gate: AdmissionGate | None = None,
                  mode: str = NarrativeMode.CLAIMS, scope: str = SHARED_SCOPE,
                  ) -> tuple[Explanation, ModelIdentity, ModelCall]:
    """The summary always; a narrative when one is cached or the engine answers and the validator accepts.
    ``mode`` is claims (the model selects this request's claims) or free (it writes, the validator checks);
    ``scope`` partitions the narrative cache (the tenant, or the shared scope).

    Raises:
        ModelBusy: a model call is needed and ``gate`` has no free slot (nothing was generated).
    """
    claims = claims_of(analysis)
    summary = claims.summary()
    mode = NarrativeMode(mode)
    if engine is None:
        return (Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE),
                ModelIdentity(engine="none"), ModelCall())
    call = ModelCall(sampling=sampling)
    call.narrative_key = narrative_key(engine.identity.model_dump(mode="json"), policy.identity,
                                       sampling.model_dump(mode="json"), facts_key_material(analysis, mode), scope)
    if cache is not None:
        with trace.step("narrative_cache", key=call.narrative_key) as step:
            cached = cache.get(call.narrative_key)
            step.output = {"hit": cached is not None}
        if cached is not None:
            metrics.NARRATIVE_CACHE.labels("hit").inc()
            call.accepted = True
            return (Explanation(summary=summary, narrative=cached["narrative"], narrative_source=NarrativeSource.CACHE,
                                mode=cached.get("mode") or mode, claims=cached.get("claims")), engine.identity, call)
        if (rejected := cache.rejection(call.narrative_key)) is not None:
            metrics.NARRATIVE_CACHE.labels("hit_rejected").inc()
            call.reject_code = rejected[0]
            return (Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE, mode=mode,
                                rejected_reason=f"{rejected[1]} (the same facts were rejected before; the "
                                                "seeded model was not asked again)"), engine.identity, call)
        metrics.NARRATIVE_CACHE.labels("miss").inc()
    if mode is NarrativeMode.CLAIMS:
        named = labels(claims, untrusted_in(claims, analysis))
        asker = _Asker(build_messages(policy, claims_sheet(analysis.verdict, named), mode),
                       claims_schema(named), lambda raw: select(raw, named, claims))
    else:
        asker = _free_asker(analysis, policy, NARRATIVE_SCHEMA)
    with gate.admit() if gate is not None else nullcontext():
        try:
            explanation = await _narrate(analysis, engine, summary, call, asker, sampling, trace)
        except StructuredOutputRefused as refused:  # the server cannot be constrained: free mode, recorded
            mode = NarrativeMode.FREE
            with trace.step("narrative_mode", degraded_to=mode.value) as step:
                step.output = {"reason": str(refused)[:200]}
            asker, call.attempts = _free_asker(analysis, policy, schema=None), 0
            explanation = await _narrate(analysis, engine, summary, call, asker, sampling, trace)
    explanation.mode = mode
    if cache is not None and explanation.narrative is not None:
        cache.put(call.narrative_key, {"narrative": explanation.narrative, "claims": explanation.claims,
                                       "mode": mode.value})
    elif cache is not None and call.reject_code not in (None, RejectReason.ENGINE_ERROR):
        cache.put_rejection(call.narrative_key, str(call.reject_code), explanation.rejected_reason or "rejected")
    return explanation, engine.identity, call


@dataclass(frozen=True)
class _Asker:
    """One mode's chat, output schema, and check of the raw output (a Selection, or the rejection's Verdict)."""

    messages: list[dict[str, str]]
    schema: dict[str, Any] | None
    check: Callable[[str], Selection | Verdict]


def _free_asker(analysis: Analysis, policy: Policy, schema: dict[str, Any] | None) -> _Asker:
    """Free mode: the fact sheet, the narrative schema (or none, for a server that refuses structured output),
    and the validator."""
    facts_text = fact_sheet(analysis)
    vocabulary = narrative_vocabulary(analysis, policy, facts_text)
    return _Asker(build_messages(policy, facts_text, NarrativeMode.FREE), schema,
                  lambda raw: _free(validate(raw, analysis.verdict, vocabulary)))


def _free(outcome: Verdict) -> Selection | Verdict:
    """Free mode's validator outcome as claims mode's: the accepted text, or the rejection."""
    return Verdict(None, outcome.reason, outcome.detail) if outcome.narrative is None else Selection(
        outcome.narrative.text(), [])


async def _narrate(analysis: Analysis, engine: Engine, summary: str, call: ModelCall, asker: _Asker,
                   sampling: Sampling, trace: Trace) -> Explanation:
    attempt_sampling = sampling
    outcome: Selection | Verdict | None = None
    while call.attempts < 2:  # one retry, only for output that does not parse
        call.attempts += 1
        try:
            generation = await _generate(engine, asker.messages, asker.schema, attempt_sampling, trace)
        except EngineError as exc:
            if isinstance(exc, StructuredOutputRefused) and asker.schema is not None:
                raise  # explain() asks again in free mode
            call.reject_code = RejectReason.ENGINE_ERROR
            metrics.REJECTED.labels(RejectReason.ENGINE_ERROR).inc()
            return Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE,
                               rejected_reason=f"{RejectReason.ENGINE_ERROR}: {exc}")
        call.prompt, call.raw_output = generation.prompt, generation.text
        call.prompt_tokens, call.cached_tokens = generation.prompt_tokens, generation.cached_tokens
        call.completion_tokens, call.ttft_ms = generation.completion_tokens, generation.ttft_ms
        with trace.step("validate", verdict=analysis.verdict, attempt=call.attempts) as step:
            outcome = asker.check(generation.text)
            accepted = isinstance(outcome, Selection)
            step.output = {"accepted": accepted, "reason": None if accepted else outcome.rejected_reason}
        if isinstance(outcome, Selection) or outcome.reason not in RETRYABLE:
            break
        attempt_sampling = sampling.model_copy(update={"seed": sampling.seed + 1,
                                                        "temperature": max(sampling.temperature, 0.3)})
    assert outcome is not None
    if isinstance(outcome, Verdict):
        call.accepted, call.reject_code = False, outcome.reason
        metrics.REJECTED.labels(outcome.reason or "unknown").inc()
        return Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE,
                           rejected_reason=outcome.rejected_reason)
    call.accepted = True
    return Explanation(summary=summary, narrative=outcome.text, narrative_source=NarrativeSource.MODEL,
                       claims=outcome.claim_ids or None)


async def _generate(engine: Engine, messages: list[dict[str, str]], schema: dict[str, Any] | None, sampling: Sampling,
                    trace: Trace) -> Generation:
    with trace.step("model.generate", engine=engine.identity.engine, model=engine.identity.name,
                    seed=sampling.seed, temperature=sampling.temperature) as step:
        generation = await engine.generate(messages, schema, sampling)
        step.output = {"prompt_tokens": generation.prompt_tokens, "cached_tokens": generation.cached_tokens,
                       "completion_tokens": generation.completion_tokens, "ttft_ms": generation.ttft_ms,
                       "prefix_source": generation.prefix_source, "finish_reason": generation.finish_reason,
                       "raw_output": generation.text}
    if generation.ttft_ms is not None:
        metrics.TTFT.observe(generation.ttft_ms / 1000)
    if generation.cached_tokens:
        metrics.PREFIX_HIT_TOKENS.inc(generation.cached_tokens)
    return generation
