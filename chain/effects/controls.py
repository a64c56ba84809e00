"""Calls that change who controls a contract or an account: ownership, admin, upgrades, and a Safe's owners,
threshold, modules, guard, fallback handler and singleton (safe-contracts' OwnerManager, ModuleManager,
GuardManager, FallbackManager)."""

from __future__ import annotations

from chain.decode import DecodedCall
from chain.effects.model import Effect, EffectKind, EffectSource

# function → the argument naming who gets control (None: nobody new, e.g. a threshold change or a renouncement)
OWNERSHIP_FUNCTIONS: dict[str, str | None] = {
    "transferOwnership(address)": "newOwner", "renounceOwnership()": None, "setOwner(address)": "owner",
    "changeAdmin(address)": "newAdmin", "upgradeTo(address)": "newImplementation",
    "upgradeToAndCall(address,bytes)": "newImplementation",
    "addOwnerWithThreshold(address,uint256)": "owner", "removeOwner(address,address,uint256)": "owner",
    "swapOwner(address,address,address)": "newOwner", "changeThreshold(uint256)": None,
    "changeMasterCopy(address)": "_masterCopy", "setGuard(address)": "guard", "enableModule(address)": "module",
    "setFallbackHandler(address)": "handler",
}
WORDS = {"transferOwnership": "hands ownership of {contract} to {party}", "renounceOwnership": "gives up ownership "
         "of {contract} (nobody will own it)", "setOwner": "makes {party} the owner of {contract}",
         "changeAdmin": "makes {party} the admin of {contract}", "upgradeTo": "replaces the code of {contract} with "
         "{party}", "upgradeToAndCall": "replaces the code of {contract} with {party}", "addOwnerWithThreshold":
         "adds {party} as an owner of the Safe {contract}", "removeOwner": "removes {party} as an owner of the Safe "
         "{contract}", "swapOwner": "replaces an owner of the Safe {contract} with {party}", "changeThreshold":
         "changes how many owners must sign for the Safe {contract}", "changeMasterCopy": "replaces the code of the "
         "Safe {contract} with {party}", "setGuard": "sets {party} as the guard of the Safe {contract}",
         "enableModule": "lets the module {party} act for the Safe {contract} without its owners",
         "setFallbackHandler": "sets {party} as the fallback handler of the Safe {contract}"}


def party_of(call: DecodedCall, name: str | None) -> str | None:
    """The address argument ``name`` (positionally when the selector table left the names as argN)."""
    if name is None:
        return None
    try:
        return call.arg(name)
    except KeyError:
        addresses = [a.value for a in call.args if a.type == "address"]
        return addresses[-1] if addresses else None


def control_of(call: DecodedCall, contract: str | None) -> Effect | None:
    """The control effect of ``call`` on ``contract``, or None when it changes no control."""
    if call.function not in OWNERSHIP_FUNCTIONS:
        return None
    party = party_of(call, OWNERSHIP_FUNCTIONS[call.function])
    name = call.function.split("(")[0]
    said = WORDS[name].format(contract=contract or "the contract", party=party or "nobody")
    return Effect(kind=EffectKind.CONTROL, display=said, counterparty=party, detail=call.function,
                  source=EffectSource.CALLDATA)
