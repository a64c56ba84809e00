"""Severities, most severe first: a finding's, a rule's default, a policy's override."""

from __future__ import annotations

from typing import Literal, get_args

Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
"""Most severe first: findings are ordered by it, and verdicts are read from it."""
