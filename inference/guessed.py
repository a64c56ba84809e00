"""What a call carries when nothing names its function: each word said as what it may be, never as a fact. The
guessed layout (chain/decode/guess.py) decodes the bytes; its types are a reading, not the function's signature:
a 20-byte word may be an address or a packed number, a 32-byte word a hash or packed values, 0 and 1 a flag or a
number, and text inside is a stranger's (quoted, never read as words of ours)."""

from __future__ import annotations

import json

from chain.decode import DecodedArg

MAX_WORDS = 8
MAX_TEXT = 70


def _short(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 4] + "…"


def hedged(arg: DecodedArg) -> str:
    """One guessed argument, as what it may be."""
    kind, value = arg.type, arg.value
    if isinstance(value, list):
        items = ", ".join(_short(json.dumps(v) if isinstance(v, str) and not v.startswith("0x") else str(v))
                          for v in value[:4])
        return f"a list of {len(value)} ({items}{', …' if len(value) > 4 else ''})"
    if kind == "bool" or isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no flag)"
    if kind == "address":
        return f"{value} (an address, or a 20-byte number)"
    if kind == "bytes32":
        return f"{_short(str(value))} (a 32-byte word: a hash, or packed values)"
    if kind == "string":
        return f"text {_short(json.dumps(value, ensure_ascii=True))}"
    if kind == "bytes":
        return f"{(len(str(value)) - 2) // 2} bytes ({_short(str(value))})"
    if str(value) in ("0", "1"):
        return f"{value} (a flag or a number)"
    return f"the number {value}"


def guessed_text(args: list[DecodedArg]) -> str:
    """Every guessed argument, hedged, joined (the first MAX_WORDS)."""
    said = "; ".join(hedged(a) for a in args[:MAX_WORDS])
    return said + ("; …" if len(args) > MAX_WORDS else "")
