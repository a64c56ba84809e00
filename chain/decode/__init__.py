"""Calldata decoding: a caller's ABI, bundled ABIs, the selector table and bytecode inference."""

from chain.decode.calldata import decode_batch, decode_calldata, deployment, json_value
from chain.decode.model import DecodedArg, DecodedCall, DecodeSource, ProxyInfo

__all__ = ["DecodeSource", "DecodedArg", "DecodedCall", "ProxyInfo", "decode_batch", "decode_calldata", "deployment",
           "json_value"]
