"""Argument layouts inferred from calldata alone, for a selector nothing resolves (samczsun's abi-guesser idea,
kept simple): each head word is an offset into the tail (a dynamic value), an address, a 32-byte word or a
number; a dynamic value is bytes/string when its length and padding say so, else an array of words. A guess
counts only when the strict decoder decodes the bytes exactly as the guessed types — it is a layout, never a
name, and the call still fires UNKNOWN_FUNCTION.
"""

from __future__ import annotations

from chain.decode.codec import WORD, AbiDecodeError, AbiTypeError, decode_types

MAX_GUESS_WORDS = 64  # a head this long is noise, not a function's arguments
MAX_UINT = 2**256 - 1


def _word(body: bytes, at: int) -> int:
    return int.from_bytes(body[at: at + WORD], "big")


def _static(value: int) -> str:
    """The likeliest type of one head word: an address (20 bytes that look random), a 32-byte word (high bits
    set, unless it is an all-ones 'max' amount), else a number."""
    if 2**120 <= value < 2**160:
        return "address"
    if value >= 2**160 and value != MAX_UINT and value >> 248 != 0xFF:
        return "bytes32"
    return "uint256"


def _dynamic(body: bytes, offset: int, end: int) -> str | None:
    """bytes, string or a word array at ``offset`` (its encoding must end by ``end``)."""
    if offset + WORD > end:
        return None
    length = _word(body, offset)
    padded = (length + WORD - 1) // WORD * WORD
    if offset + WORD + padded == end and not any(body[offset + WORD + length: end]):
        raw = body[offset + WORD: offset + WORD + length]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return "bytes"
        return "string" if text and text.isprintable() else "bytes"
    if length and offset + WORD + length * WORD == end:
        kinds = {_static(_word(body, offset + WORD + i * WORD)) for i in range(length)}
        return f"{kinds.pop() if len(kinds) == 1 else 'uint256'}[]"
    return None


def guess_types(body: bytes) -> tuple[str, ...] | None:
    """The argument types ``body`` (calldata after the selector) is the canonical encoding of, or None."""
    if not body or len(body) % WORD or len(body) // WORD > 4 * MAX_GUESS_WORDS or not any(body):
        return None  # nothing, not whole words, too long, or only zeros: no layout to read
    head_end, heads, i = len(body), [], 0
    while i * WORD < head_end and len(heads) < MAX_GUESS_WORDS:
        value = _word(body, i * WORD)
        if value % WORD == 0 and (i + 1) * WORD <= value < len(body):
            heads.append(("dynamic", value))
            head_end = min(head_end, value)
        else:
            heads.append(("static", value))
        i += 1
    offsets = [v for kind, v in heads if kind == "dynamic"]
    ends = dict(zip(offsets, [*offsets[1:], len(body)], strict=False))
    types = []
    for kind, value in heads:
        if kind == "static":
            types.append(_static(value))
            continue
        dynamic = _dynamic(body, value, ends[value])
        if dynamic is None:
            return None
        types.append(dynamic)
    try:
        decode_types(tuple(types), body)
    except (AbiDecodeError, AbiTypeError):
        return None
    return tuple(types)
