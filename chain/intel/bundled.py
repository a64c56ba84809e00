"""Every list bundled from npm packages, with its provenance: one place to enumerate them (``txexplain intel
list``, the bench). A list whose package is not installed is absent here, not guessed."""

from __future__ import annotations

from chain.intel.feeds import Provenance
from chain.intel.phishing import phishing_list
from chain.intel.safe import safe_deployments
from chain.intel.sanctions import sanctions_list
from chain.intel.tokens import token_lists


def bundled_feeds() -> list[Provenance]:
    """The provenance of each bundled list that loaded: phishing domains, token lists, Safe deployments, OFAC SDN."""
    phishing = phishing_list()
    found = [phishing.provenance] if phishing is not None else []
    found += token_lists().provenance
    found += [p for p in (safe_deployments().provenance, sanctions_list().provenance) if p is not None]
    return found
