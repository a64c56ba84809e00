"""The engine protocol: one ``generate()`` from a rendered chat to text, with token accounting."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel


class ModelIdentity(BaseModel):
    """The contract's ``model`` object."""

    engine: str  # llama_cpp | openai_compatible | none
    name: str | None = None
    weights_sha256: str | None = None
    quantization: str | None = None


class Sampling(BaseModel):
    """Sampling options, passed on every call and stored with each record."""

    temperature: float = 0.0
    seed: int = 0
    max_tokens: int = 320
    top_p: float = 1.0
    top_k: int = 40
    repeat_penalty: float = 1.1


class Generation(BaseModel):
    """One model call's output and accounting."""

    prompt: str
    text: str
    prompt_tokens: int
    cached_tokens: int | None  # prompt tokens the engine reused instead of evaluating (None: not reported)
    completion_tokens: int
    finish_reason: str | None
    duration_ms: float
    ttft_ms: float | None = None  # time to the first generated token, where the engine can tell
    prefix_source: str | None = None  # context | state_cache | evaluated (embedded engine only)


class EngineError(RuntimeError):
    """The engine failed to produce output."""


class StructuredOutputRefused(EngineError):
    """The server refused every structured-output form it was offered: its output cannot be constrained."""


class Engine(Protocol):
    """What every narrative engine provides; adding one never touches prompts or the validator."""

    identity: ModelIdentity

    async def generate(self, messages: list[dict[str, str]], schema: dict[str, Any] | None,
                       sampling: Sampling) -> Generation:
        """Generate JSON matching ``schema`` for the chat ``messages`` (the last one holds the facts); with no
        schema, unconstrained text.

        Raises:
            StructuredOutputRefused: the engine cannot constrain its output to ``schema``.
            EngineError: the engine could not answer.
        """
        ...
