"""Uniswap Universal Router ``execute(commands, inputs[, deadline])``: one command byte per input.

Each byte's low six bits name the command (``COMMAND_TYPE_MASK``); the top bit lets that command
fail without reverting the whole batch. Inputs are ``abi.encode`` of the command's parameters.
Recipient ``0x…01`` means the caller and ``0x…02`` the router itself.
"""

from __future__ import annotations

from chain.decode.registry import parse_signature

COMMAND_TYPE_MASK = 0x3F  # the top bit (0x80) is the allow-revert flag; it stays visible in ``command``
EXECUTE_SUB_PLAN = 0x21
MSG_SENDER = "0x0000000000000000000000000000000000000001"
ADDRESS_THIS = "0x0000000000000000000000000000000000000002"

_PERMIT_DETAILS = "(address token, uint160 amount, uint48 expiration, uint48 nonce)"
_HOP_PRICES = ", uint256[] minHopPriceX36)"
# v2.1.1 appends per-hop price limits to the V2/V3 swaps (@uniswap/universal-router-sdk V2V3_SWAP_COMMANDS_V2_1_1).
_V2_1_1_FORMS = {
    0x00: "V3_SWAP_EXACT_IN(address recipient, uint256 amountIn, uint256 amountOutMin, bytes path, bool payerIsUser"
          + _HOP_PRICES,
    0x01: "V3_SWAP_EXACT_OUT(address recipient, uint256 amountOut, uint256 amountInMax, bytes path, bool payerIsUser"
          + _HOP_PRICES,
    0x08: "V2_SWAP_EXACT_IN(address recipient, uint256 amountIn, uint256 amountOutMin, address[] path, "
          "bool payerIsUser" + _HOP_PRICES,
    0x09: "V2_SWAP_EXACT_OUT(address recipient, uint256 amountOut, uint256 amountInMax, address[] path, "
          "bool payerIsUser" + _HOP_PRICES,
}
# Each command's input layouts, the newest first: an input is decoded as the first one it is a canonical encoding of.
COMMANDS = {
    code: tuple(parse_signature(text) for text in ((_V2_1_1_FORMS[code],) if code in _V2_1_1_FORMS else ()) + (form,))
    for code, form in {
        0x00: "V3_SWAP_EXACT_IN(address recipient, uint256 amountIn, uint256 amountOutMin, bytes path, "
              "bool payerIsUser)",
        0x01: "V3_SWAP_EXACT_OUT(address recipient, uint256 amountOut, uint256 amountInMax, bytes path, "
              "bool payerIsUser)",
        0x02: "PERMIT2_TRANSFER_FROM(address token, address recipient, uint256 amount)",
        0x03: f"PERMIT2_PERMIT_BATCH(({_PERMIT_DETAILS}[] details, address spender, uint256 sigDeadline) permitBatch, "
              "bytes signature)",
        0x04: "SWEEP(address token, address recipient, uint256 amountMin)",
        0x05: "TRANSFER(address token, address recipient, uint256 value)",
        0x06: "PAY_PORTION(address token, address recipient, uint256 bips)",
        0x08: "V2_SWAP_EXACT_IN(address recipient, uint256 amountIn, uint256 amountOutMin, address[] path, "
              "bool payerIsUser)",
        0x09: "V2_SWAP_EXACT_OUT(address recipient, uint256 amountOut, uint256 amountInMax, address[] path, "
              "bool payerIsUser)",
        0x0A: f"PERMIT2_PERMIT(({_PERMIT_DETAILS} details, address spender, uint256 sigDeadline) permitSingle, "
              "bytes signature)",
        0x0B: "WRAP_ETH(address recipient, uint256 amountMin)",
        0x0C: "UNWRAP_WETH(address recipient, uint256 amountMin)",
        0x0D: "PERMIT2_TRANSFER_FROM_BATCH((address from, address to, uint160 amount, address token)[] batchDetails)",
        0x0E: "BALANCE_CHECK_ERC20(address owner, address token, uint256 minBalance)",
        0x10: "V4_SWAP(bytes actions, bytes[] params)",
        0x21: "EXECUTE_SUB_PLAN(bytes commands, bytes[] inputs)",
    }.items()
}
EXECUTE_SIGNATURES = ("execute(bytes,bytes[],uint256)", "execute(bytes,bytes[])")
PERMIT2_COMMANDS = ("PERMIT2_PERMIT", "PERMIT2_PERMIT_BATCH")
