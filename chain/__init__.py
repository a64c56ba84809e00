"""chain/: decode, simulate and judge a request. Never imports inference/ or audit/."""

from chain.analyze import Analysis, analyze, decode_request, simulate_request
from chain.request import RequestError, Signature, Transaction, parse_request

__all__ = ["Analysis", "RequestError", "Signature", "Transaction", "analyze", "decode_request", "parse_request",
           "simulate_request"]
