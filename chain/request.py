"""The request contract: a bare transaction or an EIP-1193 request, as a wallet holds it."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from eth_utils import keccak
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

from chain.decode.registry import FunctionAbi
from chain.hexutil import parse_address, parse_data, parse_quantity
from chain.jsonlimits import check_depth

Address = Annotated[str, BeforeValidator(parse_address)]
Quantity = Annotated[int, BeforeValidator(parse_quantity)]
HexBytes = Annotated[bytes, BeforeValidator(parse_data)]
Slot = Annotated[int, BeforeValidator(lambda v: _word(v))]

SUPPORTED_METHODS = ("eth_sendTransaction", "eth_signTransaction", "wallet_sendCalls", "eth_signTypedData_v4",
                     "personal_sign", "eth_sign")
SIGNING_METHODS = ("eth_signTypedData_v4", "personal_sign", "eth_sign")
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


class TransactionParams(BaseModel):
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

    @model_validator(mode="before")
    @classmethod
    def _wallet_shapes(cls, raw: Any) -> Any:
        return wallet_fields(raw)

    @field_validator("data")
    @classmethod
    def _calldata_limit(cls, data: bytes, info: ValidationInfo) -> bytes:
        return _check_calldata(data, info)


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
    abi: Annotated[list[FunctionAbi] | None, BeforeValidator(_parse_abi)] = Field(
        None, description="The target's JSON ABI, tried before the bundled ABIs when decoding calldata.")


class BareTransactionRequest(_Common, _WithAbi, TransactionParams):
    """A bare transaction: chain_id plus the transaction fields at the top level."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RpcRequest(_Common, _WithAbi):
    """An EIP-1193 ``eth_sendTransaction`` or ``eth_signTransaction`` request, exactly as the wallet holds it
    (a signed transaction does the same thing once broadcast, so both are explained alike)."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["eth_sendTransaction", "eth_signTransaction"]
    params: list[TransactionParams] = Field(min_length=1, max_length=1)


class BatchCall(BaseModel):
    """One call of an EIP-5792 ``wallet_sendCalls`` batch."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    to: Address | None = Field(None, description="Absent: the call deploys a contract with ``data`` as initcode.")
    data: HexBytes = b""
    value: Quantity = 0
    chain_id: Quantity | None = Field(None, alias="chainId", description="viem 2.21's draft shape: per call.")
    capabilities: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _wallet_shapes(cls, raw: Any) -> Any:
        return wallet_fields(raw)

    @field_validator("data")
    @classmethod
    def _calldata_limit(cls, data: bytes, info: ValidationInfo) -> bytes:
        return _check_calldata(data, info)


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

    method: Literal["eth_signTypedData_v4", "personal_sign", "eth_sign"]
    params: list[Any] = Field(min_length=2, max_length=3)


ExplainRequest = BareTransactionRequest | RpcRequest | SendCallsRequest | SignRequest


class Transaction(BaseModel):
    """The normalized transaction every later stage works on."""

    chain_id: int
    sender: str | None  # None: a wallet_sendCalls batch without ``from`` (the wallet picks the account)
    to: str | None
    value: int
    data: bytes
    gas: int | None
    state_overrides: dict[str, AccountOverride]
    context: RequestContext
    delegations: list[str] = Field(default_factory=list)  # EIP-7702 authorization targets
    calls: list[BatchCall] | None = None  # a wallet_sendCalls batch, run in order from ``sender``
    abi: list[FunctionAbi] | None = None  # the caller's ABI for the target, tried first when decoding

    @property
    def selector(self) -> bytes | None:
        """The first four bytes of calldata, if there are four."""
        return self.data[:4] if len(self.data) >= 4 else None


class Signature(BaseModel):
    """A normalized signing request."""

    chain_id: int
    method: str
    signer: str
    typed_data: dict[str, Any] | None = None  # eth_signTypedData_v4
    message: bytes | None = None  # personal_sign bytes, or eth_sign's 32-byte hash
    digest: bytes  # what the wallet will actually sign
    state_overrides: dict[str, AccountOverride]
    context: RequestContext


class RequestError(ValueError):
    """A request that does not fit the contract; ``errors`` name each bad field."""

    def __init__(self, errors: list[dict[str, str]]):
        self.errors = errors
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))


def personal_digest(message: bytes) -> bytes:
    """The EIP-191 version 0x45 hash personal_sign signs: keccak256("\\x19Ethereum Signed Message:\\n" ‖ len ‖ m)."""
    return keccak(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """A pydantic error location as the field name callers see: ``("params", 0, "to")`` → ``params[0].to``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "(body)"


def parse_request(raw: Any, *, max_calldata_bytes: int = DEFAULT_MAX_CALLDATA) -> Transaction | Signature:
    """Validate a request body and normalize it to a :class:`Transaction`.

    Raises:
        RequestError: the body does not fit the request contract; each error names its field.
    """
    from pydantic import ValidationError

    if not isinstance(raw, dict):
        raise RequestError([{"field": "(body)", "message": "must be a JSON object"}])
    try:
        raw = _exact_numbers(raw)
    except _InexactNumber as exc:
        raise RequestError([{"field": field_path(exc.path), "message": "must be an integer: JSON numbers with a "
                             "fraction are refused; send quantities as 0x-hex or decimal strings"}]) from None
    context = {"max_calldata_bytes": max_calldata_bytes}
    if "method" in raw:
        method = raw.get("method")
        if method not in SUPPORTED_METHODS:
            raise RequestError(
                [{"field": "method", "message": f"unsupported method {method!r}; supported: "
                  + ", ".join(SUPPORTED_METHODS)}]
            )
        model: type[BaseModel] = (SignRequest if method in SIGNING_METHODS
                                  else SendCallsRequest if method == "wallet_sendCalls" else RpcRequest)
    else:
        model = BareTransactionRequest
    try:
        request = model.model_validate(raw, context=context)
    except ValidationError as exc:
        raise RequestError(
            [
                {"field": field_path(err["loc"]), "message": _clean(err["msg"])}
                for err in exc.errors(include_url=False)
            ]
        ) from None
    if isinstance(request, SignRequest):
        return _signature(request)
    if isinstance(request, SendCallsRequest):
        return _batch(request)
    tx = request.params[0] if isinstance(request, RpcRequest) else request
    if tx.chain_id_hint is not None and tx.chain_id_hint != request.chain_id:
        field = "params[0].chainId" if isinstance(request, RpcRequest) else "chainId"
        raise RequestError([{"field": field, "message": f"differs from chain_id {request.chain_id}"}])
    delegations = []
    for i, item in enumerate(tx.authorization_list or []):
        try:
            delegations.append(parse_address(item.get("address")))
        except ValueError as exc:
            field = "params[0].authorizationList" if isinstance(request, RpcRequest) else "authorization_list"
            raise RequestError([{"field": f"{field}[{i}].address", "message": str(exc)}]) from None
    return Transaction(
        delegations=delegations,
        chain_id=request.chain_id,
        sender=tx.sender,
        to=tx.to,
        value=tx.value,
        data=tx.data,
        gas=tx.gas,
        state_overrides=request.state_overrides,
        context=request.context,
        abi=request.abi,
    )


def _batch(request: SendCallsRequest) -> Transaction:
    """A wallet_sendCalls batch as one transaction whose ``calls`` run in order. The batch's chain is its
    ``chainId``, or (viem 2.21's draft shape) each call's; every one given must be the request's chain."""
    params = request.params[0]
    given = [("params[0].chainId", params.chain_id)] + [
        (f"params[0].calls[{i}].chainId", c.chain_id) for i, c in enumerate(params.calls)]
    for field, chain_id in given:
        if chain_id is not None and chain_id != request.chain_id:
            raise RequestError([{"field": field, "message": f"differs from chain_id {request.chain_id}"}])
    return Transaction(chain_id=request.chain_id, sender=params.sender, to=None,
                       value=sum(c.value for c in params.calls), data=b"", gas=None, calls=params.calls,
                       state_overrides=request.state_overrides, context=request.context, abi=request.abi)


def _signature(request: SignRequest) -> Signature:
    """Validate a signing request's params and compute the digest the wallet will sign."""
    from chain.decode.typed_data import TypedDataError, typed_data_digest

    params, method = request.params, request.method
    # EIP-1193 order: eth_signTypedData_v4 [signer, data]; personal_sign [message, signer]; eth_sign [signer, hash]
    signer_at, payload_at = (1, 0) if method == "personal_sign" else (0, 1)
    errors = []
    try:
        signer = parse_address(params[signer_at])
    except ValueError as exc:
        errors.append({"field": f"params[{signer_at}]", "message": str(exc)})
    payload = params[payload_at]
    typed_data = message = digest = None
    try:
        if method == "eth_signTypedData_v4":
            if isinstance(payload, str):
                check_depth(payload)
            typed_data = json.loads(payload) if isinstance(payload, str) else payload
            if not isinstance(typed_data, dict):
                raise ValueError("must be typed data: a JSON object or a JSON string of one")
            digest = typed_data_digest(typed_data)
        else:
            message = parse_data(payload)
            # A wallet signs eth_sign's 32-byte hash as it is (MetaMask); a legacy eth_sign of other data
            # (ethers' legacy signer, web3.eth.sign) is signed as geth does it: with the EIP-191 prefix.
            digest = message if method == "eth_sign" and len(message) == 32 else personal_digest(message)
    except (ValueError, TypedDataError) as exc:
        errors.append({"field": f"params[{payload_at}]", "message": str(exc)[:300]})
    if errors:
        raise RequestError(errors)
    return Signature(chain_id=request.chain_id, method=method, signer=signer, typed_data=typed_data, message=message,
                     digest=digest, state_overrides=request.state_overrides, context=request.context)


class _InexactNumber(ValueError):
    """A JSON number with a fraction (or not finite): not an integer at all."""

    def __init__(self, path: tuple[Any, ...]):
        self.path = path
        super().__init__(path)


def _exact_numbers(value: Any, path: tuple[Any, ...] = ()) -> Any:
    """``value`` with integral floats (``31337.0``, ``1e18``) as the integer they hold, as a wallet's
    ``BigInt(number)`` reads them; JSON integers are read exactly at any size (uint256 values included).

    Raises:
        _InexactNumber: a float with a fraction, or not finite, at ``path``.
    """
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise _InexactNumber(path)
    if isinstance(value, dict):
        return {k: _exact_numbers(v, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_exact_numbers(v, (*path, i)) for i, v in enumerate(value)]
    return value


def _clean(message: str) -> str:
    return message.removeprefix("Value error, ")
