"""Effects: what a request does to the user, in the user's terms — what they give, get, allow, revoke and control,
and where they sign in — each with its asset, amount (base units, and in the user's units), counterparty and
where it was read. The rules and the text both read them; they are part of the result contract (``effects``)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class EffectKind(StrEnum):
    """What an effect does to the user."""

    GIVE = "give"  # an asset leaves the user (a transfer, a swap's input, an order's offer)
    GET = "get"  # an asset comes to the user, or to the recipient the request names (``recipient``)
    GRANT = "grant"  # someone else may move the user's assets later (an allowance, an operator, a permit, …)
    REVOKE = "revoke"  # a permission the user had granted is taken away
    CONTROL = "control"  # who controls a contract or an account changes (owner, admin, upgrade, Safe owners, …)
    SIGN_IN = "sign_in"  # the user signs in to a site (Sign-In with Ethereum)
    DEPLOY = "deploy"  # a new contract is created


class EffectSource(StrEnum):
    """Where an effect was read."""

    CALLDATA = "calldata"  # the decoded call (what the transaction asks for)
    TYPED_DATA = "typed_data"  # a signed message: an order, a permit
    SIMULATION = "simulation"  # the simulated transaction's balance changes (what it would do)


class Permission(StrEnum):
    """What a grant (or a revocation) is."""

    ALLOWANCE = "allowance"  # ERC-20 approve / increaseAllowance / increaseApproval
    OPERATOR = "operator"  # ERC-721 / ERC-1155 setApprovalForAll: every item of a collection
    TOKEN = "token"  # one ERC-721 item (approve, or an ERC-721 permit)
    PERMIT = "permit"  # an EIP-2612 or DAI-style permit signature
    PERMIT2 = "permit2"  # a Permit2 allowance or signature transfer
    CREDIT_DELEGATION = "credit_delegation"  # Aave: borrow against the user's collateral, the debt theirs
    ACCOUNT_CONTROL = "account_control"  # Compound III allow: act on the user's whole position
    EIP7702_DELEGATION = "eip7702_delegation"  # the account runs another contract's code as its own


class Asset(BaseModel):
    """An asset an effect moves or lets move."""

    standard: str = Field(description="native | erc20 | erc721 | erc1155")
    token: str | None = Field(None, description="The token contract; null for the native currency.")
    symbol: str | None = Field(None, description="Its symbol (from a token list, else the contract; sanitized).")
    decimals: int | None = None
    token_id: str | None = Field(None, description="One NFT's id, when the effect is about one.")


class Effect(BaseModel):
    """One thing the request does to the user."""

    kind: EffectKind
    asset: Asset | None = None
    amount: str | None = Field(None, description="Base units; null when the effect is about every unit (an "
                               "operator) or about no asset.")
    display: str = Field(description="The effect in the user's units and words (\"give 2,500 USDC\").")
    unlimited: bool = False
    counterparty: str | None = Field(None, description="Who the asset goes to, comes from, or who is allowed.")
    counterparty_label: str | None = Field(None, description="The counterparty's name from a list (never on-chain "
                                           "text).")
    recipient: str | None = Field(None, description="For get: who receives it (the user, or someone else).")
    permission: Permission | None = Field(None, description="For grant and revoke: what kind of permission.")
    expires_at: str | None = Field(None, description="ISO 8601 UTC; null when it never expires (or has no "
                                   "deadline).")
    usd: str | None = Field(None, description="The value in US dollars (grants: what the spender could take now, "
                            "the lesser of the allowance and the balance); null when unpriced.")
    price_source: str | None = Field(None, description="Where the price was read on-chain: `chainlink:0x…`, "
                                     "`uniswap-v2:0x…`, `uniswap-v3:0x…`; null when unpriced.")
    source: EffectSource
    account: str | None = Field(None, description="Whose asset moves when it is not the user's own: the Safe the "
                                "user executes a transaction for.")
    order: int | None = Field(None, description="Which signed order (a bulk listing's leaf) the effect is in.")
    detail: str | None = Field(None, description="For control and sign_in: what changes (the function) or the "
                               "domain signed in to.")


class Disagreement(BaseModel):
    """Where what the calldata asks for and what the simulation did differ (a fee-on-transfer token, a call that
    moved nothing, a balance the call did not name)."""

    asset: Asset
    calldata_amount: str | None
    simulated_amount: str | None
    note: str
