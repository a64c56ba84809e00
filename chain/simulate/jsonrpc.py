"""A JSON-RPC client with timeouts, bounded retries with jitter and a circuit breaker."""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx

from chain.resilience import CircuitBreaker, CircuitOpen, backoff_s


class RpcUnavailable(RuntimeError):
    """The node could not be reached, timed out, or answered something that is not JSON-RPC."""


class RpcError(RuntimeError):
    """The node answered with a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.data = code, message, data

    @property
    def method_missing(self) -> bool:
        """The node does not implement the method."""
        text = self.message.lower()
        return self.code == -32601 or any(
            w in text for w in ("not found", "not supported", "unsupported", "does not exist", "not available"))


class JsonRpcClient:
    """One endpoint; ``request`` retries transport failures, never JSON-RPC errors."""

    def __init__(self, url: str, *, timeout_s: float = 3.0, retries: int = 2, breaker: CircuitBreaker | None = None):
        self.url = url
        self._http = httpx.Client(timeout=timeout_s)
        self._retries = retries
        self._ids = itertools.count(1)
        self.breaker = breaker or CircuitBreaker()

    def request(self, method: str, params: list[Any]) -> Any:
        """The ``result`` of ``method``.

        Raises:
            RpcError: the node answered an error object.
            RpcUnavailable: transport failure, timeout, garbage, or the circuit is open.
        """
        try:
            self.breaker.check()
        except CircuitOpen as exc:
            raise RpcUnavailable(f"{self.url}: {exc}") from exc
        last: Exception | None = None
        for attempt in range(self._retries + 1):
            try:
                response = self._http.post(self.url, json={"jsonrpc": "2.0", "id": next(self._ids), "method": method,
                                                           "params": params})
                body = response.json()
                if not isinstance(body, dict) or ("result" not in body and "error" not in body):
                    raise ValueError(f"not a JSON-RPC response (HTTP {response.status_code})")
            except (httpx.HTTPError, ValueError) as exc:
                last = exc
                if attempt < self._retries:
                    time.sleep(backoff_s(attempt))
                continue
            self.breaker.record(True)
            if "error" in body and body["error"] is not None:
                error = body["error"]
                raise RpcError(int(error.get("code", 0)), str(error.get("message", "")), error.get("data"))
            return body["result"]
        self.breaker.record(False)
        raise RpcUnavailable(f"{self.url}: {type(last).__name__}: {last}"[:300])
