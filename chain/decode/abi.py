"""Decode calldata against the bundled ABIs, strictly: a match must re-encode to the input bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_abi.exceptions import DecodingError, EncodingError
from eth_utils import keccak, to_checksum_address

from chain.decode.model import DecodedArg, DecodedCall, DecodeSource
from chain.hexutil import to_hex

BUNDLED_ABIS = ("erc20", "erc721", "erc1155", "common", "uniswap_v2_router", "multicall")


@dataclass(frozen=True)
class FunctionAbi:
    """One function: its canonical signature, argument names and types."""

    name: str
    names: tuple[str, ...]
    types: tuple[str, ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({','.join(self.types)})"

    @property
    def selector(self) -> bytes:
        return keccak(text=self.signature)[:4]


def _canonical_type(param: dict[str, Any]) -> str:
    kind = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in param.get("components", []))
        return f"({inner}){kind[5:]}"
    return kind


@cache
def bundled_functions() -> dict[bytes, tuple[FunctionAbi, ...]]:
    """Selector → candidate functions from the bundled ABIs (same signature kept once)."""
    table: dict[bytes, dict[str, FunctionAbi]] = {}
    for name in BUNDLED_ABIS:
        text = resources.files("chain.decode").joinpath(f"abis/{name}.json").read_text()
        for entry in json.loads(text):
            if entry.get("type") != "function":
                continue
            fn = FunctionAbi(
                name=entry["name"],
                names=tuple(p.get("name") or f"arg{i}" for i, p in enumerate(entry["inputs"])),
                types=tuple(_canonical_type(p) for p in entry["inputs"]),
            )
            table.setdefault(fn.selector, {}).setdefault(fn.signature, fn)
    return {sel: tuple(fns.values()) for sel, fns in table.items()}


def json_value(abi_type: str, value: Any) -> Any:
    """Make a decoded ABI value JSON-ready per the result contract."""
    if abi_type.endswith("]"):
        inner = abi_type[: abi_type.rindex("[")]
        return [json_value(inner, v) for v in value]
    if abi_type.startswith("("):
        parts = split_types(abi_type[1:-1])
        return [json_value(t, v) for t, v in zip(parts, value, strict=True)]
    if abi_type == "address":
        return to_checksum_address(value)
    if abi_type.startswith(("uint", "int")):
        return str(value)
    if abi_type.startswith("bytes"):
        return to_hex(value)
    return value


def split_types(body: str) -> list[str]:
    """Split a comma-separated ABI type list at its top level: ``"address,(uint8,bytes)[]"`` → 2 types."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    if body:
        parts.append(body[start:])
    return parts


def decode_strict(fn: FunctionAbi, calldata: bytes) -> tuple[Any, ...] | None:
    """Decode ``calldata`` as ``fn``; None unless the values re-encode to exactly the same bytes."""
    if calldata[:4] != fn.selector:
        return None
    body = calldata[4:]
    try:
        values = abi_decode(list(fn.types), body, strict=True)
        if abi_encode(list(fn.types), values) != body:
            return None
    except (DecodingError, EncodingError, OverflowError, ValueError):
        return None
    return tuple(values)


MAX_DEPTH = 4

# Batch functions: how to read (target, value, calldata) of each inner call from the decoded values.
_NESTED = {
    "aggregate((address,bytes)[])": lambda v, to: [(c[0], 0, c[1]) for c in v[0]],
    "tryAggregate(bool,(address,bytes)[])": lambda v, to: [(c[0], 0, c[1]) for c in v[1]],
    "aggregate3((address,bool,bytes)[])": lambda v, to: [(c[0], 0, c[2]) for c in v[0]],
    "aggregate3Value((address,bool,uint256,bytes)[])": lambda v, to: [(c[0], c[2], c[3]) for c in v[0]],
    "multicall(bytes[])": lambda v, to: [(to, 0, d) for d in v[0]],
    "multicall(uint256,bytes[])": lambda v, to: [(to, 0, d) for d in v[1]],
}


def decode_calldata(calldata: bytes, target: str | None = None, depth: int = 0) -> DecodedCall | None:
    """Decode calldata against the bundled ABIs, nested batches included (to MAX_DEPTH levels);
    None when there is no calldata at all."""
    if not calldata:
        return None
    if len(calldata) < 4:
        return DecodedCall(
            selector=None, function=None, source=DecodeSource.UNKNOWN,
            error=f"calldata is {len(calldata)} bytes, shorter than a 4-byte selector",
        )
    selector = calldata[:4]
    candidates = bundled_functions().get(selector, ())
    matches = [(fn, values) for fn in candidates if (values := decode_strict(fn, calldata)) is not None]
    if len(matches) == 1:
        fn, values = matches[0]
        decoded = DecodedCall(
            selector=to_hex(selector),
            function=fn.signature,
            source=DecodeSource.ABI,
            args=[
                DecodedArg(name=n, type=t, value=json_value(t, v))
                for n, t, v in zip(fn.names, fn.types, values, strict=True)
            ],
        )
        inner = _NESTED.get(fn.signature)
        if inner is not None and depth < MAX_DEPTH:
            for inner_target, value, data in inner(values, target):
                address = to_checksum_address(inner_target) if inner_target else None
                child = decode_calldata(bytes(data), address, depth + 1) or DecodedCall(
                    selector=None, function=None, source=DecodeSource.UNKNOWN, error="no calldata")
                decoded.calls.append(child.model_copy(update={"target": address, "value": str(value)}))
        elif inner is not None:
            decoded.error = f"nested calls deeper than {MAX_DEPTH} levels are not decoded"
        return decoded
    if matches:
        reason = "ambiguous: " + ", ".join(fn.signature for fn, _ in matches)
    elif candidates:
        reason = (
            f"arguments ({len(calldata) - 4} bytes) do not decode as "
            + " or ".join(fn.signature for fn in candidates)
        )
    else:
        reason = "no known function has this selector"
    return DecodedCall(selector=to_hex(selector), function=None, source=DecodeSource.UNKNOWN, error=reason)
