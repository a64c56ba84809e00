"""Python client for the txexplain HTTP API, sync and async, over httpx.

A wallet passes the EIP-1193 request it already holds, unchanged; ``chain_id`` is added beside it
(EIP-1193 keeps the chain outside the request object)::

    with TxExplainClient("http://127.0.0.1:8000") as client:
        result = client.explain({"method": "eth_sendTransaction", "params": [tx]}, chain_id=1)
        if result.verdict == "block": ...

Results are pydantic models with the contract's fields typed and unknown fields kept, so a newer
server does not break an older client. Errors raise :class:`TxExplainError` with the problem body.
"""

from __future__ import annotations

from typing import Any

import httpx

from client.models import AuditRef, DecodeResult, ExplainResult, Explanation, Finding, SimulateResult

__all__ = ["AsyncTxExplainClient", "AuditRef", "DecodeResult", "ExplainResult", "Explanation", "Finding",
           "SimulateResult", "TxExplainClient", "TxExplainError", "with_chain"]


class TxExplainError(Exception):
    """A non-2xx answer: ``status``, the RFC 9457 ``problem`` body, and ``errors`` naming each field."""

    def __init__(self, status: int, problem: dict[str, Any]):
        self.status = status
        self.problem = problem
        self.errors: list[dict[str, str]] = problem.get("errors") or []
        self.retry_after: str | None = problem.get("retry_after")
        super().__init__(f"{status} {problem.get('title', '')}: {problem.get('detail', '')}".strip())


def with_chain(request: dict[str, Any], chain_id: int | None) -> dict[str, Any]:
    """The request body: ``request`` unchanged, plus ``chain_id`` when given and not already there."""
    if chain_id is None or "chain_id" in request:
        return request
    return {**request, "chain_id": chain_id}


def feedback_body(record_id: str, decision: str, comment: str | None) -> dict[str, Any]:
    """The body of ``POST /v1/feedback``."""
    return {"record_id": record_id, "decision": decision, **({"comment": comment} if comment is not None else {})}


def _answer(response: httpx.Response) -> Any:
    if response.is_success:
        return response.json()
    try:
        problem = response.json()
    except ValueError:
        problem = {"title": response.reason_phrase, "detail": response.text[:500]}
    if not isinstance(problem, dict):
        problem = {"detail": str(problem)[:500]}
    if "retry-after" in response.headers:
        problem.setdefault("retry_after", response.headers["retry-after"])
    raise TxExplainError(response.status_code, problem)


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


class TxExplainClient:
    """Synchronous client. Use as a context manager, or call :meth:`close`."""

    def __init__(self, base_url: str, *, api_key: str | None = None, timeout_s: float = 60.0,
                 transport: httpx.BaseTransport | None = None):
        self._http = httpx.Client(base_url=base_url, headers=_headers(api_key), timeout=timeout_s,
                                  transport=transport)

    def __enter__(self) -> TxExplainClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def explain(self, request: dict[str, Any], *, chain_id: int | None = None) -> ExplainResult:
        """Explain a transaction or signing request (audited before it is returned)."""
        return ExplainResult.model_validate(_answer(self._http.post("/v1/explain", json=with_chain(request, chain_id))))

    def decode(self, request: dict[str, Any], *, chain_id: int | None = None) -> DecodeResult:
        """Decode only: no simulation, no model, nothing stored."""
        return DecodeResult.model_validate(_answer(self._http.post("/v1/decode", json=with_chain(request, chain_id))))

    def simulate(self, request: dict[str, Any], *, chain_id: int | None = None) -> SimulateResult:
        """Decode and simulate a transaction; no verdict."""
        body = with_chain(request, chain_id)
        return SimulateResult.model_validate(_answer(self._http.post("/v1/simulate", json=body)))

    def rules(self) -> dict[str, Any]:
        """The active policy's rule catalogue."""
        return _answer(self._http.get("/v1/rules"))

    def audit_record(self, record_id: str) -> dict[str, Any]:
        """One audit record with its inclusion proof."""
        return _answer(self._http.get(f"/v1/audit/records/{record_id}"))

    def feedback(self, record_id: str, decision: str, comment: str | None = None) -> dict[str, Any]:
        """Record what the user did (proceeded | rejected | reported_malicious | false_positive) about a result."""
        return _answer(self._http.post("/v1/feedback", json=feedback_body(record_id, decision, comment)))

    def ready(self) -> dict[str, Any]:
        """The readiness report (raises TxExplainError with status 503 when not ready)."""
        return _answer(self._http.get("/readyz"))


class AsyncTxExplainClient:
    """Asynchronous client with the same methods as :class:`TxExplainClient`."""

    def __init__(self, base_url: str, *, api_key: str | None = None, timeout_s: float = 60.0,
                 transport: httpx.AsyncBaseTransport | None = None):
        self._http = httpx.AsyncClient(base_url=base_url, headers=_headers(api_key), timeout=timeout_s,
                                       transport=transport)

    async def __aenter__(self) -> AsyncTxExplainClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    async def explain(self, request: dict[str, Any], *, chain_id: int | None = None) -> ExplainResult:
        """Explain a transaction or signing request (audited before it is returned)."""
        response = await self._http.post("/v1/explain", json=with_chain(request, chain_id))
        return ExplainResult.model_validate(_answer(response))

    async def decode(self, request: dict[str, Any], *, chain_id: int | None = None) -> DecodeResult:
        """Decode only: no simulation, no model, nothing stored."""
        response = await self._http.post("/v1/decode", json=with_chain(request, chain_id))
        return DecodeResult.model_validate(_answer(response))

    async def simulate(self, request: dict[str, Any], *, chain_id: int | None = None) -> SimulateResult:
        """Decode and simulate a transaction; no verdict."""
        response = await self._http.post("/v1/simulate", json=with_chain(request, chain_id))
        return SimulateResult.model_validate(_answer(response))

    async def rules(self) -> dict[str, Any]:
        """The active policy's rule catalogue."""
        return _answer(await self._http.get("/v1/rules"))

    async def audit_record(self, record_id: str) -> dict[str, Any]:
        """One audit record with its inclusion proof."""
        return _answer(await self._http.get(f"/v1/audit/records/{record_id}"))

    async def feedback(self, record_id: str, decision: str, comment: str | None = None) -> dict[str, Any]:
        """Record what the user did (proceeded | rejected | reported_malicious | false_positive) about a result."""
        return _answer(await self._http.post("/v1/feedback", json=feedback_body(record_id, decision, comment)))

    async def ready(self) -> dict[str, Any]:
        """The readiness report (raises TxExplainError with status 503 when not ready)."""
        return _answer(await self._http.get("/readyz"))
