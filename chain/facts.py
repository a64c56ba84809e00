"""Facts: everything the rules, the summary and the model may rely on, gathered once."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, Field, computed_field

from chain.approvals import Approval
from chain.catalogue import CheckName, RequestKind, RuleId, rules_needing
from chain.decode import DecodedCall
from chain.decode.messages import MessageFacts
from chain.decode.typed_data import TypedDataFacts
from chain.decode.user_operation import UserOperationFacts
from chain.effects.model import Disagreement, Effect
from chain.request import RequestContext
from chain.simulate.model import SimulationResult


def walk_calls(decoded: DecodedCall | None, to: str | None, value: int | str = 0,
               ) -> Iterator[tuple[DecodedCall, str | None, int]]:
    """(call, target, wei) for the top-level call and every nested one, depth first."""
    if decoded is None:
        return
    yield decoded, to, int(value)
    for child in decoded.calls:
        yield from walk_calls(child, child.target, child.value or 0)


class SkippedCheck(BaseModel):
    """A check that needs chain state or a list and could not run: one item of the result's ``skipped_checks``."""

    check: CheckName
    subject: str | None = Field(None, description="The address the check concerns, if one.")
    reason: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rules(self) -> list[RuleId]:  # type: ignore[valid-type]
        """The rules that could not use it: those whose catalogue entry needs the check."""
        return [RuleId(r) for r in rules_needing(self.check)]


class AccountFacts(BaseModel):
    """What the simulator's state says about one counterparty."""

    address: str
    has_code: bool | None  # None when it could not be looked up
    delegated_to: str | None = None  # EIP-7702 delegate, when the code is only a delegation
    registered: str | None = None  # the protocol registry's source, when it (no lookup) says the address is a contract


class TokenFacts(BaseModel):
    """Metadata read from a token contract (sanitized; attacker-controlled)."""

    address: str
    symbol: str | None = None
    decimals: int | None = None
    standard: str | None = None
    symbol_raw: str | None = None  # hex of the on-chain symbol when sanitizing changed it


class Label(BaseModel):
    """A known counterparty's name, from a list (never from on-chain text)."""

    name: str
    symbol: str | None = None
    source: str = Field(description="The feed the name is from: package@version and file.")


class Facts(BaseModel):
    """The facts of one transaction request."""

    kind: RequestKind = RequestKind.TRANSACTION
    chain_id: int
    sender: str | None  # the transaction's sender, or the signer; None: a batch without ``from``
    to: str | None = None
    value: str = "0"
    calldata_size: int = 0
    decoded: DecodedCall | None = None
    approvals: list[Approval] = Field(default_factory=list)
    simulation: SimulationResult | None = None  # None for signatures: nothing executes
    accounts: dict[str, AccountFacts] = Field(default_factory=dict)
    tokens: dict[str, TokenFacts] = Field(default_factory=dict)
    context: RequestContext = Field(default_factory=RequestContext)
    typed_data: TypedDataFacts | None = None
    message: MessageFacts | None = None
    signing_method: str | None = None
    observed_at: int = 0  # unix time the facts were gathered (expiry rules compare against it)
    lookups_unavailable: str | None = None  # why counterparties' code could not be looked up
    delegations: list[str] = Field(default_factory=list)  # EIP-7702 authorization targets
    skipped: list[SkippedCheck] = Field(default_factory=list)  # checks that needed state and could not run
    labels: dict[str, Label] = Field(default_factory=dict)  # known counterparties by address, from the lists
    user_operation: UserOperationFacts | None = None  # eth_sendUserOperation: ``sender`` is the smart account
    effects: list[Effect] = Field(default_factory=list)  # what it does to the user (chain.effects), then priced
    disagreements: list[Disagreement] = Field(default_factory=list)  # where the calldata and the simulation differ

    @property
    def approvals_chain_id(self) -> int:
        """The chain the approvals take effect on: a typed-data domain's chainId, else the request's."""
        td = self.typed_data
        return td.chain_id if td is not None and td.chain_id is not None else self.chain_id

    def calls(self) -> list[tuple[DecodedCall, str | None, int]]:
        """The top-level call and every nested call, with target and value."""
        return list(walk_calls(self.decoded, self.to, self.value))

    def counterparties(self) -> set[str]:
        """Every address the request involves besides the sender."""
        found = {a for a in (self.to,) if a} | {a.spender for a in self.approvals} | {a.token for a in self.approvals}
        found |= set(self.delegations)
        for call, target, _ in self.calls():
            found |= {arg.value for arg in call.args if arg.type == "address"} | ({target} if target else set())
        if self.simulation is not None:
            found |= {c.address for c in self.simulation.asset_changes}
        if self.typed_data is not None and self.typed_data.verifying_contract:
            found.add(self.typed_data.verifying_contract)
        return found - {self.sender}

    def account(self, address: str) -> AccountFacts:
        """Facts about ``address``; unknown code if it was never looked up."""
        return self.accounts.get(address, AccountFacts(address=address, has_code=None))
