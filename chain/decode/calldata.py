"""Decode calldata from every source, nested calls and proxies included.

Sources, tried in order; the first that decodes the bytes exactly wins and is named in ``decoded.source``: the
caller's ABI, the ABI the protocol registry gives the target on its chain, the bundled ABIs, the tables of published
and registered ABIs (all ``abi``), the generated selector table (``selectors``), and argument types inferred from
the target's bytecode (``bytecode``). When several signatures in one source decode the bytes exactly, the call is
reported as ambiguous with its ``candidates`` — never guessed.
"""

from __future__ import annotations

from typing import Any

from chain.decode.batches import INNER_CALLS, BatchError, Inner
from chain.decode.bytecode import inferred_arguments
from chain.decode.codec import AbiDecodeError, AbiType, AbiTypeError, decode_prefix, decode_types, parse_type
from chain.decode.guess import guess_types
from chain.decode.model import DecodedArg, DecodedCall, DecodeSource, ProxyInfo
from chain.decode.proxy import detect_proxy
from chain.decode.registry import FunctionAbi, bundled_functions, index, published_table, selector_table
from chain.decode.universal_router import COMMAND_TYPE_MASK, COMMANDS, EXECUTE_SIGNATURES, EXECUTE_SUB_PLAN
from chain.hexutil import to_hex
from chain.protocols import protocol_registry
from chain.state import ChainState

MAX_DEPTH = 8
MAX_CALLS = 1024  # nested calls decoded per request; the rest are summarized in ``error``


def _json(t: AbiType, value: Any) -> Any:
    """A decoded value, JSON-ready per the result contract (ints as decimal strings, bytes as hex)."""
    kind = t.kind
    if kind in ("uint", "int"):
        return str(value)
    if kind in ("bytes", "fbytes"):
        return to_hex(value)
    if kind == "array":
        return [_json(t.inner[0], v) for v in value]
    if kind == "tuple":
        return [_json(m, v) for m, v in zip(t.inner, value, strict=True)]
    return value  # address (already EIP-55), bool, string


def json_value(abi_type: str, value: Any) -> Any:
    """Make a decoded ABI value JSON-ready per the result contract."""
    return _json(parse_type(abi_type), value)


Match = tuple[FunctionAbi, tuple[Any, ...]]


def _args(fn: FunctionAbi, values: tuple[Any, ...]) -> list[DecodedArg]:
    return [
        DecodedArg(name=n, type=t, value=_json(parse_type(t), v))
        for n, t, v in zip(fn.names, fn.types, values, strict=True)
    ]


def _strict(candidates: tuple[FunctionAbi, ...], body: bytes) -> list[Match]:
    matches = []
    for fn in candidates:
        try:
            matches.append((fn, decode_types(fn.types, body)))
        except (AbiDecodeError, AbiTypeError):
            continue
    return matches


def _with_trailing(candidates: tuple[FunctionAbi, ...], body: bytes) -> tuple[list[Match], bytes]:
    """Candidates whose canonical encoding is a prefix of ``body``, keeping those that leave the fewest bytes
    after it, and those bytes. Only asked when no candidate decodes ``body`` exactly."""
    best: list[Match] = []
    best_end = -1
    for fn in candidates:
        try:
            values, end = decode_prefix(fn.types, body)
        except (AbiDecodeError, AbiTypeError):
            continue
        if end > best_end:
            best, best_end = [(fn, values)], end
        elif end == best_end:
            best.append((fn, values))
    return best, body[best_end:] if best else b""


def _unknown(selector: bytes | None, reason: str, **extra: Any) -> DecodedCall:
    return DecodedCall(selector=to_hex(selector) if selector else None, function=None,
                       source=DecodeSource.UNKNOWN, error=reason, **extra)


class Decoder:
    """Decodes one request's calldata; caches code and proxy look-ups for its duration."""

    def __init__(self, abi: list[FunctionAbi] | None = None, state: ChainState | None = None,
                 chain_id: int | None = None):
        self.user = index(abi) if abi else {}
        self.state = state
        self.chain_id = chain_id
        self.calls = 0
        self._proxies: dict[str, ProxyInfo | None] = {}
        self._codes: dict[str, bytes] = {}

    def code(self, address: str) -> bytes:
        """Runtime code at ``address``, read once per decode (a batch often calls one target many times)."""
        if address not in self._codes:
            self._codes[address] = self.state.code(address) if self.state is not None else b""
        return self._codes[address]

    def proxy(self, address: str) -> ProxyInfo | None:
        """The proxy pattern at ``address`` (None without state or for a plain contract)."""
        if self.state is None:
            return None
        if address not in self._proxies:
            self._proxies[address] = detect_proxy(self.state, address, self.code(address))
        return self._proxies[address]

    def decode(self, calldata: bytes, target: str | None = None, depth: int = 0) -> DecodedCall | None:
        """Decode ``calldata`` sent to ``target``; None when there is no calldata at all."""
        if not calldata:
            return None
        if len(calldata) < 4:
            return _unknown(None, f"calldata is {len(calldata)} bytes, shorter than a 4-byte selector")
        selector, body = calldata[:4], calldata[4:]
        proxy = self.proxy(target) if target else None
        tried: list[str] = []
        sources = ((DecodeSource.ABI, self.user), (DecodeSource.ABI, self._registered(target)),
                   (DecodeSource.ABI, bundled_functions()), (DecodeSource.ABI, published_table()["functions"]),
                   (DecodeSource.ABI, protocol_registry().all_functions),
                   (DecodeSource.SELECTORS, selector_table()["functions"]))
        for trailing_allowed in (False, True):  # an exact decode anywhere beats one with bytes after it
            for source, table in sources:
                candidates = table.get(selector, ())
                if trailing_allowed:
                    matches, trailing = _with_trailing(candidates, body)
                else:
                    matches, trailing = _strict(candidates, body), b""
                if len(matches) == 1:
                    fn, values = matches[0]
                    decoded = DecodedCall(selector=to_hex(selector), function=fn.signature, source=source,
                                          args=_args(fn, values), proxy=proxy,
                                          trailing_data=to_hex(trailing) if trailing else None)
                    self._nest(decoded, fn, values, target, depth)
                    return decoded
                if matches:
                    sigs = sorted(fn.signature for fn, _ in matches)
                    return _unknown(selector, "ambiguous: the bytes decode exactly as " + " and ".join(sigs),
                                    candidates=sigs, proxy=proxy)
                tried += [fn.signature for fn in candidates if fn.signature not in tried]
        if (inferred := self._from_bytecode(selector, body, target, proxy)) is not None:
            return inferred
        if tried:
            reason = f"arguments ({len(body)} bytes) do not decode as " + " or ".join(tried)
        else:
            reason = "no known function has this selector"
        if not tried and (types := guess_types(body)) is not None:  # a known selector's bad bytes are not guessed
            fn = FunctionAbi(name=to_hex(selector), names=tuple(f"arg{i}" for i in range(len(types))), types=types)
            return DecodedCall(selector=to_hex(selector), function=fn.signature, source=DecodeSource.GUESSED,
                               args=_args(fn, decode_types(types, body)), proxy=proxy,
                               error="no known function has this selector; the argument layout is guessed from "
                                     "the calldata")
        return _unknown(selector, reason, proxy=proxy)

    def _registered(self, target: str | None) -> dict[bytes, tuple[FunctionAbi, ...]]:
        """The ABI the protocol registry gives ``target`` on this chain (its own functions win every collision)."""
        if target is None or self.chain_id is None:
            return {}
        known = protocol_registry().contract(self.chain_id, target)
        return protocol_registry().functions(known.abi) if known is not None and known.abi else {}

    def _from_bytecode(self, selector: bytes, body: bytes, target: str | None,
                       proxy: ProxyInfo | None) -> DecodedCall | None:
        if self.state is None or target is None:
            return None
        code = self.code(proxy.implementation if proxy else target)
        try:
            types = inferred_arguments(code, selector)
        except Exception:  # evmole on hostile bytecode: no inference, never a crash
            return None
        if types is None:
            return None
        arg_types = tuple(t for t in types.split(",") if t)
        fn = FunctionAbi(name=to_hex(selector), names=tuple(f"arg{i}" for i in range(len(arg_types))),
                         types=arg_types)
        matches, trailing = _strict((fn,), body), b""
        if not matches:
            matches, trailing = _with_trailing((fn,), body)
        if not matches:
            return _unknown(selector, f"the target's bytecode has this function, taking ({types}), but the "
                            "arguments do not decode as those types", proxy=proxy)
        return DecodedCall(selector=to_hex(selector), function=fn.signature, source=DecodeSource.BYTECODE,
                           args=_args(fn, matches[0][1]), proxy=proxy,
                           trailing_data=to_hex(trailing) if trailing else None)

    def _nest(self, decoded: DecodedCall, fn: FunctionAbi, values: tuple[Any, ...], target: str | None,
              depth: int) -> None:
        """Decode the inner calls of a batching function into ``decoded.calls``."""
        signature = fn.signature
        if signature in EXECUTE_SIGNATURES:
            self._commands(decoded, values[0], values[1], target, depth)
            return
        unpack = INNER_CALLS.get(signature)
        if unpack is None:
            return
        if self._too_deep(decoded, depth):
            return
        try:
            inner = unpack(values, target)
        except BatchError as exc:
            decoded.error = f"inner calls are malformed: {exc}"
            return
        self.append_calls(decoded, inner, depth)

    def append_calls(self, decoded: DecodedCall, inner: list[Inner], depth: int) -> None:
        """Decode each (target, wei, calldata, operation) into a child of ``decoded``."""
        for inner_target, wei, data, operation in inner:
            if not self._take_call(decoded):
                return
            child = self.decode(bytes(data), inner_target, depth + 1)
            if child is None:  # no calldata: a plain transfer of value
                child = DecodedCall(selector=None, function=None, source=DecodeSource.ABI)
            child.target, child.value, child.operation = inner_target, str(wei), operation
            decoded.calls.append(child)

    def _too_deep(self, decoded: DecodedCall, depth: int) -> bool:
        """True (and says so in ``decoded.error``) when ``decoded``'s children would pass MAX_DEPTH."""
        if depth >= MAX_DEPTH:
            decoded.error = f"nested calls deeper than {MAX_DEPTH} levels are not decoded"
        return depth >= MAX_DEPTH

    def _take_call(self, decoded: DecodedCall) -> bool:
        """Count one more nested call; False (and says so) once MAX_CALLS are decoded."""
        if self.calls >= MAX_CALLS:
            decoded.error = f"more than {MAX_CALLS} nested calls; the rest are not decoded"
            return False
        self.calls += 1
        return True

    def _commands(self, decoded: DecodedCall, commands: bytes, inputs: tuple[bytes, ...], router: str | None,
                  depth: int) -> None:
        """Universal Router commands, one child per command byte."""
        if len(commands) != len(inputs):
            decoded.error = f"{len(commands)} commands but {len(inputs)} inputs"
            return
        if self._too_deep(decoded, depth):
            return
        for byte, data in zip(commands, inputs, strict=True):
            if not self._take_call(decoded):
                return
            where = {"target": router, "value": "0", "command": f"0x{byte:02x}"}
            forms = COMMANDS.get(byte & COMMAND_TYPE_MASK)
            if forms is None:
                decoded.calls.append(_unknown(None, f"unknown Universal Router command 0x{byte:02x}", **where))
                continue
            matches, trailing = _strict(forms, data), b""
            if not matches:  # the router decodes its inputs from calldata slices: bytes after them are ignored
                matches, trailing = _with_trailing(forms, data)
            if not matches:
                tried = " or ".join(f.signature for f in forms)
                decoded.calls.append(_unknown(None, f"input of {forms[0].name} does not decode as {tried}", **where))
                continue
            fn = matches[0][0]
            child = DecodedCall(selector=None, function=fn.signature, source=DecodeSource.ABI,
                                args=_args(fn, matches[0][1]), trailing_data=to_hex(trailing) if trailing else None,
                                **where)
            if byte & COMMAND_TYPE_MASK == EXECUTE_SUB_PLAN:
                self._commands(child, matches[0][1][0], matches[0][1][1], router, depth + 1)
            decoded.calls.append(child)


WALLET_SEND_CALLS = "wallet_sendCalls"


def deployment(initcode: bytes) -> DecodedCall:
    """A transaction (or batch call) without ``to``: ``data`` is initcode that deploys a contract."""
    return DecodedCall(selector=None, function=None, source=DecodeSource.DEPLOYMENT,
                       args=[DecodedArg(name="initcode_size", type="uint256", value=str(len(initcode)))])


def decode_batch(calls: list[tuple[str | None, int, bytes]], *, abi: list[FunctionAbi] | None = None,
                 state: ChainState | None = None, chain_id: int | None = None) -> DecodedCall:
    """An EIP-5792 batch: a ``wallet_sendCalls`` node whose ``calls`` are the batch's calls, decoded."""
    decoded = DecodedCall(selector=None, function=WALLET_SEND_CALLS, source=DecodeSource.ABI)
    decoder = Decoder(abi, state, chain_id)
    for to, wei, data in calls:
        if to is None:  # a deployment inside the batch
            child = deployment(data)
            child.value = str(wei)
            decoded.calls.append(child)
        else:
            decoder.append_calls(decoded, [(to, wei, data, None)], 0)
    return decoded


def decode_calldata(calldata: bytes, target: str | None = None, *, abi: list[FunctionAbi] | None = None,
                    state: ChainState | None = None, chain_id: int | None = None) -> DecodedCall | None:
    """Decode calldata sent to ``target``: the caller's ``abi`` first, then the ABI the protocol registry gives the
    target on ``chain_id``, bundled ABIs, the published and registered tables, the selector table and (given
    ``state``) the target's bytecode; nested batches to ``MAX_DEPTH`` levels. None when there is no calldata at
    all. (A transaction without ``to`` is a :func:`deployment`.)"""
    return Decoder(abi, state, chain_id).decode(calldata, target)
