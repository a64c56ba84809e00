"""The record list's filters as CLI options, made from their one declaration (``audit.queries.RecordFilter``): a
command decorated here takes ``--address``, ``--verdict``, ``--rule``, ``--model``, ``--since``, ``--until``,
``--feedback/--no-feedback`` and ``--tenant`` with the declaration's help, and receives them as ``filters``."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from audit.queries import FILTER_FIELDS, RecordFilter


def _option(name: str) -> inspect.Parameter:
    field = RecordFilter.model_fields[name]
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[field.annotation, typer.Option(help=field.description)])


def record_filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command(filters: RecordFilter, …)`` as a typer command whose options include every filter."""
    signature = inspect.signature(command, eval_str=True)  # annotations as objects: typer reads them so
    own = [p for p in signature.parameters.values() if p.name != "filters"]

    @functools.wraps(command)
    def wrapper(**options: Any) -> Any:
        filters = RecordFilter(**{name: options.pop(name) for name in FILTER_FIELDS})
        return command(filters=filters, **options)

    parameters = [*(p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own), *map(_option, FILTER_FIELDS)]
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper
