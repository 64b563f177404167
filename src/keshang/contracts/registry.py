"""What later apps add to a contract's 执行情况 panel (issue 13): inventory reports what was shipped against it,
finance what was invoiced and collected. Registered from their ``AppConfig.ready()``; contracts imports none of
them, and a figure whose app is missing is simply not shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["ExecutionSource", "register_execution_source", "execution_sources"]


@dataclass(frozen=True)
class ExecutionSource:
    """``amount(contract, user=)`` is what the app's records add up to for the contract, in its currency, read
    through ``user``'s scope (None when the user may not see that app's records)."""

    key: str
    label: str
    amount: Callable[..., Decimal | None]
    order: int = 100


_sources: dict[str, ExecutionSource] = {}


def register_execution_source(source: ExecutionSource) -> None:
    if source.key in _sources:
        raise ValueError(f"execution source {source.key!r} registered twice")
    _sources[source.key] = source


def execution_sources() -> list[ExecutionSource]:
    return sorted(_sources.values(), key=lambda source: source.order)
