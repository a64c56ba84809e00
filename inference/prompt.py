"""Prompt assembly: the fixed policy prefix (system + few-shot turns), then the facts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from chain.catalogue import RULE_SPECS
from chain.rules import Policy

HEADLINE_MAX = 160
EXPLANATION_MAX = 700
ADVICE_MAX = 300


class Narrative(BaseModel):
    """What the model must answer."""

    headline: str = Field(min_length=1, max_length=HEADLINE_MAX)
    explanation: str = Field(min_length=1, max_length=EXPLANATION_MAX)
    advice: str = Field(min_length=1, max_length=ADVICE_MAX)

    def text(self) -> str:
        """The narrative as the result contract carries it."""
        return f"{self.headline}\n\n{self.explanation}\n\n{self.advice}"


NARRATIVE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "headline": {"type": "string", "minLength": 1, "maxLength": HEADLINE_MAX},
        "explanation": {"type": "string", "minLength": 1, "maxLength": EXPLANATION_MAX},
        "advice": {"type": "string", "minLength": 1, "maxLength": ADVICE_MAX},
    },
    "required": ["headline", "explanation", "advice"],
    "additionalProperties": False,
}


GLOSSARY_SLOT = "{rule_glossary}"
"""Where the free-mode policy text takes the catalogue's glossary of findings."""


def rule_glossary() -> str:
    """One line per rule of the catalogue: its id and what its finding means to the user."""
    return "\n".join(f"- {spec.id}: {spec.gloss}" for spec in RULE_SPECS)


def prefix_messages(policy: Policy, mode: str = "free") -> list[dict[str, str]]:
    """The policy part of the chat for ``mode`` (free | claims); identical for every request under one policy.

    Raises:
        PolicyError: a claims example names a headline or advice line that does not exist.
    """
    resolve: Callable[[str], str] = str
    if mode == "claims":
        from inference.claims_mode import catalogue, resolve_labels

        system = policy.prompt.claims_policy.strip() + "\n\n" + catalogue()
        examples, resolve = policy.prompt.claims_examples, resolve_labels
    else:
        system = policy.prompt.risk_policy.strip().replace(GLOSSARY_SLOT, rule_glossary())
        examples = policy.prompt.examples
    messages = [{"role": "system", "content": system}]
    for example in examples:
        messages.append({"role": "user", "content": "Facts:\n" + resolve(example.facts.strip())})
        messages.append({"role": "assistant", "content": resolve(example.answer.strip())})
    return messages


def build_messages(policy: Policy, facts_text: str, mode: str = "free") -> list[dict[str, str]]:
    """The full chat: the fixed prefix, then this request's facts (or labelled claims) last."""
    return [*prefix_messages(policy, mode), {"role": "user", "content": "Facts:\n" + facts_text}]
