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


@rule("ORDER_FOR_NOTHING")
def order_for_nothing(facts: Facts, policy: Policy) -> list[Finding]:
    """A signed order of any kind (Seaport and every leaf of a bulk listing, UniswapX, 1inch, CoW, Velora Delta) that
    gives something and gets nothing, or fungible dust, back. An NFT coming back (an offer, a collection offer) is
    never nothing; the worst leaf of a bulk signature decides."""
    td = facts.typed_data
    found = []
    for index, order in enumerate(td.orders if td is not None else []):
        if not order.gives or any(g.standard in ("erc721", "erc1155") for g in order.gets):
            continue
        back = sum(int(g.amount) for g in order.gets)
        if back > policy.threshold("order_dust_wei"):
            continue
        leaf = f" (order {index + 1} of {len(td.orders)} in this bulk signature)" if len(td.orders) > 1 else ""
        given = ", ".join(f"{i.standard} {i.token or ''}{' #' + i.token_id if i.token_id else ''}".strip()
                          for i in order.gives)
        found.append(finding("ORDER_FOR_NOTHING", policy,
                             f"This {order.protocol} order{leaf} gives away {len(order.gives)} item(s) ({given}) and "
                             f"pays back {'nothing' if back == 0 else 'next to nothing'}.", protocol=order.protocol,
                             order=index,
                             offer=[i.model_dump() for i in order.gives], to_signer=[g.model_dump() for g in
                                                                                        order.gets]))
    return found
