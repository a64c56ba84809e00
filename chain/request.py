"""The request contract: a bare transaction or an EIP-1193 request, as a wallet holds it, validated and
normalized to a :class:`Transaction` or a :class:`Signature` (the wire shapes are ``chain.request_shapes``)."""

from __future__ import annotations

import json
from typing import Any

from eth_utils import keccak
from pydantic import BaseModel, Field

from chain.catalogue import RequestKind
from chain.decode.registry import FunctionAbi
from chain.decode.user_operation import (
    AccountDeployment,
    UserOperationError,
    UserOperationFacts,
    account_deployment,
    user_operation_facts,
)
from chain.hexutil import parse_address, parse_data
from chain.jsonlimits import check_depth
from chain.request_shapes import (
    DEFAULT_MAX_CALLDATA,
    LEGACY_TYPED_DATA_METHODS,
    REQUEST_OF_METHOD,
    SIGNING_METHODS,
    SUPPORTED_METHODS,
    TYPED_DATA_METHODS,
    AccountOverride,
    BareTransactionRequest,
    BatchCall,
    RawSendRequest,
    RequestContext,
    RpcRequest,
    SendCallsRequest,
    SignRequest,
    UserOperationRequest,
)

__all__ = ["SIGNING_METHODS", "AccountOverride", "BatchCall", "RequestContext", "RequestError", "Signature",
           "Transaction", "field_path", "parse_request", "request_kind"]


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
    caller: str | None = None  # msg.sender of the call when not ``sender`` (a user operation: its EntryPoint)
    user_operation: UserOperationFacts | None = None  # eth_sendUserOperation: the account is ``sender`` and ``to``
    deployment: AccountDeployment | None = None  # a user operation's account deployment, run before the call

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
    legacy_typed_data: list[dict[str, Any]] | None = None  # eth_signTypedData (v1): [{type, name, value}]
    message: bytes | None = None  # personal_sign bytes, or eth_sign's 32-byte hash
    digest: bytes  # what the wallet will actually sign
    state_overrides: dict[str, AccountOverride]
    context: RequestContext


def request_kind(request: Transaction | Signature) -> RequestKind:
    """The one decision of a request's ``kind``, for every answer: a batch, a transaction, typed data (EIP-712),
    or a message (personal_sign, eth_sign, and legacy v1 typed data, which is shown as a message)."""
    if isinstance(request, Signature):
        return RequestKind.TYPED_DATA if request.typed_data is not None else RequestKind.MESSAGE
    return RequestKind.BATCH if request.calls is not None else RequestKind.TRANSACTION


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
        model: type[BaseModel] = REQUEST_OF_METHOD[method]
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
    if isinstance(request, RawSendRequest):
        return _raw(request, max_calldata_bytes)
    if isinstance(request, UserOperationRequest):
        return _user_operation(request)
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


def _raw(request: RawSendRequest, max_calldata_bytes: int) -> Transaction:
    """The transaction a signed envelope carries, from the sender its signature recovers."""
    from chain.decode.raw_tx import decode_raw

    try:
        signed = decode_raw(request.params[0])
    except ValueError as exc:
        raise RequestError([{"field": "params[0]", "message": str(exc)}]) from None
    if signed.chain_id is not None and signed.chain_id != request.chain_id:
        raise RequestError([{"field": "params[0]", "message": f"signed for chain {signed.chain_id}, the request is "
                             f"for chain {request.chain_id}"}])
    if len(signed.data) > max_calldata_bytes:
        raise RequestError([{"field": "params[0]", "message": f"calldata is {len(signed.data)} bytes; the limit is "
                             f"{max_calldata_bytes}"}])
    return Transaction(delegations=signed.delegations, chain_id=request.chain_id, sender=signed.sender, to=signed.to,
                       value=signed.value, data=signed.data, gas=signed.gas, state_overrides=request.state_overrides,
                       context=request.context, abi=request.abi)


def _user_operation(request: UserOperationRequest) -> Transaction:
    """A user operation as the call its EntryPoint makes once it is bundled: from the EntryPoint to the account,
    with the operation's ``callData``; the account's assets are the ones that move."""
    op, entry_point = request.params
    try:
        facts = user_operation_facts(op, entry_point, request.chain_id)
    except UserOperationError as exc:
        raise RequestError([{"field": "params[0]", "message": str(exc)}]) from None
    if op.eip7702_auth is not None and op.eip7702_auth.chain_id not in (None, 0, request.chain_id):
        raise RequestError([{"field": "params[0].eip7702Auth.chainId",
                             "message": f"differs from chain_id {request.chain_id}"}])
    delegations = [op.eip7702_auth.address] if op.eip7702_auth is not None else []
    return Transaction(chain_id=request.chain_id, sender=op.sender, to=op.sender, value=0, data=op.call_data,
                       gas=op.call_gas_limit or None, caller=facts.entry_point, user_operation=facts,
                       deployment=account_deployment(op, facts.entry_point), delegations=delegations,
                       state_overrides=request.state_overrides, context=request.context, abi=request.abi)


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
    from chain.decode.typed_data_v1 import LegacyTypedDataError, legacy_typed_data_hash

    params, method = request.params, request.method
    # EIP-1193 order: eth_signTypedData_v4/_v3 [signer, data]; personal_sign [message, signer]; eth_sign [signer, hash];
    # eth_signTypedData (v1) [data, signer] as MetaMask takes it (the array is found in either place)
    legacy = method in LEGACY_TYPED_DATA_METHODS
    data_first = method == "personal_sign" or (legacy and not _is_legacy_document(params[1]))
    signer_at, payload_at = (1, 0) if data_first else (0, 1)
    errors = []
    try:
        signer = parse_address(params[signer_at])
    except ValueError as exc:
        errors.append({"field": f"params[{signer_at}]", "message": str(exc)})
    payload = params[payload_at]
    typed_data = legacy_typed_data = message = digest = None
    try:
        if legacy:
            if isinstance(payload, str):
                check_depth(payload)
            legacy_typed_data = json.loads(payload) if isinstance(payload, str) else payload
            digest = legacy_typed_data_hash(legacy_typed_data)
        elif method in TYPED_DATA_METHODS:
            if isinstance(payload, str):
                check_depth(payload)
            typed_data = json.loads(payload) if isinstance(payload, str) else payload
            if not isinstance(typed_data, dict):
                raise ValueError("must be typed data: a JSON object or a JSON string of one")
            digest = typed_data_digest(typed_data, TYPED_DATA_METHODS[method])
        else:
            message = parse_data(payload)
            # A wallet signs eth_sign's 32-byte hash as it is (MetaMask); a legacy eth_sign of other data
            # (ethers' legacy signer, web3.eth.sign) is signed as geth does it: with the EIP-191 prefix.
            digest = message if method == "eth_sign" and len(message) == 32 else personal_digest(message)
    except (ValueError, TypedDataError, LegacyTypedDataError) as exc:
        errors.append({"field": f"params[{payload_at}]", "message": str(exc)[:300]})
    if errors:
        raise RequestError(errors)
    return Signature(chain_id=request.chain_id, method=method, signer=signer, typed_data=typed_data,
                     legacy_typed_data=legacy_typed_data, message=message, digest=digest,
                     state_overrides=request.state_overrides, context=request.context)


def _is_legacy_document(param: Any) -> bool:
    """Whether a param is a v1 typed-data array (or a JSON string of one) rather than the signer's address."""
    return isinstance(param, list) or (isinstance(param, str) and param.lstrip().startswith("["))


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
