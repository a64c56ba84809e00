"""Hygiene: keys and tokens never reach the logs, no endpoint fetches a URL the caller supplied, and
request-size limits hold."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.auth import create_key
from app.runtime import Services
from tests.support.helpers import ALICE, BOB, DUSD, calldata, tx


def test_api_keys_and_tokens_never_reach_the_logs(sqlite_url: str, make_services: Callable[..., Services],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    services = make_services(sqlite_url, api_keys="required", pinning_service="http://127.0.0.1:9/pins",
                             pinning_token="pin-secret-token-123")
    key, _ = create_key(services.sessions, tenant="acme")
    secret = key.split("_", 2)[2]
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        ok = client.post("/v1/explain", json=tx(DUSD, calldata("transfer(address,uint256)", BOB, 5)),
                         headers={"Authorization": f"Bearer {key}"})
        bad = client.get("/v1/rules", headers={"Authorization": f"Bearer {key[:-3]}xyz"})
    assert (ok.status_code, bad.status_code) == (200, 401)
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert secret not in logged and secret[:-3] not in logged and "pin-secret-token-123" not in logged
    assert "pin-secret-token-123" not in repr(services.settings) and secret not in bad.text


def test_no_endpoint_fetches_a_url_the_caller_supplied(sqlite_url: str,
                                                       make_services: Callable[..., Services]) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    accepted: list[object] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept())
            except OSError:
                continue

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/"
    services = make_services(sqlite_url)
    message = f"Sign in at {url}\n\nURI: {url}"
    requests = [
        {**tx(DUSD, calldata("transfer(address,uint256)", BOB, 5)), "context": {"origin": url}},
        {"chain_id": 31337, "method": "personal_sign", "context": {"origin": url},
         "params": ["0x" + message.encode().hex(), ALICE]},
        {**tx(DUSD, "0xa9059cbb"), "abi": [{"type": "function", "name": url, "inputs": []}]},
    ]
    try:
        with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
            for body in requests:
                for path in ("/v1/explain", "/v1/decode"):
                    assert client.post(path, json=body).status_code in (200, 422)
    finally:
        stop.set()
        thread.join()
        listener.close()
    assert accepted == []


def test_oversized_bodies_are_413_and_store_nothing(sqlite_url: str, make_services: Callable[..., Services]) -> None:
    from audit import count_records

    services = make_services(sqlite_url, max_request_bytes=4096)
    big = tx(DUSD, "0x" + "ab" * 5000)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        answers = [client.post(path, json=big) for path in ("/v1/explain", "/v1/decode", "/v1/simulate")]
    assert [a.status_code for a in answers] == [413, 413, 413]
    assert all(a.headers["content-type"] == "application/problem+json" for a in answers)
    assert count_records(services.sessions) == 0
