"""What a ledger record is: an explained request (one of the request kinds, with its verdict), a narrative streamed
after its result, a user's feedback on an explained request, or a threat-intelligence feed's load or change."""

from __future__ import annotations

from enum import StrEnum


class RecordKind(StrEnum):
    """A ledger record's ``kind``."""

    TRANSACTION = "transaction"  # an explained transaction (verdict: the rules')
    BATCH = "batch"  # an explained wallet_sendCalls batch
    TYPED_DATA = "typed_data"  # an explained EIP-712 signature request
    MESSAGE = "message"  # an explained message signature
    NARRATIVE = "narrative"  # the narrative of a streamed result, linked to it (``parent``)
    FEEDBACK = "feedback"  # what the user did about an explained request, linked to it
    INTEL_FEED = "intel_feed"  # a threat-intelligence list loaded, imported, updated or removed


EXPLAINED_KINDS = frozenset({RecordKind.TRANSACTION, RecordKind.BATCH, RecordKind.TYPED_DATA, RecordKind.MESSAGE})
"""The kinds whose record is an explained request: the verdict is the rules' own, and feedback may be about it."""
