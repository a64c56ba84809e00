"""IPFS pinning through the outbox: a worker hands pending records and checkpoints to a Kubo node or
an IPFS Pinning Service, with retries and backoff. CIDs are computed locally and the daemon's answer
must match them."""

from __future__ import annotations

import contextlib
import hashlib
import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from audit.cid import MAX_RAW_ADD, cid_v1_raw, names_same_bytes, sha256_of
from audit.hashing import checkpoint_document
from audit.models import AuditRecord, Checkpoint, PinTask

MAX_BACKOFF_S = 300.0


class PinError(RuntimeError):
    """The pinning backend refused, failed, or answered with a different CID."""


class PinClient(Protocol):
    """A place to pin content-addressed bytes."""

    def pin(self, cid: str, data: bytes, name: str) -> None:
        """Store and pin ``data``; raises PinError unless it is stored under exactly ``cid``."""
        ...


class KuboClient:
    """Kubo's RPC API (js-ipfs serves the same): `/api/v0/add` (or `/api/v0/block/put` past one chunk), then
    `/api/v0/pin/add`; `/api/v0/block/get` to fetch back. Answers are compared by the multihash they name,
    since daemons differ in the CID version and multibase they print."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)

    def pin(self, cid: str, data: bytes, name: str) -> None:
        if cid != cid_v1_raw(data):
            raise PinError("refusing to pin bytes that do not hash to the given CID")
        try:
            if len(data) <= MAX_RAW_ADD:
                response = self._http.post("/api/v0/add", params={"cid-version": "1", "raw-leaves": "true",
                                                                   "pin": "false"},
                                           files={"file": (name, data, "application/octet-stream")})
                response.raise_for_status()
                answered = response.json().get("Hash")
            else:  # one raw block, so the CID stays the raw sha2-256 one
                response = self._http.post("/api/v0/block/put", params={"cid-codec": "raw", "mhtype": "sha2-256"},
                                           files={"file": (name, data, "application/octet-stream")})
                response.raise_for_status()
                answered = response.json().get("Key")
            if not names_same_bytes(str(answered), cid):
                raise PinError(f"daemon answered CID {answered}, expected {cid}")
            response = self._http.post("/api/v0/pin/add", params={"arg": cid})
            response.raise_for_status()
            if not any(names_same_bytes(str(pinned), cid) for pinned in response.json().get("Pins") or []):
                raise PinError(f"daemon did not confirm the pin of {cid}")
        except (httpx.HTTPError, ValueError) as exc:
            raise PinError(f"kubo: {type(exc).__name__}: {exc}"[:300]) from exc

    def fetch(self, cid: str) -> bytes:
        """The bytes stored under ``cid``; raises PinError unless they hash to it."""
        try:
            digest = sha256_of(cid)
            response = self._http.post("/api/v0/block/get", params={"arg": cid})
            response.raise_for_status()
        except (httpx.HTTPError, ValueError) as exc:
            raise PinError(f"kubo: {type(exc).__name__}: {exc}"[:300]) from exc
        if hashlib.sha256(response.content).digest() != digest:
            raise PinError(f"daemon returned bytes that do not hash to {cid}")
        return response.content


class PinningServiceClient:
    """The IPFS Pinning Service API: `POST /pins` with a bearer token (the service fetches the bytes)."""

    def __init__(self, endpoint: str, token: str, timeout: float = 10.0):
        self._http = httpx.Client(base_url=endpoint.rstrip("/"), timeout=timeout,
                                  headers={"Authorization": f"Bearer {token}"})

    def pin(self, cid: str, data: bytes, name: str) -> None:
        if cid != cid_v1_raw(data):
            raise PinError("refusing to pin bytes that do not hash to the given CID")
        try:
            response = self._http.post("/pins", json={"cid": cid, "name": name})
            response.raise_for_status()
            answered = response.json().get("pin", {}).get("cid")
        except (httpx.HTTPError, ValueError) as exc:
            raise PinError(f"pinning service: {type(exc).__name__}: {exc}"[:300]) from exc
        if answered != cid:
            raise PinError(f"pinning service answered CID {answered}, expected {cid}")


def backoff(attempts: int) -> float:
    """Seconds before the next try: exponential with jitter, capped."""
    return min(MAX_BACKOFF_S, 2.0 ** attempts) * random.uniform(0.5, 1.0)


def _content(session: Session, task: PinTask) -> tuple[bytes, str]:
    if task.target_kind == "record":
        canonical = session.scalar(select(AuditRecord.canonical).where(AuditRecord.id == task.target_id))
        return (canonical or "").encode("utf-8"), f"record-{task.target_id}.json"
    checkpoint = session.scalar(select(Checkpoint).where(Checkpoint.size == int(task.target_id)))
    document = checkpoint_document(vars(checkpoint)) if checkpoint is not None else b""
    return document, f"checkpoint-{task.target_id}.json"


def pin_due(sessions: sessionmaker[Session], client: PinClient, limit: int = 50) -> int:
    """Try every due pending task once; returns how many got pinned."""
    now = datetime.now(UTC)
    pinned = 0
    with sessions() as session:
        due = list(session.scalars(select(PinTask).where(PinTask.status == "pending",
                                                         PinTask.next_attempt_at <= now)
                                   .order_by(PinTask.id).limit(limit)))
        for task in due:
            data, name = _content(session, task)
            try:
                client.pin(task.cid, data, name)
            except PinError as exc:
                task.attempts += 1
                task.last_error = str(exc)
                task.next_attempt_at = datetime.now(UTC) + timedelta(seconds=backoff(task.attempts))
            else:
                task.status, task.pinned_at, task.last_error = "pinned", datetime.now(UTC), None
                pinned += 1
            session.commit()
    return pinned


class PinWorker:
    """A background thread that drains the outbox every ``interval`` seconds until stopped."""

    def __init__(self, sessions: sessionmaker[Session], client: PinClient, interval: float = 2.0):
        self._sessions, self._client, self._interval = sessions, client, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="audit-pinner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):  # a broken database is retried at the next tick
                pin_due(self._sessions, self._client)
            self._stop.wait(self._interval)
