"""The strict ABI codec, held to eth-abi: canonical bytes decode to the same values, anything else fails."""

from __future__ import annotations

import time

import pytest
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_abi.exceptions import DecodingError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chain.decode.codec import AbiDecodeError, AbiTypeError, decode_types, parse_type

ELEMENTARY = ["uint8", "uint160", "uint256", "int8", "int24", "int256", "address", "bool", "bytes1", "bytes4",
              "bytes32", "bytes", "string"]


def _types(depth: int = 0) -> st.SearchStrategy[str]:
    base = st.sampled_from(ELEMENTARY)
    if depth >= 2:
        return base
    inner = _types(depth + 1)
    return st.one_of(
        base,
        inner.map(lambda t: f"{t}[]"),
        st.tuples(inner, st.integers(1, 3)).map(lambda p: f"{p[0]}[{p[1]}]"),
        st.lists(inner, min_size=1, max_size=3).map(lambda ts: "(" + ",".join(ts) + ")"),
    )


def _values(abi_type: str) -> st.SearchStrategy[object]:
    t = abi_type
    if t.endswith("]"):
        inner, count = t[: t.rindex("[")], t[t.rindex("[") + 1 : -1]
        size = int(count) if count else None
        return st.lists(_values(inner), min_size=size or 0, max_size=size or 3).map(tuple)
    if t.startswith("("):
        from chain.decode.codec import split_types

        return st.tuples(*[_values(m) for m in split_types(t[1:-1])])
    if t.startswith("uint"):
        return st.integers(0, 2 ** int(t[4:]) - 1)
    if t.startswith("int"):
        bits = int(t[3:])
        return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if t == "address":
        return st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
    if t == "bool":
        return st.booleans()
    if t == "bytes":
        return st.binary(max_size=70)
    if t == "string":
        return st.text(max_size=40)
    return st.binary(min_size=int(t[5:]), max_size=int(t[5:]))


def _normalize(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return tuple(_normalize(v) for v in value)
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    return value


@st.composite
def typed_values(draw: st.DrawFn) -> tuple[tuple[str, ...], tuple[object, ...]]:
    types = tuple(draw(st.lists(_types(), min_size=0, max_size=4)))
    return types, tuple(draw(_values(t)) for t in types)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed_values())
def test_decode_round_trips_eth_abi_encoding(case: tuple[tuple[str, ...], tuple[object, ...]]) -> None:
    types, values = case
    encoded = abi_encode(list(types), list(values))
    assert _normalize(decode_types(types, encoded)) == _normalize(values)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed_values(), st.data())
def test_decode_accepts_exactly_what_eth_abi_decodes_and_re_encodes(case, data) -> None:  # type: ignore[no-untyped-def]
    """Corrupt a canonical encoding (flip, truncate, extend): the codec accepts iff eth-abi decodes it
    and the values re-encode to the same bytes, and then both give the same values."""
    types, values = case
    encoded = bytearray(abi_encode(list(types), list(values)))
    action = data.draw(st.sampled_from(["flip", "truncate", "extend", "none"]))
    if action == "flip" and encoded:
        at = data.draw(st.integers(0, len(encoded) - 1))
        encoded[at] ^= data.draw(st.integers(1, 255))
    elif action == "truncate" and encoded:
        del encoded[data.draw(st.integers(0, len(encoded) - 1)):]
    elif action == "extend":
        encoded += bytes(data.draw(st.integers(1, 64)))
    raw = bytes(encoded)
    try:
        expected = abi_decode(list(types), raw, strict=True)
        canonical = abi_encode(list(types), expected) == raw
    except (DecodingError, UnicodeDecodeError, ValueError, OverflowError):
        canonical = False
    try:
        got = decode_types(types, raw)
    except AbiDecodeError:
        assert not canonical
        return
    assert canonical and _normalize(got) == _normalize(expected)


@pytest.mark.parametrize(("types", "data", "want_err"), [
    (("bytes",), (32).to_bytes(32, "big") + (2**255).to_bytes(32, "big"), "claims"),
    (("uint256[]",), (32).to_bytes(32, "big") + (2**64).to_bytes(32, "big"), "claims"),
    (("uint256[]",), (2**200).to_bytes(32, "big"), "offset"),
    (("bytes",), (31).to_bytes(32, "big"), "offset"),
    (("uint256",), b"\x00" * 31, "bytes of heads"),
    (("uint256",), b"\x00" * 33, "left over"),
    (("bool",), (2).to_bytes(32, "big"), "neither 0 nor 1"),
    (("uint8",), (256).to_bytes(32, "big"), "out of range"),
    (("int8",), (128).to_bytes(32, "big"), "sign-extended"),
    (("bytes4",), b"\x01" * 32, "dirty padding"),
    (("string",), (32).to_bytes(32, "big") + (1).to_bytes(32, "big") + b"\xff" + bytes(31), "not UTF-8"),
], ids=["huge-bytes-length", "huge-array-length", "offset-past-end", "offset-misaligned", "short-word",
        "trailing-byte", "bool-2", "uint8-overflow", "int8-not-sign-extended", "bytes4-dirty", "invalid-utf8"])
def test_decode_malformed_input_fails_fast_with_reason(types: tuple[str, ...], data: bytes, want_err: str) -> None:
    started = time.perf_counter()
    with pytest.raises(AbiDecodeError, match=want_err):
        decode_types(types, data)
    assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize("bad", ["uint7", "uint264", "bytes33", "bytes0", "(uint256", "uint256[0]", "foo", "int[x]"])
def test_parse_type_rejects_invalid_types(bad: str) -> None:
    with pytest.raises(AbiTypeError):
        parse_type(bad)
