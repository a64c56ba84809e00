"""Approvals a transaction grants, read from its decoded call and the token's standard."""

from __future__ import annotations

from eth_abi import encode as abi_encode
from eth_utils import keccak
from pydantic import BaseModel

from chain.decode import DecodedCall
from chain.state import ChainState

ERC721_INTERFACE = bytes.fromhex("80ac58cd")
ERC1155_INTERFACE = bytes.fromhex("d9b67a26")
_SUPPORTS_INTERFACE = keccak(text="supportsInterface(bytes4)")[:4]
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


class Approval(BaseModel):
    """One approval: the contract's ``approvals[]`` item."""

    standard: str  # erc20 | erc721 | erc1155 | permit | permit2
    token: str
    spender: str
    amount: str | None  # base units; None for operator approvals (every token)
    unlimited: bool
    expires_at: int | None = None
    token_id: str | None = None  # a single ERC-721 token approval


def supports_interface(state: ChainState, token: str, interface: bytes) -> bool:
    """ERC-165 check, false when the call fails or answers anything but true."""
    raw = state.call(token, _SUPPORTS_INTERFACE + abi_encode(["bytes4"], [interface]))
    return raw is not None and len(raw) == 32 and int.from_bytes(raw, "big") == 1


def nft_standard(state: ChainState, token: str) -> str | None:
    """'erc721' or 'erc1155' when the token says so through ERC-165, else None."""
    if supports_interface(state, token, ERC721_INTERFACE):
        return "erc721"
    if supports_interface(state, token, ERC1155_INTERFACE):
        return "erc1155"
    return None


def approvals_of(call: DecodedCall | None, token: str | None, state: ChainState,
                 unlimited_threshold: int) -> list[Approval]:
    """The approvals granted by ``call`` on ``token``; revocations grant nothing."""
    if call is None or call.function is None or token is None:
        return []
    fn = call.function
    if fn == "approve(address,uint256)":
        spender, amount = call.args[0].value, int(call.args[1].value)
        if nft_standard(state, token) == "erc721":
            if spender == ZERO_ADDRESS:
                return []
            return [Approval(standard="erc721", token=token, spender=spender, amount="1",
                             unlimited=False, token_id=str(amount))]
        if amount == 0:
            return []
        return [Approval(standard="erc20", token=token, spender=spender, amount=str(amount),
                         unlimited=amount >= unlimited_threshold)]
    if fn == "increaseAllowance(address,uint256)":
        spender, amount = call.args[0].value, int(call.args[1].value)
        if amount == 0:
            return []
        return [Approval(standard="erc20", token=token, spender=spender, amount=str(amount),
                         unlimited=amount >= unlimited_threshold)]
    if fn == "setApprovalForAll(address,bool)":
        operator, approved = call.args[0].value, call.args[1].value
        if not approved:
            return []
        standard = nft_standard(state, token) or "erc721"
        return [Approval(standard=standard, token=token, spender=operator, amount=None, unlimited=True)]
    return []
