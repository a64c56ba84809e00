"""Numbers and addresses written the same way in the summary, the fact sheet and the validator."""

from __future__ import annotations

import json
import re
from decimal import Decimal

_PLAIN_SYMBOL = re.compile(r"[A-Za-z0-9$._+-]{1,16}")


def quote(text: str | None) -> str:
    """Untrusted text as an escaped JSON string literal: data, never instructions."""
    return json.dumps(text if text is not None else "unknown", ensure_ascii=True)


def symbol_text(symbol: str) -> str:
    """A token symbol for prose: a plain ticker as is, anything else (spaces, emoji, sentences) quoted."""
    return symbol if _PLAIN_SYMBOL.fullmatch(symbol) else quote(symbol)


def human_amount(base_units: int, decimals: int | None) -> str:
    """``1500000`` with 6 decimals → ``1.5``; without decimals the base units, unchanged."""
    if decimals is None or decimals == 0:
        return str(base_units)
    value = Decimal(base_units).scaleb(-decimals)
    text = format(value.normalize(), "f")
    return text


def approval_amount(amount: str | None, unlimited: bool, decimals: int | None) -> str:
    """How an approval's amount reads: 'unlimited', 'all tokens' or a human amount."""
    if amount is None:
        return "every token"
    if unlimited:
        return "unlimited"
    return human_amount(int(amount), decimals)


def signed_change(delta: str, decimals: int | None) -> str:
    """A balance delta with an explicit sign: ``+25`` / ``-1.5``."""
    amount = human_amount(int(delta), decimals)
    return amount if amount.startswith("-") else "+" + amount


LAST_DATE = 253_402_300_799  # 9999-12-31T23:59:59Z: a deadline past it (2^48−1, 2^256−1) never comes


def expiry_text(expires_at: int | None) -> str:
    """How a permit's expiry reads: ', with no expiry', ', with no practical expiry' or ' until unix time T'."""
    if expires_at is None:
        return ", with no expiry"
    if expires_at > LAST_DATE:
        return ", with no practical expiry (its deadline is past the year 9999)"
    return f" until unix time {expires_at}"
