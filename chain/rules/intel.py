"""Rules over threat intelligence: the calling site on a phishing list or resembling a protected one, and tokens
that claim a listed token's symbol or name at another address. Each finding names the feed, version and sha256."""

from __future__ import annotations

from chain.facts import Facts
from chain.intel.operator import operator_feeds
from chain.intel.phishing import host_of, phishing_list
from chain.intel.tokens import token_lists
from chain.rules.model import Finding, finding
from chain.rules.policy import Policy
from chain.rules.registry import rule


def _origin_findings(facts: Facts, policy: Policy, rule_id: str, kind: str) -> list[Finding]:
    """``rule_id``'s finding when the phishing list's verdict on the asking site's host is ``kind`` (a blocklist
    verdict also from an imported phishing feed, unless the bundled list allows the host)."""
    listed = phishing_list()
    if not facts.context.origin:
        return []
    host = host_of(facts.context.origin)
    if kind == "blocklist" and (listed is None or listed.check(host).kind not in ("allowlist", "blocklist")):
        imported = operator_feeds().listed_domain(host)
        if imported is not None:
            return [finding(rule_id, policy, f"The site asking, {host}, is on the phishing feed {imported.feed!r}.",
                            host=host, **imported.provenance.evidence())]
    if listed is None:
        return []
    verdict = listed.check(host)
    if kind == "fuzzy" and verdict.kind == "none" and (imitated := listed.imitates(host)) is not None:
        return [finding(rule_id, policy, f"The site asking, {host}, spells {imitated} with look-alike characters "
                        "of another script.", host=host, resembles=imitated, homoglyph=True,
                        **listed.provenance.evidence())]
    if verdict.kind != kind:
        return []
    said = (f"The site asking, {verdict.host}, is on the phishing blocklist." if kind == "blocklist" else
            f"The site asking, {verdict.host}, resembles {verdict.match} but is not it.")
    resembles = {"resembles": verdict.match} if verdict.match else {}
    return [finding(rule_id, policy, said, host=verdict.host, **resembles, **listed.provenance.evidence())]


@rule("PHISHING_ORIGIN")
def phishing_origin(facts: Facts, policy: Policy) -> list[Finding]:
    """The site asking is a known phishing domain."""
    return _origin_findings(facts, policy, "PHISHING_ORIGIN", "blocklist")


@rule("LOOKALIKE_ORIGIN")
def lookalike_origin(facts: Facts, policy: Policy) -> list[Finding]:
    """The site asking resembles a protected domain without being it."""
    return _origin_findings(facts, policy, "LOOKALIKE_ORIGIN", "fuzzy")


@rule("IMPERSONATOR_TOKEN")
def impersonator_token(facts: Facts, policy: Policy) -> list[Finding]:
    """Tokens whose on-chain symbol, or a permit whose signing domain, claims a listed token at another address."""
    lists = token_lists()
    found = []
    for address, meta in facts.tokens.items():
        real = lists.impersonated(facts.chain_id, address, meta.symbol)
        if real is not None:
            found.append(finding("IMPERSONATOR_TOKEN", policy, f"The token at {address} calls itself "
                                 f"{real.symbol!r}, but the listed {real.name} on this chain is {real.address}.",
                                 token=address, claims=real.symbol, listed_address=real.address,
                                 **real.provenance.evidence()))
    typed = facts.typed_data
    if typed is not None and typed.verifying_contract and typed.classification in ("eip2612_permit", "dai_permit"):
        chain = typed.chain_id if typed.chain_id is not None else facts.chain_id
        name = typed.domain.get("name")
        real = lists.impersonated(chain, typed.verifying_contract, name if isinstance(name, str) else None)
        if real is not None:
            found.append(finding("IMPERSONATOR_TOKEN", policy, f"The permit is for a token at "
                                 f"{typed.verifying_contract} that calls itself {name!r}, but the listed "
                                 f"{real.name} on chain {chain} is {real.address}.", token=typed.verifying_contract,
                                 claims=name, listed_address=real.address, **real.provenance.evidence()))
    return found
