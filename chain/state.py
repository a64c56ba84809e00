"""The one small interface through which decoders and rules see chain state."""

from __future__ import annotations

from typing import Protocol

DELEGATION_PREFIX = bytes.fromhex("ef0100")  # EIP-7702 delegated account designator


class ChainState(Protocol):
    """Code and static reads in the state the request is simulated in (overrides applied)."""

    chain_id: int

    def code(self, address: str) -> bytes:
        """Runtime code at ``address`` (empty for none)."""
        ...

    def storage(self, address: str, slot: int) -> int:
        """The storage word at ``slot`` (0 when unset or unreadable)."""
        ...

    def call(self, to: str, data: bytes) -> bytes | None:
        """A static call's return data; None if it reverts or fails."""
        ...

    def call_signature(self, to: str, signature: str) -> bytes | None:
        """A static call of a no-argument function given by its text signature."""
        ...


def delegation_target(code: bytes) -> str | None:
    """The EIP-7702 delegate if ``code`` is a delegation designator (0xef0100‖address)."""
    from eth_utils import to_checksum_address

    if len(code) == 23 and code.startswith(DELEGATION_PREFIX):
        return to_checksum_address(code[3:])
    return None
