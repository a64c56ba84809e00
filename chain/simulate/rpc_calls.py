"""What goes to a JSON-RPC node and what comes back: call objects, overrides in geth's format, CREATE addresses,
and the logs and value moves of a callTracer frame."""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

from chain.request import AccountOverride, BatchCall, Transaction
from chain.simulate.logs import NATIVE_PSEUDO_TOKEN, RawLog


def rpc_overrides(overrides: dict[str, AccountOverride]) -> dict[str, dict[str, Any]]:
    """The request's overrides in geth's eth_call format."""
    out: dict[str, dict[str, Any]] = {}
    for address, o in overrides.items():
        entry: dict[str, Any] = {}
        if o.code is not None:
            entry["code"] = "0x" + o.code.hex()
        if o.balance is not None:
            entry["balance"] = hex(o.balance)
        if o.nonce is not None:
            entry["nonce"] = hex(o.nonce)
        if o.state_diff:
            entry["stateDiff"] = {f"0x{k:064x}": f"0x{v:064x}" for k, v in o.state_diff.items()}
        out[address] = entry
    return out


def call_object(sender: str | None, call: Transaction | BatchCall, gas: int) -> dict[str, Any]:
    """A JSON-RPC call object; without ``to`` it is a contract creation."""
    out = {"from": sender, "value": hex(call.value), "data": "0x" + call.data.hex(), "gas": hex(gas)}
    if call.to is not None:
        out["to"] = call.to
    return out


def call_objects(tx: Transaction, gas: int) -> list[dict[str, Any]]:
    """The calls to simulate in order: the transaction, or each call of a wallet_sendCalls batch."""
    return [call_object(tx.caller or tx.sender, c, gas) for c in (tx.calls if tx.calls is not None else [tx])]


def hexbytes(value: Any) -> bytes:
    if isinstance(value, str) and value.startswith("0x"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            return b""
    return b""


def raw_log(log: dict[str, Any]) -> RawLog:
    return RawLog(log["address"], tuple(hexbytes(t) for t in log.get("topics", [])), hexbytes(log.get("data")))


def walk(frame: dict[str, Any], logs: list[RawLog], moves: list[tuple[str, str, int]]) -> None:
    """Logs and value transfers of the frames that did not revert, in call order."""
    if frame.get("error"):
        return
    value = int(frame.get("value") or "0x0", 16)
    if value and frame.get("type") in ("CALL", "CREATE", "CREATE2") and frame.get("to"):
        moves.append((frame["from"], frame["to"], value))
    logs.extend(raw_log(log) for log in frame.get("logs", []))
    for child in frame.get("calls", []):
        walk(child, logs, moves)


def native(log: RawLog) -> bool:
    return to_checksum_address(log.address) == NATIVE_PSEUDO_TOKEN
