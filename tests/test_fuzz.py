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
from app.settings import Settings
from chain import RequestError
from chain.decode import decode_calldata
from chain.request import parse_request
from tests.conftest import ROOT, need

EXAMPLES = int(os.environ.get("TXEXPLAIN_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
DECODE_BUDGET_S = 2.0
CASES: dict[str, int] = {}  # cases run per test, reported by the last test


# The schema is loaded when the module is collected, so the app it drives is created then (engine off); its
# services (the devnet, which needs node_modules) are built when the module's tests start.
_TMP = Path(tempfile.mkdtemp(prefix="txexplain-fuzz-"))
APP = create_app(Settings(engine="none", allowed_hosts=["testserver"],  # schemathesis' ASGI client's Host
                          database_url=f"sqlite:///{_TMP / 'fuzz.db'}", signing_key_path=_TMP / "k.pem",
                          intel_dir=_TMP / "intel", record_bundled_feeds=False))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def running() -> Iterator[None]:
    need((ROOT / "node_modules").exists(), "node_modules (the devnet's protocol contracts)")
    with TestClient(APP):  # runs the lifespan: services are built, the ledger's sequencer starts and stops
        yield


@pytest.mark.slow  # every operation of the OpenAPI document, fuzzed: `make test` runs it, `make test-fast` not
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


LOOP, BURNER = "0x00000000000000000000000000000000000100bb", "0x00000000000000000000000000000000000100bc"
SENDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
NESTED = st.builds(lambda depth, opener: opener[0] * depth + opener[1] + opener[2] * depth,
                   st.integers(500, 150_000), st.sampled_from([("[", "", "]"), ('{"a":', "1", "}"), ("[", "{}", "]")]))
HOSTILE_TX = st.builds(
    lambda code, gas, calls, value: {
        "chain_id": 31337, "method": "wallet_sendCalls", "state_overrides": {BURNER: {"code": code}},
        "params": [{"version": "2.0.0", "chainId": "0x7a69", "from": SENDER,
                    "calls": [{"to": BURNER, "data": "0x", "value": value} for _ in range(calls)]}]}
    if calls else {"chain_id": 31337, "from": SENDER, "to": LOOP, "data": "0x", "gas": gas, "value": value,
                   "state_overrides": {LOOP: {"code": code}}},
    st.sampled_from(["0x5b600056", "0x5b6127105a10600c576000565b00", "0x5b5960205901526000565b"]),
    st.one_of(st.integers(21_000, 2**64 - 1).map(hex), st.integers(0, 2**80), st.just(None)),
    st.integers(0, 256), st.one_of(st.just("0x0"), st.integers(0, 2**256 - 1)))
TYPED_WITH_NUL = st.builds(
    lambda text, amount: {"chain_id": 31337, "method": "eth_signTypedData_v4", "params": [SENDER, {
        "types": {"EIP712Domain": [{"name": "chainId", "type": "uint256"}],
                  "Note": [{"name": "text", "type": "string"}, {"name": "amount", "type": "uint256"}]},
        "primaryType": "Note", "domain": {"chainId": amount}, "message": {"text": text, "amount": amount}}]},
    st.text(alphabet=st.sampled_from(["\x00", "a", "\u202e", "\ufffd"]), max_size=20), st.integers(0, 2**256 - 1))


@FUZZ
@given(st.one_of(NESTED, HOSTILE_TX, TYPED_WITH_NUL))
def test_hostile_bodies_are_answered_in_bounded_time_never_5xx(body: str | dict) -> None:
    """The shapes that took servers down (issue 18): deep nesting, gas past any budget into looping code, batches
    of gas burners, U+0000 and uint256 numbers in typed data. Each is a 200 or a named 4xx, within seconds."""
    CASES["hostile"] = CASES.get("hostile", 0) + 1
    client = TestClient(APP, base_url="http://testserver")  # the module's `running` fixture runs the lifespan
    start = time.perf_counter()
    response = (client.post("/v1/explain", content=body, headers={"content-type": "application/json"})
                if isinstance(body, str) else client.post("/v1/explain", json=body))
    elapsed = time.perf_counter() - start
    assert response.status_code in (200, 413, 422), (response.status_code, response.text[:300])
    assert elapsed < 10 * DECODE_BUDGET_S, f"{elapsed:.1f} s"


def test_fuzz_case_count_is_reported() -> None:
    """The number of cases this run generated (``make fuzz`` needs ≥ 10,000), written to artifacts/."""
    total = sum(CASES.values())
    out = Path(__file__).resolve().parents[1] / "artifacts" / "fuzz-cases.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(f"{total} cases: {CASES}\n")
    assert total >= 3 * min(EXAMPLES, 50), CASES  # each strategy produced cases
