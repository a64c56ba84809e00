"""What a decoder returns: a decoded call, with how sure it is."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class DecodeSource(StrEnum):
    """How the calldata was resolved; the contract's ``decoded.source``."""

    ABI = "abi"  # an ABI (bundled or supplied) matched the selector and the bytes re-encode exactly
    SELECTORS = "selectors"  # only a text signature from the selector table matched
    BYTECODE = "bytecode"  # argument types inferred from the target's bytecode
    UNKNOWN = "unknown"  # nothing resolved the calldata (unknown selector, truncated or malformed)


class DecodedArg(BaseModel):
    """One decoded argument; ``value`` is JSON-ready (addresses EIP-55, ints as decimal strings)."""

    name: str
    type: str
    value: Any


class DecodedCall(BaseModel):
    """The contract's ``decoded`` object."""

    selector: str | None
    function: str | None
    source: DecodeSource
    args: list[DecodedArg] = Field(default_factory=list)
    calls: list[DecodedCall] = Field(default_factory=list)
    error: str | None = Field(None, description="Why decoding failed, when source is 'unknown'.")
    target: str | None = Field(None, description="For a nested call: the contract it calls.")
    value: str | None = Field(None, description="For a nested call: wei it sends.")

    def arg(self, name: str) -> Any:
        """The value of the argument called ``name``.

        Raises:
            KeyError: no such argument.
        """
        for item in self.args:
            if item.name == name:
                return item.value
        raise KeyError(name)
