"""Refreshing URL feeds: a conditional GET (If-None-Match / If-Modified-Since); 304 confirms the feed, 200 replaces
it, and any failure — the network, a status, a file the parser refuses — keeps the last good version and records
why, retried with backoff. The request path never waits on it: it runs in the CLI or a background thread."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from chain.intel import operator
from chain.intel.operator import FeedError, FeedMeta

MAX_FEED_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Refreshed:
    """What one refresh did: ``outcome`` is updated | unchanged | failed."""

    feed: str
    outcome: str
    meta: FeedMeta
    error: str | None = None


@dataclass(frozen=True)
class Fetched:
    """A feed URL's answer: status, the validators to send next time, and the body."""

    status: int
    etag: str | None
    last_modified: str | None
    body: bytes


def fetch(url: str, meta: FeedMeta | None = None, timeout_s: float = 30.0) -> Fetched:
    """GET ``url``, conditional on what ``meta`` recorded; the body is capped at MAX_FEED_BYTES.

    Raises:
        httpx.HTTPError: the transfer failed, answered an error status, or the body is over the cap.
    """
    headers = {}
    if meta is not None and meta.etag:
        headers["If-None-Match"] = meta.etag
    if meta is not None and meta.last_modified:
        headers["If-Modified-Since"] = meta.last_modified
    with httpx.stream("GET", url, headers=headers, timeout=timeout_s, follow_redirects=True) as response:
        if response.status_code != 304:
            response.raise_for_status()
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_FEED_BYTES:
                raise httpx.HTTPError(f"the feed is over {MAX_FEED_BYTES} bytes")
        return Fetched(response.status_code, response.headers.get("ETag"), response.headers.get("Last-Modified"),
                       bytes(body))


def refresh_feed(meta: FeedMeta) -> Refreshed:
    """Refresh one URL feed in place; never raises."""
    now = datetime.now(UTC).isoformat()
    try:
        answer = fetch(meta.url or "", meta)
        if answer.status == 304:
            return Refreshed(meta.feed, "unchanged", operator.update_meta(meta.feed, checked_at=now, last_error=None))
        fresh = operator.store_feed(meta.feed, meta.category, answer.body, meta.url or meta.source, url=meta.url,
                                    etag=answer.etag, last_modified=answer.last_modified, max_age_s=meta.max_age_s)
        return Refreshed(meta.feed, "updated" if fresh.sha256 != meta.sha256 else "unchanged", fresh)
    except (httpx.HTTPError, FeedError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
        try:
            kept = operator.update_meta(meta.feed, last_error=f"{now}: {error}")
        except (FeedError, OSError):
            kept = meta
        return Refreshed(meta.feed, "failed", kept, error)


def refresh_due(now: datetime | None = None) -> list[Refreshed]:
    """Refresh every URL feed older than half its max age (or failing): the loaded feeds are reloaded after."""
    done = []
    for meta in list(operator.operator_feeds().meta.values()):
        if meta.url and (meta.last_error or meta.max_age_s is None or meta.age_s(now) > meta.max_age_s / 2):
            done.append(refresh_feed(meta))
    if done:
        operator.reload()
    return done


class FeedRefresher:
    """A background thread refreshing due URL feeds every ``interval_s`` (with jitter; doubling after a failure,
    up to an hour) until stopped."""

    def __init__(self, interval_s: float, on_refresh: Callable[[list[Refreshed]], None] | None = None):
        self._interval, self._on_refresh = interval_s, on_refresh
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="intel-refresher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        wait = self._interval
        while not self._stop.wait(wait * random.uniform(0.8, 1.2)):
            try:
                done = refresh_due()
            except Exception:  # a broken directory is retried at the next tick
                done = []
            failed = any(r.outcome == "failed" for r in done)
            wait = min(3600.0, wait * 2) if failed else self._interval
            if done and self._on_refresh is not None:
                self._on_refresh(done)
