"""Simulation on any JSON-RPC node: eth_simulateV1, else debug_traceCall (callTracer with logs),
else plain eth_call (status and revert only). The capability is detected once per endpoint. A
wallet_sendCalls batch on a node without eth_simulateV1 runs in revm forking the node at the same block."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eth_utils import keccak, to_checksum_address

from chain.hexutil import create_address
from chain.request import AccountOverride, Transaction
from chain.simulate.jsonrpc import JsonRpcClient, RpcError, RpcUnavailable
from chain.simulate.logs import RawLog, approval_changes, asset_changes
from chain.simulate.model import SimulationResult, SimulationStatus, over_budget
from chain.simulate.revert import decode_revert
from chain.simulate.rpc_calls import (
    call_object,
    call_objects,
    hexbytes,
    native,
    raw_log,
    rpc_overrides,
    walk,
)

BACKEND = "rpc"
READER = "0x000000000000000000000000000000000000dEaD"
MODES = ("eth_simulateV1", "debug_traceCall", "eth_call")


class RpcSession:
    """One request's view of the node: reads and the simulation, overrides passed on every call."""

    def __init__(self, backend: RpcBackend, overrides: dict[str, AccountOverride]):
        self._backend = backend
        self._client = backend.client
        self._overrides = overrides
        self._rpc_overrides = rpc_overrides(overrides)
        self.chain_id = backend.chain_id or 0

    def code(self, address: str) -> bytes:
        override = self._overrides.get(address)
        if override is not None and override.code is not None:
            return override.code
        try:
            return hexbytes(self._client.request("eth_getCode", [address, self._backend.block]))
        except (RpcError, RpcUnavailable):
            return b""

    def storage(self, address: str, slot: int) -> int:
        override = self._overrides.get(address)
        if override is not None and override.state_diff and slot in override.state_diff:
            return override.state_diff[slot]
        try:
            word = self._client.request("eth_getStorageAt", [address, hex(slot), self._backend.block])
            return int(word, 16) if isinstance(word, str) and word.startswith("0x") and len(word) > 2 else 0
        except (RpcError, RpcUnavailable, ValueError):
            return 0

    def call(self, to: str, data: bytes) -> bytes | None:
        params: list[Any] = [{"from": READER, "to": to, "data": "0x" + data.hex()}, self._backend.block]
        if self._rpc_overrides:
            params.append(self._rpc_overrides)
        try:
            return hexbytes(self._client.request("eth_call", params))
        except (RpcError, RpcUnavailable):
            return None

    def call_signature(self, to: str, signature: str) -> bytes | None:
        return self.call(to, keccak(text=signature)[:4])

    def simulate(self, tx: Transaction) -> SimulationResult:
        """Simulate with the best method the node has; never raises."""
        backend = self._backend
        if backend.chain_id is None:
            return _unavailable(f"the node at {backend.client.url} did not tell its chain id: {backend.chain_error}")
        if tx.chain_id != backend.chain_id:
            return _unavailable(f"the node serves chain {backend.chain_id}, the request is for chain {tx.chain_id}")
        if (refused := over_budget(tx.gas, backend.default_gas, BACKEND)) is not None:
            return refused
        gas = tx.gas if tx.gas is not None else backend.default_gas
        # Nodes' eth_simulateV1 need not build a contract creation (anvil 1.7 refuses a call without `to`): a
        # deployment runs through debug_traceCall, a batch holding one on a revm fork of the node.
        creates = any(call.to is None for call in (tx.calls if tx.calls is not None else [tx]))
        try:
            if creates and tx.calls is not None:
                return self._batch_on_fork(tx, "a wallet_sendCalls batch with a contract creation (eth_simulateV1 "
                                               "need not build one)")
            if tx.deployment is not None:  # a user operation's account deployed first, checked as revm checks it
                return self._batch_on_fork(tx, "a user operation deploying its account")
            for mode in backend.modes(creation=creates):
                if tx.calls is not None and mode != "eth_simulateV1":
                    return self._batch_on_fork(tx, f"a wallet_sendCalls batch on a node without eth_simulateV1 "
                                                   f"(it offers {mode})")
                try:
                    result = getattr(self, "_" + mode.lower())(tx, gas)
                except RpcError as exc:
                    if exc.method_missing:
                        backend.drop_mode(mode)
                        continue
                    raise
                if not creates:
                    backend.keep_mode(mode)
                return result
        except RpcUnavailable as exc:
            return _unavailable(str(exc))
        except RpcError as exc:
            return _unavailable(f"node error {exc}")
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            return _unavailable(f"unexpected answer from the node: {type(exc).__name__}: {exc}")
        return _unavailable("the node supports none of eth_simulateV1, debug_traceCall, eth_call")

    def _batch_on_fork(self, tx: Transaction, why: str) -> SimulationResult:
        """The calls in order, each seeing the previous ones' effects, in revm forking this node at the
        configured block (state read lazily over the node's RPC); a fresh fork per batch, so "latest"
        stays the latest. ``why``: what needs the fork, said if it fails."""
        from chain.simulate.revm import ForkError, RevmBackend

        backend = self._backend
        try:
            fork = RevmBackend(default_gas=backend.default_gas, fork_url=backend.client.url, fork_block=backend.block)
        except ForkError as exc:
            return _unavailable(f"{why} needs a revm fork of the node, which failed: {exc}")
        with fork.session(self._overrides) as session:
            return session.simulate(tx)

    def _eth_simulatev1(self, tx: Transaction, gas: int) -> SimulationResult:
        # The simulated block's time is the wall clock's, as revm's: a node's default (anvil: its latest block's
        # time; geth: the parent's plus a slot) lags it, and an order or a vesting that starts "now" would revert.
        block: dict[str, Any] = {"blockOverrides": {"time": hex(int(time.time()))}, "calls": call_objects(tx, gas)}
        if self._rpc_overrides:
            block["stateOverrides"] = self._rpc_overrides
        params = {"blockStateCalls": [block], "traceTransfers": True, "validation": False}
        try:
            answer = self._client.request("eth_simulateV1", [params, self._backend.block])
        except RpcError as exc:
            if "time" not in exc.message.lower():
                raise
            del block["blockOverrides"]  # a node that refuses the time (not after its head's): its own default
            answer = self._client.request("eth_simulateV1", [params, self._backend.block])
        calls = answer[0]["calls"]
        if len(calls) != len(block["calls"]):
            raise ValueError(f"{len(calls)} results for {len(block['calls'])} calls")
        gas_used, logs = 0, []
        for i, call in enumerate(calls):
            gas_used += int(call["gasUsed"], 16)
            if call.get("status") != "0x1":
                error = call.get("error") or {}
                data = hexbytes(error.get("data")) or hexbytes(call.get("returnData"))
                reason = (decode_revert(data) if data or error.get("code") in (3, -32000, -3200)
                          else error.get("message"))
                if tx.calls is not None:
                    reason = f"call {i} of the batch: {reason}"
                return SimulationResult(status=SimulationStatus.REVERTED, backend=BACKEND, gas_used=gas_used,
                                        revert_reason=reason)
            logs += [raw_log(log) for log in call.get("logs", [])]
        # Native moves arrive as logs from 0xeeee…eeee, the top-level value included: pass value=0.
        changes = asset_changes(logs, sender=tx.sender, to=tx.to, value=0, read=self.call_signature)
        return SimulationResult(status=SimulationStatus.SUCCESS, backend=BACKEND, gas_used=gas_used,
                                asset_changes=changes, deployed=self._created(tx),
                                approval_changes=approval_changes([lg for lg in logs if not native(lg)]))

    def _created(self, tx: Transaction) -> list[str]:
        """Addresses the calls without ``to`` create: CREATE from the sender's nonce, one nonce per call."""
        calls = tx.calls if tx.calls is not None else [tx]
        creates = [i for i, call in enumerate(calls) if call.to is None]
        if not creates or tx.sender is None:
            return []
        override = self._overrides.get(tx.sender)
        if override is not None and override.nonce is not None:
            nonce = override.nonce
        else:
            nonce = int(self._client.request("eth_getTransactionCount", [tx.sender, self._backend.block]), 16)
        return [create_address(tx.sender, nonce + i) for i in creates]

    def _debug_tracecall(self, tx: Transaction, gas: int) -> SimulationResult:
        config: dict[str, Any] = {"tracer": "callTracer", "tracerConfig": {"withLog": True}}
        if self._rpc_overrides:
            config["stateOverrides"] = self._rpc_overrides
        frame = self._client.request("debug_traceCall",
                                     [call_object(tx.caller or tx.sender, tx, gas), self._backend.block, config])
        gas_used = int(frame.get("gasUsed", "0x0"), 16)
        if frame.get("error"):
            return SimulationResult(status=SimulationStatus.REVERTED, backend=BACKEND, gas_used=gas_used,
                                    revert_reason=decode_revert(hexbytes(frame.get("output"))))
        logs: list[RawLog] = []
        moves: list[tuple[str, str, int]] = []
        walk(frame, logs, moves)
        native = [RawLog(to_checksum_address("0x" + "ee" * 20),
                         (keccak(text="Transfer(address,address,uint256)"), bytes(12) + bytes.fromhex(src[2:]),
                          bytes(12) + bytes.fromhex(dst[2:])), value.to_bytes(32, "big"))
                  for src, dst, value in moves]
        changes = asset_changes(native + logs, sender=tx.sender, to=tx.to, value=0, read=self.call_signature)
        return SimulationResult(status=SimulationStatus.SUCCESS, backend=BACKEND, gas_used=gas_used,
                                asset_changes=changes, approval_changes=approval_changes(logs),
                                deployed=self._created(tx))

    def _eth_call(self, tx: Transaction, gas: int) -> SimulationResult:
        params: list[Any] = [call_object(tx.caller or tx.sender, tx, gas), self._backend.block]
        if self._rpc_overrides:
            params.append(self._rpc_overrides)
        try:
            self._client.request("eth_call", params)
        except RpcError as exc:
            if exc.method_missing:
                raise
            return SimulationResult(status=SimulationStatus.REVERTED, backend=BACKEND, asset_changes_known=False,
                                    revert_reason=decode_revert(hexbytes(exc.data)) if exc.data else exc.message)
        return SimulationResult(status=SimulationStatus.SUCCESS, backend=BACKEND, asset_changes_known=False)


def _unavailable(reason: str) -> SimulationResult:
    return SimulationResult(status=SimulationStatus.UNAVAILABLE, backend=BACKEND, error=reason[:400])


class RpcBackend:
    """A node behind JSON-RPC; which simulation method it supports is learned once and kept."""

    name = BACKEND

    def __init__(self, url: str, *, block: str = "latest", timeout_s: float = 3.0, retries: int = 2,
                 default_gas: int = 30_000_000):
        self.addresses: dict[str, str] = {}
        self.client = JsonRpcClient(url, timeout_s=timeout_s, retries=retries)
        self.block = block
        self.default_gas = default_gas
        self._modes = list(MODES)
        self._known: str | None = None
        self._lock = threading.Lock()
        self.chain_id: int | None = None
        self.chain_error: str | None = None
        self._read_chain_id()

    def _read_chain_id(self) -> None:
        try:
            self.chain_id = int(self.client.request("eth_chainId", []), 16)
        except (RpcError, RpcUnavailable, ValueError, TypeError) as exc:
            self.chain_error = str(exc)

    @property
    def mode(self) -> str | None:
        """The simulation method in use, once detected."""
        return self._known

    def modes(self, *, creation: bool = False) -> list[str]:
        """The modes to try: the one known to work, else every one not yet refused. A contract creation skips
        eth_simulateV1 (not every node's builds one) and tries the rest."""
        with self._lock:
            if creation:
                return [m for m in self._modes if m != "eth_simulateV1"]
            return [self._known] if self._known else list(self._modes)

    def drop_mode(self, mode: str) -> None:
        with self._lock:
            if mode in self._modes:
                self._modes.remove(mode)
            if self._known == mode:
                self._known = None

    def keep_mode(self, mode: str) -> None:
        with self._lock:
            self._known = mode

    @contextmanager
    def session(self, overrides: dict[str, AccountOverride]) -> Iterator[RpcSession]:
        """The node's state with ``overrides`` (applied by the node on every call)."""
        if self.chain_id is None:
            self._read_chain_id()
        yield RpcSession(self, overrides)
