"""Readiness: whether each part the service leans on answers right now."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy import text

from app.runtime import Services, UnavailableEngine
from audit.tail import fault_text
from chain.intel.operator import operator_feeds
from chain.simulate.chains import ChainBackends, UnservedChain
from chain.simulate.jsonrpc import RpcError, RpcUnavailable

CHECK_TIMEOUT_S = 3.0


def _database(services: Services) -> dict[str, Any]:
    try:
        with services.sessions() as session:
            session.execute(text("SELECT 1"))
        return {"ok": True, "detail": services.sessions.kw["bind"].url.get_backend_name()}
    except Exception as exc:  # any failure means not ready; the message says which
        return {"ok": False, "detail": f"{type(exc).__name__}: {str(exc)[:200]}"}


def _ledger(services: Services) -> dict[str, Any]:
    """Whether the sequencer can chain onto the tail: the records end where a trusted checkpoint signs them.
    ``faulty`` (dropped from the report) is set only for a tail read and found wrong, not for one that could not
    be read (a table briefly locked is the database's state, which its own check reports)."""
    try:
        with services.sessions() as session:
            problem = services.ledger.read_tail(session).problem
    except Exception as exc:
        return {"ok": False, "detail": f"the tail could not be read: {type(exc).__name__}", "faulty": False}
    if problem is not None:
        return {"ok": False, "detail": fault_text(problem)[:400], "faulty": True}
    return {"ok": True, "detail": "every record is covered by a checkpoint the sequencer signed", "faulty": False}


async def _model(services: Services) -> dict[str, Any]:
    engine = services.engine
    if engine is None:
        return {"ok": True, "detail": "no model configured (TXEXPLAIN_ENGINE=none): summaries only"}
    if isinstance(engine, UnavailableEngine):
        return {"ok": False, "detail": engine.reason[:200]}
    connect = getattr(engine, "connect", None)
    if connect is not None:  # a remote server: is the model still served?
        try:
            identity = await asyncio.wait_for(connect(), CHECK_TIMEOUT_S)
        except Exception as exc:
            return {"ok": False, "detail": f"{type(exc).__name__}: {str(exc)[:200]}"}
        return {"ok": True, "detail": f"{identity.engine} {identity.name}"}
    return {"ok": True, "detail": f"{engine.identity.engine} {engine.identity.name}"}


def _rpc(services: Services) -> dict[str, Any]:
    """The simulator's check; with a node per chain, each chain's under ``chains`` (ok only if all are)."""
    backend = services.backend
    if not isinstance(backend, ChainBackends):
        return _simulator(backend, None)
    chains = {str(chain_id): _simulator(each, chain_id) for chain_id, each in sorted(backend.backends.items())}
    default = _simulator(backend.default, None)
    down = [chain for chain, check in chains.items() if not check["ok"]]
    detail = (f"{len(chains) - len(down)} of {len(chains)} chains' nodes answer" + (f"; down: {', '.join(down)}"
              if down else "") + f"; otherwise {default['detail']}")
    return {"ok": not down and default["ok"], "detail": detail, "chains": chains}


def _intel() -> dict[str, Any]:
    """Imported feeds: not ok while one is stale (past its max age) or its last refresh failed; each is named."""
    feeds = operator_feeds().meta.values()
    stale = sorted(m.feed for m in feeds if m.stale())
    failing = sorted(m.feed for m in feeds if m.last_error)
    detail = f"{len(feeds)} imported feeds" + (f"; stale: {', '.join(stale)}" if stale else "") + (
        f"; last refresh failed: {', '.join(failing)}" if failing else "")
    return {"ok": not stale and not failing, "detail": detail, "stale": stale, "failing": failing}


def _simulator(backend: Any, chain_id: int | None) -> dict[str, Any]:
    """One simulator: a node answers eth_blockNumber and serves ``chain_id`` (when one is configured for it)."""
    if isinstance(backend, UnservedChain):
        return {"ok": False, "detail": backend.reason}
    client = getattr(backend, "client", None)
    if client is None:
        fork = getattr(backend, "fork_url", None)
        served = getattr(backend, "chain_id", None)
        if chain_id is not None and served != chain_id:
            return {"ok": False, "detail": f"revm forking {fork} serves chain {served}, configured for {chain_id}"}
        return {"ok": True, "detail": f"revm forking {fork}" if fork else "revm over the embedded devnet"}
    try:
        number = int(client.request("eth_blockNumber", []), 16)
    except (RpcError, RpcUnavailable, ValueError, TypeError) as exc:
        return {"ok": False, "detail": f"{client.url}: {str(exc)[:200]}"}
    served = getattr(backend, "chain_id", None)
    if chain_id is not None and served is not None and served != chain_id:
        return {"ok": False, "detail": f"{client.url} answers chain {served}, configured for chain {chain_id}"}
    return {"ok": True, "detail": f"{client.url} at block {number}, chain {served}"}


async def readiness(services: Services) -> tuple[bool, dict[str, Any]]:
    """(ready, report). Ready means results can be audited: the database answers and the ledger's tail is the
    sequencer's own. The model and the RPC node are reported too; without them results degrade (no narrative,
    simulation unavailable)."""
    try:  # a stalled database must not stall the probe: its own timeouts end the thread later
        database = await asyncio.wait_for(run_in_threadpool(_database, services), CHECK_TIMEOUT_S)
    except TimeoutError:
        database = {"ok": False, "detail": f"no answer to SELECT 1 within {CHECK_TIMEOUT_S:g} s"}
    ledger = {"ok": False, "detail": "not checked: the database does not answer", "faulty": False}
    if database["ok"]:
        try:
            ledger = await asyncio.wait_for(run_in_threadpool(_ledger, services), CHECK_TIMEOUT_S)
        except TimeoutError:
            ledger = {"ok": False, "detail": f"the ledger's tail could not be read within {CHECK_TIMEOUT_S:g} s",
                      "faulty": False}
    faulty = ledger.pop("faulty")
    model = await _model(services)
    rpc = await run_in_threadpool(_rpc, services)
    checks = {"database": database, "ledger": ledger, "model": model, "rpc": rpc, "intel": _intel()}
    ready = database["ok"] and not faulty  # an answer can be audited: the store answers, its tail is ours
    degraded = sorted(name for name, check in checks.items() if not check["ok"] and name not in ("database", "ledger"))
    return ready, {"status": "ready" if ready else "not_ready", "degraded": degraded, "checks": checks}
