"""The deterministic summary: the request's summary claims (inference.claims), always present."""

from __future__ import annotations

from chain import Analysis
from inference.claims import claims_of


def summarize(analysis: Analysis) -> str:
    """A plain-language account of the request built only from the facts: its claims, joined."""
    return claims_of(analysis).summary()
