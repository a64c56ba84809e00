"""Which intelligence checks could not run because their feed is not installed: said in ``skipped_checks`` like
any check that could not run, so a missing list never reads as "nothing found"."""

from __future__ import annotations

from chain.facts import SkippedCheck
from chain.intel.phishing import PACKAGE, phishing_list
from chain.intel.safe import PACKAGE as SAFE_PACKAGE
from chain.intel.safe import safe_deployments
from chain.intel.sanctions import PACKAGE as SANCTIONS_PACKAGE
from chain.intel.sanctions import sanctions_list
from chain.intel.tokens import METAMASK, UNISWAP, token_lists


def unavailable_feeds(origin: str | None, names_tokens: bool, delegatecalls: bool = False) -> list[SkippedCheck]:
    """The phishing-list check when the request names an origin and the list is absent; the token-list check when
    it involves tokens and no token list is loaded; the Safe-library check when it delegatecalls and Safe's
    deployments are not installed (every delegatecall then fires); the sanctions check, always, when the bundled
    OFAC list is absent (imported sanctions feeds are still read)."""
    skipped = []
    if sanctions_list().provenance is None:
        skipped.append(SkippedCheck(check="ofac_sdn", subject=None,
                                    reason=f"the bundled OFAC SDN list (npm {SANCTIONS_PACKAGE}) is not installed: "
                                           "only imported sanctions feeds were read"))
    if delegatecalls and safe_deployments().provenance is None:
        skipped.append(SkippedCheck(check="safe_deployments", subject=None,
                                    reason=f"Safe's deployments (npm {SAFE_PACKAGE}) are not installed: no "
                                           "delegatecall target is known to be a Safe library"))
    if origin and phishing_list() is None:
        skipped.append(SkippedCheck(check="phishing_list", subject=None,
                                    reason=f"the phishing list (npm {PACKAGE}) is not installed"))
    if names_tokens and not token_lists().provenance:
        skipped.append(SkippedCheck(check="token_lists", subject=None,
                                    reason=f"no token list (npm {UNISWAP[0]}, {METAMASK[0]}) is installed"))
    return skipped
