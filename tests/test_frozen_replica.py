"""One replica frozen or cut off while it holds the ledger's advisory lock must not stop the others' writes: the
server ends a session idle inside its transaction after TXEXPLAIN_DATABASE_TIMEOUT_S, which frees the lock. A real
holder process takes the lock exactly as the sequencer does and is then SIGSTOPped, or partitioned away in its own
network namespace (veth pair, loopback addresses only)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import create_engine, text

from app.runtime import Services
from audit import AuditWriteError
from audit.ledger import ADVISORY_KEY
from tests.support.helpers import ROOT_DIR, assert_ledger_whole, record_body
from tests.support.tcp_proxy import TcpProxy

TIMEOUT_S = 2.0
HOLDER = """
import sys, time
from sqlalchemy import text
from audit.db import make_engine
engine = make_engine(sys.argv[1], float(sys.argv[2]))
with engine.connect() as connection:
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(sys.argv[3])})
    print("locked", flush=True)
    time.sleep(600)
"""


def hold_lock(url: str, prefix: list[str] | None = None) -> subprocess.Popen[str]:
    """A process that takes the ledger's advisory lock in a transaction and keeps it; returns once it holds it."""
    holder = subprocess.Popen([*(prefix or []), sys.executable, "-c", HOLDER, url, str(TIMEOUT_S), str(ADVISORY_KEY)],
                              cwd=ROOT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked", holder.stderr.read()
    return holder


def first_write_after(services: Services, started: float, limit_s: float) -> float:
    """Seconds from ``started`` until a healthy replica's append succeeds (failing the test past ``limit_s``)."""
    while time.monotonic() - started < limit_s:
        try:
            services.ledger.append_batch([record_body({"probe": uuid.uuid4().hex})])
            return time.monotonic() - started
        except AuditWriteError:
            time.sleep(0.2)
    pytest.fail(f"no write within {limit_s} s: the frozen holder kept the ledger's lock")


def lock_holders(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        held = connection.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"))
    engine.dispose()
    return int(held or 0)


@pytest.mark.postgres
@pytest.mark.slow
def test_a_sigstopped_replica_holding_the_lock_stops_nobody(postgres_url: str,
                                                            make_services: Callable[..., Services]) -> None:
    healthy = make_services(postgres_url, database_timeout_s=TIMEOUT_S)
    healthy.ledger.append_batch([record_body({"before": 1})])
    holder = hold_lock(postgres_url)
    try:
        os.kill(holder.pid, signal.SIGSTOP)  # frozen mid-transaction: its kernel still answers TCP
        started = time.monotonic()
        waited = first_write_after(healthy, started, limit_s=8 * TIMEOUT_S)
        assert waited >= TIMEOUT_S * 0.5  # the lock really was held: the first attempts waited
        assert lock_holders(postgres_url) == 0  # the frozen session is gone, and its lock with it
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert assert_ledger_whole(postgres_url, healthy.ledger.signer.public_key_hex, []) == 2


@contextmanager
def partitioned_namespace() -> Iterator[tuple[str, str, Callable[[], None]]]:
    """A network namespace joined to this one by a veth pair: (namespace, host-side address, cut)."""
    if shutil.which("ip") is None or os.geteuid() != 0:
        pytest.skip("needs root and iproute2 for a network namespace")
    tag = uuid.uuid4().hex[:6]
    ns, host_if, ns_if = f"txe{tag}", f"vh{tag}", f"vn{tag}"
    octet = int(tag[:2], 16) % 250 + 1
    host_ip, ns_ip = f"10.231.{octet}.1", f"10.231.{octet}.2"

    def ip(*args: str) -> None:
        subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)

    try:
        ip("netns", "add", ns)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"network namespaces unavailable: {exc.stderr.decode()[:200]}")
    try:
        ip("link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        ip("link", "set", ns_if, "netns", ns)
        ip("addr", "add", f"{host_ip}/30", "dev", host_if)
        ip("link", "set", host_if, "up")
        ip("netns", "exec", ns, "ip", "addr", "add", f"{ns_ip}/30", "dev", ns_if)
        ip("netns", "exec", ns, "ip", "link", "set", ns_if, "up")
        ip("netns", "exec", ns, "ip", "link", "set", "lo", "up")
        yield ns, host_ip, lambda: ip("link", "set", host_if, "down")
    finally:
        subprocess.run(["ip", "link", "del", host_if], capture_output=True, timeout=10)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=10)


@pytest.mark.postgres
@pytest.mark.slow
def test_a_partitioned_replica_holding_the_lock_stops_nobody(postgres_url: str,
                                                             make_services: Callable[..., Services]) -> None:
    healthy = make_services(postgres_url, database_timeout_s=TIMEOUT_S)
    with partitioned_namespace() as (ns, host_ip, cut):
        parts = urlsplit(postgres_url)
        proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432, bind=host_ip)  # Postgres for the ns
        auth = parts.netloc.rpartition("@")[0]
        remote = urlunsplit(parts._replace(netloc=f"{auth}@{host_ip}:{proxy.port}" if auth else
                                           f"{host_ip}:{proxy.port}"))
        holder = hold_lock(remote, ["ip", "netns", "exec", ns])
        try:
            cut()  # the holder's packets go nowhere now; it never commits, never closes
            started = time.monotonic()
            first_write_after(healthy, started, limit_s=8 * TIMEOUT_S)
            assert lock_holders(postgres_url) == 0
        finally:
            holder.kill()
            holder.wait()
            proxy.close()
    assert assert_ledger_whole(postgres_url, healthy.ledger.signer.public_key_hex, []) == 1
