"""inference/'s service: ask the engine to explain the facts, and keep only what the guard accepts."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from chain import Analysis
from chain.rules import Policy
from chain.trace import Trace
from inference.engine import Engine, EngineError, ModelIdentity, Sampling
from inference.factsheet import fact_sheet
from inference.prompt import NARRATIVE_SCHEMA, build_messages
from inference.summary import summarize
from inference.validator import RejectReason, Vocabulary, validate


class NarrativeSource(StrEnum):
    """Where ``explanation.narrative`` came from."""

    MODEL = "model"  # generated for this request and accepted by the validator
    CACHE = "cache"  # an accepted narrative for identical facts, reused
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


def _symbols(analysis: Analysis) -> set[str]:
    facts = analysis.facts
    symbols = {t.symbol for t in facts.tokens.values() if t.symbol}
    symbols |= {c.symbol for c in facts.simulation.asset_changes if c.symbol}
    if int(facts.value):
        symbols.add("ETH")
    return symbols


def _anchors(analysis: Analysis) -> set[str]:
    """Words a grounded narrative mentions at least one of: the function's name, a symbol."""
    decoded = analysis.facts.decoded
    anchors = _symbols(analysis)
    if decoded is not None and decoded.function:
        anchors.add(decoded.function.split("(")[0])
    if decoded is not None and decoded.function is None:
        anchors |= {"unknown", "not be decoded", "cannot tell", "can't tell", "nobody can"}
    return anchors


def explain(analysis: Analysis, engine: Engine | None, policy: Policy, sampling: Sampling,
            trace: Trace) -> tuple[Explanation, ModelIdentity, ModelCall]:
    """The summary always; a narrative when the engine answers and the validator accepts it."""
    summary = summarize(analysis)
    if engine is None:
        return (Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE),
                ModelIdentity(engine="none"), ModelCall())
    facts_text = fact_sheet(analysis)
    messages = build_messages(policy, facts_text)
    call = ModelCall(sampling=sampling)
    try:
        with trace.step("model.generate", engine=engine.identity.engine, model=engine.identity.name) as step:
            generation = engine.generate(messages, NARRATIVE_SCHEMA, sampling)
            step.output = {"prompt_tokens": generation.prompt_tokens, "cached_tokens": generation.cached_tokens,
                           "completion_tokens": generation.completion_tokens,
                           "finish_reason": generation.finish_reason}
    except EngineError as exc:
        call.reject_code = RejectReason.ENGINE_ERROR
        return (Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE,
                            rejected_reason=f"{RejectReason.ENGINE_ERROR}: {exc}"),
                engine.identity, call)
    call.prompt, call.raw_output = generation.prompt, generation.text
    call.prompt_tokens, call.cached_tokens = generation.prompt_tokens, generation.cached_tokens
    call.completion_tokens = generation.completion_tokens
    with trace.step("validate", verdict=analysis.verdict) as step:
        vocabulary = Vocabulary.from_facts(
            facts_text, _symbols(analysis), {a.spender for a in analysis.facts.approvals},
            [example.answer for example in policy.prompt.examples], _anchors(analysis))
        outcome = validate(generation.text, analysis.verdict, vocabulary)
        step.output = {"accepted": outcome.narrative is not None, "reason": outcome.rejected_reason}
    call.accepted, call.reject_code = outcome.narrative is not None, outcome.reason
    if outcome.narrative is None:
        return (Explanation(summary=summary, narrative=None, narrative_source=NarrativeSource.NONE,
                            rejected_reason=outcome.rejected_reason), engine.identity, call)
    return (Explanation(summary=summary, narrative=outcome.narrative.text(),
                        narrative_source=NarrativeSource.MODEL), engine.identity, call)
