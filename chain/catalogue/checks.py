"""Checks: what the analysis looks up besides the request's own bytes (chain state, installed lists). A check that
could not run is named in the result's ``skipped_checks`` with the rules that needed it (read from the rules'
``needs``) and said in the summary's "Not checked" sentence with its ``words``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CheckName(StrEnum):
    """A check that needs chain state or an installed list (``skipped_checks[].check``)."""

    SIMULATION = "simulation"
    TARGET_CODE = "target_code"
    SPENDER_CODE = "spender_code"
    TOKEN_STANDARD = "token_standard"
    TOKEN_METADATA = "token_metadata"
    BYTECODE = "bytecode"
    SWAP_RECIPIENT = "swap_recipient"
    PHISHING_LIST = "phishing_list"
    TOKEN_LISTS = "token_lists"
    SAFE_DEPLOYMENTS = "safe_deployments"
    OFAC_SDN = "ofac_sdn"
    PRICES = "prices"


@dataclass(frozen=True)
class CheckSpec:
    """One check: what it looks at, and how the summary names it when it could not run."""

    name: CheckName
    description: str  # what the check reads (README, OpenAPI)
    words: str  # the summary's "Not checked: …" names it so


CHECK_SPECS: tuple[CheckSpec, ...] = (
    CheckSpec(CheckName.SIMULATION, "the transaction run against the chain's state (revm or the node)",
              "what it would do (it was not simulated)"),
    CheckSpec(CheckName.TARGET_CODE, "whether each address the request calls with data holds code on that chain",
              "whether the called contract exists"),
    CheckSpec(CheckName.SPENDER_CODE, "whether each approved spender holds code (a contract) or not (a plain account)",
              "the spender's code"),
    CheckSpec(CheckName.TOKEN_STANDARD, "the token's standard, asked through ERC-165", "the token's standard"),
    CheckSpec(CheckName.TOKEN_METADATA, "the token's symbol and decimals, read from its contract",
              "the token's symbol and decimals"),
    CheckSpec(CheckName.BYTECODE, "the target's bytecode and proxy, to decode a call no table names",
              "the target's bytecode"),
    CheckSpec(CheckName.SWAP_RECIPIENT, "a swap's recipient against the sender", "the swap's recipient against the "
              "sender"),
    CheckSpec(CheckName.PHISHING_LIST, "the asking site against the phishing list (npm eth-phishing-detect)",
              "the site against the phishing list"),
    CheckSpec(CheckName.TOKEN_LISTS, "the tokens against the token lists of their chain",
              "the tokens against the token lists"),
    CheckSpec(CheckName.SAFE_DEPLOYMENTS, "a delegatecall's target against Safe's own libraries (npm "
              "@safe-global/safe-deployments)", "the delegatecall target against Safe's libraries"),
    CheckSpec(CheckName.OFAC_SDN, "every address against the bundled OFAC SDN list (npm @celo/compliance)",
              "the addresses against the bundled OFAC sanctions list"),
    CheckSpec(CheckName.PRICES, "the US dollar value of what is given, got and allowed, read on-chain (the price "
              "source the chain's Aave market uses, else a deep enough Uniswap pool)", "their value in dollars"),
)
CHECKS: dict[CheckName, CheckSpec] = {spec.name: spec for spec in CHECK_SPECS}
