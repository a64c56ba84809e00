"""Approvals the simulation observed that no decoded call accounts for, so decoding and simulation never
disagree silently: an approve hidden behind calldata nobody decodes still reaches the approval rules."""

from __future__ import annotations

from chain.approvals import ZERO_ADDRESS, Approval, permit2_approval, revocation
from chain.simulate.model import ApprovalChange, SimulationResult, SimulationStatus


def observed_approvals(simulation: SimulationResult, decoded: list[Approval], owner: str | None,
                       threshold: int) -> list[Approval]:
    """The ``owner``'s approvals in the simulation's events (source ``simulation``) that are not already among
    ``decoded``. ERC-20 approvals on a token the owner also spent in the same transaction are left out: tokens
    that emit Approval on transferFrom report the allowance left after a swap, not a new grant."""
    if simulation.status is not SimulationStatus.SUCCESS or owner is None:
        return []
    known = {(a.token, a.spender) for a in decoded}
    spent = {c.token for c in simulation.asset_changes if c.address == owner and c.token and int(c.delta) < 0}
    found: dict[tuple[str, str], Approval] = {}
    for change in simulation.approval_changes:
        key = (change.token, change.spender)
        if change.owner != owner or key in known or (change.standard == "erc20" and change.token in spent):
            continue
        found[key] = _approval(change, threshold).model_copy(update={"source": "simulation"})
    return list(found.values())


def _approval(change: ApprovalChange, threshold: int) -> Approval:
    if change.standard == "erc20":
        amount = int(change.amount or 0)
        if amount == 0:
            return revocation("erc20", change.token, change.spender)
        return Approval(standard="erc20", token=change.token, spender=change.spender, amount=str(amount),
                        unlimited=amount >= threshold)
    if change.standard == "erc721":
        if change.spender == ZERO_ADDRESS:
            return revocation("erc721", change.token, change.spender, token_id=change.token_id)
        return Approval(standard="erc721", token=change.token, spender=change.spender, amount="1", unlimited=False,
                        token_id=change.token_id)
    if change.standard == "permit2":
        return permit2_approval(change.token, change.spender, int(change.amount or 0), change.expiration or 0,
                                threshold)
    # an ApprovalForAll event: ERC-721 and ERC-1155 share it, so the standard is not confirmed
    if not change.approved:
        return revocation("erc721", change.token, change.spender, confirmed=False)
    return Approval(standard="erc721", token=change.token, spender=change.spender, amount=None, unlimited=True,
                    standard_confirmed=False)
