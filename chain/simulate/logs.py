"""Turn transfer logs and the top-level value into per-account asset changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from chain.sanitize import sanitize_text
from chain.simulate.model import AssetChange

TRANSFER = keccak(text="Transfer(address,address,uint256)")
TRANSFER_SINGLE = keccak(text="TransferSingle(address,address,address,uint256,uint256)")
TRANSFER_BATCH = keccak(text="TransferBatch(address,address,address,uint256[],uint256[])")

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
# eth_simulateV1 with traceTransfers reports native ETH moves as ERC-20 style logs from this address.
NATIVE_PSEUDO_TOKEN = "0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE"


@dataclass(frozen=True)
class RawLog:
    """An EVM log: emitting contract, topics, data."""

    address: str
    topics: tuple[bytes, ...]
    data: bytes


def _addr(topic: bytes) -> str:
    return to_checksum_address(topic[-20:])


def asset_changes(
    logs: Iterable[RawLog],
    *,
    sender: str,
    to: str | None,
    value: int,
    read: Callable[[str, str], bytes | None],
) -> list[AssetChange]:
    """Aggregate transfers into signed deltas per (account, asset); ``read(token, sig)`` reads metadata."""
    deltas: dict[tuple[str, str, str | None, str | None], int] = defaultdict(int)

    def move(standard: str, token: str | None, token_id: int | None, src: str, dst: str, amount: int) -> None:
        tid = None if token_id is None else str(token_id)
        if src != ZERO_ADDRESS:
            deltas[(src, standard, token, tid)] -= amount
        if dst != ZERO_ADDRESS:
            deltas[(dst, standard, token, tid)] += amount

    if value and to is not None:
        move("native", None, None, sender, to, value)
    for log in logs:
        if not log.topics:
            continue
        token = to_checksum_address(log.address)
        head = log.topics[0]
        try:
            if token == NATIVE_PSEUDO_TOKEN and head == TRANSFER and len(log.topics) == 3:
                (amount,) = abi_decode(["uint256"], log.data)
                move("native", None, None, _addr(log.topics[1]), _addr(log.topics[2]), amount)
            elif head == TRANSFER and len(log.topics) == 3:
                (amount,) = abi_decode(["uint256"], log.data)
                move("erc20", token, None, _addr(log.topics[1]), _addr(log.topics[2]), amount)
            elif head == TRANSFER and len(log.topics) == 4:
                token_id = int.from_bytes(log.topics[3], "big")
                move("erc721", token, token_id, _addr(log.topics[1]), _addr(log.topics[2]), 1)
            elif head == TRANSFER_SINGLE and len(log.topics) == 4:
                token_id, amount = abi_decode(["uint256", "uint256"], log.data)
                move("erc1155", token, token_id, _addr(log.topics[2]), _addr(log.topics[3]), amount)
            elif head == TRANSFER_BATCH and len(log.topics) == 4:
                ids, amounts = abi_decode(["uint256[]", "uint256[]"], log.data)
                for token_id, amount in zip(ids, amounts, strict=False):
                    move("erc1155", token, token_id, _addr(log.topics[2]), _addr(log.topics[3]), amount)
        except Exception:  # a malformed log from an arbitrary contract is skipped, never fatal
            continue

    changes = []
    metadata: dict[str, tuple[str | None, int | None]] = {}
    for (account, standard, token, token_id), delta in deltas.items():
        if delta == 0:
            continue
        symbol, decimals = ("ETH", 18) if standard == "native" else (None, None)
        if token is not None:
            if token not in metadata:
                metadata[token] = token_metadata(token, read)
            symbol, decimals = metadata[token]
            if standard != "erc20":
                decimals = None
        changes.append(
            AssetChange(address=account, standard=standard, token=token, token_id=token_id,
                        delta=str(delta), symbol=symbol, decimals=decimals)
        )
    return sorted(changes, key=lambda c: (c.address, c.standard, c.token or "", c.token_id or ""))


def token_metadata(token: str, read: Callable[[str, str], bytes | None]) -> tuple[str | None, int | None]:
    """(sanitized symbol, decimals) read from the token; None where the call fails or is malformed."""
    symbol = decimals = None
    raw = read(token, "symbol()")
    if raw:
        try:
            (text,) = abi_decode(["string"], raw)
            symbol = sanitize_text(text) or None
        except Exception:
            if len(raw) == 32:  # bytes32 symbols (MKR-style)
                symbol = sanitize_text(raw.rstrip(b"\0").decode("utf-8", "replace")) or None
    raw = read(token, "decimals()")
    if raw and len(raw) == 32:
        value = int.from_bytes(raw, "big")
        decimals = value if value <= 255 else None
    return symbol, decimals
