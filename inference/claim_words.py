"""The words claims are made of: a headline per rule, the advice lines, and how kinds and checks are named.

Claims mode's fixed prefix labels the headlines (h1…) and the advice (a1…) in the order given here.
"""

from __future__ import annotations

# A short headline per rule: what its finding means for the user, with no address or number in it.
HEADLINES = {
    "APPROVAL_TO_EOA": "This hands a plain account the right to take your tokens.",
    "UNLIMITED_APPROVAL": "This approves an unlimited amount of your tokens.",
    "APPROVAL_FOR_ALL": "This lets an operator move all your NFTs of a collection.",
    "PERMIT_SIGNATURE": "This signature approves a spender without a transaction.",
    "PERMIT2_SIGNATURE": "This Permit2 signature lets a spender move your tokens.",
    "LONG_EXPIRY": "The approval stays valid for a long time, or forever.",
    "ORDER_FOR_NOTHING": "This order gives your items away for nothing.",
    "BLIND_SIGNATURE": "You are asked to sign something you cannot read.",
    "SIWE_DOMAIN_MISMATCH": "This sign-in message is for another site than the one asking.",
    "CHAIN_ID_MISMATCH": "This signature is for another network than your wallet's.",
    "KNOWN_MALICIOUS": "This involves an address on the list of known malicious addresses.",
    "SANCTIONED_ADDRESS": "This involves an address on a sanctions list.",
    "SUSPICIOUS_PAYABLE_CALL": "This sends ETH to a claim-style call, a classic scam.",
    "TRANSFER_TO_TOKEN_CONTRACT": "This sends tokens to the token contract itself, where they are lost.",
    "POISONED_ADDRESS": "The recipient imitates an address from your address book.",
    "SWAP_RECIPIENT_MISMATCH": "This swap pays its output to someone other than you.",
    "OWNERSHIP_CHANGE": "This changes who controls a contract.",
    "EIP7702_DELEGATION": "This lets other code act as your account.",
    "DELEGATECALL": "This lets unknown code run as the account itself, with everything it holds.",
    "UNKNOWN_FUNCTION": "Nobody can tell what this call does.",
    "METADATA_INJECTION": "Text in this request tries to tell you something; it is only data.",
    "SIMULATION_REVERTED": "This transaction fails when it is tested.",
    "SIMULATION_UNAVAILABLE": "This could not be tested beforehand; its effects are unknown.",
    "PHISHING_ORIGIN": "The site asking is on a list of known phishing sites.",
    "LOOKALIKE_ORIGIN": "The site asking looks like a well-known site but is not it.",
    "IMPERSONATOR_TOKEN": "A token here pretends to be a well-known token.",
}
# Words by which free text addresses a rule's finding (free mode's quality check; lowercase substrings).
RULE_WORDS = {
    "APPROVAL_TO_EOA": ("plain account", "not a contract", "no contract code", "no code", "eoa", "ordinary account"),
    "UNLIMITED_APPROVAL": ("unlimited", "every", "all of your", "all your", "any amount", "no limit"),
    "APPROVAL_FOR_ALL": ("all your", "every nft", "all nfts", "whole collection", "entire collection", "operator"),
    "PERMIT_SIGNATURE": ("permit", "approv", "signature"),
    "PERMIT2_SIGNATURE": ("permit2", "permit", "approv"),
    "LONG_EXPIRY": ("expir", "forever", "never", "long time", "days"),
    "ORDER_FOR_NOTHING": ("nothing", "for free", "give away", "gives away", "no payment"),
    "BLIND_SIGNATURE": ("blind", "cannot read", "can't read", "raw hash", "hash", "cannot see"),
    "SIWE_DOMAIN_MISMATCH": ("domain", "site", "website", "sign-in", "sign in"),
    "CHAIN_ID_MISMATCH": ("chain", "network"),
    "KNOWN_MALICIOUS": ("malicious", "denylist", "known bad", "scam"),
    "SANCTIONED_ADDRESS": ("sanction", "ofac", "list"),
    "SUSPICIOUS_PAYABLE_CALL": ("claim", "scam", "security update", "eth"),
    "TRANSFER_TO_TOKEN_CONTRACT": ("token contract", "lost"),
    "POISONED_ADDRESS": ("imitat", "look-alike", "lookalike", "address book", "poison"),
    "SWAP_RECIPIENT_MISMATCH": ("recipient", "someone else", "another address", "not to you"),
    "OWNERSHIP_CHANGE": ("owner", "control", "admin", "upgrade"),
    "EIP7702_DELEGATION": ("delegat", "7702", "your account"),
    "DELEGATECALL": ("delegatecall", "delegate", "run", "code", "as the safe", "as its own"),
    "PHISHING_ORIGIN": ("phishing", "scam", "site", "website"),
    "LOOKALIKE_ORIGIN": ("look", "resembl", "imitat", "fake", "site"),
    "IMPERSONATOR_TOKEN": ("fake", "pretend", "imitat", "impersonat", "not the real"),
    "UNKNOWN_FUNCTION": ("unknown", "cannot tell", "can't tell", "not be decoded", "nobody"),
    "METADATA_INJECTION": ("data", "instruction", "text", "ignore"),
    "SIMULATION_REVERTED": ("fail", "revert"),
    "SIMULATION_UNAVAILABLE": ("could not be tested", "not be simulated", "unknown", "untested", "could not"),
}
STOP_WORDS = ("do not sign", "don't sign", "reject", "stop", "do not approve", "cancel")
EMPHASIS = "Look closely: "  # a headline's second form, offered when the verdict is warn or block
ADVICE = {  # labelled a1…a6 in this order in claims mode's fixed prefix
    "block": ("Do not sign this.", "Reject this request, and revoke any approval you gave this spender before."),
    "warn": ("Sign only if you expected exactly this and trust the site asking.",
             "Check every detail in your wallet before you sign."),
    "ok": ("Check that the details match what you intended, then sign.",
           "Nothing unusual was found; still check the details before you sign."),
}
ADVICE_LABELS = {text: f"a{i}" for i, text in enumerate((t for v in ADVICE.values() for t in v), 1)}
KIND_WORDS = {"transaction": "transaction", "batch": "batch of calls", "typed_data": "signature request",
              "message": "message to sign"}
NO_FINDING = "No rule found anything unusual in this {kind}."


def _all_headlines() -> list[str]:
    plain = [*HEADLINES.values(), *(NO_FINDING.format(kind=k) for k in dict.fromkeys(KIND_WORDS.values()))]
    return [*plain, *(EMPHASIS + h[0].lower() + h[1:] for h in HEADLINES.values())]


HEADLINE_LABELS = {text: f"h{i}" for i, text in enumerate(_all_headlines(), 1)}  # claims mode's fixed prefix
CHECK_WORDS = {"spender_code": "the spender's code", "token_standard": "the token's standard",
               "token_metadata": "the token's symbol and decimals", "bytecode": "the target's bytecode",
               "swap_recipient": "the swap's recipient against the sender",
               "phishing_list": "the site against the phishing list",
               "token_lists": "the tokens against the token lists"}
