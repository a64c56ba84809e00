"""Postgres outages under a live server: the real database behind a TCP proxy that the test takes down,
stalls, or locks. Every answer is a 200 with its record or a 503 audit-unavailable; none is a 500, none
hangs past the database timeout, and the ledger comes back gapless and verifiable."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import create_engine, text

from app.auth import create_key
from app.runtime import Services
from tests.conftest import serving
from tests.support.helpers import BOB, DUSD, assert_ledger_whole, calldata, tx
from tests.support.tcp_proxy import TcpProxy

TIMEOUT_S = 2.0  # TXEXPLAIN_DATABASE_TIMEOUT_S for these servers
PROBLEM = "application/problem+json"


@dataclass
class Outage:
    proxy: TcpProxy
    base: str
    services: Services
    direct_url: str  # the database itself, not through the proxy
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def public_key(self) -> str:
        return self.services.ledger.signer.public_key_hex


@pytest.fixture
def outage(postgres_url: str, make_services: Callable[..., Services]) -> Iterator[Outage]:
    proxy, proxied = TcpProxy.for_url(postgres_url)
    services = make_services(proxied, database_timeout_s=TIMEOUT_S, api_keys="required")
    key, _ = create_key(services.sessions, "acme")
    try:
        with serving(services) as base:
            yield Outage(proxy, base, services, postgres_url, {"Authorization": f"Bearer {key}"})
            proxy.up()  # let the server shut down against a live database
    finally:
        proxy.close()
        services.sessions.kw["bind"].dispose()


def explain_body(n: int) -> dict[str, object]:
    return tx(DUSD, calldata("transfer(address,uint256)", BOB, n))


def assert_audit_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"].endswith("/audit-unavailable") and response.headers["Retry-After"] == "5"


@pytest.mark.postgres
@pytest.mark.slow
def test_postgres_going_down_mid_load_answers_503_and_loses_nothing(outage: Outage) -> None:
    answered: list[str] = []
    refused: list[httpx.Response] = []
    other: list[str] = []
    stop = threading.Event()

    def client(worker: int) -> None:
        with httpx.Client(base_url=outage.base, headers=outage.headers, timeout=30) as http:
            n = 0
            while not stop.is_set():
                n += 1
                response = http.post("/v1/explain", json=explain_body(worker * 1_000_000 + n))
                if response.status_code == 200:
                    answered.append(response.json()["id"])
                elif response.status_code == 503:
                    refused.append(response)
                else:
                    other.append(f"{response.status_code} {response.text[:200]}")

    def wait_for(condition: Callable[[], bool], what: str, limit: float = 60) -> None:
        deadline = time.monotonic() + limit
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.05)

    threads = [threading.Thread(target=client, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: len(answered) >= 12, "answers before the outage")
        outage.proxy.down()  # in-flight connections closed under the server, new ones refused
        before = len(answered)
        wait_for(lambda: len(refused) >= 8, "503s during the outage", limit=3 * TIMEOUT_S + 10)
        with httpx.Client(base_url=outage.base, headers=outage.headers, timeout=30) as http:
            started = time.monotonic()
            ready = http.get("/readyz")
            assert ready.status_code == 503 and ready.json()["checks"]["database"]["ok"] is False
            assert time.monotonic() - started < 5
            # every route that reads the store says so: the key check included (not a 401, not a 500)
            assert_audit_unavailable(http.get("/v1/audit/records"))
            assert_audit_unavailable(http.post("/v1/explain", json=explain_body(7)))
        during = len(answered) - before  # requests already past their write when the cut came
        outage.proxy.up()
        wait_for(lambda: len(answered) >= before + during + 12, "answers after the database came back")
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    assert other == [], other[:3]
    for response in refused:
        assert_audit_unavailable(response)
    assert during <= 4  # at most the requests in flight at the cut: one per client
    with httpx.Client(base_url=outage.base, headers=outage.headers, timeout=30) as http:
        assert http.get("/readyz").status_code == 200
    assert_ledger_whole(outage.direct_url, outage.public_key, answered)


@pytest.mark.postgres
@pytest.mark.slow
def test_stalled_postgres_fails_a_request_in_seconds_instead_of_hanging(outage: Outage) -> None:
    with httpx.Client(base_url=outage.base, headers=outage.headers, timeout=120) as http:
        first = http.post("/v1/explain", json=explain_body(1))
        assert first.status_code == 200
        outage.proxy.stall()  # connections are accepted and never answered
        accepted = outage.proxy.accepted
        started = time.monotonic()
        assert_audit_unavailable(http.post("/v1/explain", json=explain_body(2)))
        assert time.monotonic() - started < 6 * TIMEOUT_S  # the sequencer's own wait is 60 s; a hang is forever
        started = time.monotonic()
        ready = http.get("/readyz")
        assert ready.status_code == 503 and time.monotonic() - started < 5
        assert outage.proxy.accepted > accepted  # the server really met the stalled database
        outage.proxy.up()
        time.sleep(TIMEOUT_S)  # the stalled connect attempts end on their own timeout
        again = http.post("/v1/explain", json=explain_body(3))
        assert again.status_code == 200, again.text[:300]
    assert assert_ledger_whole(outage.direct_url, outage.public_key, [first.json()["id"], again.json()["id"]]) == 2


@pytest.mark.postgres
@pytest.mark.slow
def test_a_locked_ledger_table_is_503_within_the_timeout_then_recovers(outage: Outage) -> None:
    locker = create_engine(outage.direct_url)
    with httpx.Client(base_url=outage.base, headers=outage.headers, timeout=120) as http:
        first = http.post("/v1/explain", json=explain_body(1))
        assert first.status_code == 200
        with locker.connect() as connection:  # another session holds the table: Postgres is up but blocked
            connection.execute(text("LOCK TABLE audit_records IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            assert_audit_unavailable(http.post("/v1/explain", json=explain_body(2)))
            assert time.monotonic() - started < 4 * TIMEOUT_S
            ready = http.get("/readyz")  # the database answers; only this table waits
            assert ready.status_code == 200, ready.text
            connection.rollback()
        again = http.post("/v1/explain", json=explain_body(3))
        assert again.status_code == 200, again.text[:300]
    locker.dispose()
    assert assert_ledger_whole(outage.direct_url, outage.public_key, [first.json()["id"], again.json()["id"]]) == 2


@pytest.mark.postgres
@pytest.mark.slow
def test_liveness_answers_while_stalled_store_calls_fill_the_thread_pool(outage: Outage) -> None:
    """Three times more stalled requests than the worker threads: /healthz (on the event loop) still answers at
    once, and every stalled request ends in a 503 within its bounded wait."""
    from concurrent.futures import ThreadPoolExecutor

    with httpx.Client(base_url=outage.base, headers=outage.headers, timeout=120) as http:
        assert http.post("/v1/explain", json=explain_body(1)).status_code == 200
        outage.proxy.stall()
        with ThreadPoolExecutor(120) as pool:
            started = time.monotonic()
            stalled = [pool.submit(http.post, "/v1/explain", json=explain_body(n)) for n in range(2, 122)]
            time.sleep(1.0)  # the requests are in: key checks and writes wait on the stalled store
            probe = time.monotonic()
            live = httpx.get(f"{outage.base}/healthz", timeout=30)  # its own connection, as a prober has
            assert live.status_code == 200 and time.monotonic() - probe < 1.0
            answers = [f.result() for f in stalled]
            elapsed = time.monotonic() - started
        assert {a.status_code for a in answers} == {503}
        assert elapsed < 30 * TIMEOUT_S  # 120 requests through 40 worker threads, each bounded
        outage.proxy.up()
