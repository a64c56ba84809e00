"""Unicode's confusables (TR39, the data PyPI ``confusable-homoglyphs`` ships): a character of another script
that imitates an ASCII letter or digit is folded to it — Cyrillic "С" to "C", Greek "Ο" to "O" — so a look-alike
token name or host name is compared as what it pretends to be."""

from __future__ import annotations

import json
import unicodedata
from functools import cache


@cache
def _to_latin() -> dict[str, str]:
    from importlib.resources import files

    data = json.loads((files("confusable_homoglyphs") / "confusables.json").read_text(encoding="utf-8"))
    return {char: next(h["c"] for h in homoglyphs if h["c"].isascii() and h["c"].isalnum())
            for char, homoglyphs in data.items()
            if len(char) == 1 and not char.isascii() and any(h["c"].isascii() and h["c"].isalnum()
                                                              for h in homoglyphs)}


def to_latin(text: str) -> str:
    """``text`` NFKC-normalized with every confusable non-ASCII character replaced by the ASCII it imitates."""
    latin = _to_latin()
    return "".join(latin.get(ch, ch) for ch in unicodedata.normalize("NFKC", text))
