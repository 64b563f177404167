"""The registries partners offers the apps above it (DESIGN.md: apps depend downward only; a later app joins an
earlier one through registries). Called from the later app's ``AppConfig.ready()``:

* handover counters (:func:`register_handover_counter`): how many of an app's records move with a partner
  when it changes owner, kept on the handover (随之转移).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Partner

__all__ = ["HandoverCounter", "register_handover_counter", "count_moved", "describe_moved"]


#
# What moves along with a partner: later modules report their counts (orders, follow-ups…)
#


@dataclass(frozen=True)
class HandoverCounter:
    name: str
    label: str
    count: Callable[[Partner], int]


_handover_counters: dict[str, HandoverCounter] = {}


def register_handover_counter(name: str, counter: Callable[[Partner], int], *, label=None) -> None:
    """``counter(partner)`` says how many of a module's records move with the partner (``moved[name]``)."""
    _handover_counters[name] = HandoverCounter(name=name, label=label or name, count=counter)


def count_moved(partner: Partner) -> dict[str, int]:
    return {counter.name: counter.count(partner) for counter in _handover_counters.values()}


def describe_moved(moved: dict | None) -> str:
    """``{"contacts": 3}`` as people read it: 联系人 3."""
    labels = {counter.name: counter.label for counter in _handover_counters.values()}
    return "、".join(f"{labels.get(name, name)} {count}" for name, count in (moved or {}).items() if count)
