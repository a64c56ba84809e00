"""Attacker-controlled text (token names, symbols) made safe to show and to quote."""

from __future__ import annotations

import re
import unicodedata

# Instructions aimed at a model or a reader's judgement, in any attacker-controlled text (messages,
# typed-data strings, SIWE statements, token names) and in any narrative: never legitimate in either.
MODEL_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(?:instructions?|warnings?|rules?|"
    r"previous|prior|above|verdict|polic(?:y|ies)|prompt)\b|\byou are now\b|\bsystem prompt\b|"
    r"\bnew instructions?\b|\b(?:set|change) the verdict\b|\bthe verdict is\b", re.IGNORECASE)

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


def sanitize_lines(raw: str, limit: int) -> str:
    r""":func:`sanitize_text` line by line, keeping line breaks (``\r\n`` and ``\r`` become ``\n``): multi-line
    messages and SIWE statements stay readable. Runs of blank lines collapse to one; the whole is capped."""
    lines = [sanitize_text(line, limit) for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    text = "\n".join(kept).strip("\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"
