"""The narrative guard rejects what is not in the facts or contradicts the verdict."""

from __future__ import annotations

import json

import pytest

from inference.validator import Vocabulary, validate
from tests.support.helpers import DRAINER_EOA, DUSD

FACTS = f"""verdict: block
request: transaction on chain 31337 calling approve(address,uint256) on "DUSD" ({DUSD})
approval: erc20 token "DUSD" ({DUSD}), spender {DRAINER_EOA}, amount unlimited
account {DRAINER_EOA} has no code (plain account)
simulation: success, gas used 46512, asset changes: none
findings: APPROVAL_TO_EOA (critical), UNLIMITED_APPROVAL (high)"""
EXAMPLE = json.dumps({"headline": "Do not sign: this gives a plain account unlimited access to your DAI.",
                      "explanation": "x", "advice": "Reject this request now."})
VOCABULARY = Vocabulary.from_facts(FACTS, {"DUSD"}, {DRAINER_EOA}, [EXAMPLE])


def answer(headline: str, explanation: str = "It grants unlimited access.", advice: str = "Reject it.") -> str:
    return json.dumps({"headline": headline, "explanation": explanation, "advice": advice})


GOOD = answer("Do NOT sign: unlimited DUSD approval to a plain account.",
              f"This lets {DRAINER_EOA} spend all your DUSD; the simulation used 46,512 gas.",
              "Reject this request and revoke the approval if you already signed.")


def test_validate_accepts_grounded_narrative() -> None:
    outcome = validate(GOOD, "block", VOCABULARY)
    assert outcome.rejected_reason is None
    assert outcome.narrative is not None and outcome.narrative.headline.startswith("Do NOT sign")


@pytest.mark.parametrize(("raw", "verdict", "reason"), [
    (answer("It is safe to sign.", "It is a well-known verified contract."), "block",
     "contradicts_verdict: says 'safe' but the verdict is block"),
    (answer("This is a scam, do not sign."), "ok", "contradicts_verdict: says 'scam' but the verdict is ok"),
    (answer("Approves 0x1111111111111111111111111111111111111111."), "block",
     "unknown_address: 0x1111111111111111111111111111111111111111"),
    (answer("Sends tokens to 0x1234…abcd."), "block", "unknown_address: 0x1234…abcd"),
    (answer("Lets it take 5,000 DUSD."), "block", "unknown_number: 5,000"),
    (answer("Lets it take your USDC."), "block", "unknown_symbol: USDC"),
    (answer(f"This approves {DUSD} to spend your DUSD."), "block",
     f"wrong_spender: {DUSD} is not a spender in the facts"),
    (answer("Warning.", "the token is the token is the token is the token is the token"), "block",
     "repetition: 'the token is the' x4"),
    (answer("Do not sign: this gives a plain account unlimited access to your DAI."), "block",
     "copied_example: Do not sign: this gives a plain account unlimited access to your DAI."),
    (answer("Bad\u202echaracters"), "block", "control_characters: U+202E"),
    ('{"headline": "a\nb", "explanation": "x", "advice": "y"}', "block",
     "invalid_json: Invalid control character at: line 1 column 16 (char 15)"),
    ('{"headline": "cut off', "block", "invalid_json: Unterminated string starting at: line 1 column 14 (char 13)"),
    (json.dumps({"headline": "x" * 400, "explanation": "y", "advice": "z"}), "block",
     "schema: headline: String should have at most 160 characters"),
    # free mode's claim check: what the 135M model was seen inventing
    (answer("Careful with this approval.", "The spender was discovered by researchers at Berkeley."), "block",
     "unsupported_claim: 'researchers' is not something the facts can say: The spender was discovered by "
     "researchers at Berkeley."),
    (answer("Careful with this approval.", "A known vulnerability has been reported to the security team."),
     "block", "unsupported_claim: 'reported' is not something the facts can say: A known vulnerability has been "
     "reported to the security team."),
    (answer("Careful with this approval.", "The approval is unlimited. This is a PayPal payment, nothing more."),
     "block", "unsupported_claim: 'PayPal' is not something the facts can say: This is a PayPal payment, nothing "
     "more."),
    (answer("Careful with this approval.", "The approval is unlimited. You can trust anything."), "block",
     "no_fact_anchor: You can trust anything."),
])
def test_validate_rejects_with_reason(raw: str, verdict: str, reason: str) -> None:
    outcome = validate(raw, verdict, VOCABULARY)
    assert outcome.narrative is None
    assert outcome.rejected_reason == reason


def test_validate_allows_negated_safety_words() -> None:
    raw = answer("This is not safe.", "The spender is never trusted and not verified.", "Reject it.")
    assert validate(raw, "block", VOCABULARY).rejected_reason is None


def test_validate_rejects_hex_not_in_facts_and_ungrounded_text() -> None:
    grounded = Vocabulary.from_facts(FACTS, {"DUSD"}, {DRAINER_EOA}, [], {"approve", "dusd"})
    assert validate(answer("It calls 0xdeadbeef on the token."), "block", grounded).rejected_reason == \
        "unknown_hex: 0xdeadbeef"
    assert validate(answer("Careful.", "Something happens.", "Think twice."), "block", grounded).rejected_reason == \
        "ungrounded: mentions none of: approve, dusd"
    assert validate(answer("Careful with this approve.", "It is unlimited.", "Reject it."), "block",
                    grounded).rejected_reason is None


def test_free_mode_narrative_must_address_the_findings_and_match_the_verdict() -> None:
    """The quality rules claims mode gets by construction, checked on free text."""
    import dataclasses

    from inference.claim_words import RULE_WORDS, STOP_WORDS

    quality = dataclasses.replace(VOCABULARY, top_words=RULE_WORDS["APPROVAL_TO_EOA"], stop_words=STOP_WORDS,
                                  required_words=(("APPROVAL_TO_EOA", RULE_WORDS["APPROVAL_TO_EOA"]),
                                                  ("UNLIMITED_APPROVAL", RULE_WORDS["UNLIMITED_APPROVAL"])))
    assert validate(GOOD, "block", quality).rejected_reason is None
    off_topic = answer("An approve call on DUSD.", f"This lets {DRAINER_EOA} spend your DUSD; it is a plain account.",
                       "Reject it.")
    assert validate(off_topic, "block", quality).rejected_reason == (
        "wrong_first_claim: the headline does not address the most severe finding")
    partial = answer("Do not sign: a plain account gets your DUSD.", f"This lets {DRAINER_EOA} spend your DUSD.",
                     "Reject it.")
    assert validate(partial, "block", quality).rejected_reason == (
        "uncovered_finding: says nothing of UNLIMITED_APPROVAL")
    soft = answer("Do NOT sign: unlimited DUSD approval to a plain account.",
                  f"This lets {DRAINER_EOA} spend all your DUSD.", "Think about it first.")
    assert validate(soft, "block", quality).rejected_reason == (
        "contradicts_verdict: the advice does not say to stop, the verdict is block")
