"""How to read the inner calls of a batching function: (target, wei, calldata, operation) each.

Covers Multicall3 and ``multicall`` variants, Safe ``execTransaction`` and MultiSend's packed
transactions, ERC-4337 ``handleOps`` (v0.6 and v0.7), smart-account ``execute``/``executeBatch``,
and ERC-7579 ``execute(bytes32,bytes)``. The Universal Router has its own module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chain.decode.codec import AbiDecodeError, decode_types
from chain.hexutil import checksum

Inner = tuple[str | None, int, bytes, str | None]  # target, wei, calldata, operation


class BatchError(ValueError):
    """A batch's inner encoding is malformed."""


def _operation(code: int) -> str | None:
    if code == 0:
        return None
    if code == 1:
        return "delegatecall"
    raise BatchError(f"operation {code} is neither 0 (call) nor 1 (delegatecall)")


def multisend_transactions(packed: bytes) -> list[Inner]:
    """Unpack MultiSend's ``abi.encodePacked(uint8 op, address to, uint256 value, uint256 len, bytes data)*``.

    Raises:
        BatchError: a transaction is truncated or its operation is invalid.
    """
    found, pos = [], 0
    while pos < len(packed):
        if pos + 85 > len(packed):
            raise BatchError(f"MultiSend transaction at byte {pos} is truncated")
        operation = _operation(packed[pos])
        to = checksum("0x" + packed[pos + 1 : pos + 21].hex())
        value = int.from_bytes(packed[pos + 21 : pos + 53], "big")
        length = int.from_bytes(packed[pos + 53 : pos + 85], "big")
        if length > len(packed) - pos - 85:
            raise BatchError(f"MultiSend transaction at byte {pos} claims {length} bytes of data")
        found.append((to, value, packed[pos + 85 : pos + 85 + length], operation))
        pos += 85 + length
    return found


def erc7579_executions(mode: bytes, execution: bytes) -> list[Inner]:
    """ERC-7579 ``execute(mode, executionCalldata)``: single, batch or delegatecall by the mode's first byte.

    Raises:
        BatchError: an unknown call type or a malformed execution encoding.
    """
    call_type = mode[0]
    if call_type == 0x00:
        if len(execution) < 52:
            raise BatchError("single execution is shorter than target and value")
        return [(checksum("0x" + execution[:20].hex()), int.from_bytes(execution[20:52], "big"), execution[52:], None)]
    if call_type == 0x01:
        try:
            (items,) = decode_types(("(address,uint256,bytes)[]",), execution)
        except AbiDecodeError as exc:
            raise BatchError(f"batch execution: {exc}") from None
        return [(t, v, d, None) for t, v, d in items]
    if call_type == 0xFF:
        if len(execution) < 20:
            raise BatchError("delegatecall execution is shorter than a target")
        return [(checksum("0x" + execution[:20].hex()), 0, execution[20:], "delegatecall")]
    raise BatchError(f"unknown ERC-7579 call type 0x{call_type:02x}")


def _same_length(*lists: Any) -> None:
    if len({len(x) for x in lists}) != 1:
        raise BatchError("batch arrays have different lengths")


def _execute_batch_2(v: tuple, to: str | None) -> list[Inner]:
    _same_length(v[0], v[1])
    return [(t, 0, d, None) for t, d in zip(v[0], v[1], strict=True)]


def _execute_batch_3(v: tuple, to: str | None) -> list[Inner]:
    _same_length(v[0], v[1], v[2])
    return [(t, w, d, None) for t, w, d in zip(v[0], v[1], v[2], strict=True)]


INNER_CALLS: dict[str, Callable[[tuple, str | None], list[Inner]]] = {
    "aggregate((address,bytes)[])": lambda v, to: [(c[0], 0, c[1], None) for c in v[0]],
    "tryAggregate(bool,(address,bytes)[])": lambda v, to: [(c[0], 0, c[1], None) for c in v[1]],
    "aggregate3((address,bool,bytes)[])": lambda v, to: [(c[0], 0, c[2], None) for c in v[0]],
    "aggregate3Value((address,bool,uint256,bytes)[])": lambda v, to: [(c[0], c[2], c[3], None) for c in v[0]],
    "multicall(bytes[])": lambda v, to: [(to, 0, d, None) for d in v[0]],
    "multicall(uint256,bytes[])": lambda v, to: [(to, 0, d, None) for d in v[1]],
    "multicall(bytes32,bytes[])": lambda v, to: [(to, 0, d, None) for d in v[1]],
    # Safe
    "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)":
        lambda v, to: [(v[0], v[1], v[2], _operation(v[3]))],
    "execTransactionFromModule(address,uint256,bytes,uint8)": lambda v, to: [(v[0], v[1], v[2], _operation(v[3]))],
    "multiSend(bytes)": lambda v, to: multisend_transactions(v[0]),
    # ERC-4337: each user operation runs its callData on its sender account
    "handleOps((address,uint256,bytes,bytes,uint256,uint256,uint256,uint256,uint256,bytes,bytes)[],address)":
        lambda v, to: [(op[0], 0, op[3], None) for op in v[0]],
    "handleOps((address,uint256,bytes,bytes,bytes32,uint256,bytes32,bytes,bytes)[],address)":
        lambda v, to: [(op[0], 0, op[3], None) for op in v[0]],
    # Smart accounts
    "execute(address,uint256,bytes)": lambda v, to: [(v[0], v[1], v[2], None)],
    "execute(address,uint256,bytes,uint8)": lambda v, to: [(v[0], v[1], v[2], _operation(v[3]))],
    "executeUserOp(address,uint256,bytes,uint8)": lambda v, to: [(v[0], v[1], v[2], _operation(v[3]))],
    "executeBatch(address[],bytes[])": _execute_batch_2,
    "executeBatch(address[],uint256[],bytes[])": _execute_batch_3,
    "executeBatch((address,uint256,bytes)[])": lambda v, to: [(t, w, d, None) for t, w, d in v[0]],
    "execute(bytes32,bytes)": lambda v, to: erc7579_executions(v[0], v[1]),
}
