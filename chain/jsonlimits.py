"""Limits checked on JSON text before it is parsed: nesting depth, in one linear pass.

Python's JSON decoder recurses once per nesting level; a 200 KB body of brackets exhausts the C stack once any
library has raised the recursion limit (py_ecc raises it to 100,000 on import), and is slow before that. So every
JSON text a request carries — the body, typed data sent as a string, an ABI sent as a string — is measured first.
"""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 64  # typed data and ABIs nest a dozen levels at most
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


class JsonTooDeep(ValueError):
    """The JSON text nests deeper than the limit."""


def check_depth(text: bytes | str, limit: int = MAX_JSON_DEPTH) -> None:
    """Raises JsonTooDeep when ``text`` nests arrays and objects deeper than ``limit`` (strings skipped).
    Linear in the text's length; it does not validate the JSON.

    Raises:
        JsonTooDeep: nested deeper than ``limit``.
    """
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b"", data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                raise JsonTooDeep(f"nests deeper than {limit} levels")
        else:
            depth -= 1
