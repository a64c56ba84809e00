"""Operator feeds: address and domain lists imported with `txexplain intel import` (a file or a URL), every entry
validated, stored with provenance and recorded in the audit ledger; KNOWN_MALICIOUS, SANCTIONED_ADDRESS,
PHISHING_ORIGIN and the labels read them; a URL feed refreshes conditionally, keeps its last good version when a
fetch fails, and /readyz names a stale one."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.runtime import Services
from audit import AuditRecord, verify_ledger
from chain.analyze import analyze
from chain.intel import operator
from chain.intel.operator import AddressSet, FeedError, parse_feed
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from tests.support.helpers import ALICE, BOB, DRAINER_EOA, DUSD, ROOT_DIR, calldata, tx

SANCTIONED = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"  # an address from OFAC's 2022 Tornado Cash designation


def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TXEXPLAIN_INTEL_DIR": str(home / "feeds"),
           "TXEXPLAIN_DATABASE_URL": f"sqlite:///{home / 'audit.db'}",
           "TXEXPLAIN_SIGNING_KEY_PATH": str(home / "signing.key")}
    return subprocess.run([sys.executable, "-m", "app.cli", "intel", *args], cwd=ROOT_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def feeds(tmp_path: Path) -> Iterator[Path]:
    """The intel directory the process reads, configured for the test and reset after."""
    operator.configure(tmp_path / "feeds")
    yield tmp_path
    operator.configure(None)


def judged(raw: dict[str, Any], backend: RevmBackend, policy: Policy):  # type: ignore[no-untyped-def]
    operator.reload()
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    return analysis, {f.rule: f.evidence for f in analysis.findings}


def test_every_shape_a_list_comes_in_parses() -> None:
    scamsniffer = json.dumps({"address": [DRAINER_EOA.lower()], "domains": ["drain.example.com"]}).encode()
    assert parse_feed(scamsniffer, "malicious") == [(DRAINER_EOA.lower(), None)]
    assert parse_feed(scamsniffer, "phishing") == [("drain.example.com", None)]
    objects = json.dumps([{"address": DRAINER_EOA, "label": "Inferno Drainer"}]).encode()
    assert parse_feed(objects, "labels") == [(DRAINER_EOA.lower(), "Inferno Drainer")]
    csv = f"# exported 2026-12-01\nname,address\nTornado,{SANCTIONED}\n".encode()
    assert parse_feed(csv, "sanctioned") == [(SANCTIONED.lower(), "Tornado")]
    assert parse_feed(f"{BOB}\n\n{ALICE.lower()}\n".encode(), "malicious") == [(BOB.lower(), None),
                                                                                (ALICE.lower(), None)]
    assert parse_feed(b"https://Evil.example.org/login\n", "phishing") == [("evil.example.org", None)]


@pytest.mark.parametrize(("raw", "where"), [
    (f"address\n{DRAINER_EOA}\n0x1234\n".encode(), "line 3: '0x1234' is not an address"),
    (json.dumps([DRAINER_EOA, 42]).encode(), "item 1: '42' is not an address"),
    (DRAINER_EOA.replace("e", "E", 1).encode() + b"\n", "invalid EIP-55 checksum"),
    (b"[1, 2", "not valid JSON"),
    (b"# nothing\n", "no entry"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_a_bad_entry_is_named(raw: bytes, where: str) -> None:
    with pytest.raises(FeedError, match=where.replace("(", r"\(")):
        parse_feed(raw, "malicious")


def test_the_sorted_blob_agrees_with_a_set() -> None:
    rng = random.Random(7)
    keys = [rng.randbytes(20) for _ in range(5000)]
    listed = AddressSet(keys[:2500], {})
    for key in keys:
        assert listed.find("0x" + key.hex())[0] == (key in set(keys[:2500]))


def test_import_through_the_cli_records_it_and_a_bad_file_writes_nothing(tmp_path: Path) -> None:
    good = tmp_path / "scam.csv"
    good.write_text(f"address,label\n{DRAINER_EOA},Inferno Drainer\n")
    done = cli(tmp_path, "import", str(good), "--feed", "scamsniffer", "--category", "malicious", "--json")
    assert done.returncode == 0, done.stderr
    imported = json.loads(done.stdout)
    assert imported["entries"] == 1 and len(imported["sha256"]) == 64 and imported["audit_record"]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"address\n{BOB}\nnot-an-address\n")
    refused = cli(tmp_path, "import", str(bad), "--feed", "scamsniffer", "--category", "malicious")
    assert refused.returncode == 2 and "line 3" in refused.stderr
    listed = json.loads(cli(tmp_path, "list", "--json").stdout)
    assert [r["entries"] for r in listed if r["feed"] == "scamsniffer"] == [1]  # the good version stayed
    assert cli(tmp_path, "import", str(good), "--feed", "Bad Name", "--category", "malicious").returncode == 2
    assert cli(tmp_path, "import", str(good), "--feed", "x", "--category", "nope").returncode == 2
    assert cli(tmp_path, "import", str(tmp_path / "missing.csv"), "--feed", "x",
               "--category", "malicious").returncode == 2
    from audit import make_engine, session_factory

    sessions = session_factory(make_engine(f"sqlite:///{tmp_path / 'audit.db'}"))
    with sessions() as session:
        kinds = [(r.kind, r.request["feed"], r.result["sha256"]) for r in session.scalars(select(AuditRecord))]
    assert kinds == [("intel_feed", "scamsniffer", imported["sha256"])]


def test_rules_read_the_feeds_and_name_them(feeds: Path, backend: RevmBackend, policy: Policy) -> None:
    operator.store_feed("scams", "malicious", f"{DRAINER_EOA}\n".encode(), "scams.txt", version="2026-12-01")
    operator.store_feed("ofac", "sanctioned", f"{SANCTIONED}\n{ALICE}\n".encode(), "sdn.csv")
    operator.store_feed("names", "labels", json.dumps([{"address": BOB, "label": "Bob's exchange"}]).encode(), "n")
    approve = tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, 5))
    _, found = judged(approve, backend, policy)
    assert found["KNOWN_MALICIOUS"]["feed"] == "scams" and found["KNOWN_MALICIOUS"]["version"] == "2026-12-01"
    assert found["SANCTIONED_ADDRESS"]["address"] == ALICE  # the sender is on the sanctions feed
    analysis, found = judged(tx(DUSD, calldata("transfer(address,uint256)", BOB, 5)), backend, policy)
    assert "KNOWN_MALICIOUS" not in found and analysis.facts.labels[BOB].name == "Bob's exchange"
    assert analysis.facts.labels[BOB].source.startswith("names (n, sha256:")


def test_an_imported_phishing_domain_fires_unless_the_bundled_list_allows_it(feeds: Path, backend: RevmBackend,
                                                                            policy: Policy) -> None:
    operator.store_feed("phish", "phishing", b"drain-wallet.example\nmetamask.io\n", "phish.txt")
    request = tx(DUSD, calldata("transfer(address,uint256)", BOB, 5))
    _, found = judged({**request, "context": {"origin": "https://app.drain-wallet.example"}}, backend, policy)
    assert found["PHISHING_ORIGIN"]["feed"] == "phish"
    assert found["PHISHING_ORIGIN"]["host"] == "app.drain-wallet.example"
    _, found = judged({**request, "context": {"origin": "https://metamask.io"}}, backend, policy)
    assert "PHISHING_ORIGIN" not in found  # eth-phishing-detect allowlists it: the allowlist wins


class FeedServer:
    """A loopback HTTP server for one feed: ``body``, ``etag``, or ``fail`` to answer 500."""

    def __init__(self) -> None:
        self.body, self.etag, self.fail, self.conditional = f"{DRAINER_EOA}\n".encode(), '"v1"', False, 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if server.fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == server.etag:
                    server.conditional += 1
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", server.etag)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}/feed.txt"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def test_a_url_feed_refreshes_and_keeps_its_last_good_version(tmp_path: Path) -> None:
    server = FeedServer()
    try:
        assert cli(tmp_path, "import", server.url, "--feed", "live", "--category", "malicious",
                   "--max-age-hours", "1").returncode == 0
        unchanged = json.loads(cli(tmp_path, "refresh", "--json").stdout)
        assert unchanged[0]["outcome"] == "unchanged" and server.conditional == 1  # If-None-Match → 304
        server.fail = True
        failed = cli(tmp_path, "refresh", "--json")
        assert failed.returncode == 1 and "500" in json.loads(failed.stdout)[0]["error"]
        listed = next(r for r in json.loads(cli(tmp_path, "list", "--json").stdout) if r["feed"] == "live")
        assert listed["entries"] == 1 and "500" in listed["last_error"]  # the old version is still loaded
        server.fail, server.etag, server.body = False, '"v2"', f"{DRAINER_EOA}\n{BOB}\n".encode()
        updated = json.loads(cli(tmp_path, "refresh", "--json").stdout)
        assert updated[0]["outcome"] == "updated"
        listed = next(r for r in json.loads(cli(tmp_path, "list", "--json").stdout) if r["feed"] == "live")
        assert listed["entries"] == 2 and listed["last_error"] is None
    finally:
        server.close()


def test_readyz_names_a_stale_feed_and_the_ledger_verifies(feeds: Path, sqlite_url: str,
                                                           make_services: Callable[..., Services]) -> None:
    from app.api import create_app
    from app.intel_records import append_feed_record

    services = make_services(sqlite_url, intel_dir=feeds / "feeds")
    meta = operator.store_feed("old", "malicious", f"{DRAINER_EOA}\n".encode(), "old.txt", max_age_s=60)
    operator.update_meta("old", checked_at="2020-01-01T00:00:00+00:00")
    operator.reload()
    append_feed_record(services.ledger, meta, "imported", services.policy.identity)
    with TestClient(create_app(services.settings, services), base_url="http://127.0.0.1") as client:
        body = client.get("/readyz").json()
    assert body["status"] == "ready" and "intel" in body["degraded"]
    assert body["checks"]["intel"]["stale"] == ["old"]
    assert verify_ledger(services.sessions, services.ledger.signer.public_key_hex).ok
