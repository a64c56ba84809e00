"""personal_sign and eth_sign payloads: text, a bare hash, or an EIP-4361 (SIWE) message."""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel

from chain.sanitize import sanitize_lines, sanitize_text

_SIWE_HEAD = re.compile(r"^(?:(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*)://)?(?P<domain>[^\s/]+) wants you to sign in with "
                        r"your Ethereum account:\n(?P<address>0x[0-9a-fA-F]{40})\n")
_SIWE_FIELD = re.compile(r"^(URI|Version|Chain ID|Nonce|Issued At|Expiration Time|Not Before|Request ID): (.*)$",
                         re.MULTILINE)


class MessageFacts(BaseModel):
    """What a message signature is."""

    kind: str  # text | hash | binary | siwe | legacy_typed_data (eth_signTypedData v1, shown as name: value lines)
    blind: bool  # the user cannot see what they sign (a 32-byte hash, or bytes that are not text)
    text: str | None = None  # sanitized, capped; line breaks kept
    size: int
    siwe: dict[str, str] | None = None


def parse_siwe(text: str) -> dict[str, str] | None:
    """The fields of an EIP-4361 message, or None if ``text`` is not one."""
    head = _SIWE_HEAD.match(text)
    if head is None:
        return None
    fields = {"domain": head["domain"], "address": head["address"]}
    if head["scheme"]:
        fields["scheme"] = head["scheme"]
    rest = text[head.end():]
    # After the address: a blank line, an optional statement paragraph, a blank line, then the fields.
    statement = rest.split("\n\n")[0].strip() if rest.startswith("\n") and "\n\n" in rest else None
    if statement and not _SIWE_FIELD.match(statement):
        fields["statement"] = sanitize_text(statement, 512)
    fields |= {key.lower().replace(" ", "_"): value.strip() for key, value in _SIWE_FIELD.findall(rest)}
    return fields


def message_facts(payload: bytes) -> MessageFacts:
    """Classify a personal_sign / eth_sign payload: a 32-byte payload is a hash (blind), bytes that are not
    UTF-8 text are binary (blind), else text or SIWE. The method does not change what the bytes are: a legacy
    ``eth_sign`` of readable text (ethers' legacy signer, ``web3.eth.sign``) is shown as that text."""
    if len(payload) == 32:
        return MessageFacts(kind="hash", blind=True, size=32)
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return MessageFacts(kind="binary", blind=True, size=len(payload))
    if any(ch not in "\n\r\t" and unicodedata.category(ch) == "Cc" for ch in text):
        return MessageFacts(kind="binary", blind=True, size=len(payload))  # control bytes: not readable
    siwe = parse_siwe(text)
    return MessageFacts(kind="siwe" if siwe else "text", blind=False, text=sanitize_lines(text, 2000),
                        size=len(payload), siwe=siwe)
