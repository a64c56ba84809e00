"""A bounded queue in front of the model: a fixed number of calls in flight, and a refusal beyond it.

The engine itself serializes or batches the calls it is given; this gate only counts them, so memory and
latency stay bounded under load: past ``concurrency + depth`` calls the next one is refused at once with
an estimate of when to retry, instead of waiting behind an unbounded line.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class ModelBusy(RuntimeError):
    """The model's queue is full; ``retry_after`` seconds is when a slot is likely free."""

    def __init__(self, retry_after: int, limit: int):
        self.retry_after = retry_after
        self.limit = limit
        super().__init__(f"the model queue is full ({limit} calls in flight); retry in {retry_after} s")


class AdmissionGate:
    """Admits at most ``concurrency + depth`` model calls at once; thread- and event-loop-safe."""

    def __init__(self, concurrency: int, depth: int, initial_call_s: float = 2.0):
        self.limit = concurrency + depth
        self.concurrency = concurrency
        self._lock = threading.Lock()
        self._in_flight = 0
        self._mean_s = initial_call_s  # moving average of a call's duration, for Retry-After
        self.refused = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def retry_after(self) -> int:
        """Seconds until the queue ahead of a new call has likely drained by one slot."""
        waves = (self._in_flight - self.concurrency + 1) / self.concurrency
        return max(1, math.ceil(self._mean_s * max(waves, 1)))

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Hold one slot for the duration of a model call.

        Raises:
            ModelBusy: every slot is taken.
        """
        with self._lock:
            if self._in_flight >= self.limit:
                self.refused += 1
                raise ModelBusy(self.retry_after(), self.limit)
            self._in_flight += 1
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            with self._lock:
                self._in_flight -= 1
                self._mean_s = 0.8 * self._mean_s + 0.2 * elapsed
