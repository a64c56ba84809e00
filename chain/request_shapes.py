"""The request contract's wire shapes: a bare transaction, the EIP-1193 requests a wallet holds, their parts."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema

from chain.decode.registry import FunctionAbi
from chain.hexutil import parse_address, parse_data, parse_quantity
from chain.jsonlimits import check_depth

# How the wire spells each: what the OpenAPI document (and clients generated from it) say a field takes.
Address = Annotated[str, BeforeValidator(parse_address), WithJsonSchema(
    {"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$", "description": "A 20-byte address, 0x-hex (EIP-55 when "
     "mixed-case)."})]
Quantity = Annotated[int, BeforeValidator(parse_quantity), WithJsonSchema(
    {"anyOf": [{"type": "string", "pattern": "^(0x[0-9a-fA-F]+|[0-9]+)$"}, {"type": "integer", "minimum": 0}],
     "description": "A quantity: 0x-hex, a decimal string or a JSON integer."})]
HexBytes = Annotated[bytes, BeforeValidator(parse_data), WithJsonSchema(
    {"type": "string", "pattern": "^0x([0-9a-fA-F]{2})*$", "description": "Bytes as 0x-hex."})]
Slot = Annotated[int, BeforeValidator(lambda v: _word(v)), WithJsonSchema(
    {"type": "string", "pattern": "^0x[0-9a-fA-F]{1,64}$", "description": "A storage slot or word, 0x-hex."})]

LEGACY_TYPED_DATA_METHODS = ("eth_signTypedData", "eth_signTypedData_v1")  # the v1 array form (MetaMask)
TYPED_DATA_METHODS = {"eth_signTypedData_v4": "v4", "eth_signTypedData_v3": "v3"}  # method → eth-sig-util version
DEFAULT_MAX_CALLDATA = 128 * 1024
MAX_SAFE_INTEGER = 2**53 - 1  # chain ids stay below it: the ledger stores them as JSON numbers
BLOB_MESSAGE = ("EIP-4844 blob transactions (type 3) are not supported: their blobs cannot be simulated or "
                "explained here; send the transaction without blobs")
MAX_ABI_ENTRIES = 2_000
MAX_BATCH_CALLS = 256


def _word(value: object) -> int:
    """A storage slot or value: 0x-hex of at most 32 bytes (leading zeros optional)."""
    if not isinstance(value, str) or not value.startswith("0x") or not 2 < len(value) <= 66:
        raise ValueError("must be 0x-hex of at most 32 bytes")
    try:
        return int(value, 16)
    except ValueError:
        raise ValueError("must be 0x-hex of at most 32 bytes") from None


def _check_calldata(data: bytes, info: ValidationInfo) -> bytes:
    limit = (info.context or {}).get("max_calldata_bytes", DEFAULT_MAX_CALLDATA)
    if len(data) > limit:
        raise ValueError(f"is {len(data)} bytes, over the limit of {limit}")
    return data


class AccountOverride(BaseModel):
    """geth's eth_call override for one account, applied before simulation and code look-ups."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    code: HexBytes | None = None
    balance: Quantity | None = None
    nonce: Quantity | None = Field(None, lt=2**64, description="An account nonce is a uint64 (EIP-2681).")
    state: dict[Slot, Slot] | None = Field(
        None, description="Full storage replacement: not supported by the simulator; use stateDiff."
    )
    state_diff: dict[Slot, Slot] | None = Field(None, alias="stateDiff")

    @field_validator("state")
    @classmethod
    def _no_full_state(cls, value: dict[int, int] | None) -> None:
        if value is not None:
            raise ValueError("full storage replacement is not supported; use stateDiff")


class RequestContext(BaseModel):
    """What the wallet knows about the situation (origin, its address book)."""

    model_config = ConfigDict(extra="forbid")

    origin: str | None = Field(None, max_length=2048)
    address_book: list[Address] = Field(default_factory=list, max_length=10_000)


class _AsWalletsSend(BaseModel):
    """A call as wallets send it: their field spellings accepted (see :func:`wallet_fields`), calldata bounded."""

    @model_validator(mode="before")
    @classmethod
    def _wallet_shapes(cls, raw: Any) -> Any:
        return wallet_fields(raw)

    @field_validator("data", check_fields=False)
    @classmethod
    def _calldata_limit(cls, data: bytes, info: ValidationInfo) -> bytes:
        return _check_calldata(data, info)


class TransactionParams(_AsWalletsSend):
    """An eth_sendTransaction parameter object (also the body of a bare transaction)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sender: Address = Field(alias="from")
    to: Address | None = None
    value: Quantity = 0
    data: HexBytes = b""
    gas: Quantity | None = None
    chain_id_hint: Quantity | None = Field(None, alias="chainId")
    authorization_list: list[dict[str, Any]] | None = Field(
        None, validation_alias=AliasChoices("authorizationList", "authorization_list")
    )
    # Standard fields a wallet may send; accepted and checked, not used by the explanation.
    nonce: Quantity | None = None
    type: Quantity | None = None
    gas_price: Quantity | None = Field(None, alias="gasPrice")
    max_fee_per_gas: Quantity | None = Field(None, alias="maxFeePerGas")
    max_priority_fee_per_gas: Quantity | None = Field(None, alias="maxPriorityFeePerGas")
    access_list: list[dict[str, Any]] | None = Field(None, alias="accessList")
    fee_currency: Address | None = Field(None, alias="feeCurrency", description="Celo: the ERC-20 gas is paid in.")
    # EIP-4844 fields, refused by name: a blob transaction cannot be simulated or explained here.
    blobs: Any = None
    blob_versioned_hashes: Any = Field(None, alias="blobVersionedHashes")
    max_fee_per_blob_gas: Any = Field(None, alias="maxFeePerBlobGas")
    sidecars: Any = None

    @field_validator("blobs", "blob_versioned_hashes", "max_fee_per_blob_gas", "sidecars")
    @classmethod
    def _no_blobs(cls, value: Any) -> None:
        if value is not None:
            raise ValueError(BLOB_MESSAGE)

    @field_validator("type")
    @classmethod
    def _not_type_3(cls, value: int | None) -> int | None:
        if value == 3:
            raise ValueError(BLOB_MESSAGE)
        return value



def wallet_fields(raw: Any) -> Any:
    """Transaction fields as wallets send them, normalized before validation: ``input`` for ``data``, and
    ``value``/``data``/``to`` given as ``null`` or ``""`` (absent).

    Raises:
        ValueError: ``data`` and ``input`` differ.
    """
    if not isinstance(raw, dict):
        return raw
    raw = {k: v for k, v in raw.items() if not (k in ("value", "data", "input", "to") and v in (None, ""))}
    if "input" in raw:  # some wallets send `input` instead of `data` (both are legal in JSON-RPC)
        given = raw.pop("input")
        if "data" in raw and raw["data"] != given:
            raise ValueError("'data' and 'input' are both given and differ")
        raw["data"] = given
    return raw


class _Common(BaseModel):
    chain_id: Quantity = Field(ge=1, le=MAX_SAFE_INTEGER)
    state_overrides: dict[Address, AccountOverride] = Field(default_factory=dict)
    context: RequestContext = Field(default_factory=RequestContext)


def _parse_abi(value: Any) -> list[FunctionAbi] | None:
    """A JSON ABI (list, or a JSON string of one) → its functions; errors name the entry."""
    from chain.decode.codec import AbiTypeError
    from chain.decode.registry import functions_from_abi

    if value is None:
        return None
    if isinstance(value, str):
        check_depth(value)
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"is not valid JSON: {exc.msg}") from None
    if not isinstance(value, list):
        raise ValueError("must be a JSON ABI: a list of entries (or a JSON string of one)")
    if len(value) > MAX_ABI_ENTRIES:
        raise ValueError(f"has {len(value)} entries, over the limit of {MAX_ABI_ENTRIES}")
    try:
        return functions_from_abi(value)
    except AbiTypeError as exc:
        raise ValueError(str(exc)) from None


class _WithAbi(BaseModel):
    abi: Annotated[list[FunctionAbi] | None, BeforeValidator(_parse_abi), WithJsonSchema(
        {"anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "string"}, {"type": "null"}]})] = Field(
        None, description="The target's JSON ABI (a list of entries, or a JSON string of one), tried before the "
                          "bundled ABIs when decoding calldata.")


class BareTransactionRequest(_Common, _WithAbi, TransactionParams):
    """A bare transaction: chain_id plus the transaction fields at the top level."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RpcRequest(_Common, _WithAbi):
    """An EIP-1193 ``eth_sendTransaction``, ``eth_signTransaction`` or ``wallet_sendTransaction`` request (viem's
    fallback when a wallet refuses ``eth_sendTransaction``), exactly as the wallet holds it: each does the same
    thing once broadcast, so all are explained alike."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["eth_sendTransaction", "eth_signTransaction", "wallet_sendTransaction"]
    params: list[TransactionParams] = Field(min_length=1, max_length=1)


class BatchCall(_AsWalletsSend):
    """One call of an EIP-5792 ``wallet_sendCalls`` batch."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    to: Address | None = Field(None, description="Absent: the call deploys a contract with ``data`` as initcode.")
    data: HexBytes = b""
    value: Quantity = 0
    chain_id: Quantity | None = Field(None, alias="chainId", description="viem 2.21's draft shape: per call.")
    capabilities: dict[str, Any] | None = None



class SendCallsParams(BaseModel):
    """EIP-5792 ``wallet_sendCalls`` parameters (versions 1.0 and 2.0)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    version: str
    id: str | None = Field(None, max_length=4096)
    chain_id: Quantity | None = Field(None, alias="chainId", description="Absent in viem 2.21's draft shape, "
                                      "which puts it on each call.")
    sender: Address | None = Field(None, alias="from", description="Absent when the wallet picks the account: the "
                                   "batch is then decoded and judged but not simulated.")
    calls: list[BatchCall] = Field(min_length=1, max_length=MAX_BATCH_CALLS)
    capabilities: dict[str, Any] | None = None
    atomic_required: bool | None = Field(None, alias="atomicRequired")


class SendCallsRequest(_Common, _WithAbi):
    """An EIP-5792 ``wallet_sendCalls`` request: a batch of calls from one account."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["wallet_sendCalls"]
    params: list[SendCallsParams] = Field(min_length=1, max_length=1)


class SignRequest(_Common):
    """An EIP-1193 signing request: typed data, a personal message, or a raw hash."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["eth_signTypedData_v4", "eth_signTypedData_v3", "eth_signTypedData", "eth_signTypedData_v1",
                    "personal_sign", "eth_sign"]
    params: list[Any] = Field(min_length=2, max_length=3, description="eth_signTypedData_v4/_v3 `[signer, typed "
                              "data]`; personal_sign `[message, signer]`; eth_sign `[signer, hash]`; "
                              "eth_signTypedData (v1) `[items, signer]`.")


class RawSendRequest(_Common, _WithAbi):
    """An EIP-1193 ``eth_sendRawTransaction`` request: the signed envelope, as 0x-hex."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["eth_sendRawTransaction"]
    params: list[HexBytes] = Field(min_length=1, max_length=1)


def _factory(value: Any) -> str:
    """A v0.7+ ``factory``: an address, or ``0x7702`` (the EIP-7702 marker: the account is the signer's delegated
    EOA) as viem sends it."""
    if isinstance(value, str) and value.lower() in ("0x7702", "0x7702" + "0" * 36):
        return "0x7702000000000000000000000000000000000000"
    return parse_address(value)


class Eip7702Auth(BaseModel):
    """An EntryPoint v0.8 user operation's EIP-7702 authorization (its delegate is the account's code)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    address: Address
    chain_id: Quantity | None = Field(None, alias="chainId")
    nonce: Quantity | None = None


class UserOperation(BaseModel):
    """An ERC-4337 user operation as a bundler's RPC takes it: EntryPoint v0.6 (``initCode``,
    ``paymasterAndData``) or v0.7/v0.8 (``factory``/``factoryData``, ``paymaster`` and its gas limits and data;
    v0.8 may add ``eip7702Auth``). Quantities are hex or decimal; gas fields a dApp leaves out read as 0."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    sender: Address
    nonce: Quantity = 0
    call_data: HexBytes = Field(b"", alias="callData")
    call_gas_limit: Quantity = Field(0, alias="callGasLimit", lt=2**128)
    verification_gas_limit: Quantity = Field(0, alias="verificationGasLimit", lt=2**128)
    pre_verification_gas: Quantity = Field(0, alias="preVerificationGas", lt=2**128)
    max_fee_per_gas: Quantity = Field(0, alias="maxFeePerGas", lt=2**128)
    max_priority_fee_per_gas: Quantity = Field(0, alias="maxPriorityFeePerGas", lt=2**128)
    signature: HexBytes = b""
    init_code: HexBytes | None = Field(None, alias="initCode")  # v0.6
    paymaster_and_data: HexBytes | None = Field(None, alias="paymasterAndData")  # v0.6
    factory: Annotated[str, BeforeValidator(_factory)] | None = None  # v0.7+
    factory_data: HexBytes | None = Field(None, alias="factoryData")
    paymaster: Address | None = None
    paymaster_verification_gas_limit: Quantity | None = Field(None, alias="paymasterVerificationGasLimit", lt=2**128)
    paymaster_post_op_gas_limit: Quantity | None = Field(None, alias="paymasterPostOpGasLimit", lt=2**128)
    paymaster_data: HexBytes | None = Field(None, alias="paymasterData")
    eip7702_auth: Eip7702Auth | None = Field(None, alias="eip7702Auth")

    @field_validator("call_data")
    @classmethod
    def _calldata_limit(cls, data: bytes, info: ValidationInfo) -> bytes:
        return _check_calldata(data, info)

    @model_validator(mode="after")
    def _one_version(self) -> UserOperation:
        if (self.init_code is not None or self.paymaster_and_data is not None) and (
                self.factory is not None or self.paymaster is not None):
            raise ValueError("mixes EntryPoint v0.6 fields (initCode, paymasterAndData) with v0.7 ones (factory, "
                             "paymaster)")
        return self


class UserOperationRequest(_Common, _WithAbi):
    """An ERC-4337 ``eth_sendUserOperation`` request: ``[userOperation, entryPoint]``."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["eth_sendUserOperation"]
    params: tuple[UserOperation, Address]


METHOD_REQUESTS: tuple[type[BaseModel], ...] = (RpcRequest, RawSendRequest, SendCallsRequest, UserOperationRequest,
                                                SignRequest)
"""The EIP-1193 requests, each taking the methods its ``method`` literal lists: the one home of which methods are
accepted (a bare transaction has no ``method``)."""
REQUEST_OF_METHOD: dict[str, type[BaseModel]] = {method: model for model in METHOD_REQUESTS
                                                 for method in get_args(model.model_fields["method"].annotation)}
SUPPORTED_METHODS: tuple[str, ...] = tuple(REQUEST_OF_METHOD)
SIGNING_METHODS: tuple[str, ...] = get_args(SignRequest.model_fields["method"].annotation)
TRANSACTION_METHODS: tuple[str, ...] = tuple(m for m in SUPPORTED_METHODS if m not in SIGNING_METHODS)
