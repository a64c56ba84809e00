"""The payable "claim / security update" scam family, by shape rather than by a fixed list of selectors.

Scam contracts take the victim's ETH through a payable entry point named like an official action — `Claim()`,
`SecurityUpdate()`, `NetworkMerge()`, `ClaimRewards(address)`, `AirdropClaim()` — with no or trivial arguments, in
every spelling (PascalCase, camelCase, lower, UPPER, snake_case). A call is of the family when it sends value, its
arguments are at most two static words, and its name — resolved from any table, or, for a selector nothing names,
matched against every spelling of every stem below with the trivial argument lists — starts with a family stem.
"""

from __future__ import annotations

import re
from functools import cache

from eth_utils import keccak

from chain.decode import DecodedCall

STEMS = ("Claim", "ClaimReward", "ClaimRewards", "ClaimAirdrop", "ClaimTokens", "ClaimBonus", "ClaimGift",
         "Airdrop", "AirdropClaim", "SecurityUpdate", "SecurityUpdates", "SecurityCheck", "NetworkMerge", "Connect",
         "Verify", "Multicall", "Execute", "EnterRaffle", "Reward", "Rewards", "Bonus", "Gift", "FreeMint", "Activate",
         "Confirm")
"""The names scam lists publish for ETH-taking entry points (their stems; anything starting with one matches)."""
TRIVIAL_ARGUMENTS = ("", "address", "uint256", "address,uint256")
FAMILY_NAME = re.compile("^(" + "|".join(sorted({s.lower() for s in STEMS}, key=len, reverse=True)) + ")")
MAX_TRIVIAL_WORDS = 2


def _spellings(stem: str) -> set[str]:
    """PascalCase, camelCase, lower, UPPER and snake_case of one stem."""
    words = re.findall(r"[A-Z][a-z]*", stem)
    return {stem, stem[0].lower() + stem[1:], stem.lower(), stem.upper(), "_".join(w.lower() for w in words),
            "_".join(w.upper() for w in words)}


@cache
def family_selectors() -> dict[str, str]:
    """0x-selector → signature, for every spelling of every stem with every trivial argument list."""
    return {"0x" + keccak(text=signature)[:4].hex(): signature
            for stem in STEMS for name in _spellings(stem) for args in TRIVIAL_ARGUMENTS
            if (signature := f"{name}({args})")}


def of_family(name: str) -> bool:
    """Whether a function name starts with a family stem (case and underscores ignored)."""
    return bool(FAMILY_NAME.match(name.replace("_", "").lower()))


def scam_shaped(call: DecodedCall) -> str | None:
    """The family signature a call has (its resolved one, or the one its selector spells), when its arguments are
    trivial (at most two static words); None otherwise."""
    if len(call.args) > MAX_TRIVIAL_WORDS or any(a.type in ("bytes", "string") or a.type.endswith("]") or
                                                 a.type.startswith("(") for a in call.args):
        return None
    if call.function and not call.function.startswith("0x"):
        return call.function if of_family(call.function.split("(")[0]) else None
    return family_selectors().get(call.selector or "")
