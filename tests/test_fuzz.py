"""Fuzzing: schemathesis against the OpenAPI document, hypothesis over the request models and the decoder.

Invariants: invalid input is a 4xx problem+json, never a 5xx; decoding never takes more than 2 s.
`make test` runs a few hundred cases; `make fuzz` sets TXEXPLAIN_FUZZ_EXAMPLES for ≥ 10,000.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.api import create_app
from app.runtime import Services, build_services
from app.settings import Settings
from chain import RequestError
from chain.decode import decode_calldata
from chain.request import parse_request
from chain.simulate import RevmBackend

EXAMPLES = int(os.environ.get("TXEXPLAIN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
DECODE_BUDGET_S = 2.0
CASES: dict[str, int] = {}  # cases run per test, reported by the last test


def _services(tmp: Path) -> Services:
    services = build_services(Settings(database_url=f"sqlite:///{tmp / 'fuzz.db'}", signing_key_path=tmp / "k.pem",
                                       engine="none"), engine=None)
    services.backend = RevmBackend()
    return services


# The schema is loaded when the module is collected, so the app it drives is built then (engine off).
APP = create_app(Settings(engine="none", allowed_hosts=["testserver"]),  # schemathesis' ASGI client's Host
                 _services(Path(tempfile.mkdtemp(prefix="txexplain-fuzz-"))))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running() -> Iterator[None]:
    with TestClient(APP):  # runs the lifespan: the ledger's sequencer starts and stops
        yield


@schema.parametrize()
@FUZZ
def test_api_never_answers_5xx_to_any_input(case) -> None:  # type: ignore[no-untyped-def]
    CASES["api"] = CASES.get("api", 0) + 1
    start = time.perf_counter()
    response = case.call()
    elapsed = time.perf_counter() - start
    assert response.status_code < 500 or (case.path == "/readyz" and response.status_code == 503), (
        response.status_code, response.text[:500])
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type") or [""]
        assert content_type[0].startswith("application/problem+json"), response.text[:200]
        body = response.json()
        assert body["status"] == response.status_code and body["detail"]
    if case.path == "/v1/decode":
        assert elapsed < DECODE_BUDGET_S, f"decode took {elapsed:.2f} s"


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=40),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                max_size=5), max_leaves=20)
HEX = st.binary(max_size=600).map(lambda b: "0x" + b.hex())
REQUESTS = st.fixed_dictionaries(
    {"chain_id": st.one_of(st.integers(), st.just(1))},
    optional={"method": st.sampled_from(["eth_sendTransaction", "eth_signTypedData_v4", "personal_sign",
                                         "eth_sign", "wallet_sendCalls", "eth_signTransaction", "bogus"]),
              "params": st.lists(JSON | HEX, max_size=3), "to": HEX | JSON, "from": HEX, "data": HEX,
              "value": HEX | JSON, "abi": JSON, "context": JSON, "state_overrides": JSON})


@FUZZ
@given(REQUESTS)
def test_request_parser_accepts_or_names_a_field(raw: dict) -> None:
    CASES["requests"] = CASES.get("requests", 0) + 1
    try:
        parse_request(raw)
    except RequestError as exc:
        assert exc.errors and all(e["field"] and e["message"] for e in exc.errors)


@FUZZ
@given(st.binary(min_size=4, max_size=4096))
def test_decoder_never_raises_and_is_fast(data: bytes) -> None:
    CASES["decoder"] = CASES.get("decoder", 0) + 1
    start = time.perf_counter()
    decoded = decode_calldata(data)
    assert time.perf_counter() - start < DECODE_BUDGET_S
    assert decoded is not None and decoded.selector == "0x" + data[:4].hex()


def test_fuzz_case_count_is_reported() -> None:
    """The number of cases this run generated (``make fuzz`` needs ≥ 10,000), written to artifacts/."""
    total = sum(CASES.values())
    out = Path(__file__).resolve().parents[1] / "artifacts" / "fuzz-cases.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(f"{total} cases: {CASES}\n")
    assert total >= 3 * min(EXAMPLES, 50), CASES  # each strategy produced cases
