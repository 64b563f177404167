"""The registries partners offers the apps above it (DESIGN.md: apps depend downward only; a later app joins an
earlier one through registries). Called from the later app's ``AppConfig.ready()``:

* handover counters (:func:`register_handover_counter`): how many of an app's records move with a partner
  when it changes owner, kept on the handover (随之转移);
* merge steps (:func:`register_merge_step`): how an app moves its records from a duplicate partner onto the
  one that absorbs it (``services.merge_partners``); a merge refuses to finish while any row still points
  at the duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Partner

__all__ = [
    "HandoverCounter",
    "register_handover_counter",
    "count_moved",
    "describe_moved",
    "MergeStep",
    "register_merge_step",
    "merge_steps",
    "merge_step_labels",
]


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


#
# Merge steps: later modules move their records from the duplicate to the survivor
#

MergeStep = Callable[..., int]
_merge_steps: dict[str, MergeStep] = {}
_merge_step_labels: dict[str, str] = {}


def register_merge_step(name: str, step: MergeStep, *, label: str = "") -> None:
    """Let a later module move its records when two partners are merged (call from ``AppConfig.ready()``).

    ``step(*, survivor, duplicate, actor) -> int`` runs inside the merge's transaction with both
    partners locked, after the partners' own parts have moved and before the duplicate is deleted. It
    moves every row of the module that points at ``duplicate`` onto ``survivor``, writes their audit
    entries (``related=survivor``) and returns how many rows it moved, which is kept in the merge's
    handover record under ``name`` (shown as ``label``). A row left pointing at the duplicate stops the merge.
    """
    _merge_steps[name] = step
    if label:
        _merge_step_labels[name] = label


def merge_steps() -> list[tuple[str, MergeStep]]:
    return list(_merge_steps.items())


def merge_step_labels() -> dict[str, str]:
    return dict(_merge_step_labels)
