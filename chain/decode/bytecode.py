"""Argument types inferred from runtime bytecode with evmole, for targets no signature covers."""

from __future__ import annotations

from functools import lru_cache

from eth_utils import keccak


@lru_cache(maxsize=256)
def _functions(code_hash: bytes, code: bytes) -> dict[bytes, str | None]:
    import evmole

    info = evmole.contract_info(code, selectors=True, arguments=True)
    return {bytes.fromhex(f.selector): f.arguments for f in info.functions or []}


def inferred_arguments(code: bytes, selector: bytes) -> str | None:
    """The comma-separated argument types evmole infers for ``selector`` in ``code``; None when the
    code has no such function (or no code). An empty string means no arguments."""
    if not code:
        return None
    functions = _functions(keccak(code), code)
    if selector not in functions:
        return None
    return functions[selector] or ""

