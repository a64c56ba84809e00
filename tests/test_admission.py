"""The bounded queue in front of the model: past concurrency + depth, an explain that needs the model is
503 with Retry-After at once (nothing recorded), while cache hits and model-free work go on."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from app.pipeline import analyze_request, cache_scope
from app.runtime import Services
from audit import count_records
from chain.trace import Trace
from inference.admission import AdmissionGate, ModelBusy
from inference.cache import narrative_key
from inference.explain import facts_key_material
from tests.conftest import serving
from tests.support.helpers import BOB, DUSD, calldata, tx


def test_gate_admits_up_to_its_limit_and_frees_slots() -> None:
    gate = AdmissionGate(concurrency=1, depth=1, initial_call_s=3.0)
    with gate.admit(), gate.admit():
        with pytest.raises(ModelBusy) as busy, gate.admit():
            pass
        assert busy.value.retry_after >= 3 and busy.value.limit == 2
        assert gate.in_flight == 2 and gate.refused == 1
    with gate.admit():
        assert gate.in_flight == 1
    assert gate.in_flight == 0


def test_gate_is_safe_across_threads() -> None:
    gate = AdmissionGate(concurrency=2, depth=3)
    admitted, refused, release = [], [], threading.Event()

    def worker() -> None:
        try:
            with gate.admit():
                admitted.append(1)
                release.wait(5)
        except ModelBusy:
            refused.append(1)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    while len(admitted) + len(refused) < 20:
        time.sleep(0.001)
    release.set()
    for t in threads:
        t.join()
    assert (len(admitted), len(refused), gate.in_flight) == (5, 15, 0)


@pytest.mark.model
def test_full_model_queue_is_503_with_retry_after_and_records_nothing(
        sqlite_url: str, engine, make_services: Callable[..., Services]) -> None:  # type: ignore[no-untyped-def]
    services = make_services(sqlite_url, narrator=engine, model_concurrency=1, model_queue_depth=0)
    # distinct transfers: no two share a narrative-cache key, so each needs the model
    requests = [tx(DUSD, calldata("transfer(address,uint256)", BOB, amount)) for amount in (11, 12, 13, 14)]

    async def fire(base: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            return list(await asyncio.gather(*(client.post("/v1/explain", json=r) for r in requests)))

    with serving(services) as base:
        answers = asyncio.run(fire(base))
        busy = [a for a in answers if a.status_code == 503]
        served = [a for a in answers if a.status_code == 200]
        assert busy and served and len(busy) + len(served) == 4, [a.status_code for a in answers]
        assert all(int(a.headers["retry-after"]) >= 1 for a in busy)
        assert all(a.json()["type"].endswith("/model-busy") for a in busy)
        assert count_records(services.sessions) == len(served)  # a refused call left nothing behind
        # while the model is held, an explain served from the narrative cache still answers, and so does decode
        cached_request = tx(DUSD, calldata("transfer(address,uint256)", BOB, 77))
        analysis = asyncio.run(analyze_request(cached_request, services, Trace()))
        assert services.engine is not None and services.narratives is not None
        services.narratives.put(narrative_key(services.engine.identity.model_dump(mode="json"),
                                              services.policy.identity, services.sampling.model_dump(mode="json"),
                                              facts_key_material(analysis), cache_scope(services, "default")),
                                {"narrative": "You send 77 base units of DUSD.", "claims": None, "mode": "claims"})
        holder = threading.Thread(target=lambda: httpx.post(f"{base}/v1/explain", json=tx(
            DUSD, calldata("transfer(address,uint256)", BOB, 99)), timeout=120))
        holder.start()
        while services.gate is not None and services.gate.in_flight == 0 and holder.is_alive():
            time.sleep(0.001)
        held = services.gate is not None and services.gate.in_flight == 1
        hit = httpx.post(f"{base}/v1/explain", json=cached_request, timeout=120)
        decoded = httpx.post(f"{base}/v1/decode", json=cached_request, timeout=120)
        streamed = httpx.post(f"{base}/v1/explain", params={"stream": "true"}, timeout=120,
                              json=tx(DUSD, calldata("transfer(address,uint256)", BOB, 55)))
        holder.join()
    assert held, "the holder did not reach the model"
    assert hit.status_code == 200 and hit.json()["explanation"]["narrative_source"] == "cache"
    assert decoded.status_code == 200
    events = [block.split("\n", 1)[0] for block in streamed.text.strip().split("\n\n")]
    assert events == ["event: result", "event: error"] and "/model-busy" in streamed.text
