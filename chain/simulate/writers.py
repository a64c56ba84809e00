"""How the devnet's world is written into a chain: pyrevm in-process, or a dev node (anvil) over JSON-RPC.

Both writers offer the same four operations, so one builder (``chain.simulate.devnet.build_world``) produces
the same world, at the same addresses, on either.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from pyrevm import EVM

from chain.decode.codec import split_types
from chain.simulate.evm_accounts import code_set_aside, set_account

DEPLOY_GAS = 30_000_000


@dataclass(frozen=True)
class Call:
    """A function call written as its signature and arguments; ``@LABEL`` arguments name a built contract."""

    signature: str
    args: tuple[Any, ...] = ()

    def calldata(self, addresses: dict[str, str]) -> bytes:
        """The ABI-encoded call (nested ``Call`` arguments are encoded first, as ``bytes``)."""
        types = split_types(self.signature[self.signature.index("(") + 1: -1])
        return keccak(text=self.signature)[:4] + abi_encode(types, resolve(self.args, addresses))


def resolve(args: tuple[Any, ...], addresses: dict[str, str]) -> list[Any]:
    """Arguments with ``@LABEL`` replaced by that contract's address and nested calls encoded."""
    out: list[Any] = []
    for arg in args:
        if isinstance(arg, str) and arg.startswith("@"):
            out.append(addresses[arg[1:]])
        elif isinstance(arg, Call):
            out.append(arg.calldata(addresses))
        elif isinstance(arg, list | tuple):
            out.append(resolve(tuple(arg), addresses))
        else:
            out.append(arg)
    return out


class WorldWriter(Protocol):
    """What the builder needs from a chain."""

    def set_balance(self, account: str, wei: int) -> None:
        """Give ``account`` exactly ``wei``."""

    def deploy(self, sender: str, init: bytes) -> str:
        """CREATE from ``sender`` (its next nonce); returns the new contract's address."""

    def place(self, sender: str, address: str, init: bytes) -> None:
        """Run creation code *at* ``address`` (its constructor writes that address's storage and sees it as
        ``address(this)``), then leave the runtime code it returned there: a contract at its mainnet address."""

    def send(self, sender: str, to: str, data: bytes, value: int = 0) -> bytes:
        """A state-changing call that must succeed; returns its output."""


class RevmWriter:
    """Writes into a pyrevm EVM; everything stays in the journal below later snapshots."""

    def __init__(self, evm: EVM):
        self._evm = evm

    def set_balance(self, account: str, wei: int) -> None:
        self._evm.set_balance(account, wei)

    def deploy(self, sender: str, init: bytes) -> str:
        return to_checksum_address(self._evm.deploy(sender, init, gas=DEPLOY_GAS))

    def place(self, sender: str, address: str, init: bytes) -> None:
        set_account(self._evm, address, code=init, nonce=1)
        runtime = self.send(sender, address, b"")
        set_account(self._evm, address, code=runtime)  # storage, and the nonce its constructor's CREATEs moved on, stay

    def send(self, sender: str, to: str, data: bytes, value: int = 0) -> bytes:
        # A sender with code is set aside, as a node's impersonation allows it; the nonce moves on as a node's
        # transaction moves it.
        try:
            with code_set_aside(self._evm, sender):
                return bytes(self._evm.message_call(sender, to, data, value=value, gas=DEPLOY_GAS))
        finally:
            set_account(self._evm, sender, code=bytes(self._evm.get_code(sender) or b""),
                        nonce=self._evm.basic(sender).nonce + 1)


class RpcWriter:
    """Writes into a dev node with anvil's ``anvil_*`` methods, impersonating each sender."""

    def __init__(self, url: str):
        from chain.simulate.jsonrpc import JsonRpcClient

        self._client = JsonRpcClient(url, timeout_s=30)

    def set_balance(self, account: str, wei: int) -> None:
        self._client.request("anvil_setBalance", [account, hex(wei)])

    def deploy(self, sender: str, init: bytes) -> str:
        receipt = self._transact({"from": sender, "data": "0x" + init.hex()})
        return to_checksum_address(receipt["contractAddress"])

    def place(self, sender: str, address: str, init: bytes) -> None:
        self._client.request("anvil_setCode", [address, "0x" + init.hex()])
        self._client.request("anvil_setNonce", [address, "0x1"])
        runtime = self.send(sender, address, b"")
        self._client.request("anvil_setCode", [address, "0x" + runtime.hex()])

    def send(self, sender: str, to: str, data: bytes, value: int = 0) -> bytes:
        tx = {"from": sender, "to": to, "data": "0x" + data.hex(), "value": hex(value)}
        # The same call on the same state returns what the transaction will: read it, then make it.
        output = self._client.request("eth_call", [{**tx, "gas": hex(DEPLOY_GAS)}, "latest"])
        self._transact(tx)
        return bytes.fromhex(output.removeprefix("0x"))

    def _transact(self, tx: dict[str, Any]) -> dict[str, Any]:
        self._client.request("anvil_impersonateAccount", [tx["from"]])
        try:
            tx_hash = self._client.request("eth_sendTransaction", [{**tx, "gas": hex(DEPLOY_GAS)}])
        finally:
            self._client.request("anvil_stopImpersonatingAccount", [tx["from"]])
        receipt, deadline = None, time.monotonic() + 10
        while receipt is None and time.monotonic() < deadline:  # automine lands it within milliseconds
            receipt = self._client.request("eth_getTransactionReceipt", [tx_hash])
            if receipt is None:
                time.sleep(0.02)
        if receipt is None or receipt.get("status") != "0x1":
            raise RuntimeError(f"devnet transaction failed: {tx.get('to', 'deploy')}: {receipt}")
        return receipt
