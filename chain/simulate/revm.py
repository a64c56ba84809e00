"""In-process simulation with pyrevm over the embedded devnet.

Every request runs in a session: overrides applied, the call made inside a snapshot and reverted,
code and metadata read, then the overrides undone. One lock serializes sessions.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from eth_utils import keccak
from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env

from chain.hexutil import checksum
from chain.request import AccountOverride, Transaction
from chain.simulate.devnet import DEVNET_CHAIN_ID, deploy_devnet
from chain.simulate.evm_accounts import code_set_aside
from chain.simulate.logs import RawLog, approval_changes, asset_changes
from chain.simulate.model import SimulationResult, SimulationStatus, over_budget
from chain.simulate.revert import decode_revert

BACKEND = "revm"
READ_GAS = 1_000_000
READER = "0x000000000000000000000000000000000000dEaD"
TOKEN_METADATA = ("name()", "symbol()", "decimals()")
_REVERT = re.compile(r"Revert \{ gas_used: (\d+), output: 0x([0-9a-fA-F]*) \}")
_GAS_USED = re.compile(r"gas_used: (\d+)")


@cache
def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


@dataclass
class _Undo:
    accounts: list[tuple[str, int, int, bytes | None]] = field(default_factory=list)
    slots: list[tuple[str, int, int]] = field(default_factory=list)


class RevmSession:
    """The simulator's state for one request, overrides applied: code, reads and the simulation."""

    def __init__(self, evm: EVM, chain_id: int, default_gas: int, *, metadata: dict[tuple[str, str], bytes | None],
                 overridden: frozenset[str] = frozenset()):
        self._evm = evm
        self.chain_id = chain_id
        self._default_gas = default_gas
        self._metadata = metadata
        self._overridden = overridden

    def code(self, address: str) -> bytes:
        """Runtime code at ``address`` (empty for an account without code)."""
        return bytes(self._evm.get_code(address) or b"")

    def storage(self, address: str, slot: int) -> int:
        """The storage word at ``slot``."""
        try:
            return int(self._evm.storage(address, slot))
        except BaseException:
            return 0

    def call(self, to: str, data: bytes) -> bytes | None:
        """A static read; None if it reverts or fails."""
        checkpoint = self._evm.snapshot()
        try:
            return bytes(self._evm.message_call(READER, to, data, gas=READ_GAS, is_static=True))
        except BaseException:
            return None
        finally:
            self._evm.revert(checkpoint)

    def call_signature(self, to: str, signature: str) -> bytes | None:
        """Call a no-argument view function by its text signature. A token's name, symbol and decimals are read
        once per backend: its base state never changes (every request is reverted; a fork is pinned to a block),
        so only a request that overrides the token's own state reads them again."""
        if signature not in TOKEN_METADATA or to.lower() in self._overridden:
            return self.call(to, _selector(signature))
        key = (to.lower(), signature)
        if key not in self._metadata:
            self._metadata[key] = self.call(to, _selector(signature))
        return self._metadata[key]

    def simulate(self, tx: Transaction) -> SimulationResult:
        """Execute ``tx`` in a snapshot and revert; never raises."""
        if tx.chain_id != self.chain_id:
            return SimulationResult(
                status=SimulationStatus.UNAVAILABLE, backend=BACKEND,
                error=f"the simulator serves chain {self.chain_id}, the request is for chain {tx.chain_id}",
            )
        if (refused := over_budget(tx.gas, self._default_gas, BACKEND)) is not None:
            return refused
        if tx.caller is None:
            return self._run(tx, tx.sender)
        # pyrevm refuses a transaction from an account with code (EIP-3607), as the EntryPoint's call into the
        # account is: the EntryPoint's code is set aside for the call (a node keeps it; an account calling back
        # into its EntryPoint during ``callData`` would find none here).
        with code_set_aside(self._evm, tx.caller):
            return self._run(tx, tx.caller)

    def _run(self, tx: Transaction, caller: str) -> SimulationResult:
        evm = self._evm
        gas = tx.gas if tx.gas is not None else self._default_gas
        checkpoint = evm.snapshot()
        evm.reset_transient_storage()
        logs: list[RawLog] = []
        deployed: list[str] = []
        gas_used, failing, capped = 0, None, False
        calls = tx.calls if tx.calls is not None else [tx]
        deploying = tx.deployment is not None
        try:  # a wallet_sendCalls batch runs in order: each call sees the previous ones' effects
            if tx.deployment is not None:  # a user operation's account, deployed first by the EntryPoint's
                with code_set_aside(evm, tx.deployment.caller):  # SenderCreator calling its factory
                    evm.message_call(tx.deployment.caller, tx.deployment.factory, tx.deployment.data,
                                     gas=min(tx.deployment.gas or gas, self._default_gas))
                gas_used += evm.result.gas_used
                logs += _logs(evm.result)
                if not evm.get_code(tx.to):  # the EntryPoint refuses such an operation: never an empty call
                    evm.revert(checkpoint)
                    return SimulationResult(status=SimulationStatus.REVERTED, backend=BACKEND, gas_used=gas_used,
                                            revert_reason=f"AA14: the factory {tx.deployment.factory} did not "
                                                          f"deploy the account {tx.to}")
                deploying = False
            for failing, call in enumerate(calls):
                # the budget is the whole request's: a batch of calls shares it (pyrevm holds the interpreter
                # lock while it runs, so gas is the only bound on the time a request can hold the process)
                call_gas = min(gas, self._default_gas - gas_used)
                capped = call_gas < gas
                if call_gas < MIN_CALL_GAS:
                    evm.revert(checkpoint)
                    return _budget_spent(gas_used, self._default_gas, failing)
                if call.to is None:
                    deployed.append(checksum(evm.deploy(tx.sender, call.data, value=call.value, gas=call_gas)))
                else:
                    evm.message_call(caller, call.to, call.data, value=call.value, gas=call_gas)
                gas_used += evm.result.gas_used
                logs += _logs(evm.result)
            status, reason = SimulationStatus.SUCCESS, None
            # Native ETH moves (internal ones too) as balance deltas: an account whose balance changed
            # was loaded, so it is in the open journal; gas price is 0, so fees do not blur them.
            accounts = {checksum(a) for a in evm.journal_state}
            after = {a: evm.get_balance(a) for a in accounts}
        except RuntimeError as exc:
            if capped and "OutOfGas" in str(exc):  # it ran out of the request's budget, not of its own gas
                evm.revert(checkpoint)
                return _budget_spent(gas_used, self._default_gas, failing)
            logs, status, after = [], SimulationStatus.REVERTED, {}
            gas_used, reason = _parse_failure(str(exc))
            if deploying and tx.deployment is not None:
                reason = f"deploying the account through its factory {tx.deployment.factory}: {reason}"
            elif tx.calls is not None and failing is not None:
                reason = f"call {failing} of the batch: {reason}"
        except BaseException as exc:
            evm.revert(checkpoint)
            return SimulationResult(
                status=SimulationStatus.UNAVAILABLE, backend=BACKEND, error=f"revm failed: {exc}"[:500]
            )
        evm.revert(checkpoint)
        if status is not SimulationStatus.SUCCESS:
            return SimulationResult(status=status, backend=BACKEND, revert_reason=reason, gas_used=gas_used)
        native = {a: after[a] - evm.get_balance(a) for a in after}
        changes = asset_changes(logs, sender=tx.sender, to=tx.to, value=tx.value, read=self.call_signature,
                                native=native)
        return SimulationResult(status=status, backend=BACKEND, gas_used=gas_used, asset_changes=changes,
                                approval_changes=approval_changes(logs), deployed=deployed)


MIN_CALL_GAS = 21_000  # a call's intrinsic gas: less left of the budget cannot run one


def _budget_spent(used: int, budget: int, call: int | None) -> SimulationResult:
    """Unavailable: the request's calls need more gas than the simulation budget."""
    return SimulationResult(status=SimulationStatus.UNAVAILABLE, backend=BACKEND,
                            error=f"exceeded the simulation budget: the calls before call {call} used {used} of "
                                  f"the {budget} gas a request may use")


def _logs(result: object) -> list[RawLog]:
    return [RawLog(log.address, tuple(bytes.fromhex(t[2:]) for t in log.topics), bytes(log.data[1]))
            for log in result.logs]  # type: ignore[attr-defined]


class ForkError(RuntimeError):
    """The node to fork from cannot be reached or read."""


def _fork_point(url: str, block: str) -> tuple[int, int]:
    """(chain id, block number) of ``block`` ("latest" or a number) at ``url``, pinned once."""
    from chain.simulate.jsonrpc import JsonRpcClient, RpcError, RpcUnavailable

    client = JsonRpcClient(url)
    try:
        chain_id = int(client.request("eth_chainId", []), 16)
        number = int(client.request("eth_blockNumber", []), 16) if block == "latest" else int(block, 0)
    except (RpcError, RpcUnavailable, ValueError, TypeError) as exc:
        raise ForkError(f"cannot read {url}: {exc}") from exc
    return chain_id, number


def _parse_failure(message: str) -> tuple[int | None, str]:
    if match := _REVERT.search(message):
        return int(match.group(1)), decode_revert(bytes.fromhex(match.group(2)))
    gas = _GAS_USED.search(message)
    return (int(gas.group(1)) if gas else None), message[:300]


class RevmBackend:
    """pyrevm over the embedded devnet, or forking a node at a pinned block; one session at a time."""

    name = BACKEND

    def __init__(self, *, default_gas: int = 30_000_000, chain_id: int = DEVNET_CHAIN_ID,
                 fork_url: str | None = None, fork_block: str = "latest"):
        """Raises ForkError when ``fork_url`` cannot be reached (pyrevm would panic later)."""
        self._default_gas = default_gas
        self._lock = threading.Lock()
        self._metadata: dict[tuple[str, str], bytes | None] = {}  # read under the lock, by one session at a time
        self.fork_url = fork_url
        if fork_url is None:
            self.chain_id = chain_id
            self._evm = EVM(env=Env(cfg=CfgEnv(chain_id=chain_id),
                                    block=BlockEnv(number=1, timestamp=int(time.time()))), spec_id="CANCUN")
            self.addresses = deploy_devnet(self._evm)
            self._block_number = 2
            return
        self.chain_id, self._block_number = _fork_point(fork_url, fork_block)
        try:
            self._evm = EVM(env=Env(cfg=CfgEnv(chain_id=self.chain_id)), fork_url=fork_url,
                            fork_block=hex(self._block_number), spec_id="CANCUN")
        except BaseException as exc:
            raise ForkError(f"cannot fork {fork_url}: {exc}") from exc
        self.addresses = {}

    @contextmanager
    def session(self, overrides: dict[str, AccountOverride]) -> Iterator[RevmSession]:
        """The state with ``overrides`` applied, restored when the block exits."""
        with self._lock:
            self._evm.set_block_env(BlockEnv(number=self._block_number + 1, timestamp=int(time.time())))
            undo = self._apply(overrides)
            try:
                yield RevmSession(self._evm, self.chain_id, self._default_gas, metadata=self._metadata,
                                  overridden=frozenset(a.lower() for a in overrides))
            finally:
                self._restore(undo)

    def _apply(self, overrides: dict[str, AccountOverride]) -> _Undo:
        evm, undo = self._evm, _Undo()
        for raw_address, override in overrides.items():
            address = checksum(raw_address)
            info = evm.basic(address)
            balance, nonce, code = evm.get_balance(address), info.nonce, evm.get_code(address)
            undo.accounts.append((address, balance, nonce, code))
            if override.code is not None or override.nonce is not None:
                evm.insert_account_info(
                    address,
                    AccountInfo(
                        nonce=override.nonce if override.nonce is not None else nonce,
                        code=override.code if override.code is not None else (code or b""),
                    ),
                )
            evm.set_balance(address, override.balance if override.balance is not None else balance)
            for slot, value in (override.state_diff or {}).items():
                undo.slots.append((address, slot, evm.storage(address, slot)))
                evm.insert_account_storage(address, slot, value)
        return undo

    def _restore(self, undo: _Undo) -> None:
        evm = self._evm
        for address, slot, value in reversed(undo.slots):
            evm.insert_account_storage(address, slot, value)
        for address, balance, nonce, code in reversed(undo.accounts):
            evm.insert_account_info(address, AccountInfo(nonce=nonce, code=code or b""))
            evm.set_balance(address, balance)
