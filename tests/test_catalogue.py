"""The catalogue is the one home of what is said and decided about each rule, check and kind: every table is
derived from it, and a spec that lacks a field, a rule without a spec or a stale README table fails here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chain.analyze import analyze
from chain.catalogue import CHECK_SPECS, KINDS, RULE_SPECS, SPECS, CheckName, RequestKind, RuleSpec, rules_needing
from chain.catalogue.tables import rules_table, with_tables
from chain.facts import SkippedCheck
from chain.request import parse_request
from chain.rules import RULES, Policy
from chain.rules.engine import UNCHECKED_RULES
from chain.simulate import RevmBackend
from chain.trace import Trace
from inference.claim_words import CHECK_WORDS, HEADLINE_LABELS, HEADLINES, KIND_WORDS, RULE_WORDS
from inference.prompt import rule_glossary
from inference.summary import summarize
from tests.support.helpers import DRAINER, MAX_UINT, calldata, registered

ROOT = Path(__file__).resolve().parents[1]
USDC_MAINNET = registered("Token", "USDC")


def test_every_spec_has_its_function_and_every_function_its_spec() -> None:
    assert list(RULES) and set(RULES) == set(SPECS)


def test_a_spec_lacking_a_field_is_refused() -> None:
    with pytest.raises(ValueError, match="headline"):
        RuleSpec("NEW_RULE", "high", "fires when", "", ("word",), "what it means")
    with pytest.raises(ValueError, match="severity"):
        RuleSpec("NEW_RULE", "severe", "fires when", "Headline.", ("word",), "what it means")  # type: ignore[arg-type]


def test_a_function_without_a_spec_is_refused() -> None:
    from chain.rules.registry import rule

    with pytest.raises(ValueError, match="no spec"):
        rule("NOT_IN_THE_CATALOGUE")


def test_every_per_rule_table_is_read_from_the_catalogue() -> None:
    assert {s.id: s.headline for s in RULE_SPECS} == HEADLINES and set(HEADLINES) == set(RULES)
    assert {s.id: s.words for s in RULE_SPECS} == RULE_WORDS
    assert all(HEADLINES[rule_id] in HEADLINE_LABELS for rule_id in RULES)
    assert all(f"- {s.id}: {s.gloss}" in rule_glossary() for s in RULE_SPECS)
    assert {"SIMULATION_UNAVAILABLE"} == UNCHECKED_RULES
    assert {str(c.name): c.words for c in CHECK_SPECS} == CHECK_WORDS and set(CHECK_WORDS) == set(CheckName)
    assert {str(k): spec.words for k, spec in KINDS.items()} == KIND_WORDS and set(KINDS) == set(RequestKind)


def test_the_allowlist_lowers_the_rules_the_catalogue_marks(policy: Policy) -> None:
    assert policy.allowlisted.rules is None  # the bundled policy names none: the catalogue decides
    assert policy.allowlisted_rules() == {"UNLIMITED_APPROVAL", "PERMIT_SIGNATURE", "PERMIT2_SIGNATURE"}


def test_a_policy_naming_an_unknown_allowlisted_rule_is_refused(policy: Policy) -> None:
    from chain.rules import PolicyError, check_policy_rules

    lowered = policy.allowlisted.model_copy(update={"rules": ["UNLIMITED_APROVAL"]})
    with pytest.raises(PolicyError, match="UNLIMITED_APROVAL"):
        check_policy_rules(policy.model_copy(update={"allowlisted": lowered}))


@pytest.mark.parametrize("check", list(CheckName))
def test_a_skipped_check_names_the_rules_that_need_it_and_reaches_the_summary(check: CheckName) -> None:
    from inference.claims import _not_checked

    skipped = SkippedCheck(check=check, reason="why")
    assert skipped.rules == rules_needing(check) and skipped.rules
    assert CHECK_WORDS[check] in _not_checked([skipped], said_by_simulation=False)
    assert skipped.model_dump(mode="json")["rules"] == [str(r) for r in rules_needing(check)]


def test_a_missing_sanctions_list_is_said_in_the_summary(backend: RevmBackend, policy: Policy,
                                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import chain.intel.feeds as feeds
    from chain.intel import sanctions

    monkeypatch.setattr(feeds, "NODE_MODULES", tmp_path)  # the npm package is not installed
    sanctions.sanctions_list.cache_clear()
    try:
        request = {"chain_id": 1, "from": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "to": USDC_MAINNET,
                   "data": calldata("approve(address,uint256)", DRAINER, MAX_UINT)}
        analysis = analyze(parse_request(request), backend, policy, Trace())
    finally:
        sanctions.sanctions_list.cache_clear()
    skipped = {c.check: c.rules for c in analysis.facts.skipped}
    assert skipped[CheckName.OFAC_SDN] == ["SANCTIONED_ADDRESS"]
    summary = summarize(analysis)
    assert "the addresses against the bundled OFAC sanctions list" in summary
    assert "the spender's code (" + DRAINER in summary


def test_the_readme_tables_are_the_catalogues() -> None:
    readme = (ROOT / "README.md").read_text()
    assert with_tables(readme) == readme, "run `python scripts/gen_readme.py`"
    assert rules_table() in readme


def test_rules_cli_prints_the_catalogue_as_json_and_markdown(policy: Policy) -> None:
    def run(*args: str) -> str:
        return subprocess.run([sys.executable, "-m", "app.cli", "rules", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=60, check=True).stdout

    listed = json.loads(run("--json"))
    by_id = {r["rule"]: r for r in listed["rules"]}
    assert set(by_id) == set(SPECS)
    assert by_id["APPROVAL_TO_EOA"]["needs"] == ["spender_code"]
    assert by_id["UNLIMITED_APPROVAL"]["allowlisted_severity"] == "low"
    assert by_id["APPROVAL_TO_EOA"]["allowlisted_severity"] is None
    assert run("--markdown").strip() == rules_table()
