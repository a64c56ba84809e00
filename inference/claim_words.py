"""The words claims are made of: a headline per rule, the advice lines, and how kinds and checks are named (the
rules', checks' and kinds' words are read from their catalogue entries, ``chain.catalogue``).

Claims mode's fixed prefix labels the headlines (h1…) and the advice (a1…) in the order given here.
"""

from __future__ import annotations

from chain.catalogue import CHECK_SPECS, KINDS, RULE_SPECS

HEADLINES = {spec.id: spec.headline for spec in RULE_SPECS}
"""A short headline per rule: what its finding means for the user, with no address or number in it."""
RULE_WORDS = {spec.id: spec.words for spec in RULE_SPECS}
"""Words by which free text addresses a rule's finding (free mode's quality check; lowercase substrings)."""
STOP_WORDS = ("do not sign", "don't sign", "reject", "stop", "do not approve", "cancel")
EMPHASIS = "Look closely: "  # a headline's second form, offered when the verdict is warn or block
ADVICE = {  # labelled a1…a6 in this order in claims mode's fixed prefix
    "block": ("Do not sign this.", "Reject this request, and revoke any approval you gave this spender before."),
    "warn": ("Sign only if you expected exactly this and trust the site asking.",
             "Check every detail in your wallet before you sign."),
    "ok": ("Check that the details match what you intended, then sign.",
           "Nothing unusual was found; still check the details before you sign."),
}
ADVICE_LABELS = {text: f"a{i}" for i, text in enumerate((t for v in ADVICE.values() for t in v), 1)}
KIND_WORDS = {str(kind): spec.words for kind, spec in KINDS.items()}
NO_FINDING = "No rule found anything unusual in this {kind}."


def _all_headlines() -> list[str]:
    plain = [*HEADLINES.values(), *(NO_FINDING.format(kind=k) for k in dict.fromkeys(KIND_WORDS.values()))]
    return [*plain, *(EMPHASIS + h[0].lower() + h[1:] for h in HEADLINES.values())]


HEADLINE_LABELS = {text: f"h{i}" for i, text in enumerate(_all_headlines(), 1)}  # claims mode's fixed prefix
CHECK_WORDS = {str(spec.name): spec.words for spec in CHECK_SPECS}
