"""chain/: decode, simulate and judge a request. Never imports inference/ or audit/."""

from chain.analyze import Analysis, analyze
from chain.request import RequestError, Transaction, parse_request

__all__ = ["Analysis", "RequestError", "Transaction", "analyze", "parse_request"]
