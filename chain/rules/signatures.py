"""Rules over signing requests: permits, Permit2, expiry, blind signatures, SIWE, chain id."""

from __future__ import annotations

from urllib.parse import urlparse

from chain.facts import Facts
from chain.rules.model import Finding, approval_finding, finding
from chain.rules.policy import Policy
from chain.rules.registry import rule


@rule("PERMIT_SIGNATURE")
def permit_signature(facts: Facts, policy: Policy) -> list[Finding]:
    """EIP-2612 or DAI-style permit typed data: an approval granted off-chain, with no gas."""
    td = facts.typed_data
    if td is None or td.classification not in ("eip2612_permit", "dai_permit"):
        return []
    spenders = [a.spender for a in facts.approvals]
    return [approval_finding("PERMIT_SIGNATURE", policy, facts.approvals_chain_id, spenders,
                             "This signature is a token approval (permit): anyone holding it can submit it on-chain "
                             "without you paying gas or seeing a transaction.",
                             classification=td.classification, token=td.verifying_contract, spenders=spenders)]


@rule("PERMIT2_SIGNATURE")
def permit2_signature(facts: Facts, policy: Policy) -> list[Finding]:
    """A Permit2 PermitSingle / PermitBatch / PermitTransferFrom / witness signature."""
    td = facts.typed_data
    if td is None or not td.classification.startswith("permit2_"):
        return []
    spenders = sorted({a.spender for a in facts.approvals})
    return [approval_finding("PERMIT2_SIGNATURE", policy, facts.approvals_chain_id, spenders,
                             f"This is a Permit2 {td.primary_type} signature: it lets the spender move your tokens "
                             "through Permit2 without another confirmation.",
                             primary_type=td.primary_type, spenders=spenders,
                             tokens=sorted({a.token for a in facts.approvals}))]





@rule("LONG_EXPIRY")
def long_expiry(facts: Facts, policy: Policy) -> list[Finding]:
    """A permit or Permit2 approval that never expires, or expires beyond the policy's horizon."""
    horizon = facts.observed_at + policy.threshold("expiry_horizon_days") * 86_400
    found = []
    for a in facts.approvals:
        if a.standard not in ("permit", "permit2") or a.revokes:
            continue
        if a.expires_at is None:
            found.append(finding("LONG_EXPIRY", policy, f"The approval to {a.spender} never expires.",
                                 token=a.token, spender=a.spender, expires_at=None))
        elif a.expires_at > horizon:
            days = (a.expires_at - facts.observed_at) // 86_400
            found.append(finding("LONG_EXPIRY", policy,
                                 f"The approval to {a.spender} stays valid for {days} days.",
                                 token=a.token, spender=a.spender, expires_at=a.expires_at,
                                 horizon_days=policy.threshold("expiry_horizon_days")))
    return found


@rule("BLIND_SIGNATURE")
def blind_signature(facts: Facts, policy: Policy) -> list[Finding]:
    """eth_sign, or personal_sign of exactly 32 bytes (a hash): the user cannot see what they sign."""
    m = facts.message
    if m is None or not m.blind:
        return []
    legacy = " with the legacy eth_sign" if facts.signing_method == "eth_sign" else ""
    what = "eth_sign of a raw hash" if legacy and m.kind == "hash" else f"a {m.size}-byte {m.kind}{legacy}"
    return [finding("BLIND_SIGNATURE", policy,
                    f"This asks you to sign {what}: it could be a transaction or a permit in disguise.",
                    method=facts.signing_method, kind=m.kind, size=m.size)]


def _host(value: str) -> str:
    parsed = urlparse(value if "://" in value else f"//{value}")
    return (parsed.hostname or "").lower()


@rule("SIWE_DOMAIN_MISMATCH")
def siwe_domain_mismatch(facts: Facts, policy: Policy) -> list[Finding]:
    """A Sign-In-With-Ethereum message for a domain other than the site asking."""
    m = facts.message
    origin = facts.context.origin
    if m is None or m.siwe is None or not origin:
        return []
    if _host(m.siwe["domain"]) == _host(origin):
        return []
    return [finding("SIWE_DOMAIN_MISMATCH", policy,
                    f"The sign-in message is for {m.siwe['domain']!r} but the request comes from {origin!r}.",
                    siwe_domain=m.siwe["domain"], origin=origin)]


@rule("CHAIN_ID_MISMATCH")
def chain_id_mismatch(facts: Facts, policy: Policy) -> list[Finding]:
    """The typed data's domain chainId differs from the chain of the request."""
    td = facts.typed_data
    if td is None or td.chain_id is None or td.chain_id == facts.chain_id:
        return []
    return [finding("CHAIN_ID_MISMATCH", policy,
                    f"The signature is for chain {td.chain_id}, but the wallet is on chain {facts.chain_id}.",
                    domain_chain_id=td.chain_id, request_chain_id=facts.chain_id)]


SEAPORT_FUNGIBLE = (0, 1)  # NATIVE, ERC20; 2–5 are ERC-721/1155 items (with or without criteria)


@rule("ORDER_FOR_NOTHING")
def order_for_nothing(facts: Facts, policy: Policy) -> list[Finding]:
    """A marketplace order that gives items away: nothing (or dust) comes back to the signer. Every item type
    counts: an NFT coming back (an offer or a collection offer) is never nothing."""
    td = facts.typed_data
    if td is None or td.order is None or not td.order["offer"]:
        return []
    to_signer = td.order["to_signer"]
    if any(c["item_type"] not in SEAPORT_FUNGIBLE for c in to_signer):
        return []
    back = sum(int(c["amount"]) for c in to_signer)
    if back > policy.threshold("order_dust_wei"):
        return []
    return [finding("ORDER_FOR_NOTHING", policy,
                    f"This order gives away {len(td.order['offer'])} item(s) and pays you {back} in return.",
                    offer=td.order["offer"], to_signer=to_signer, to_others=td.order["to_others"])]
