"""FastAPI dependencies: routes declare these and never build services themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.service import Services


def get_services(request: Request) -> Services:
    """The process-wide services built at startup."""
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]
