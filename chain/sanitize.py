"""Attacker-controlled text (token names, symbols) made safe to show and to quote."""

from __future__ import annotations

import unicodedata

MAX_TOKEN_TEXT = 64

# Zero-width and bidirectional controls that can hide or reorder text.
_INVISIBLE = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u061c",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
}


def sanitize_text(raw: str, limit: int = MAX_TOKEN_TEXT) -> str:
    """Strip control, zero-width and bidi characters, collapse whitespace, cap the length."""
    kept = [
        ch for ch in raw
        if ch not in _INVISIBLE and not unicodedata.category(ch).startswith("C")
    ]
    text = " ".join("".join(kept).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
