"""The narrative guard: reject text that invents facts, contradicts the verdict, loops or overflows."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from pydantic import ValidationError

from chain.sanitize import MODEL_INSTRUCTION
from inference.prompt import Narrative

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_SHORT_ADDRESS = re.compile(r"0x([0-9a-fA-F]{3,39})\s*(?:…|\.{2,3})\s*([0-9a-fA-F]{3,39})")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_STANDARD = re.compile(r"\b(?:ERC|EIP)[- ]?\d+\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
_CAPS = re.compile(r"(?<![\w$])\$?[A-Z][A-Z0-9]{1,11}(?![\w])")
_WORDS = re.compile(r"[a-z0-9']+")
# An address named as the party that receives a permission: "approves 0x…", "0x… can spend".
_GRANTEE = (
    re.compile(r"\b(?:approv\w*|allow\w*|grant\w*|lets?|authori[sz]\w*|permit\w*)\s+(0x[0-9a-fA-F]{40})",
               re.IGNORECASE),
    re.compile(r"(0x[0-9a-fA-F]{40})\s+(?:to|can|may|could|will be able to)\s+(?:spend|move|transfer|take)",
               re.IGNORECASE),
)

# Capitalized words that are prose, not token symbols.
PROSE_CAPS = frozenset({
    "DO", "NOT", "NO", "OK", "ID", "NFT", "NFTS", "EOA", "EOAS", "ERC", "EIP", "API", "URL", "JSON",
    "DAPP", "BLOCK", "WARN", "WARNING", "DANGER", "STOP", "IMPORTANT", "ALL", "ANY", "RISK", "NEVER",
    "YOUR", "YOU", "THIS", "ONLY", "AN", "IT", "IS", "IF", "OR", "AND", "THE", "UNLIMITED", "CAUTION",
    "REJECT", "SIGN", "PLEASE", "NOTE", "VERY", "HIGH", "CRITICAL", "MEDIUM", "LOW", "GAS",
})
SAFE_WORDS = re.compile(
    r"\b(safe|legitimate|no risk|risk-free|risk free|harmless|trusted|trustworthy|verified|"
    r"nothing to worry|secure|no danger|no problem)\b", re.IGNORECASE)
DANGER_WORDS = re.compile(
    r"\b(scam|malicious|drain|drains|draining|dangerous|phishing|do not sign|don't sign|reject this)\b",
    re.IGNORECASE)
# Free mode's claim check: assertions no fact can support (verification, audits, reports, reputation, third
# parties, safety), and the words by which a sentence is about the request at all.
UNSUPPORTED = re.compile(
    r"\b(verif(?:y|ied|ies|ication)|audit(?:ed|s|ors?)?|reported|reports?|reputation|reputable|researchers?|"
    r"security team|well[- ]known|popular|official(?:ly)?|certified|guaranteed?|safe|legitimate|trusted|"
    r"trustworthy|paypal|bank|police|government|support team|customer service)\b", re.IGNORECASE)
FACT_WORDS = ("spend", "recipient", "token", "approv", "allowance", "permit", "sign", "transaction", "simulat",
              "contract", "account", "transfer", "swap", "order", "nft", "collection", "batch", "call", "eth",
              "message", "domain", "site", "chain", "network", "expir", "unlimited", "verdict", "owner", "delegat",
              "revoke", "deploy", "function", "fail", "revert", "send", "receive", "wallet", "fund", "asset")
_NEGATIONS = ("not", "never", "isn't", "is not", "no longer", "hardly", "nor", "cannot", "can't", "un")
RUN = 4  # word runs this long: a narrative may repeat one at most MAX_REPEATS times, and none of attacker text
MAX_REPEATS = 2


class RejectReason:
    """Reason codes for a rejected narrative (the counter's keys)."""

    INVALID_JSON = "invalid_json"
    SCHEMA = "schema"
    CONTROL_CHARACTERS = "control_characters"
    UNKNOWN_ADDRESS = "unknown_address"
    UNKNOWN_NUMBER = "unknown_number"
    UNKNOWN_SYMBOL = "unknown_symbol"
    WRONG_SPENDER = "wrong_spender"
    UNKNOWN_HEX = "unknown_hex"
    UNGROUNDED = "ungrounded"
    COPIED_EXAMPLE = "copied_example"
    CONTRADICTS_VERDICT = "contradicts_verdict"
    REPETITION = "repetition"
    UNTRUSTED_TEXT = "repeats_untrusted_text"
    INSTRUCTION = "instruction"
    ENGINE_ERROR = "engine_error"
    # claims mode
    NOT_A_CLAIM = "not_a_claim"
    WRONG_FIRST_CLAIM = "wrong_first_claim"
    UNCOVERED_FINDING = "uncovered_finding"
    # free mode's claim check
    UNSUPPORTED_CLAIM = "unsupported_claim"
    NO_FACT_ANCHOR = "no_fact_anchor"


@dataclass(frozen=True)
class Vocabulary:
    """What the narrative may mention: the facts' addresses, numbers and symbols."""

    addresses: frozenset[str]
    numbers: frozenset[str]
    symbols: frozenset[str]
    spenders: frozenset[str] = frozenset()
    example_sentences: frozenset[str] = frozenset()
    hex_values: frozenset[str] = frozenset()
    anchors: frozenset[str] = frozenset()
    untrusted_runs: frozenset[tuple[str, ...]] = frozenset()
    # free mode's quality check: the most severe finding's words (the headline names it), each critical/high
    # finding's words (the narrative covers it), and the stop words the advice must (block) or must not (ok) use
    top_words: tuple[str, ...] = ()
    required_words: tuple[tuple[str, tuple[str, ...]], ...] = ()
    stop_words: tuple[str, ...] = ()

    @classmethod
    def from_facts(cls, facts_text: str, symbols: set[str], spenders: set[str] | None = None,
                   examples: list[str] | None = None, anchors: set[str] | None = None,
                   untrusted: set[str] | None = None) -> Vocabulary:
        """Collect from the fact sheet the model saw, the facts' symbols and spenders, the few-shot
        answers (whose sentences a narrative must not copy) and the anchors (function names, symbols)
        of which a narrative must mention at least one."""
        addresses = frozenset(a.lower() for a in _ADDRESS.findall(facts_text))
        stripped = _HEX.sub(" ", _STANDARD.sub(" ", facts_text))
        numbers = frozenset(_normalize_number(n) for n in _NUMBER.findall(stripped))
        sentences = frozenset(
            _sentence_key(sentence)
            for answer in examples or ()
            for value in _json_strings(answer)
            for sentence in _SENTENCE.split(value)
            if len(sentence.split()) >= 4
        )
        hex_values = frozenset(h.lower() for h in _HEX.findall(facts_text))
        runs = frozenset(run for text in untrusted or () for run in _runs(text))
        return cls(addresses, numbers, frozenset(s.upper() for s in symbols if s),
                   frozenset(a.lower() for a in spenders or ()), sentences, hex_values,
                   frozenset(a.lower() for a in anchors or () if a), runs)


def _runs(text: str) -> Counter[tuple[str, ...]]:
    """Every RUN consecutive words of ``text`` (lowercased), counted."""
    words = _WORDS.findall(text.lower())
    return Counter(tuple(words[i: i + RUN]) for i in range(len(words) - RUN + 1))


@dataclass(frozen=True)
class Verdict:
    """The validator's outcome."""

    narrative: Narrative | None
    reason: str | None = None
    detail: str | None = None

    @property
    def rejected_reason(self) -> str | None:
        """``code: detail`` for the result contract, None when accepted."""
        return None if self.reason is None else f"{self.reason}: {self.detail}"


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _sentence_key(sentence: str) -> str:
    return " ".join(_WORDS.findall(sentence.lower()))


def _json_strings(answer: str) -> list[str]:
    try:
        data = json.loads(answer)
    except ValueError:
        return [answer]
    return [v for v in data.values() if isinstance(v, str)] if isinstance(data, dict) else [answer]


def _normalize_number(text: str) -> str:
    text = text.replace(",", "")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.lstrip("0") or "0"


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 24): start].lower()
    return any(re.search(rf"\b{re.escape(n)}\b\W*(\w+\W+)?$", before) for n in _NEGATIONS) or \
        text[max(0, start - 2): start].lower() == "un"


def parse_output(raw: str) -> Verdict:
    """Strictly parse the model's JSON into a Narrative."""
    try:
        data = json.loads(raw, strict=True)
    except ValueError as exc:
        return Verdict(None, RejectReason.INVALID_JSON, str(exc)[:160])
    try:
        return Verdict(Narrative.model_validate(data))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        return Verdict(None, RejectReason.SCHEMA, f"{'.'.join(map(str, first['loc']))}: {first['msg']}")


def validate(raw: str, verdict: str, vocabulary: Vocabulary) -> Verdict:
    """Parse and check a model answer against the facts and the verdict."""
    parsed = parse_output(raw)
    if parsed.narrative is None:
        return parsed
    narrative = parsed.narrative
    text = "\n".join((narrative.headline, narrative.explanation, narrative.advice))
    for ch in text:
        if ch != "\n" and unicodedata.category(ch).startswith("C"):
            return Verdict(None, RejectReason.CONTROL_CHARACTERS, f"U+{ord(ch):04X}")
    for address in _ADDRESS.findall(text):
        if address.lower() not in vocabulary.addresses:
            return Verdict(None, RejectReason.UNKNOWN_ADDRESS, address)
    for pattern in _GRANTEE:
        for address in pattern.findall(text):
            if address.lower() not in vocabulary.spenders:
                return Verdict(None, RejectReason.WRONG_SPENDER, f"{address} is not a spender in the facts")
    for head, tail in _SHORT_ADDRESS.findall(text):
        if not any(a[2:].startswith(head.lower()) and a.endswith(tail.lower()) for a in vocabulary.addresses):
            return Verdict(None, RejectReason.UNKNOWN_ADDRESS, f"0x{head}…{tail}")
    for value in _HEX.findall(_SHORT_ADDRESS.sub(" ", _ADDRESS.sub(" ", text))):
        if value.lower() not in vocabulary.hex_values:
            return Verdict(None, RejectReason.UNKNOWN_HEX, value)
    if vocabulary.anchors and not any(anchor in text.lower() for anchor in vocabulary.anchors):
        return Verdict(None, RejectReason.UNGROUNDED,
                       "mentions none of: " + ", ".join(sorted(vocabulary.anchors)))
    for sentence in _SENTENCE.split(text.replace("\n", " ")):
        if _sentence_key(sentence) in vocabulary.example_sentences:
            return Verdict(None, RejectReason.COPIED_EXAMPLE, sentence.strip()[:120])
    prose = _HEX.sub(" ", _STANDARD.sub(" ", _SHORT_ADDRESS.sub(" ", text)))
    for number in _NUMBER.findall(prose):
        if _normalize_number(number) not in vocabulary.numbers:
            return Verdict(None, RejectReason.UNKNOWN_NUMBER, number)
    for word in _CAPS.findall(prose):
        bare = word.lstrip("$")
        if bare not in PROSE_CAPS and bare not in vocabulary.symbols:
            return Verdict(None, RejectReason.UNKNOWN_SYMBOL, word)
    if (instruction := MODEL_INSTRUCTION.search(text)) is not None:
        return Verdict(None, RejectReason.INSTRUCTION, instruction.group(0)[:80])
    runs = _runs(text)
    if repeated := runs.keys() & vocabulary.untrusted_runs:
        return Verdict(None, RejectReason.UNTRUSTED_TEXT, " ".join(sorted(repeated)[0]))
    contradiction = _contradiction(text, verdict)
    if contradiction:
        return Verdict(None, RejectReason.CONTRADICTS_VERDICT, contradiction)
    if runs and (top := runs.most_common(1)[0])[1] > MAX_REPEATS:
        return Verdict(None, RejectReason.REPETITION, f"'{' '.join(top[0])}' x{top[1]}")
    if (unsupported := _unsupported(text, narrative.explanation, vocabulary)) is not None:
        return unsupported
    if (poor := _quality(narrative, verdict, vocabulary)) is not None:
        return poor
    return Verdict(narrative)


def _quality(narrative: Narrative, verdict: str, vocabulary: Vocabulary) -> Verdict | None:
    """The headline names the most severe finding, every critical and high finding is covered, and the advice
    matches the verdict (block: stop; ok: never stop)."""
    headline, whole, advice = (narrative.headline.lower(), narrative.text().lower(), narrative.advice.lower())
    if vocabulary.top_words and not any(w in headline for w in vocabulary.top_words):
        return Verdict(None, RejectReason.WRONG_FIRST_CLAIM, "the headline does not address the most severe finding")
    for rule, words in vocabulary.required_words:
        if not any(w in whole for w in words):
            return Verdict(None, RejectReason.UNCOVERED_FINDING, f"says nothing of {rule}")
    says_stop = any(w in advice for w in vocabulary.stop_words)
    if vocabulary.stop_words and verdict == "block" and not says_stop:
        return Verdict(None, RejectReason.CONTRADICTS_VERDICT, "the advice does not say to stop, the verdict is block")
    if vocabulary.stop_words and verdict == "ok" and says_stop:
        return Verdict(None, RejectReason.CONTRADICTS_VERDICT, "the advice says to stop, the verdict is ok")
    return None


def _unsupported(text: str, explanation: str, vocabulary: Vocabulary) -> Verdict | None:
    """Free mode's claim check: no sentence asserts what no fact can support, and every sentence of the
    explanation (its claims; headline and advice are judged as a whole above) is about a fact."""
    for sentence in _SENTENCE.split(text.replace("\n", " ")):
        for match in UNSUPPORTED.finditer(sentence):
            if not _negated(sentence, match.start()):
                return Verdict(None, RejectReason.UNSUPPORTED_CLAIM,
                               f"'{match.group(0)}' is not something the facts can say: {sentence.strip()[:100]}")
    for sentence in _SENTENCE.split(explanation.replace("\n", " ")):
        lowered = sentence.lower()
        if sentence.strip() and not any(w in lowered for w in FACT_WORDS) and not any(
                a in lowered for a in vocabulary.anchors):
            return Verdict(None, RejectReason.NO_FACT_ANCHOR, sentence.strip()[:120])
    return None


def _contradiction(text: str, verdict: str) -> str | None:
    if verdict in ("warn", "block"):
        for match in SAFE_WORDS.finditer(text):
            if not _negated(text, match.start()):
                return f"says '{match.group(0)}' but the verdict is {verdict}"
    else:
        for match in DANGER_WORDS.finditer(text):
            if not _negated(text, match.start()):
                return f"says '{match.group(0)}' but the verdict is {verdict}"
    return None
