"""The /audit explorer: server-rendered pages, filters, login, escaping, and the in-browser proof check
driven in headless Chromium through playwright-core."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from app.auth import create_key
from app.runtime import Services
from tests.conftest import ROOT, need, serving
from tests.support.helpers import BOB, DEMO, DPUNK, DRAINER_EOA, DUSD, MAX_UINT, calldata, explain_now, tamper, tx

ARTIFACTS = ROOT / "artifacts"
REQUESTS = [
    tx(DUSD, calldata("approve(address,uint256)", DRAINER_EOA, MAX_UINT)),  # block
    tx(DUSD, calldata("transfer(address,uint256)", BOB, 5)),  # ok
    tx(DPUNK, calldata("setApprovalForAll(address,bool)", DEMO, True)),
    {"chain_id": 31337, "method": "personal_sign", "params": ["0x" + b"<script>alert(1)</script> sign in".hex(), BOB]},
]


@pytest.fixture
def ledger(sqlite_url: str, make_services: Callable[..., Services]) -> tuple[Services, list[dict]]:
    services = make_services(sqlite_url)
    results = [explain_now(REQUESTS[i % len(REQUESTS)], services) for i in range(9)]
    return services, results


def test_list_filters_and_record_page(ledger: tuple[Services, list[dict]]) -> None:
    services, results = ledger
    blocked = [r for r in results if r["verdict"] == "block"]
    with serving(services) as base:
        page = httpx.get(f"{base}/audit")
        filtered = httpx.get(f"{base}/audit", params={"verdict": "block", "address": "", "rule": ""})
        by_rule = httpx.get(f"{base}/audit", params={"rule": "APPROVAL_TO_EOA"})
        record = httpx.get(f"{base}/audit/records/{blocked[0]['audit']['id']}")
        bad_time = httpx.get(f"{base}/audit", params={"since": "yesterday"})
        bad_verdict = httpx.get(f"{base}/audit", params={"verdict": "maybe"})
        missing = httpx.get(f"{base}/audit/records/01NOPE")
        script = httpx.get(f"{base}/audit/static/verify.js")
    assert page.status_code == 200 and page.text.count('<tr class="record"') == len(results)
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert filtered.text.count('data-verdict="block"') == len(blocked) == filtered.text.count('<tr class="record"')
    assert by_rule.text.count('<tr class="record"') == len(blocked)
    assert record.status_code == 200
    for shown in ("APPROVAL_TO_EOA", "UNLIMITED_APPROVAL", str(escape(blocked[0]["explanation"]["summary"][:30])),
                  blocked[0]["audit"]["leaf_hash"], 'id="proof-data"'):
        assert shown in record.text
    assert bad_time.status_code == 400 and 'data-field="since"' in bad_time.text
    assert bad_verdict.status_code == 400 and 'data-field="verdict"' in bad_verdict.text
    assert missing.status_code == 404
    assert script.status_code == 200 and "crypto.subtle" in script.text


def test_attacker_text_is_escaped(ledger: tuple[Services, list[dict]]) -> None:
    services, results = ledger
    signed = next(r for r in results if r["kind"] == "message")
    with serving(services) as base:
        page = httpx.get(f"{base}/audit/records/{signed['audit']['id']}")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text  # rendered as text, and CSP would block it anyway
    assert "&lt;script&gt;alert(1)" in page.text or "\\u003cscript\\u003e" in page.text


def log_in(browser: httpx.Client, key: str, target: str = "/audit", **headers: str) -> httpx.Response:
    """What a browser does: open the login form (its CSRF cookie and token), then post it."""
    import re

    form = browser.get("/audit/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    return browser.post("/audit/login", data={"key": key, "next": target, "csrf": token}, headers=headers)


def test_keys_required_asks_for_a_key_and_scopes_the_tenant(sqlite_url: str,
                                                             make_services: Callable[..., Services]) -> None:
    services = make_services(sqlite_url, api_keys="required")
    explain_now(REQUESTS[0], services)  # tenant "default"
    client_key = create_key(services.sessions, tenant="acme")[0]
    auditor_key = create_key(services.sessions, tenant="ops", role="auditor")[0]
    with serving(services) as base:
        anonymous = httpx.get(f"{base}/audit")
        with httpx.Client(base_url=base) as browser:
            wrong = log_in(browser, "txe_nope_nope")
        with httpx.Client(base_url=base) as browser:
            login = log_in(browser, client_key, "https://evil.example/")
            as_client = browser.get("/audit")
        with httpx.Client(base_url=base) as browser:
            log_in(browser, auditor_key)
            as_auditor = browser.get("/audit")
        with httpx.Client(base_url=base) as browser:  # login CSRF: another site posting its own key for the victim
            forged = browser.post("/audit/login", data={"key": client_key, "next": "/audit"})
            cross_site = log_in(browser, client_key, origin="https://evil.example")
        slow_key = create_key(services.sessions, tenant="acme", rate_per_minute=1)[0]
        limited = [httpx.get(f"{base}/audit", headers={"Authorization": f"Bearer {slow_key}"}) for _ in range(2)]
    assert anonymous.status_code == 401 and 'name="key"' in anonymous.text
    assert forged.status_code == 403 and cross_site.status_code == 403  # no token, or another site's Origin
    assert "txexplain_key" not in cross_site.headers.get("set-cookie", "")  # the victim is not logged in
    assert wrong.status_code == 401 and "unknown API key" in wrong.text
    assert login.status_code == 303 and login.headers["location"] == "/audit"  # never off-site
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/audit" in cookie
    assert as_client.status_code == 200 and as_client.text.count('<tr class="record"') == 0
    assert as_auditor.text.count('<tr class="record"') == 1
    assert [r.status_code for r in limited] == [200, 429] and "retry-after" in limited[1].headers


@pytest.mark.browser
def test_browser_list_filter_record_proof_and_tamper(ledger: tuple[Services, list[dict]], tmp_path: Path) -> None:
    """Headless Chromium: list, verdict filter, a record's WebCrypto proof, a tampered record failing."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    need(Path(chromium).exists() and (ROOT / "node_modules" / "playwright-core").exists(),
         "Debian chromium and npm playwright-core")
    services, results = ledger
    blocked = [r for r in results if r["verdict"] == "block"]
    victim = blocked[-1]["audit"]
    tamper(services, victim["seq"], "UPDATE audit_records SET verdict = 'ok' WHERE seq = :seq")
    backdated = next(r for r in results if r["verdict"] != "block")["audit"]
    tamper(services, backdated["seq"], "UPDATE audit_records SET created_at = '2020-01-01 00:00:00.000000' "
                                       "WHERE seq = :seq")
    env = {**os.environ, "CHROMIUM": chromium, "ARTIFACTS": str(ARTIFACTS), "TAMPERED_ID": victim["id"],
           "BACKDATED_ID": backdated["id"], "EXPECT_BLOCK": str(len(blocked) - 1)}
    with serving(services) as base:
        done = subprocess.run(["node", str(ROOT / "tests" / "browser" / "explorer.mjs")], env=env | {
            "TXEXPLAIN_URL": base}, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "field 'verdict' shown here differs from the signed record" in done.stdout
    assert "backdated: ✘ field 'created_at' shown here differs from the signed record" in done.stdout
    # a database attacker re-signs the latest checkpoint with a key of their own: the page pins the service's key
    from audit import Signer
    from audit.queries import latest_checkpoint

    other = Signer.load_or_create(tmp_path / "attacker.key")
    latest = latest_checkpoint(services.sessions)
    assert latest is not None
    forged = other.sign(latest.signed.encode())
    tamper(services, latest.size, f"UPDATE audit_checkpoints SET public_key = '{other.public_key_hex}', "
                                  f"key_id = '{other.key_id}', signature = '{forged}' WHERE size = :seq")
    with serving(services) as base:
        untrusted = subprocess.run(["node", str(ROOT / "tests" / "browser" / "explorer.mjs")], env=env | {
            "TXEXPLAIN_URL": base, "UNTRUSTED_ID": results[0]["audit"]["id"]}, capture_output=True, text=True,
            timeout=180)
    assert untrusted.returncode == 0, untrusted.stdout + untrusted.stderr
    assert f"checkpoint is signed by a key this explorer does not trust (key id {other.key_id})" in untrusted.stdout
    assert services.ledger.signer.key_id in untrusted.stdout  # the pinned fingerprint is shown
    assert (ARTIFACTS / "audit-record-verified.png").stat().st_size > 10_000
