"""A scripted engine: answers from a list, one per call, and remembers the sampling it was given — the stand-in
for the model where an exact answer is the point (cache hits, retries, streams); the real model is tested with
the ``engine`` fixture."""

from __future__ import annotations

from typing import Any

from inference.engine import EngineError, Generation, ModelIdentity, Sampling


class ScriptedEngine:
    """Answers ``answers`` in order (an :class:`EngineError` in the list is raised instead)."""

    identity = ModelIdentity(engine="scripted", name="scripted-test-engine")

    def __init__(self, answers: list[str | EngineError]):
        self.answers = list(answers)
        self.calls: list[Sampling] = []

    async def generate(self, messages: list[dict[str, str]], schema: dict[str, Any],
                       sampling: Sampling) -> Generation:
        self.calls.append(sampling)
        answer = self.answers.pop(0)
        if isinstance(answer, EngineError):
            raise answer
        return Generation(prompt=messages[-1]["content"], text=answer, prompt_tokens=100,
                          cached_tokens=90, completion_tokens=20, finish_reason="stop", duration_ms=1.0,
                          ttft_ms=0.5)
