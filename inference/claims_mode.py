"""Claims mode: the model picks a headline, the claims to tell and their order, and the advice — each from a list
built for this request — and the grammar (a per-request JSON schema of enums) lets it emit nothing else. The
narrative is those sentences, so it cannot say anything the facts do not.

The model reads short labels (``c1: critical finding APPROVAL_TO_EOA: …``), never the sentences with their
addresses: a short suffix after the fixed policy prefix keeps the prompt cheap.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from chain.catalogue import SEVERITIES
from chain.rules import PolicyError
from inference.claim_words import ADVICE, ADVICE_LABELS, EMPHASIS, HEADLINE_LABELS, HEADLINES, KIND_WORDS, NO_FINDING
from inference.claims import Claim, ClaimSet
from inference.validator import RejectReason, Verdict

MAX_MORE = 5  # claims after the first: enough for every critical and high finding in practice, short to generate


@dataclass(frozen=True)
class Labels:
    """How this request's options are named to the model: ``c1…`` claims, ``h1…`` headlines, ``a1…`` advice."""

    claims: dict[str, Claim]
    headlines: dict[str, str]
    advice: dict[str, str]  # the verdict's advice lines, by their labels in the fixed prefix
    first: str  # the first claim: the most severe finding's, else the request's
    required: list[str]  # told after the first whatever the model picks: the other critical and high findings


def labels(claims: ClaimSet, withheld: frozenset[str] | set[str] = frozenset()) -> Labels:
    """Claims ordered as a user should hear them — findings most severe first, then the facts — and labelled;
    ``withheld`` claims (those repeating a stranger's instructions) are never offered."""
    findings = sorted(claims.findings(), key=lambda c: SEVERITIES.index(c.severity or "info"))
    facts = [c for c in claims.claims if c.rule is None and c.id != "verdict" and c.id not in withheld]
    ordered = {f"c{i}": c for i, c in enumerate(findings + facts, 1)}
    required = {c.id for c in claims.required()}
    return Labels(ordered, {HEADLINE_LABELS[h]: h for h in claims.headlines},
                  {ADVICE_LABELS[a]: a for a in claims.advice}, "c1",
                  [k for k, c in ordered.items() if c.id in required and k != "c1"])


def catalogue() -> str:
    """Every headline and advice line by label, for the fixed prefix: a request's part then names only which of
    them it offers (the schema lets it use those only), so the per-request suffix stays a few dozen tokens."""
    return "\n".join(["Headlines:", *(f"{label}: {text}" for text, label in HEADLINE_LABELS.items()),
                      "Advice lines:", *(f"{label}: {text}" for text, label in ADVICE_LABELS.items())])


LABEL_REFERENCE = re.compile(r"\{(h!?|a):([A-Za-z0-9_.]+)\}")


def resolve_labels(text: str) -> str:
    """A policy example with its symbolic references — ``{h:RULE}``, ``{h!:RULE}`` (the emphatic form),
    ``{h:none.KIND}``, ``{a:VERDICT.N}`` — written as the labels the fixed prefix gives them.

    Raises:
        PolicyError: a reference names no rule, kind or advice line.
    """
    def label(match: re.Match[str]) -> str:
        form, name = match.groups()
        try:
            if form == "a":
                verdict, n = name.split(".")
                return ADVICE_LABELS[ADVICE[verdict][int(n) - 1]]
            if name.startswith("none."):
                return HEADLINE_LABELS[NO_FINDING.format(kind=KIND_WORDS[name.removeprefix("none.")])]
            headline = HEADLINES[name]
            return HEADLINE_LABELS[EMPHASIS + headline[0].lower() + headline[1:] if form == "h!" else headline]
        except (KeyError, ValueError, IndexError):
            raise PolicyError(f"prompt example: {match.group(0)} names no headline or advice line") from None

    return LABEL_REFERENCE.sub(label, text)


def claims_sheet(verdict: str, named: Labels) -> str:
    """The request's part of the prompt: the verdict, its headline and advice labels, its claims as short labels."""
    lines = [f"verdict: {verdict}", "headline: " + " or ".join(named.headlines), "claims:"]
    lines += [f"{k}: {c.severity} {c.rule}" if c.rule else f"{k}: {c.gist}" for k, c in named.claims.items()]
    lines.append("advice: " + " or ".join(named.advice))
    return "\n".join(lines)


def claims_schema(named: Labels) -> dict[str, Any]:
    """Only these labels can be written: one headline, up to MAX_MORE claims to tell after the first (which is
    fixed: the most severe finding, else the request), one advice line."""
    others = [k for k in named.claims if k != named.first and k not in named.required]
    more: dict[str, Any] = ({"type": "array", "items": {"enum": others}, "maxItems": min(MAX_MORE, len(others))}
                            if others else {"const": []})
    return {"type": "object",
            "properties": {"headline": {"enum": list(named.headlines)}, "more": more,
                           "advice": {"enum": list(named.advice)}},
            "required": ["headline", "more", "advice"], "additionalProperties": False}


@dataclass(frozen=True)
class Selection:
    """An accepted claims-mode answer: the narrative text and the stable ids of the claims it tells, in order."""

    text: str
    claim_ids: list[str]


def select(raw: str, named: Labels, claims: ClaimSet) -> Selection | Verdict:
    """Parse the model's labels and check them: known labels only, the first claim addresses the most severe
    finding, every critical and high finding is told (the first claim is fixed and the other critical and high
    findings follow it whatever the model picks), the advice is the verdict's (it can only be)."""
    try:
        data = json.loads(raw, strict=True)
    except ValueError as exc:
        return Verdict(None, RejectReason.INVALID_JSON, str(exc)[:160])
    if not isinstance(data, dict) or not isinstance(data.get("more"), list):
        return Verdict(None, RejectReason.SCHEMA, "expected {headline, more[], advice}")
    chosen = [data.get("first", named.first), *named.required, *data["more"]]
    unknown = [c for c in chosen if c not in named.claims]
    if data.get("headline") not in named.headlines or data.get("advice") not in named.advice or unknown:
        return Verdict(None, RejectReason.NOT_A_CLAIM, f"labels outside this request's list: {unknown}")
    told = [named.claims[c] for c in dict.fromkeys(chosen)]  # a repeated label is told once
    if claims.top is not None and told[0].id != claims.top.id:
        return Verdict(None, RejectReason.WRONG_FIRST_CLAIM, f"the first claim is {told[0].id}, not the most "
                       f"severe finding {claims.top.id}")
    missing = [c.id for c in claims.required() if c not in told]
    if missing:
        return Verdict(None, RejectReason.UNCOVERED_FINDING, "leaves out " + ", ".join(missing))
    text = "\n\n".join((named.headlines[data["headline"]], " ".join(c.text for c in told),
                         named.advice[data["advice"]]))
    return Selection(text, [c.id for c in told])
