"""Phishing domains: npm ``eth-phishing-detect`` (MetaMask's list: a blocklist, an allowlist and a fuzzy list of
protected domains with a Levenshtein tolerance), checked exactly as its own ``detector.js`` checks them (a test runs
both over the same domains): the allowlist first (a domain or any subdomain of it passes), then the blocklist (a
domain or a subdomain of one is blocked), then the fuzzy match (the name without its TLD and a leading ``www.``
within the tolerance of a protected one's)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from chain.intel.confusables import to_latin
from chain.intel.feeds import Provenance, read_package_json

PACKAGE, FILE = "eth-phishing-detect", "src/config.json"


@dataclass(frozen=True)
class Verdict:
    """What the list says of a host: ``kind`` is allowlist | blocklist | fuzzy | none; ``match`` the protected
    domain a fuzzy host resembles."""

    kind: str
    host: str
    match: str | None = None


def host_of(origin: str) -> str:
    """The lowercase host of an origin or URL (IDNA-encoded, so a Unicode look-alike is compared as punycode)."""
    parsed = urlsplit(origin if "://" in origin else f"//{origin}")
    host = (parsed.hostname or "").rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii") if host and not host.isascii() else host
    except UnicodeError:
        return host


def _parts(domain: str) -> tuple[str, ...]:
    return tuple(reversed(domain.split(".")))


def _fuzzy_form(parts: tuple[str, ...]) -> str:
    return ".".join(reversed(parts[1:]))


def _levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance, giving up (limit + 1) once every path is past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


class PhishingList:
    """The loaded list: suffix sets for the allow and block lists, the fuzzy targets' forms."""

    def __init__(self, config: dict, provenance: Provenance):
        self.provenance = provenance
        self.tolerance = int(config.get("tolerance", 3))
        self._allow = {_parts(d) for d in config.get("whitelist", [])}
        self._block = {_parts(d) for d in config.get("blacklist", [])}
        self._fuzzy = [(d, _fuzzy_form(_parts(d))) for d in config.get("fuzzylist", [])]

    @staticmethod
    def _matches(parts: tuple[str, ...], listed: set[tuple[str, ...]]) -> bool:
        return any(parts[:n] in listed for n in range(1, len(parts) + 1))

    def check(self, host: str) -> Verdict:
        """The list's verdict on ``host`` (see the module docstring for the order)."""
        parts = _parts(host)
        if self._matches(parts, self._allow):
            return Verdict("allowlist", host)
        if self._matches(parts, self._block):
            return Verdict("blocklist", host)
        if self.tolerance > 0:
            form = _fuzzy_form(parts).replace("www.", "", 1)
            for domain, target in self._fuzzy:
                if _levenshtein(form, target, self.tolerance) <= self.tolerance:
                    return Verdict("fuzzy", host, domain)
        return Verdict("none", host)

    def imitates(self, host: str) -> str | None:
        """The allowlisted or protected domain an internationalized ``host`` spells with look-alike characters of
        another script (``xn--metamsk-…`` for "metamаsk.io" with a Cyrillic "а"), or None."""
        try:
            written = host.encode("ascii").decode("idna")
        except UnicodeError:
            return None
        folded = to_latin(written).lower()
        if folded == written or not folded.isascii():
            return None
        verdict = self.check(folded)
        if verdict.kind == "allowlist":
            return folded
        return verdict.match if verdict.kind == "fuzzy" else None


_lock = threading.Lock()


@cache
def phishing_list() -> PhishingList | None:
    """The installed list, loaded once; None when the package is absent (the rules then say they could not run)."""
    with _lock:
        try:
            config, source, sha256 = read_package_json(PACKAGE, FILE)
        except (OSError, ValueError):
            return None
        entries = sum(len(config.get(k, [])) for k in ("whitelist", "blacklist", "fuzzylist"))
        return PhishingList(config, Provenance("phishing-domains", source, str(config.get("version")), sha256,
                                               entries))
