"""Find the implementation behind a proxy, so its calls decode against the code that runs.

Recognized, in this order: an EIP-7702 delegation designator, an EIP-1167 minimal proxy (and its
PUSH0 variant, ERC-7511), the EIP-1967 implementation slot, the EIP-1967 beacon slot (the beacon's
``implementation()`` is called), the ERC-1822 ``PROXIABLE`` slot, and a Safe proxy (singleton at
slot 0). Code and storage come from :class:`chain.state.ChainState`, overrides applied.
"""

from __future__ import annotations

from eth_utils import keccak

from chain.decode.model import ProxyInfo
from chain.hexutil import checksum
from chain.state import ChainState, delegation_target

EIP1967_IMPLEMENTATION = int.from_bytes(keccak(text="eip1967.proxy.implementation"), "big") - 1
EIP1967_BEACON = int.from_bytes(keccak(text="eip1967.proxy.beacon"), "big") - 1
ERC1822_PROXIABLE = int.from_bytes(keccak(text="PROXIABLE"), "big")
SAFE_SINGLETON_SLOT = 0
SAFE_MASTER_COPY = keccak(text="masterCopy()")[:4]  # every Safe proxy answers this selector itself

# EIP-1167: 363d3d373d3d3d363d73 <address> 5af43d82803e903d91602b57fd5bf3
MINIMAL_PROXY = (bytes.fromhex("363d3d373d3d3d363d73"), bytes.fromhex("5af43d82803e903d91602b57fd5bf3"))
# ERC-7511 (PUSH0): 365f5f375f5f365f73 <address> 5af43d5f5f3e5f3d91602a57fd5bf3
MINIMAL_PROXY_PUSH0 = (bytes.fromhex("365f5f375f5f365f73"), bytes.fromhex("5af43d5f5f3e5f3d91602a57fd5bf3"))
_ADDRESS_MASK = (1 << 160) - 1


def _address(word: int) -> str | None:
    """An address held in a storage word, or None when the word is empty or not an address."""
    if word == 0 or word >> 160:
        return None
    return checksum("0x" + (word & _ADDRESS_MASK).to_bytes(20, "big").hex())


def _minimal_proxy(code: bytes) -> str | None:
    for head, tail in (MINIMAL_PROXY, MINIMAL_PROXY_PUSH0):
        if len(code) == len(head) + 20 + len(tail) and code.startswith(head) and code.endswith(tail):
            return checksum("0x" + code[len(head) : len(head) + 20].hex())
    return None


def detect_proxy(state: ChainState, address: str, code: bytes | None = None) -> ProxyInfo | None:
    """The proxy pattern at ``address`` and where it points, or None for a plain contract or account."""
    code = state.code(address) if code is None else code
    if not code:
        return None
    if (delegate := delegation_target(code)) is not None:
        return ProxyInfo(kind="eip7702", implementation=delegate)
    if (target := _minimal_proxy(code)) is not None:
        return ProxyInfo(kind="eip1167", implementation=target)
    if (target := _address(state.storage(address, EIP1967_IMPLEMENTATION))) is not None:
        return ProxyInfo(kind="eip1967", implementation=target)
    if (beacon := _address(state.storage(address, EIP1967_BEACON))) is not None:
        answer = state.call_signature(beacon, "implementation()")
        if answer is not None and len(answer) == 32 and (target := _address(int.from_bytes(answer, "big"))):
            return ProxyInfo(kind="eip1967_beacon", implementation=target, beacon=beacon)
    if (target := _address(state.storage(address, ERC1822_PROXIABLE))) is not None:
        return ProxyInfo(kind="eip1822", implementation=target)
    if (SAFE_MASTER_COPY in code and len(code) < 1024
            and (target := _address(state.storage(address, SAFE_SINGLETON_SLOT))) is not None):
        return ProxyInfo(kind="safe", implementation=target)
    return None
