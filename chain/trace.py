"""Tool-call records: what each step was given, what it returned, how long it took, what failed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import BaseModel, Field


class ToolCall(BaseModel):
    """One step of an explanation, as the audit record keeps it."""

    name: str
    input: dict[str, Any] = Field(default_factory=dict)
    output: Any = None
    duration_ms: float = 0.0
    error: str | None = None


class Trace:
    """An ordered list of tool calls for one request."""

    def __init__(self) -> None:
        self.calls: list[ToolCall] = []

    @contextmanager
    def step(self, name: str, **inputs: Any) -> Iterator[ToolCall]:
        """Time a step; the caller sets ``output``; an exception is recorded and re-raised."""
        call = ToolCall(name=name, input=inputs)
        start = time.perf_counter()
        try:
            yield call
        except BaseException as exc:
            call.error = f"{type(exc).__name__}: {exc}"[:500]
            raise
        finally:
            call.duration_ms = round((time.perf_counter() - start) * 1000, 3)
            self.calls.append(call)
