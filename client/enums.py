"""The service's enums, generated from its OpenAPI document by scripts/gen_client_enums.py: do not edit.

Result models type these fields as ``Enum | str``, so a value a newer server adds still parses.
"""

from __future__ import annotations

from enum import StrEnum


class RuleId(StrEnum):
    """A rule's stable id (`findings[].rule`)."""

    APPROVAL_TO_EOA = "APPROVAL_TO_EOA"
    UNLIMITED_APPROVAL = "UNLIMITED_APPROVAL"
    APPROVAL_FOR_ALL = "APPROVAL_FOR_ALL"
    PERMIT_SIGNATURE = "PERMIT_SIGNATURE"
    PERMIT2_SIGNATURE = "PERMIT2_SIGNATURE"
    LONG_EXPIRY = "LONG_EXPIRY"
    ORDER_FOR_NOTHING = "ORDER_FOR_NOTHING"
    BLIND_SIGNATURE = "BLIND_SIGNATURE"
    SIWE_DOMAIN_MISMATCH = "SIWE_DOMAIN_MISMATCH"
    CHAIN_ID_MISMATCH = "CHAIN_ID_MISMATCH"
    KNOWN_MALICIOUS = "KNOWN_MALICIOUS"
    SANCTIONED_ADDRESS = "SANCTIONED_ADDRESS"
    SUSPICIOUS_PAYABLE_CALL = "SUSPICIOUS_PAYABLE_CALL"
    TRANSFER_TO_TOKEN_CONTRACT = "TRANSFER_TO_TOKEN_CONTRACT"
    POISONED_ADDRESS = "POISONED_ADDRESS"
    SWAP_RECIPIENT_MISMATCH = "SWAP_RECIPIENT_MISMATCH"
    OWNERSHIP_CHANGE = "OWNERSHIP_CHANGE"
    EIP7702_DELEGATION = "EIP7702_DELEGATION"
    DELEGATECALL = "DELEGATECALL"
    CALL_TO_NO_CODE = "CALL_TO_NO_CODE"
    UNFAIR_EXCHANGE = "UNFAIR_EXCHANGE"
    UNKNOWN_FUNCTION = "UNKNOWN_FUNCTION"
    METADATA_INJECTION = "METADATA_INJECTION"
    SIMULATION_REVERTED = "SIMULATION_REVERTED"
    SIMULATION_UNAVAILABLE = "SIMULATION_UNAVAILABLE"
    PHISHING_ORIGIN = "PHISHING_ORIGIN"
    LOOKALIKE_ORIGIN = "LOOKALIKE_ORIGIN"
    IMPERSONATOR_TOKEN = "IMPERSONATOR_TOKEN"


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


class RequestKind(StrEnum):
    """What was asked of the wallet (the result's ``kind``)."""

    TRANSACTION = "transaction"
    BATCH = "batch"
    TYPED_DATA = "typed_data"
    MESSAGE = "message"


class DecodeSource(StrEnum):
    """How the calldata was resolved; the contract's ``decoded.source``."""

    ABI = "abi"
    SELECTORS = "selectors"
    BYTECODE = "bytecode"
    GUESSED = "guessed"
    DEPLOYMENT = "deployment"
    UNKNOWN = "unknown"


class SimulationStatus(StrEnum):
    """How far the simulation got."""

    SUCCESS = "success"
    REVERTED = "reverted"
    UNAVAILABLE = "unavailable"


class NarrativeSource(StrEnum):
    """Where ``explanation.narrative`` came from."""

    MODEL = "model"
    CACHE = "cache"
    NONE = "none"


class NarrativeMode(StrEnum):
    """How the narrative was generated (the contract's ``explanation.mode``)."""

    CLAIMS = "claims"
    FREE = "free"


class Severity(StrEnum):
    """Finding.severity."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class Verdict(StrEnum):
    """ExplainResult.verdict."""

    OK = "ok"
    WARN = "warn"
    BLOCK = "block"
