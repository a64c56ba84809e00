"""Threat intelligence from the registries' packages: phishing domains decided exactly as npm eth-phishing-detect's
own detector decides (run over the same domains), and the rules that use them and the token lists."""

from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from chain.analyze import analyze
from chain.intel.phishing import PACKAGE, host_of, phishing_list
from chain.intel.tokens import skeleton, token_lists
from chain.request import parse_request
from chain.rules import Policy
from chain.simulate import RevmBackend
from chain.trace import Trace
from tests.support.helpers import ROOT_DIR, registered

CONFIG = ROOT_DIR / "node_modules" / PACKAGE / "src" / "config.json"
CORPUS = {p["name"]: p for p in json.loads((ROOT_DIR / "tests/payloads/corpus.json").read_text())["payloads"]}
KIND = {"whitelist": "allowlist", "blacklist": "blocklist", "fuzzy": "fuzzy", "all": "none"}


@pytest.fixture(scope="module")
def listed():  # type: ignore[no-untyped-def]
    loaded = phishing_list()
    if loaded is None:
        pytest.skip(f"npm {PACKAGE} is not installed")
    return loaded


def sample_domains() -> list[str]:
    """Blocked and allowed domains, their subdomains, near misses of protected ones, the package's own test sets
    of popular sites and dApps, and made-up names."""
    config = json.loads(CONFIG.read_text())
    rng = random.Random(7)
    block, allow, fuzzy = config["blacklist"], config["whitelist"], config["fuzzylist"]
    domains = rng.sample(block, 300) + rng.sample(allow, 200) + fuzzy
    domains += ["www." + d for d in rng.sample(block, 50)] + ["app." + d for d in rng.sample(allow, 50)]
    for target in [*fuzzy, "metamask.io", "myetherwallet.com", "uniswap.org", "opensea.io"]:
        name, _, tld = target.rpartition(".")
        domains += [f"{name[:-1]}.{tld}", f"{name}x.{tld}", f"{name}.xyz", f"www.{name[1:]}.{tld}",
                    f"{name[:2]}{name[3:]}.com"]
    for extra in ("alexa.json", "dapps.json"):
        path = CONFIG.parent.parent / "test" / extra
        if path.exists():
            domains += json.loads(path.read_text())[:300]
    domains += ["example.com", "wallet.example", "a.b.c.d.e", "localhost", "co.uk"]
    return sorted({d.lower() for d in domains if isinstance(d, str) and d})


def test_decisions_equal_the_packages_own_detector(listed) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("node") is None:
        pytest.skip("node is absent")
    domains = sample_domains()
    done = subprocess.run(["node", str(ROOT_DIR / "tests" / "support" / "detect.cjs")], input="\n".join(domains),
                          capture_output=True, text=True, timeout=120, check=True)
    theirs = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(theirs) == len(domains) > 700
    differ = [(t["domain"], t["type"], t["match"], listed.check(t["domain"]))
              for t in theirs if (KIND[t["type"]], t["match"]) != (listed.check(t["domain"]).kind,
                                                                   listed.check(t["domain"]).match)]
    assert differ == []
    kinds = {listed.check(d).kind for d in domains}
    assert kinds == {"allowlist", "blocklist", "fuzzy", "none"}  # the sample exercises every branch


def test_origin_hosts_are_read_as_browsers_read_them() -> None:
    assert host_of("https://App.Uniswap.org:443/swap?x=1") == "app.uniswap.org"
    assert host_of("uniswap.org.") == "uniswap.org"
    assert host_of("https://xn--mtamask-0ya.io") == "xn--mtamask-0ya.io"
    assert host_of("https://mеtamask.io") == "xn--mtamask-7gg.io"  # a Cyrillic е: compared as punycode


def explain(raw: dict, backend: RevmBackend, policy: Policy) -> tuple[str, dict[str, dict]]:
    analysis = analyze(parse_request(raw), backend, policy, Trace())
    return analysis.verdict, {f.rule: f.evidence for f in analysis.findings}


def signing(origin: str) -> dict:
    """viem's personal_sign of a multi-line message (tests/payloads/corpus.json), asked for by ``origin``."""
    return {**CORPUS["viem-personal-sign-multiline"]["request"], "context": {"origin": origin}}


def test_a_blocklisted_site_blocks_and_names_the_list(listed, backend: RevmBackend, policy: Policy) -> None:  # type: ignore[no-untyped-def]
    blocked = json.loads(CONFIG.read_text())["blacklist"][0]
    verdict, findings = explain(signing(f"https://www.{blocked}/claim"), backend, policy)
    assert verdict == "block" and "PHISHING_ORIGIN" in findings
    evidence = findings["PHISHING_ORIGIN"]
    version = json.loads((CONFIG.parent.parent / "package.json").read_text())["version"]
    assert evidence["host"] == f"www.{blocked}" and evidence["source"] == f"{PACKAGE}@{version} src/config.json"
    assert len(evidence["sha256"]) == 64 and evidence["feed"] == "phishing-domains"


def test_a_lookalike_warns_and_a_protected_site_does_not(listed, backend: RevmBackend, policy: Policy) -> None:  # type: ignore[no-untyped-def]
    verdict, findings = explain(signing("https://metmask.io"), backend, policy)
    assert findings["LOOKALIKE_ORIGIN"]["resembles"] == "metamask.io" and verdict == "warn"
    _, findings = explain(signing("https://metamask.io"), backend, policy)
    assert not {"PHISHING_ORIGIN", "LOOKALIKE_ORIGIN"} & set(findings)
    _, findings = explain(signing("https://app.uniswap.org"), backend, policy)
    assert not {"PHISHING_ORIGIN", "LOOKALIKE_ORIGIN"} & set(findings)


def test_a_homoglyph_of_a_listed_site_is_a_lookalike(listed, backend: RevmBackend, policy: Policy) -> None:  # type: ignore[no-untyped-def]
    """A host spelled with another script's look-alike letters: punycode is far from the name by edit distance, so
    the package's fuzzy match misses it; folded by Unicode's confusables it is the protected or allowed domain."""
    verdict, findings = explain(signing("https://metam\u0430sk.io"), backend, policy)  # a Cyrillic "а"
    evidence = findings["LOOKALIKE_ORIGIN"]
    assert (evidence["host"], evidence["resembles"], evidence["homoglyph"]) == (
        "xn--metamsk-6fg.io", "metamask.io", True)
    assert verdict == "warn" and "PHISHING_ORIGIN" not in findings  # never critical: fuzzy by nature
    _, findings = explain(signing("https://app.un\u0456swap.org"), backend, policy)  # a Ukrainian "і"
    assert findings["LOOKALIKE_ORIGIN"]["resembles"] == "app.uniswap.org"
    _, findings = explain(signing("https://\u00fcber.example"), backend, policy)  # a real IDN, imitating nothing
    assert "LOOKALIKE_ORIGIN" not in findings


def permit(contract: str, name: str) -> dict:
    """viem's EIP-2612 USDC permit (tests/payloads/corpus.json) with its domain's contract and name replaced."""
    request = CORPUS["viem-eip2612-permit-max"]["request"]
    typed = json.loads(request["params"][1])
    typed["domain"].update(verifyingContract=contract, name=name)
    return {**request, "params": [request["params"][0], json.dumps(typed)]}


def test_a_permit_for_an_impersonator_usdc_on_mainnet(backend: RevmBackend, policy: Policy) -> None:
    lists = token_lists()
    real = lists.label(1, registered("Token", "USDC"))
    if real is None:
        pytest.skip("the token lists are not installed")
    _, findings = explain(permit("0x" + "77" * 20, "USD Coin"), backend, policy)
    evidence = findings["IMPERSONATOR_TOKEN"]
    assert evidence["listed_address"] == registered("Token", "USDC")
    assert evidence["claims"] == "USD Coin" and evidence["feed"] in ("uniswap-default-token-list",
                                                                     "metamask-contract-metadata")
    _, genuine = explain(permit(registered("Token", "USDC"), "USD Coin"), backend, policy)
    assert "IMPERSONATOR_TOKEN" not in genuine
    _, elsewhere = explain(permit("0x" + "77" * 20, "My Own Token"), backend, policy)
    assert "IMPERSONATOR_TOKEN" not in elsewhere


def test_a_look_alike_in_another_script_is_the_same_name(backend: RevmBackend, policy: Policy) -> None:
    """Unicode's confusables (TR39, PyPI confusable-homoglyphs) fold Cyrillic "С", "о" and Greek "Ο" to Latin."""
    if token_lists().label(1, registered("Token", "USDC")) is None:
        pytest.skip("the token lists are not installed")
    _, findings = explain(permit("0x" + "77" * 20, "USD \u0421\u043ein"), backend, policy)  # Cyrillic С and о
    assert findings["IMPERSONATOR_TOKEN"]["listed_address"] == registered("Token", "USDC")
    assert skeleton("U\u0405D\u0421") == "USDC" and skeleton("\u039f\uff2b") == "OK"


def test_ledgers_lists_name_tokens_on_the_chains_they_cover(backend: RevmBackend, policy: Policy) -> None:
    lists = token_lists()
    ledger = {p.feed: p for p in lists.provenance if p.feed.startswith("ledger-erc20-")}
    if not ledger:
        pytest.skip("npm @ledgerhq/cryptoassets-evm-signatures is not installed")
    assert {"ledger-erc20-1", "ledger-erc20-8453", "ledger-erc20-42161"} <= set(ledger)
    assert ledger["ledger-erc20-1"].source.startswith("@ledgerhq/cryptoassets-evm-signatures@13.7.1 ")
    only_ledger = [t for (chain, _), t in lists.by_address.items() if t.provenance.feed.startswith("ledger-")]
    assert only_ledger  # tokens no other list names
    token = only_ledger[0]
    assert lists.impersonated(token.chain_id, "0x" + "77" * 20, token.symbol) == token


def test_intel_list_names_every_feed_with_its_provenance(listed) -> None:  # type: ignore[no-untyped-def]
    import sys

    done = subprocess.run([sys.executable, "-m", "app.cli", "intel", "list", "--json"], cwd=ROOT_DIR,
                          capture_output=True, text=True, timeout=120, check=True)
    feeds = {f["feed"]: f for f in json.loads(done.stdout)}
    assert feeds["phishing-domains"]["entries"] == listed.provenance.entries > 10_000
    assert feeds["phishing-domains"]["sha256"] == listed.provenance.sha256
    assert feeds["uniswap-default-token-list"]["source"].startswith("@uniswap/default-token-list@")
    assert feeds["ofac-sdn"]["source"].startswith("@celo/compliance@") and feeds["ofac-sdn"]["entries"] > 100
    assert feeds["safe_deployments"]["entries"] > 1_000


def test_an_absent_feed_is_a_check_that_could_not_run(backend: RevmBackend, policy: Policy, tmp_path,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the packages installed, nothing is found and the result says which checks did not run."""
    import chain.intel.feeds as feeds

    monkeypatch.setattr(feeds, "NODE_MODULES", tmp_path)  # no npm package here
    phishing_list.cache_clear()
    token_lists.cache_clear()
    try:
        analysis = analyze(parse_request(permit("0x" + "77" * 20, "USD Coin") | {"context": {
            "origin": "https://metmask.io"}}), backend, policy, Trace())
        skipped = {c.check: c.rules for c in analysis.facts.skipped}
        assert skipped["phishing_list"] == ["PHISHING_ORIGIN", "LOOKALIKE_ORIGIN"]
        assert skipped["token_lists"] == ["IMPERSONATOR_TOKEN"]
        assert not {"LOOKALIKE_ORIGIN", "IMPERSONATOR_TOKEN"} & {f.rule for f in analysis.findings}
    finally:
        monkeypatch.undo()
        phishing_list.cache_clear()
        token_lists.cache_clear()
    assert phishing_list() is not None


def test_results_name_listed_counterparties_from_the_lists(backend: RevmBackend, policy: Policy) -> None:
    usdc = registered("Token", "USDC")
    if token_lists().label(1, usdc) is None:
        pytest.skip("the token lists are not installed")
    analysis = analyze(parse_request(permit(usdc, "USD Coin")), backend, policy, Trace())
    label = analysis.facts.labels[usdc]
    assert label.name in ("USDCoin", "USD Coin") and label.symbol == "USDC" and label.source.startswith("@")
    forged = analyze(parse_request(permit("0x" + "77" * 20, "USD Coin")), backend, policy, Trace())
    assert forged.facts.labels == {}  # a name the request gives itself is never a label


TORNADO_DONATE = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"  # Tornado Cash, on the OFAC SDN list since 2022


def test_the_bundled_ofac_list_blocks_a_transfer_to_a_sanctioned_address(backend: RevmBackend, policy: Policy) -> None:
    from chain.intel.sanctions import sanctions_list

    bundled = sanctions_list()
    assert bundled.provenance is not None and bundled.provenance.entries > 100 and bundled.listed(TORNADO_DONATE)
    world = json.loads((ROOT_DIR / "tests" / "payloads" / "world.json").read_text())["payloads"]
    sent = next(p["request"] for p in world if p["name"] == "viem-transfer-usdc-tornado")  # viem's writeContract
    analysis = analyze(parse_request(sent), backend, policy, Trace())
    found = {f.rule: f for f in analysis.findings}
    assert analysis.verdict == "block" and found["SANCTIONED_ADDRESS"].severity == "critical"
    evidence = found["SANCTIONED_ADDRESS"].evidence
    assert evidence["address"] == TORNADO_DONATE and evidence["feed"] == "ofac-sdn"
    assert evidence["source"] == f"@celo/compliance@{bundled.provenance.version} ofac.sanctions.json"
    assert evidence["sha256"] == bundled.provenance.sha256


def test_a_sanctioned_sender_is_found_too(backend: RevmBackend, policy: Policy) -> None:
    analysis = analyze(parse_request({"chain_id": 31337, "from": TORNADO_DONATE, "to": "0x" + "12" * 20,
                                      "value": "0x1"}), backend, policy, Trace())
    assert "SANCTIONED_ADDRESS" in {f.rule for f in analysis.findings}


def test_without_the_bundled_ofac_list_the_check_says_it_did_not_run(backend: RevmBackend, policy: Policy, tmp_path,  # type: ignore[no-untyped-def]
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import chain.intel.feeds as feeds
    from chain.intel.sanctions import sanctions_list

    monkeypatch.setattr(feeds, "NODE_MODULES", tmp_path)
    sanctions_list.cache_clear()
    try:
        analysis = analyze(parse_request({"chain_id": 31337, "from": TORNADO_DONATE, "to": "0x" + "12" * 20,
                                          "value": "0x1"}), backend, policy, Trace())
        assert "SANCTIONED_ADDRESS" not in {f.rule for f in analysis.findings}
        assert {c.check: c.rules for c in analysis.facts.skipped}["ofac_sdn"] == ["SANCTIONED_ADDRESS"]
    finally:
        monkeypatch.undo()
        sanctions_list.cache_clear()
    assert sanctions_list().provenance is not None
