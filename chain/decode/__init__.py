"""Calldata decoding: bundled ABIs for now; selector tables, bytecode and nesting come next."""

from chain.decode.abi import decode_calldata, json_value
from chain.decode.model import DecodedArg, DecodedCall, DecodeSource

__all__ = ["DecodeSource", "DecodedArg", "DecodedCall", "decode_calldata", "json_value"]
