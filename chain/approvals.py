"""Approvals a transaction grants, read from its decoded call and the token's standard."""

from __future__ import annotations

from eth_abi import encode as abi_encode
from eth_utils import keccak
from pydantic import BaseModel, Field

from chain.decode import DecodedCall
from chain.decode.universal_router import PERMIT2_COMMANDS
from chain.state import ChainState

ERC721_INTERFACE = bytes.fromhex("80ac58cd")
ERC1155_INTERFACE = bytes.fromhex("d9b67a26")
_SUPPORTS_INTERFACE = keccak(text="supportsInterface(bytes4)")[:4]
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
MAX_UINT160 = 2**160 - 1
MAX_UINT256 = 2**256 - 1

PERMIT2_PERMIT_SINGLE = "permit(address,((address,uint160,uint48,uint48),address,uint256),bytes)"
PERMIT2_PERMIT_BATCH = "permit(address,((address,uint160,uint48,uint48)[],address,uint256),bytes)"
EIP2612_PERMIT = "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"
DAI_PERMIT = "permit(address,address,uint256,uint256,bool,uint8,bytes32,bytes32)"
PERMIT2_LOCKDOWN = "lockdown((address,address)[])"
ERC721_PERMIT = "permit(address,uint256,uint256,uint8,bytes32,bytes32)"


def revocation(standard: str, token: str, spender: str, *, token_id: str | None = None,
               confirmed: bool = True) -> Approval:
    """An approval that takes a permission away (amount 0, or an operator or manager set to false)."""
    every = standard in ("erc721", "erc1155", "account_control") and token_id is None
    return Approval(standard=standard, token=token, spender=spender, amount=None if every else "0", unlimited=False,
                    token_id=token_id, revokes=True, standard_confirmed=confirmed)


class Approval(BaseModel):
    """One approval: the contract's ``approvals[]`` item."""

    standard: str  # erc20 | erc721 | erc1155 | permit | permit2 | credit_delegation | account_control
    token: str
    spender: str
    amount: str | None  # base units; None for operator approvals (every token)
    unlimited: bool
    expires_at: int | None = None
    token_id: str | None = None  # a single ERC-721 token approval
    revokes: bool = Field(False, description="A revocation: approve(x, 0), setApprovalForAll(x, false), a Permit2 "
                          "lockdown or a zero Permit2 allowance. It grants nothing.")
    standard_confirmed: bool = Field(True, description="False when ``standard`` comes from the function's selector "
                                     "alone: approve/setApprovalForAll exist in several standards and the token's "
                                     "ERC-165 answer could not be read (no state for the request's chain).")
    source: str = Field("calldata", description="Where the approval was read: 'calldata' (the decoded call), "
                        "'typed_data' (a signature) or 'simulation' (an Approval event the simulated transaction "
                        "emitted that no decoded call accounts for).")

    @property
    def grants(self) -> bool:
        """True unless it is a revocation."""
        return not self.revokes


def supports_interface(state: ChainState, token: str, interface: bytes) -> bool:
    """ERC-165 check, false when the call fails or answers anything but true."""
    raw = state.call(token, _SUPPORTS_INTERFACE + abi_encode(["bytes4"], [interface]))
    return raw is not None and len(raw) == 32 and int.from_bytes(raw, "big") == 1


def nft_standard(state: ChainState | None, token: str) -> str | None:
    """'erc721' or 'erc1155' when the token says so through ERC-165, else None (also without state)."""
    if state is None:
        return None
    if supports_interface(state, token, ERC721_INTERFACE):
        return "erc721"
    if supports_interface(state, token, ERC1155_INTERFACE):
        return "erc1155"
    return None


def permit2_approval(token: str, spender: str, amount: int, expiration: int, threshold: int) -> Approval:
    """A Permit2 allowance; ``expiration`` 0 means it lasts until revoked."""
    return Approval(standard="permit2", token=token, spender=spender, amount=str(amount),
                    unlimited=amount >= min(MAX_UINT160, threshold), expires_at=expiration or None,
                    revokes=amount == 0)


def permit_approval(token: str, spender: str, amount: int, deadline: int, threshold: int) -> Approval:
    """An EIP-2612 permit's allowance; ``deadline`` 0 is kept as no expiry."""
    return Approval(standard="permit", token=token, spender=spender, amount=str(amount),
                    unlimited=amount >= threshold, expires_at=deadline or None, revokes=amount == 0)


def dai_permit_approval(token: str, spender: str, expiry: int) -> Approval:
    """A DAI-style permit (``allowed``): an unlimited allowance; ``expiry`` 0 means none."""
    return Approval(standard="permit", token=token, spender=spender, amount=str(MAX_UINT256), unlimited=True,
                    expires_at=expiry or None)


def _permit2_details(permit: list, threshold: int) -> list[Approval]:
    """Approvals from a decoded PermitSingle ``[details, spender, sigDeadline]`` or PermitBatch."""
    details, spender = permit[0], permit[1]
    items = details if details and isinstance(details[0], list) else [details]
    return [permit2_approval(d[0], spender, int(d[1]), int(d[2]), threshold) for d in items]


def _signed_approvals(call: DecodedCall, token: str, threshold: int) -> list[Approval] | None:
    """Approvals from Permit2 calls, Universal Router Permit2 commands and token permits; None if
    ``call`` is none of those."""
    fn, name = call.function or "", (call.function or "").split("(")[0]
    if fn == "approve(address,address,uint160,uint48)":  # Permit2 AllowanceTransfer
        spender, amount = call.args[1].value, int(call.args[2].value)
        if not amount:
            return [revocation("permit2", call.args[0].value, spender)]
        return [permit2_approval(call.args[0].value, spender, amount, int(call.args[3].value), threshold)]
    if fn == PERMIT2_LOCKDOWN:
        return [revocation("permit2", pair[0], pair[1]) for pair in call.args[0].value]
    if fn in (PERMIT2_PERMIT_SINGLE, PERMIT2_PERMIT_BATCH):
        return _permit2_details(call.args[1].value, threshold)
    if call.command is not None and name in PERMIT2_COMMANDS:
        return _permit2_details(call.args[0].value, threshold)
    if fn == EIP2612_PERMIT:
        return [permit_approval(token, call.args[1].value, int(call.args[2].value), int(call.args[3].value),
                                threshold)]
    if fn == DAI_PERMIT:
        if not call.args[4].value:
            return [revocation("permit", token, call.args[1].value)]
        return [dai_permit_approval(token, call.args[1].value, int(call.args[3].value))]
    return None


def approvals_of(call: DecodedCall | None, token: str | None, state: ChainState | None,
                 unlimited_threshold: int) -> list[Approval]:
    """The approvals granted (or revoked) by ``call`` on ``token`` (the call's target). Without ``state`` the
    calldata alone decides: ``approve`` reads as ERC-20 and ``setApprovalForAll`` as ERC-721, each with
    ``standard_confirmed`` false."""
    if call is None or call.function is None or token is None:
        return []
    if (signed := _signed_approvals(call, token, unlimited_threshold)) is not None:
        return signed
    fn, confirmed = call.function, state is not None
    if fn == "approve(address,uint256)":
        spender, amount = call.args[0].value, int(call.args[1].value)
        if nft_standard(state, token) == "erc721":
            if spender == ZERO_ADDRESS:
                return [revocation("erc721", token, spender, token_id=str(amount))]
            return [Approval(standard="erc721", token=token, spender=spender, amount="1",
                             unlimited=False, token_id=str(amount))]
        if amount == 0:
            return [revocation("erc20", token, spender, confirmed=confirmed)]
        return [Approval(standard="erc20", token=token, spender=spender, amount=str(amount),
                         unlimited=amount >= unlimited_threshold, standard_confirmed=confirmed)]
    if fn in ("approveDelegation(address,uint256)", "delegationWithSig(address,address,uint256,uint256,uint8,bytes32,"
              "bytes32)"):  # Aave: the delegatee may borrow in the delegator's name (the debt token is the target)
        at = 0 if fn.startswith("approveDelegation") else 1
        spender, amount = call.args[at].value, int(call.args[at + 1].value)
        if amount == 0:
            return [revocation("credit_delegation", token, spender)]
        return [Approval(standard="credit_delegation", token=token, spender=spender, amount=str(amount),
                         unlimited=amount >= unlimited_threshold)]
    if fn in ("allow(address,bool)", "allowBySig(address,address,bool,uint256,uint256,uint8,bytes32,bytes32)"):
        at = 0 if fn.startswith("allow(") else 1  # Compound III: the manager may act on the whole position
        manager, allowed = call.args[at].value, call.args[at + 1].value
        if not allowed:
            return [revocation("account_control", token, manager)]
        return [Approval(standard="account_control", token=token, spender=manager, amount=None, unlimited=True)]
    if fn == ERC721_PERMIT:  # Uniswap V3 positions and other ERC-721 permits: one token, until the deadline
        return [Approval(standard="erc721", token=token, spender=call.args[0].value, amount="1", unlimited=False,
                         token_id=str(call.args[1].value), expires_at=int(call.args[2].value) or None)]
    if fn in ("increaseAllowance(address,uint256)", "increaseApproval(address,uint256)"):
        spender, amount = call.args[0].value, int(call.args[1].value)
        if amount == 0:
            return []
        return [Approval(standard="erc20", token=token, spender=spender, amount=str(amount),
                         unlimited=amount >= unlimited_threshold, standard_confirmed=confirmed)]
    if fn == "setApprovalForAll(address,bool)":
        operator, approved = call.args[0].value, call.args[1].value
        standard = nft_standard(state, token) or "erc721"
        if not approved:
            return [revocation(standard, token, operator, confirmed=confirmed)]
        return [Approval(standard=standard, token=token, spender=operator, amount=None, unlimited=True,
                         standard_confirmed=confirmed)]
    return []
