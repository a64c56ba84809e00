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
    GUESSED = "guessed"  # nothing resolved the selector; the argument layout was inferred from the calldata alone
    DEPLOYMENT = "deployment"  # no `to`: the data is initcode that creates a contract (nothing to decode)
    UNKNOWN = "unknown"  # nothing resolved the calldata (unknown selector, truncated or malformed)


class ProxyInfo(BaseModel):
    """The contract's ``decoded.proxy``: the call was decoded against this implementation."""

    kind: str  # eip1967 | eip1967_beacon | eip1822 | eip1167 | safe | eip7702
    implementation: str
    beacon: str | None = None  # for eip1967_beacon: the beacon the implementation was read from


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
    operation: str | None = Field(None, description="'delegatecall' when a Safe or account runs the call as "
                                  "a delegatecall: the callee's code acts with the caller's storage and assets.")
    command: str | None = Field(None, description="For a Universal Router command: its byte, as 0x-hex.")
    proxy: ProxyInfo | None = None
    candidates: list[str] = Field(default_factory=list, description="Every signature that decodes the bytes "
                                  "exactly, when more than one does (the call is then reported as ambiguous).")
    trailing_data: str | None = Field(None, description="Bytes after the canonical encoding of the arguments, as "
                                      "0x-hex (aggregator tags, marketplace suffixes, viem's dataSuffix / ERC-8021 "
                                      "attribution): the EVM and Solidity ignore them.")

    def arg(self, name: str) -> Any:
        """The value of the argument called ``name``.

        Raises:
            KeyError: no such argument.
        """
        for item in self.args:
            if item.name == name:
                return item.value
        raise KeyError(name)
