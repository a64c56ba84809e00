"""What chain/ concluded about one request: its facts, the verdict and the findings behind it."""

from __future__ import annotations

from dataclasses import dataclass

from chain.facts import Facts
from chain.rules.model import Finding


@dataclass
class Analysis:
    """Everything chain/ concluded about one request."""

    facts: Facts
    verdict: str
    findings: list[Finding]
