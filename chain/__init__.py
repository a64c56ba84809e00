"""chain/: decode, simulate and judge a request. Never imports inference/ or audit/.

The package exports the types other layers hold; the functions live in their modules (``chain.analyze``,
``chain.request``), so importing a type loads no simulator.
"""

from chain.analysis import Analysis
from chain.facts import Facts
from chain.request import RequestError, Signature, Transaction

__all__ = ["Analysis", "Facts", "RequestError", "Signature", "Transaction"]
