"""Small resilience pieces shared by the network clients: a circuit breaker and jittered backoff."""

from __future__ import annotations

import random
import time


class CircuitOpen(RuntimeError):
    """Calls are refused until the cooldown ends."""


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; lets one trial call through after ``cooldown_s``."""

    def __init__(self, threshold: int = 5, cooldown_s: float = 30.0):
        self.threshold, self.cooldown_s = threshold, cooldown_s
        self.failures = 0
        self.opened_at: float | None = None

    def check(self) -> None:
        """Raises CircuitOpen while open."""
        if self.opened_at is not None and time.monotonic() - self.opened_at < self.cooldown_s:
            raise CircuitOpen(f"circuit open after {self.failures} consecutive failures")

    def record(self, ok: bool) -> None:
        """Count a call's outcome."""
        if ok:
            self.failures, self.opened_at = 0, None
            return
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = time.monotonic()


def backoff_s(attempt: int, base: float = 0.1, cap: float = 2.0) -> float:
    """Exponential backoff with jitter for retry ``attempt`` (0-based)."""
    return min(cap, base * 2**attempt) * random.uniform(0.5, 1.0)
