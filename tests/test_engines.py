"""Both engines behind one protocol: llama.cpp in-process and a real `python -m llama_cpp.server`."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.runtime import Services
from chain.analyze import analyze
from chain.request import parse_request
from chain.resilience import CircuitBreaker
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from inference import EngineError, Sampling, explain
from inference.openai_engine import OpenAICompatibleEngine
from inference.prompt import NARRATIVE_SCHEMA, build_messages
from tests.support.anvil import RpcProxy, free_port, wait_until_serving
from tests.support.helpers import DRAINER_EOA, DUSD, MAX_UINT, calldata, explain_now, tx

MODEL_ALIAS = "smollm2-135m-q4_1"
APPROVAL = tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT))


@pytest.fixture(scope="module")
def llama_server(engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real llama_cpp.server with the same GGUF on a loopback port, stopped after the module."""
    from inference import default_model_path

    port = free_port()
    log = (tmp_path_factory.mktemp("llama-server") / "server.log").open("w")  # a pipe would fill and block it
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(default_model_path()), "--model_alias",
         MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
         "--n_threads", str(os.cpu_count() or 1)],
        stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{url}/v1/models", server, Path(log.name), 90)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def messages_for(backend: RevmBackend, policy: Policy, raw: dict) -> tuple[list[dict[str, str]], object]:
    from inference.factsheet import fact_sheet

    analysis = analyze(parse_request(raw), backend, policy, Trace())
    return build_messages(policy, fact_sheet(analysis)), analysis


@pytest.mark.model
def test_remote_engine_reads_identity_and_returns_schema_json(llama_server: str, backend: RevmBackend,
                                                              policy: Policy) -> None:
    remote = OpenAICompatibleEngine(llama_server, retries=0, timeout_s=120)  # a cold prompt on 2 shared cores
    identity = asyncio.run(remote.connect())
    assert identity.model_dump() == {"engine": "openai_compatible", "name": MODEL_ALIAS, "weights_sha256": None,
                                     "quantization": "Q4_1"}
    messages, _ = messages_for(backend, policy, APPROVAL)
    generation = asyncio.run(remote.generate(messages, NARRATIVE_SCHEMA, Sampling()))
    assert remote.structured_form == "json_object_schema"  # this server refuses the json_schema form
    assert set(json.loads(generation.text)) == {"headline", "explanation", "advice"}
    assert generation.prompt_tokens > 0 and generation.completion_tokens > 0
    assert generation.cached_tokens is None  # llama_cpp.server does not report usage details


@pytest.mark.model
def test_explain_through_remote_engine_is_audited(llama_server: str, sqlite_url: str,
                                                  make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url)
    services.engine = OpenAICompatibleEngine(llama_server, MODEL_ALIAS)
    result = explain_now(APPROVAL, services)
    assert result["model"] == {"engine": "openai_compatible", "name": MODEL_ALIAS, "weights_sha256": None,
                               "quantization": "Q4_1"}
    from audit import get_record

    record = get_record(services.sessions, result["id"])
    assert record.model["gen_ai.request.model"] == MODEL_ALIAS
    assert record.model["gen_ai.request.seed"] == 0 and record.model["gen_ai.usage.input_tokens"] > 0
    assert record.raw_output and "<system>" in record.prompt
    # claims mode goes to the remote engine too: its per-request enums constrain the server's grammar
    explanation = result["explanation"]
    assert explanation["mode"] == "claims", explanation["rejected_reason"]
    assert explanation["narrative"] is not None and explanation["claims"][0] == "finding.APPROVAL_TO_EOA.0"
    assert record.result["explanation"]["claims"] == explanation["claims"]  # the ledger keeps the claim ids


def test_remote_engine_down_degrades_and_opens_the_circuit(backend: RevmBackend, policy: Policy) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    remote = OpenAICompatibleEngine(url, "m", retries=1, timeout_s=1, breaker=CircuitBreaker(threshold=2))
    messages, analysis = messages_for(backend, policy, APPROVAL)
    for _ in range(2):
        with pytest.raises(EngineError, match="ConnectError"):
            asyncio.run(remote.generate(messages, NARRATIVE_SCHEMA, Sampling()))
    with pytest.raises(EngineError, match="circuit open"):
        asyncio.run(remote.generate(messages, NARRATIVE_SCHEMA, Sampling()))
    explanation, _, _ = asyncio.run(explain(analysis, remote, policy, Sampling(), Trace()))
    assert explanation.narrative is None and explanation.rejected_reason.startswith("engine_error: ")
    assert analysis.verdict == "block"  # the verdict never depended on the model


def test_remote_engine_slow_times_out_and_the_verdict_stands(backend: RevmBackend, policy: Policy) -> None:
    proxy = RpcProxy("http://127.0.0.1:9", mode="hang")  # accepts, then never answers
    try:
        remote = OpenAICompatibleEngine(proxy.url, "m", retries=0, timeout_s=0.5)
        _, analysis = messages_for(backend, policy, APPROVAL)
        start = time.monotonic()
        explanation, _, _ = asyncio.run(explain(analysis, remote, policy, Sampling(), Trace()))
        elapsed = time.monotonic() - start
    finally:
        proxy.close()
    assert explanation.narrative is None and explanation.rejected_reason.startswith("engine_error: ")
    assert elapsed < 5 and analysis.verdict == "block"


def test_remote_engine_rejects_garbage_answers(backend: RevmBackend, policy: Policy) -> None:
    proxy = RpcProxy("http://127.0.0.1:9", mode="garbage")  # a loopback server answering HTML to every POST
    try:
        remote = OpenAICompatibleEngine(proxy.url, "m", retries=0)
        messages, _ = messages_for(backend, policy, APPROVAL)
        with pytest.raises(EngineError, match="answer is not JSON"):
            asyncio.run(remote.generate(messages, NARRATIVE_SCHEMA, Sampling()))
    finally:
        proxy.close()


@pytest.mark.model
def test_prefix_states_serve_alternating_policies(engine, backend: RevmBackend, policy: Policy) -> None:  # type: ignore[no-untyped-def]
    other = policy.model_copy(update={"prompt": policy.prompt.model_copy(
        update={"risk_policy": "You are a terse auditor. " + policy.prompt.risk_policy})})
    messages_a, _ = messages_for(backend, policy, APPROVAL)
    messages_b, _ = messages_for(backend, other, APPROVAL)
    prefix_a = engine.count_tokens(engine.render_prefix(messages_a[:-1]))
    sources = []
    for messages in (messages_a, messages_b, messages_a, messages_b):
        generation = engine.generate_sync(messages, NARRATIVE_SCHEMA, Sampling(max_tokens=8))
        sources.append((generation.prefix_source, generation.cached_tokens))
    # The third call finds policy A's prefix evicted from the context by B, and restores its state.
    assert sources[2][0] == "state_cache" and sources[2][1] >= prefix_a
    assert sources[3][0] == "state_cache"
    kept = len(engine.prefix_states.values())  # the session's other tests leave their modes' prefixes too
    assert engine.prefix_states.nbytes() / kept < 40 * 1024**2  # scores stripped: far below ~100 MB per state


class _RefusesStructuredOutput:
    """A loopback HTTP front for the real llama_cpp.server that answers 400 to any request carrying
    response_format (as servers without structured output do) and forwards everything else."""

    def __init__(self, upstream: str):
        import http.server
        import threading

        import httpx

        class Handler(http.server.BaseHTTPRequestHandler):
            def _relay(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                answer = httpx.get(upstream + self.path, timeout=60)
                self._relay(answer.status_code, answer.content)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                if "response_format" in body:
                    self._relay(400, b'{"error": "response_format is not supported"}')
                    return
                answer = httpx.post(upstream + self.path, json=body, timeout=120)
                self._relay(answer.status_code, answer.content)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def test_a_server_refusing_structured_output_degrades_to_free_mode_and_says_so(
        llama_server: str, sqlite_url: str, make_services: Callable[..., Services]) -> None:
    front = _RefusesStructuredOutput(llama_server)
    try:
        services = make_services(sqlite_url)
        services.engine = OpenAICompatibleEngine(front.url, MODEL_ALIAS, retries=0)
        result = explain_now(APPROVAL, services)
    finally:
        front.close()
    assert result["explanation"]["mode"] == "free" and result["explanation"]["claims"] is None
    assert result["verdict"] == "block"  # the verdict never depends on the model
    from audit import get_record

    steps = [c["name"] for c in get_record(services.sessions, result["id"]).tool_calls]
    assert "narrative_mode" in steps
