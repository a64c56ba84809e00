"""What a simulation returns; the contract's ``simulation`` object."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field, model_validator


class SimulationStatus(StrEnum):
    """How far the simulation got."""

    SUCCESS = "success"  # executed to the end; asset_changes are what it would do
    REVERTED = "reverted"  # executed and reverted; revert_reason says why when it could be decoded
    UNAVAILABLE = "unavailable"  # could not run (wrong chain, engine failure); nothing is known


class AssetChange(BaseModel):
    """One account's balance change of one asset."""

    address: str
    standard: str  # native | erc20 | erc721 | erc1155
    token: str | None = None
    token_id: str | None = None
    delta: str
    symbol: str | None = None
    decimals: int | None = None
    symbol_raw: str | None = None  # hex of the on-chain symbol when sanitizing changed it (evidence)


class ApprovalChange(BaseModel):
    """An approval the simulated transaction's events grant (or revoke: amount 0 / approved false)."""

    standard: str  # erc20 | erc721 | operator | permit2
    token: str
    owner: str
    spender: str
    amount: str | None = None
    token_id: str | None = None
    approved: bool | None = None
    expiration: int | None = None


class SimulationResult(BaseModel):
    """Outcome of simulating one transaction."""

    status: SimulationStatus
    backend: str
    revert_reason: str | None = None
    gas_used: int | None = None
    asset_changes: list[AssetChange] = Field(default_factory=list)
    approval_changes: list[ApprovalChange] = Field(default_factory=list)
    error: str | None = Field(None, description="Why the simulation was unavailable.")
    deployed: list[str] = Field(default_factory=list, description="Addresses of contracts the transaction (or a "
                                "batch call without `to`) deploys, in order.")
    asset_changes_known: bool = Field(True, description="False when the backend could only tell success or revert.")

    @model_validator(mode="after")
    def _nothing_known_when_unavailable(self) -> SimulationResult:
        """A simulation that could not run knows no asset changes."""
        if self.status is SimulationStatus.UNAVAILABLE:
            self.asset_changes_known = False
        return self


def over_budget(gas: int | None, budget: int, backend: str) -> SimulationResult | None:
    """An unavailable result when a request asks for more gas than the simulation budget (a looping contract
    given 2^64−1 gas would hold the interpreter for minutes); None when ``gas`` fits."""
    if gas is None or gas <= budget:
        return None
    return SimulationResult(status=SimulationStatus.UNAVAILABLE, backend=backend,
                            error=f"exceeded the simulation budget: the request asks for {gas} gas, the budget is "
                                  f"{budget}")
