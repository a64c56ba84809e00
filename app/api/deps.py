"""FastAPI dependencies: routes declare these and never build services themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from app.auth import AuthError, Caller, RateLimited, RateLimiter, authenticate
from app.runtime import Services
from chain.rules import Policy


def get_services(request: Request) -> Services:
    """The process-wide services built at startup."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_sessions(services: ServicesDep) -> sessionmaker[Session]:
    """The audit store's sessions."""
    return services.sessions


def get_policy(services: ServicesDep) -> Policy:
    """The active risk policy."""
    return services.policy


SessionsDep = Annotated[sessionmaker[Session], Depends(get_sessions)]
PolicyDep = Annotated[Policy, Depends(get_policy)]


async def get_caller(request: Request, services: ServicesDep) -> Caller:
    """The caller named by the Authorization header (see :func:`charge_caller`)."""
    return await charge_caller(request, services, request.headers.get("authorization"))


async def charge_caller(request: Request, services: Services, authorization: str | None) -> Caller:
    """The caller that ``authorization`` names, charged one request against its key's rate limit.

    Raises:
        AuthError: no usable key where one is required (mapped to 401).
        RateLimited: the key's bucket is empty, or the client address has failed too many key checks
            (``FAILED_KEYS_PER_MINUTE``), mapped to 429 with Retry-After.
    """
    failures: RateLimiter = request.app.state.failed_keys
    address = f"addr:{request.client.host if request.client else 'unknown'}"
    if authorization and (wait := failures.peek(address)):
        raise RateLimited(wait)  # this address has spent its failed key checks: guessing keys costs time
    try:
        caller = await run_in_threadpool(authenticate, services.sessions, authorization,
                                         services.settings.keys_required)
    except AuthError:
        if authorization:
            failures.take(address)
        raise
    if caller.key_id is not None:
        limiter: RateLimiter = request.app.state.limiter
        wait = await run_in_threadpool(limiter.take, caller.key_id, caller.rate_per_minute)  # may be a round trip
        if wait:
            raise RateLimited(wait)
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]
