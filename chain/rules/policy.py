"""The risk policy: severities, thresholds, allowlists and the model's policy text, from TOML."""

from __future__ import annotations

import hashlib
import tomllib
from importlib import resources
from pathlib import Path
from typing import Literal, get_args

from eth_utils import to_checksum_address
from pydantic import BaseModel, Field, ValidationError

from chain.catalogue import SEVERITIES, SPECS
from chain.protocols import Role, protocol_registry


class PolicyError(ValueError):
    """The policy file is missing, unparseable or inconsistent."""


class RuleSettings(BaseModel):
    """A policy's override of one rule's defaults (declared beside the rule)."""

    severity: str | None = None
    description: str | None = None


class ChainAllowlist(BaseModel):
    """A chain's additions to what the registry trusts (and its removals)."""

    spenders: list[str] = Field(default_factory=list)
    operators: list[str] = Field(default_factory=list)
    delegates: list[str] = Field(default_factory=list)  # EIP-7702 delegation targets (audited smart accounts)
    names: dict[str, str] = Field(default_factory=dict)  # address → the protocol's own name, for labels
    remove: list[str] = Field(default_factory=list, description="Registered addresses not to trust on this chain.")


class TrustPolicy(BaseModel):
    """Which of the protocol registry's contracts the rules treat as well-known, by role (and protocol)."""

    spenders: list[Role] = Field(default_factory=list, description="Roles trusted as ERC-20 and permit spenders.")
    operators: list[Role] = Field(default_factory=list, description="Roles trusted as NFT operators.")
    delegates: list[Role] = Field(default_factory=list, description="Roles trusted as EIP-7702 delegates.")
    protocols: list[str] = Field(default_factory=list, description="Only these protocols (empty: every one).")


class PromptExample(BaseModel):
    facts: str
    answer: str


class PromptPolicy(BaseModel):
    risk_policy: str
    examples: list[PromptExample] = Field(default_factory=list)
    claims_policy: str = Field("", description="The fixed prefix of claims mode: the model picks labels only.")
    claims_examples: list[PromptExample] = Field(default_factory=list)


Verdict = Literal["ok", "warn", "block"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
"""The verdicts, least severe first."""


class VerdictPolicy(BaseModel):
    """Which severities make a verdict, and the least verdict a request gets when a check could not run."""

    block: list[str] = Field(default_factory=list)
    warn: list[str] = Field(default_factory=list)
    unchecked: Verdict = Field(
        "warn", description="Floor of the verdict when a check could not run (SIMULATION_UNAVAILABLE): effects "
                            "nobody could see are never called ok.")


class AllowlistedPolicy(BaseModel):
    """Approval-class findings toward a spender on the chain's allowlist keep their evidence at this severity:
    approving Permit2 or signing the Universal Router's permit is routine."""

    severity: str = "low"
    rules: list[str] | None = Field(None, description="The rules it lowers; by default those the catalogue marks "
                                    "`allowlisted`.")


class Policy(BaseModel):
    """A parsed policy file; ``sha256`` is of its exact bytes."""

    version: str
    sha256: str
    verdict: VerdictPolicy
    thresholds: dict[str, str]
    rules: dict[str, RuleSettings] = Field(default_factory=dict, description="Overrides of rules' defaults.")
    trust: TrustPolicy = Field(default_factory=TrustPolicy)
    allowlist: dict[str, ChainAllowlist] = Field(default_factory=dict)
    denylist: dict[str, list[str]] = Field(default_factory=dict)
    allowlisted: AllowlistedPolicy = Field(default_factory=AllowlistedPolicy)
    prompt: PromptPolicy

    def severity(self, rule: str) -> str:
        """The severity of ``rule`` under this policy: its override, else the rule's default."""
        override = self.rules.get(rule)
        return override.severity if override and override.severity else SPECS[rule].severity

    def description(self, rule: str) -> str:
        """What ``rule`` checks: the policy's wording if it gives one, else the rule's own."""
        override = self.rules.get(rule)
        return override.description if override and override.description else SPECS[rule].description

    def allowlisted_rules(self) -> frozenset[str]:
        """The rules an allowlisted spender lowers: the policy's list, else the catalogue's ``allowlisted`` ones."""
        if self.allowlisted.rules is not None:
            return frozenset(self.allowlisted.rules)
        return frozenset(spec.id for spec in SPECS.values() if spec.allowlisted)

    def threshold(self, name: str) -> int:
        """An integer threshold by name."""
        return int(self.thresholds[name])

    def _trusted(self, chain_id: int, kind: str) -> frozenset[str]:
        """EIP-55 addresses trusted as ``kind`` (spenders | operators | delegates) on ``chain_id``: the registry's
        contracts of the trusted roles, plus the chain's additions, less its removals."""
        entry = self.allowlist.get(str(chain_id), ChainAllowlist())
        registered = protocol_registry().addresses(chain_id, getattr(self.trust, kind), self.trust.protocols)
        removed = {to_checksum_address(a) for a in entry.remove}
        return frozenset((registered | {to_checksum_address(a) for a in getattr(entry, kind)}) - removed)

    def allowed_spenders(self, chain_id: int) -> frozenset[str]:
        """EIP-55 spenders trusted on ``chain_id``."""
        return self._trusted(chain_id, "spenders")

    def allowed_operators(self, chain_id: int) -> frozenset[str]:
        """EIP-55 NFT operators trusted on ``chain_id``."""
        return self._trusted(chain_id, "operators")

    def allowed_delegates(self, chain_id: int) -> frozenset[str]:
        """EIP-55 EIP-7702 delegates trusted on ``chain_id``."""
        return self._trusted(chain_id, "delegates")

    def name_of(self, chain_id: int, address: str) -> str | None:
        """The name the policy's own additions give ``address`` on ``chain_id``, or None."""
        entry = self.allowlist.get(str(chain_id), ChainAllowlist())
        return next((name for listed, name in entry.names.items() if listed.lower() == address.lower()), None)

    def verdict_for(self, severities: list[str], *, unchecked: bool = False) -> str:
        """block / warn / ok for the severities of a request's findings; with ``unchecked`` (a check could
        not run) at least the policy's ``verdict.unchecked``."""
        verdict = "ok"
        for level in ("block", "warn"):
            if any(s in getattr(self.verdict, level) for s in severities):
                verdict = level
                break
        if unchecked and VERDICTS.index(self.verdict.unchecked) > VERDICTS.index(verdict):
            return self.verdict.unchecked
        return verdict

    @property
    def identity(self) -> dict[str, str]:
        """What results and audit records carry: version and sha256."""
        return {"version": self.version, "sha256": self.sha256}


def parse_policy(raw: bytes, origin: str = "policy") -> Policy:
    """Parse policy TOML bytes.

    Raises:
        PolicyError: not TOML, missing keys, or an unknown severity.
    """
    try:
        data = tomllib.loads(raw.decode("utf-8"))
        policy = Policy(sha256=hashlib.sha256(raw).hexdigest(), **data)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValidationError, TypeError) as exc:
        raise PolicyError(f"{origin}: {exc}") from exc
    if policy.allowlisted.severity not in SEVERITIES:
        raise PolicyError(f"{origin}: allowlisted.severity {policy.allowlisted.severity!r} is not one of "
                          + ", ".join(SEVERITIES))
    for rule_id, settings in policy.rules.items():
        if settings.severity is not None and settings.severity not in SEVERITIES:
            raise PolicyError(f"{origin}: rules.{rule_id}.severity {settings.severity!r} is not one of "
                              + ", ".join(SEVERITIES))
    return policy


def load_policy(path: Path | None = None) -> Policy:
    """The policy at ``path``, or the bundled default.

    Raises:
        PolicyError: the file cannot be read or parsed.
    """
    if path is None:
        raw = resources.files("chain.rules").joinpath("policy/default.toml").read_bytes()
        return parse_policy(raw, "default.toml")
    try:
        return parse_policy(Path(path).read_bytes(), str(path))
    except OSError as exc:
        raise PolicyError(f"{path}: {exc.strerror}") from exc
