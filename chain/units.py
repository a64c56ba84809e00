"""The user's units: a base-unit amount as "2,500 USDC" or "0.01 ETH", a deadline as a date with how far away it
is, a dollar value as "$2,486.30". Machine fields keep base units and unix times; every sentence a person reads
is written through these functions (the summary, the claims, findings' messages, the CLI and the explorer)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

LAST_DATE = 253_402_300_799  # 9999-12-31T23:59:59Z: a deadline past it (2^48−1, 2^256−1) never comes
UNLIMITED_FLOOR = 2**160 - 1  # an amount this large reads as unlimited whatever the threshold that flagged it


_PLAIN_SYMBOL = re.compile(r"[A-Za-z0-9$._+-]{1,16}")


def symbol_text(symbol: str) -> str:
    """A token symbol for prose: a plain ticker as is, anything else (spaces, emoji, sentences) quoted as JSON —
    a stranger's text is data, never words of ours."""
    return symbol if _PLAIN_SYMBOL.fullmatch(symbol) else json.dumps(symbol, ensure_ascii=True)


def native_symbol(chain_id: int) -> str:
    """The chain's native currency (viem's chain definitions, in the protocol registry), ETH where it names none."""
    from chain.protocols import protocol_registry

    known = protocol_registry().chain(chain_id)
    return known.native if known is not None else "ETH"


def decimal_text(value: Decimal) -> str:
    """A decimal number as people read it: thousands separated; two decimals from 1,000 up (``2,486.30``), at most
    four from 1 (``1.5``), four significant digits below 1; a whole number without decimals. Never rounds a
    non-zero value to zero."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):,f}"
    if magnitude >= 1:
        whole, _, fraction = f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_EVEN):,f}".partition(".")
        return f"{whole}.{fraction.rstrip('0')}" if fraction.rstrip("0") else whole
    exponent = magnitude.adjusted()  # -1 for 0.1…, -5 for 0.00001…
    rounded = value.quantize(Decimal(1).scaleb(exponent - 3), rounding=ROUND_HALF_EVEN)
    return format(rounded.normalize(), "f")


def token_amount(base_units: int | str, decimals: int | None) -> str:
    """``2500000000`` with 6 decimals → ``2,500``; without decimals the base units, separated."""
    units = int(base_units)
    if decimals is None:
        return f"{units:,}"
    return decimal_text(Decimal(units).scaleb(-decimals))


def amount_text(base_units: int | str | None, decimals: int | None, symbol: str | None, token: str | None = None,
                *, unlimited: bool = False) -> str:
    """An amount of an asset in the user's units: ``2,500 USDC``, ``unlimited USDC``, ``0.01 ETH``; a token whose
    decimals are unknown is said in its base units (``2,500,000,000 base units of 0x…``)."""
    name = symbol_text(symbol) if symbol else (f"tokens of {token}" if token else "tokens")
    if unlimited or (base_units is not None and int(base_units) >= UNLIMITED_FLOOR):
        return f"unlimited {name}"
    if base_units is None:
        return f"every {name}"
    if decimals is None and symbol is None:
        return f"{int(base_units):,} base units of {f'the token {token}' if token else 'a token'}"
    if decimals is None:
        return f"{int(base_units):,} base units of {name}"
    return f"{token_amount(base_units, decimals)} {name}"


def native_amount(wei: int | str, chain_id: int) -> str:
    """``10000000000000000`` wei → ``0.01 ETH`` (or the chain's native currency)."""
    return amount_text(wei, 18, native_symbol(chain_id))


def usd_text(usd: Decimal | str) -> str:
    """``$2,486.30``; below a cent ``<$0.01``."""
    with localcontext(prec=120):
        value = Decimal(usd)
        if 0 < value < Decimal("0.01"):
            return "<$0.01"
        return f"${value.quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):,}"


def iso_time(unix: int | None) -> str | None:
    """A unix time as ISO 8601 UTC (``2027-01-15T08:00:00Z``); None for none or past the year 9999."""
    if unix is None or unix > LAST_DATE or unix < 0:
        return None
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_text(unix: int | None, now: int) -> str:
    """A deadline as people read it: ``2027-01-15 (in 40 days)``, ``2027-06-01 (in 6 months)``, ``2100-01-01 (in
    73 years)``, ``2025-03-01 (3 days ago)``, ``never``."""
    if unix is None or unix > LAST_DATE:
        return "never"
    when = datetime.fromtimestamp(max(unix, 0), UTC).strftime("%Y-%m-%d")
    days = (unix - now) / 86_400
    if abs(days) < 1:
        hours = round((unix - now) / 3600)
        distance = "within the hour" if hours == 0 else (f"in {hours} hours" if hours > 0 else f"{-hours} hours ago")
        return f"{when} ({distance})"
    span = abs(days)
    whole, unit = ((round(span), "day") if span < 60 else (round(span / 30.44), "month") if span < 730
                   else (round(span / 365.25), "year"))
    unit += "" if whole == 1 else "s"
    return f"{when} (in {whole} {unit})" if days > 0 else f"{when} ({whole} {unit} ago)"
