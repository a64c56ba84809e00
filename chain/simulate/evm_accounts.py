"""Account edits on a pyrevm EVM shared by the world builder and the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pyrevm import EVM, AccountInfo


def set_account(evm: EVM, address: str, *, code: bytes, nonce: int | None = None) -> None:
    """Give ``address`` this code (and nonce), keeping its balance and storage."""
    info = evm.basic(address)
    evm.insert_account_info(address, AccountInfo(balance=info.balance, code=code,
                                                 nonce=info.nonce if nonce is None else nonce))


@contextmanager
def code_set_aside(evm: EVM, address: str) -> Iterator[None]:
    """``address`` without its code for the block: pyrevm refuses a transaction from an account with code
    (EIP-3607), which a node's impersonation, an EntryPoint's call and its SenderCreator's all are."""
    code = bytes(evm.get_code(address) or b"")
    if not code:
        yield
        return
    set_account(evm, address, code=b"")
    try:
        yield
    finally:
        set_account(evm, address, code=code)
