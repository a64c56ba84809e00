"""Prompt assembly: the fixed policy prefix (system + few-shot turns), then the facts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

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


def prefix_messages(policy: Policy, mode: str = "free") -> list[dict[str, str]]:
    """The policy part of the chat for ``mode`` (free | claims); identical for every request under one policy."""
    if mode == "claims":
        from inference.claims_mode import catalogue

        system = policy.prompt.claims_policy.strip() + "\n\n" + catalogue()
        examples = policy.prompt.claims_examples
    else:
        system, examples = policy.prompt.risk_policy.strip(), policy.prompt.examples
    messages = [{"role": "system", "content": system}]
    for example in examples:
        messages.append({"role": "user", "content": "Facts:\n" + example.facts.strip()})
        messages.append({"role": "assistant", "content": example.answer.strip()})
    return messages


def build_messages(policy: Policy, facts_text: str, mode: str = "free") -> list[dict[str, str]]:
    """The full chat: the fixed prefix, then this request's facts (or labelled claims) last."""
    return [*prefix_messages(policy, mode), {"role": "user", "content": "Facts:\n" + facts_text}]
