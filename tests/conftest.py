"""Shared fixtures: the real parts (devnet, model, SQLite, Postgres), each built once."""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text

from app.api import create_app
from app.runtime import Services, build_services
from app.settings import Settings
from chain.rules import Policy, load_policy
from chain.simulate import RevmBackend
from tests.support.scripted import ScriptedEngine

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REQUIRE_ALL = os.environ.get("TXEXPLAIN_REQUIRE_ALL") == "1"


def need(available: bool, what: str) -> None:
    """Skip when a real part is absent, unless TXEXPLAIN_REQUIRE_ALL=1 makes that a failure."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{what} is required (TXEXPLAIN_REQUIRE_ALL=1) but absent")
    pytest.skip(f"{what} is absent")


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def backend() -> RevmBackend:
    """The embedded devnet: the protocols' contracts from node_modules (a test without them skips, or fails under
    TXEXPLAIN_REQUIRE_ALL)."""
    need((ROOT / "node_modules").is_dir(), "node_modules (npm ci: the devnet's protocol contracts)")
    return RevmBackend()


@pytest.fixture(scope="session")
def engine():  # type: ignore[no-untyped-def]
    """The real embedded model (SmolLM2-135M Q4_1), loaded once."""
    try:
        from inference import default_model_path
        from inference.llama_engine import LlamaCppEngine

        path = default_model_path()
    except Exception as exc:
        need(False, f"the embedded model ({exc})")
    return LlamaCppEngine(path, n_threads=os.cpu_count() or 1)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'audit.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the test Postgres, dropped afterwards."""
    base = os.environ.get("TXEXPLAIN_TEST_DATABASE_URL")
    need(bool(base), "TXEXPLAIN_TEST_DATABASE_URL (Postgres)")
    schema = f"txexplain_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)  # type: ignore[arg-type]
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        need(False, f"Postgres at {base} ({exc})")
    separator = "&" if "?" in base else "?"  # type: ignore[operator]
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def make_services(backend: RevmBackend, tmp_path: Path) -> Callable[..., Services]:
    """Services on a given database URL, sharing the devnet; no model unless ``narrator=`` gives one (the real one
    from the ``engine`` fixture, or a scripted one): building services never loads the model."""

    def build(database_url: str, *, narrator: Any = None, **overrides: object) -> Services:
        overrides.setdefault("signing_key_path", tmp_path / "signing.key")
        overrides.setdefault("intel_dir", tmp_path / "intel")
        overrides.setdefault("record_bundled_feeds", False)  # tests/test_bundled_feed_records.py turns it on
        services = build_services(Settings(database_url=database_url, **overrides), engine=narrator)
        services.backend = backend
        return services

    return build


@pytest.fixture
def scripted_engine() -> type[ScriptedEngine]:
    """The scripted engine (an exact answer per call), for tests where the answer, not the model, is the point."""
    return ScriptedEngine


@pytest.fixture(scope="session")
def npm_tools() -> Path:
    """node_modules/.bin with solc and anvil (installed by `make test` via npm ci)."""
    bin_dir = ROOT / "node_modules" / ".bin"
    need(shutil.which("node") is not None and (bin_dir / "solcjs").exists(), "node and npm solc")
    return bin_dir


@contextmanager
def serving(services: Services) -> Iterator[str]:
    """A real uvicorn serving ``services`` on a free loopback port, in a thread; yields its base URL."""
    from tests.support.anvil import free_port

    port = free_port()
    config = uvicorn.Config(create_app(services.settings, services), host="127.0.0.1", port=port,
                            log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(sqlite_url: str, make_services: Callable[..., Services]) -> Iterator[str]:
    """A live server on SQLite without the model (the deterministic summary is enough)."""
    with serving(make_services(sqlite_url)) as base:
        yield base


# The real parts, each present or not: the header says which, and each test that needs an absent one skips (or
# fails under TXEXPLAIN_REQUIRE_ALL) from inside its fixture. `make test-fast` deselects the slow ones by marker.
PART_FIXTURES = {"engine": "model", "llama_server": "model", "postgres_url": "postgres", "ipfs": "ipfs",
                 "anvil": "anvil", "anvil_world": "anvil", "nodes": "anvil"}


def _parts() -> dict[str, bool]:
    node_modules = ROOT / "node_modules"
    try:
        from inference import default_model_path

        model = default_model_path().is_file()
    except Exception:
        model = False
    return {"model": model, "postgres": bool(os.environ.get("TXEXPLAIN_TEST_DATABASE_URL")),
            "node_modules": node_modules.is_dir(), "anvil": (node_modules / ".bin" / "anvil").exists(),
            "chromium": Path("/usr/bin/chromium").exists() and (node_modules / "playwright-core").is_dir(),
            "js-ipfs": (node_modules / "ipfs").is_dir()}


def pytest_report_header(config: pytest.Config) -> list[str]:
    present = _parts()
    return ["real parts: " + ", ".join(f"{name} {'yes' if here else 'NO'}" for name, here in present.items())
            + (" (TXEXPLAIN_REQUIRE_ALL: a missing part fails)" if REQUIRE_ALL else "")]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by the real parts its fixtures (or its database parameter) need."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        marks = {PART_FIXTURES[f] for f in fixtures if f in PART_FIXTURES}
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "postgres" in params.values() or "postgres" in item.name:
            marks.add("postgres")
        for mark in marks:
            item.add_marker(getattr(pytest.mark, mark))
