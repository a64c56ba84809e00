"""Any OpenAI-compatible server (vLLM, llama-server, llama_cpp.server…) over async httpx, with
timeouts, bounded retries with jitter, a circuit breaker and structured output detection."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from chain.resilience import CircuitBreaker, CircuitOpen, backoff_s
from inference.engine import EngineError, Generation, ModelIdentity, Sampling, StructuredOutputRefused
from inference.model_files import quantization_of

# Structured-output request forms, tried in this order until a server accepts one (then remembered):
# the OpenAI/vLLM standard, then llama-cpp-python's `json_object` with a schema.
STRUCTURED_FORMS = ("json_schema", "json_object_schema")


def response_format(form: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The ``response_format`` body for a structured-output form."""
    if form == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "narrative", "schema": schema, "strict": True}}
    return {"type": "json_object", "schema": schema}


class OpenAICompatibleEngine:
    """A chat-completions client; ``connect()`` reads the model identity from ``/v1/models``."""

    def __init__(self, base_url: str, model: str | None = None, api_key: str | None = None, *,
                 timeout_s: float = 30.0, retries: int = 2, weights_sha256: str | None = None,
                 breaker: CircuitBreaker | None = None):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._base_url = base_url.rstrip("/")
        self._client_args = {"base_url": self._base_url, "headers": headers, "timeout": timeout_s}
        self._model = model
        self._retries = retries
        self._weights_sha256 = weights_sha256
        self.breaker = breaker or CircuitBreaker()
        self.structured_form: str | None = None  # detected on first use
        self.identity = ModelIdentity(engine="openai_compatible", name=model, weights_sha256=weights_sha256,
                                      quantization=quantization_of_name(model))

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(**self._client_args)

    async def connect(self) -> ModelIdentity:
        """Read ``/v1/models``: the configured model must be served (or the only one is used).

        Raises:
            EngineError: the server is unreachable or does not serve the model.
        """
        try:
            async with self._client() as client:
                response = await client.get("/v1/models")
                response.raise_for_status()
                served = [m["id"] for m in response.json().get("data", [])]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise EngineError(f"cannot list models at {self._base_url}: {exc}") from exc
        if self._model is None and len(served) == 1:
            self._model = served[0]
        if self._model not in served:
            raise EngineError(f"{self._base_url} serves {served}, not {self._model!r}")
        self.identity = ModelIdentity(engine="openai_compatible", name=self._model,
                                      weights_sha256=self._weights_sha256,
                                      quantization=quantization_of_name(self._model))
        return self.identity

    async def generate(self, messages: list[dict[str, str]], schema: dict[str, Any] | None,
                       sampling: Sampling) -> Generation:
        """POST /v1/chat/completions with seed, temperature, max_tokens and structured output (none without a
        schema).

        Raises:
            StructuredOutputRefused: the server refused every structured-output form (4xx to each).
            EngineError: any other failure, after the retries.
        """
        try:
            self.breaker.check()
        except CircuitOpen as exc:
            raise EngineError(str(exc)) from exc
        if self._model is None:
            await self.connect()
        forms = [] if schema is None else [self.structured_form] if self.structured_form else list(STRUCTURED_FORMS)
        last: Exception | None = None
        for attempt in range(self._retries + 1):
            try:
                generation = await self._call(messages, schema, sampling, forms)
                self.breaker.record(True)
                return generation
            except StructuredOutputRefused:
                self.breaker.record(True)  # the server answers; it only will not constrain its output
                raise
            except EngineError as exc:
                last = exc
                if not getattr(exc, "retryable", True):
                    break
                await asyncio.sleep(backoff_s(attempt))
        self.breaker.record(False)
        raise EngineError(f"{self._base_url}: {last}")

    async def _call(self, messages: list[dict[str, str]], schema: dict[str, Any] | None, sampling: Sampling,
                    forms: list[str]) -> Generation:
        body = {"model": self._model, "messages": messages, "temperature": sampling.temperature,
                "seed": sampling.seed, "max_tokens": sampling.max_tokens, "top_p": sampling.top_p}
        start = time.perf_counter()
        try:
            async with self._client() as client:
                # While probing which form the server takes, each attempt gets its own connection:
                # llama_cpp.server on recent Starlette drops a kept-alive connection after its 500.
                probing = {"Connection": "close"} if len(forms) > 1 else {}
                form = None
                for form in forms or [None]:
                    extra = {"response_format": response_format(form, schema)} if form and schema else {}
                    response = await client.post("/v1/chat/completions", headers=probing, json={**body, **extra})
                    if response.status_code >= 400 and forms and form != forms[-1]:
                        # Not yet known which form this server takes: llama_cpp.server answers 500 to
                        # json_schema, others 400/422. Try the next form; a server that is really
                        # failing fails that one too.
                        continue
                    break
                if response.status_code >= 500:
                    raise EngineError(f"server error {response.status_code}")
                if response.status_code >= 400 and form is not None:
                    raise StructuredOutputRefused(f"refused structured output ({', '.join(forms)}) with "
                                                  f"{response.status_code}: {response.text[:200]}")
                if response.status_code >= 400:
                    error = EngineError(f"rejected with {response.status_code}: {response.text[:200]}")
                    error.retryable = False  # type: ignore[attr-defined]
                    raise error
                data = response.json()
                if form is not None:
                    self.structured_form = form
        except httpx.HTTPError as exc:
            raise EngineError(f"{type(exc).__name__}: {exc}") from exc
        except ValueError as exc:
            raise EngineError(f"answer is not JSON: {exc}") from exc
        try:
            choice = data["choices"][0]
            usage = data.get("usage") or {}
            details = usage.get("prompt_tokens_details") or {}
            return Generation(
                prompt=_transcript(messages), text=choice["message"]["content"] or "",
                prompt_tokens=int(usage.get("prompt_tokens", 0)), cached_tokens=details.get("cached_tokens"),
                completion_tokens=int(usage.get("completion_tokens", 0)), finish_reason=choice.get("finish_reason"),
                duration_ms=round((time.perf_counter() - start) * 1000, 3),
            )
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise EngineError(f"answer does not look like a chat completion: {exc}") from exc


def quantization_of_name(model: str | None) -> str | None:
    """The quantization named in a served model's id, if any (``…-AWQ``, ``…Q4_1.gguf``, ``…-FP8``)."""
    from pathlib import Path

    if not model:
        return None
    upper = model.upper()
    for name in ("AWQ", "GPTQ", "FP8"):
        if name in upper:
            return name
    return quantization_of(Path(model.split("/")[-1]))


def _transcript(messages: list[dict[str, str]]) -> str:
    """The chat as sent (the server applies its own template; this is what the audit keeps)."""
    return "\n".join(f"<{m['role']}>\n{m['content']}" for m in messages)
