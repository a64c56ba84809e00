"""Turn transfer logs and the top-level value into per-account asset changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from eth_abi import decode as abi_decode
from eth_utils import keccak

from chain.hexutil import checksum
from chain.sanitize import sanitize_text
from chain.simulate.model import ApprovalChange, AssetChange

TRANSFER = keccak(text="Transfer(address,address,uint256)")
TRANSFER_SINGLE = keccak(text="TransferSingle(address,address,address,uint256,uint256)")
TRANSFER_BATCH = keccak(text="TransferBatch(address,address,address,uint256[],uint256[])")
DEPOSIT = keccak(text="Deposit(address,uint256)")  # WETH9 wrap
WITHDRAWAL = keccak(text="Withdrawal(address,uint256)")  # WETH9 unwrap
APPROVAL = keccak(text="Approval(address,address,uint256)")
APPROVAL_FOR_ALL = keccak(text="ApprovalForAll(address,address,bool)")
PERMIT2_APPROVAL = keccak(text="Approval(address,address,address,uint160,uint48)")
PERMIT2_PERMIT = keccak(text="Permit(address,address,address,uint160,uint48,uint48)")

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
    return checksum("0x" + topic[-20:].hex())


def asset_changes(
    logs: Iterable[RawLog],
    *,
    sender: str,
    to: str | None,
    value: int,
    read: Callable[[str, str], bytes | None],
    native: dict[str, int] | None = None,
) -> list[AssetChange]:
    """Aggregate transfers into signed deltas per (account, asset); ``read(token, sig)`` reads metadata.

    Native ETH comes from ``native`` (measured balance deltas) when given, else from the top-level
    ``value`` and any 0xeeee…eeee transfer logs.
    """
    deltas: dict[tuple[str, str, str | None, str | None], int] = defaultdict(int)

    def move(standard: str, token: str | None, token_id: int | None, src: str, dst: str, amount: int) -> None:
        tid = None if token_id is None else str(token_id)
        if src != ZERO_ADDRESS:
            deltas[(src, standard, token, tid)] -= amount
        if dst != ZERO_ADDRESS:
            deltas[(dst, standard, token, tid)] += amount

    if native is not None:
        for account, delta in native.items():
            deltas[(checksum(account), "native", None, None)] += delta
    elif value and to is not None:
        move("native", None, None, sender, to, value)
    for log in logs:
        if not log.topics:
            continue
        token = checksum(log.address)
        head = log.topics[0]
        try:
            if token == NATIVE_PSEUDO_TOKEN and head == TRANSFER and len(log.topics) == 3:
                (amount,) = abi_decode(["uint256"], log.data)
                move("native", None, None, _addr(log.topics[1]), _addr(log.topics[2]), amount)
            elif head == TRANSFER and len(log.topics) == 3:
                (amount,) = abi_decode(["uint256"], log.data)
                move("erc20", token, None, _addr(log.topics[1]), _addr(log.topics[2]), amount)
            elif head == DEPOSIT and len(log.topics) == 2:
                (amount,) = abi_decode(["uint256"], log.data)
                move("erc20", token, None, ZERO_ADDRESS, _addr(log.topics[1]), amount)
            elif head == WITHDRAWAL and len(log.topics) == 2:
                (amount,) = abi_decode(["uint256"], log.data)
                move("erc20", token, None, _addr(log.topics[1]), ZERO_ADDRESS, amount)
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
    metadata: dict[str, TokenMeta] = {}
    for (account, standard, token, token_id), delta in deltas.items():
        if delta == 0:
            continue
        meta = TokenMeta("ETH", 18, None)
        if token is not None:
            if token not in metadata:
                metadata[token] = token_meta(token, read)
            meta = metadata[token]
        changes.append(
            AssetChange(address=account, standard=standard, token=token, token_id=token_id,
                        delta=str(delta), symbol=meta.symbol,
                        decimals=meta.decimals if standard in ("erc20", "native") else None,
                        symbol_raw=meta.symbol_raw)
        )
    return sorted(changes, key=lambda c: (c.address, c.standard, c.token or "", c.token_id or ""))


@dataclass(frozen=True)
class TokenMeta:
    """A token's symbol (sanitized), decimals, and the raw symbol bytes when sanitizing changed them."""

    symbol: str | None
    decimals: int | None
    symbol_raw: str | None


def token_meta(token: str, read: Callable[[str, str], bytes | None]) -> TokenMeta:
    """Read symbol() and decimals(); None where a call fails or answers something malformed."""
    symbol = decimals = raw_hex = None
    raw = read(token, "symbol()")
    if raw:
        text = None
        try:
            (text,) = abi_decode(["string"], raw)
        except Exception:
            if len(raw) == 32:  # bytes32 symbols (MKR-style)
                text = raw.rstrip(b"\0").decode("utf-8", "replace")
        if text is not None:
            symbol = sanitize_text(text) or None
            if symbol != text:  # kept as evidence for METADATA_INJECTION
                raw_hex = "0x" + text.encode("utf-8", "surrogatepass").hex()
    raw = read(token, "decimals()")
    if raw and len(raw) == 32:
        value = int.from_bytes(raw, "big")
        decimals = value if value <= 255 else None
    return TokenMeta(symbol, decimals, raw_hex)


def approval_changes(logs: Iterable[RawLog]) -> list[ApprovalChange]:
    """Approvals the transaction's events grant or revoke (ERC-20/721, operators, Permit2)."""
    found = []
    for log in logs:
        if not log.topics:
            continue
        token, head, n = checksum(log.address), log.topics[0], len(log.topics)
        try:
            if head == APPROVAL and n == 3:
                (amount,) = abi_decode(["uint256"], log.data)
                found.append(ApprovalChange(standard="erc20", token=token, owner=_addr(log.topics[1]),
                                            spender=_addr(log.topics[2]), amount=str(amount)))
            elif head == APPROVAL and n == 4:
                found.append(ApprovalChange(standard="erc721", token=token, owner=_addr(log.topics[1]),
                                            spender=_addr(log.topics[2]),
                                            token_id=str(int.from_bytes(log.topics[3], "big"))))
            elif head == APPROVAL_FOR_ALL and n == 3:
                (approved,) = abi_decode(["bool"], log.data)
                found.append(ApprovalChange(standard="operator", token=token, owner=_addr(log.topics[1]),
                                            spender=_addr(log.topics[2]), approved=approved))
            elif head in (PERMIT2_APPROVAL, PERMIT2_PERMIT) and n == 4:
                amount, expiration = abi_decode(["uint160", "uint48"], log.data[:64])
                found.append(ApprovalChange(standard="permit2", token=_addr(log.topics[2]),
                                            owner=_addr(log.topics[1]), spender=_addr(log.topics[3]),
                                            amount=str(amount), expiration=expiration))
        except Exception:  # a malformed log is skipped, never fatal
            continue
    return found
