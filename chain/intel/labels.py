"""Names for known counterparties, from the token lists (never from the chain's own text): what a wallet can show
instead of a bare address."""

from __future__ import annotations

from chain.facts import Facts, Label, walk_calls
from chain.intel.operator import operator_feeds
from chain.intel.safe import safe_deployments
from chain.intel.tokens import token_lists
from chain.protocols import protocol_registry
from chain.rules.policy import Policy


def labels_of(facts: Facts, policy: Policy | None = None) -> dict[str, Label]:
    """Every address the request involves that a list names, on the chain it acts on: a token list, the policy's
    own additions, the protocol registry, Safe's deployments, an operator's label feed."""
    lists = token_lists()
    chain = facts.approvals_chain_id
    involved = {facts.to, *facts.tokens, *(a.token for a in facts.approvals), *(a.spender for a in facts.approvals)}
    involved |= {target for _, target, _ in walk_calls(facts.decoded, facts.to)}
    if facts.simulation is not None:
        involved |= {c.token for c in facts.simulation.asset_changes}
    if facts.typed_data is not None:
        involved.add(facts.typed_data.verifying_contract)
    involved |= facts.counterparties()  # recipients and other addresses an operator's label feed may name
    found = {}
    feeds = operator_feeds()
    for address in sorted(a for a in involved if a):
        listed = lists.label(chain, address) or lists.label(facts.chain_id, address)
        if listed is not None:
            found[listed.address] = Label(name=listed.name, symbol=listed.symbol, source=listed.provenance.source)
            continue
        if policy is not None and (protocol := policy.name_of(chain, address)) is not None:
            found[address] = Label(name=protocol, source=f"policy {policy.version} allowlist")
            continue
        if (known := protocol_registry().contract(chain, address)) is not None:
            found[address] = Label(name=known.label, source=known.source)
            continue
        safe = safe_deployments().contract(chain, address)
        if safe is not None and (provenance := safe_deployments().provenance) is not None:
            found[address] = Label(name=f"Safe {safe.name} {safe.version}", source=provenance.source)
            continue
        named = next(((meta, label) for meta, label in feeds.listed("labels", address) if label), None)
        if named is not None:
            found[address] = Label(name=named[1], source=f"{named[0].feed} ({named[0].source}, {named[0].version})")
    return found
