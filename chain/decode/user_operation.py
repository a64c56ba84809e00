"""ERC-4337 user operations: which EntryPoint, who pays, the most gas it can cost, and the hash the account
signs (``getUserOpHash``: v0.6 and v0.7 ABI-encode the packed operation with the EntryPoint and chain id; v0.8 and
v0.9 sign it as EIP-712 ``PackedUserOperation`` under the domain ``ERC4337`` / ``1``), computed as viem's
``getUserOperationHash`` does. Once bundled, the EntryPoint calls the account with ``callData``: that call is what
the operation does, and is what gets decoded, simulated and judged."""

from __future__ import annotations

from functools import cache

from eth_abi import encode
from eth_utils import keccak
from pydantic import BaseModel, Field

from chain.hexutil import checksum, create_address
from chain.request_shapes import UserOperation


@cache
def entry_points() -> dict[str, str]:
    """EIP-55 address → version of the canonical EntryPoint deployments (the same address on every chain: the
    protocol registry's, from viem's account-abstraction constants)."""
    from chain.protocols import protocol_registry

    return {c.address: c.version or "" for c in protocol_registry().contracts(1)
            if c.protocol == "ERC-4337" and c.name == "EntryPoint"}

EIP7702_FACTORY = "0x7702000000000000000000000000000000000000"
_PACKED_TYPE = ("PackedUserOperation(address sender,uint256 nonce,bytes initCode,bytes callData,"
                "bytes32 accountGasLimits,uint256 preVerificationGas,bytes32 gasFees,bytes paymasterAndData)")
_DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"


class UserOperationError(ValueError):
    """The operation's fields do not fit its EntryPoint's version."""


class UserOperationFacts(BaseModel):
    """What a user operation is, besides the call it makes."""

    entry_point: str
    version: str | None = Field(description="The EntryPoint version (0.6 … 0.9); null for an EntryPoint that is "
                                "not a canonical deployment (its shape is then v0.6 or v0.7+).")
    account: str = Field(description="The smart account (the operation's sender) the EntryPoint calls.")
    nonce: str
    factory: str | None = Field(None, description="Deploys the account first (v0.6 initCode's first 20 bytes); "
                                "0x7702…: the account is an EOA delegating by EIP-7702.")
    paymaster: str | None = Field(None, description="Pays the gas instead of the account.")
    max_gas_cost_wei: str = Field(description="The most the operation can be charged: every gas limit times "
                                  "maxFeePerGas (the EntryPoint's required prefund).")
    user_op_hash: str | None = Field(None, description="The hash the account's owner signs; null when the "
                                     "EntryPoint is not a known version.")


class AccountDeployment(BaseModel):
    """How the EntryPoint deploys an operation's account before calling it: its SenderCreator calls the factory
    with the factory data (``SenderCreator.createSender``)."""

    caller: str  # the EntryPoint's SenderCreator
    factory: str
    data: bytes
    gas: int | None  # the operation's verificationGasLimit, which pays for the deployment (None: not given)


def sender_creator(entry_point: str) -> str:
    """The SenderCreator an EntryPoint creates in its constructor (its first CREATE, at nonce 1): v0.6 0x7fc9…8348,
    v0.7 0xEFC2…167C, v0.8 0x449E…dD33."""
    return create_address(entry_point, 1)


def account_deployment(op: UserOperation, entry_point: str) -> AccountDeployment | None:
    """The factory call that deploys the account first (v0.6 ``initCode``, v0.7+ ``factory``/``factoryData``);
    None when there is none, or when the "factory" marks an EIP-7702 delegation."""
    factory, data = _factory_call(op)
    if factory is None or factory.lower() == EIP7702_FACTORY.lower():
        return None
    return AccountDeployment(caller=sender_creator(entry_point), factory=checksum(factory), data=data,
                             gas=op.verification_gas_limit or None)


def _factory_call(op: UserOperation) -> tuple[str | None, bytes]:
    """(factory, its data): v0.6's ``initCode`` is the factory's 20 bytes then the data; v0.7+ name both."""
    if op.init_code is not None:
        if len(op.init_code) < 20:
            return None, b""
        return checksum("0x" + op.init_code[:20].hex()), op.init_code[20:]
    return op.factory, op.factory_data or b""


def user_operation_facts(op: UserOperation, entry_point: str, chain_id: int) -> UserOperationFacts:
    """Facts of ``op`` bound for ``entry_point`` on ``chain_id``.

    Raises:
        UserOperationError: v0.6 fields sent to a v0.7+ EntryPoint, or the reverse.
    """
    entry_point = checksum(entry_point)
    version = entry_points().get(entry_point)
    legacy_shape = op.init_code is not None or op.paymaster_and_data is not None
    if version == "0.6" and (op.factory is not None or op.paymaster is not None):
        raise UserOperationError("EntryPoint v0.6 takes initCode and paymasterAndData, not factory or paymaster")
    if version not in (None, "0.6") and legacy_shape:
        raise UserOperationError(f"EntryPoint v{version} takes factory/factoryData and paymaster fields, not "
                                 "initCode or paymasterAndData")
    v06 = version == "0.6" or (version is None and legacy_shape)
    if v06:
        pm_and_data = op.paymaster_and_data or b""
        factory, _ = _factory_call(op)
        paymaster = checksum("0x" + pm_and_data[:20].hex()) if len(pm_and_data) >= 20 else None
        limit = op.call_gas_limit + op.verification_gas_limit * (3 if paymaster else 1) + op.pre_verification_gas
    else:
        (factory, _), paymaster = _factory_call(op), op.paymaster
        limit = (op.call_gas_limit + op.verification_gas_limit + op.pre_verification_gas
                 + (op.paymaster_verification_gas_limit or 0) + (op.paymaster_post_op_gas_limit or 0))
    digest = None if version is None else _hash(op, entry_point, chain_id, version)
    return UserOperationFacts(entry_point=entry_point, version=version, account=op.sender, nonce=str(op.nonce),
                              factory=factory, paymaster=paymaster, max_gas_cost_wei=str(limit * op.max_fee_per_gas),
                              user_op_hash=None if digest is None else "0x" + digest.hex())


def _hash(op: UserOperation, entry_point: str, chain_id: int, version: str) -> bytes:
    if version == "0.6":
        packed = encode(["address", "uint256", "bytes32", "bytes32", "uint256", "uint256", "uint256", "uint256",
                         "uint256", "bytes32"],
                        [op.sender, op.nonce, keccak(_init_code_v06(op)), keccak(op.call_data), op.call_gas_limit,
                         op.verification_gas_limit, op.pre_verification_gas, op.max_fee_per_gas,
                         op.max_priority_fee_per_gas, keccak(op.paymaster_and_data or b"")])
        return keccak(encode(["bytes32", "address", "uint256"], [keccak(packed), entry_point, chain_id]))
    init_code, account_gas, gas_fees, pm_and_data = _packed(op)
    if version == "0.7":
        packed = encode(["address", "uint256", "bytes32", "bytes32", "bytes32", "uint256", "bytes32", "bytes32"],
                        [op.sender, op.nonce, keccak(init_code), keccak(op.call_data), account_gas,
                         op.pre_verification_gas, gas_fees, keccak(pm_and_data)])
        return keccak(encode(["bytes32", "address", "uint256"], [keccak(packed), entry_point, chain_id]))
    struct = keccak(encode(["bytes32", "address", "uint256", "bytes32", "bytes32", "bytes32", "uint256", "bytes32",
                            "bytes32"],
                           [keccak(text=_PACKED_TYPE), op.sender, op.nonce, keccak(init_code), keccak(op.call_data),
                            account_gas, op.pre_verification_gas, gas_fees, keccak(pm_and_data)]))
    domain = keccak(encode(["bytes32", "bytes32", "bytes32", "uint256", "address"],
                           [keccak(text=_DOMAIN_TYPE), keccak(text="ERC4337"), keccak(text="1"), chain_id,
                            entry_point]))
    return keccak(b"\x19\x01" + domain + struct)


def _init_code_v06(op: UserOperation) -> bytes:
    init_code = op.init_code or b""
    if init_code[:20] == bytes.fromhex(EIP7702_FACTORY[2:]) and op.eip7702_auth is not None:
        return bytes.fromhex(op.eip7702_auth.address[2:]) + init_code[20:]
    return init_code


def _packed(op: UserOperation) -> tuple[bytes, bytes, bytes, bytes]:
    """initCode, accountGasLimits, gasFees and paymasterAndData of the v0.7+ packed form (for the hash: an
    EIP-7702 account's initCode names its delegate)."""
    if op.factory is None:
        init_code = b""
    elif op.factory == EIP7702_FACTORY:
        delegate = bytes.fromhex(op.eip7702_auth.address[2:]) if op.eip7702_auth is not None else None
        init_code = delegate + (op.factory_data or b"") if delegate else bytes.fromhex(EIP7702_FACTORY[2:])
    else:
        init_code = bytes.fromhex(op.factory[2:]) + (op.factory_data or b"")
    account_gas = op.verification_gas_limit.to_bytes(16, "big") + op.call_gas_limit.to_bytes(16, "big")
    gas_fees = op.max_priority_fee_per_gas.to_bytes(16, "big") + op.max_fee_per_gas.to_bytes(16, "big")
    pm_and_data = b""
    if op.paymaster is not None:
        pm_and_data = (bytes.fromhex(op.paymaster[2:]) + (op.paymaster_verification_gas_limit or 0).to_bytes(16, "big")
                       + (op.paymaster_post_op_gas_limit or 0).to_bytes(16, "big") + (op.paymaster_data or b""))
    return init_code, account_gas, gas_fees, pm_and_data
