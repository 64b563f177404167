"""What a document type tells the approval engine about itself (DESIGN.md rule 6).

A consumer (quotations, orders; later contracts, purchases, expenses, customer transfers) registers an
:class:`Approvable` for its model from its ``AppConfig.ready()``. The engine never imports the consumer:
it asks the registered functions for the facts flows are matched on, for a snapshot of the document as
approvers see it, and calls back when a decision is final.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models

__all__ = [
    "ApprovalFacts",
    "Approvable",
    "register_approvable",
    "unregister_approvable",
    "get_approvable",
    "approvables",
    "register_condition_choices",
    "condition_choices",
]


@dataclass(frozen=True)
class ApprovalFacts:
    """The figures a flow's conditions compare: the document's amount (价税合计, CNY), its largest line
    discount in percent, whether any line is below its product's minimum price, the customer's level code
    and the submitter's department."""

    amount: Decimal = Decimal("0")
    discount_percent: Decimal = Decimal("0")
    below_min_price: bool = False
    customer_level: str = ""
    department_id: int | None = None
    # The department's path when the caller has it loaded: the engine reads it otherwise.
    department_path: str | None = None
    # Filled by the document types that have them (contracts, issue 13): the document's kind code, its expected
    # margin in percent of its amount (None when unknown) and whether its payment terms are non-standard.
    kind: str = ""
    margin_percent: Decimal | None = None
    nonstandard_terms: bool = False
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Approvable:
    """``snapshot(obj)`` returns JSON-safe data ``{"fields": [[label, value], …], "lines": {"headers": […],
    "rows": [[…], …]}}`` shown to approvers and compared between submissions. The callbacks run inside the
    decision's transaction with the document locked: ``on_approved(obj, actor)``, ``on_rejected(obj, actor,
    comment)``, ``on_returned(obj, actor, comment)``; ``actor`` is the approver who made the final decision."""

    model_label: str
    verbose_name: str
    facts: Callable[[models.Model], ApprovalFacts]
    snapshot: Callable[[models.Model], dict]
    url: Callable[[models.Model], str]
    on_approved: Callable[..., None]
    on_rejected: Callable[..., None]
    on_returned: Callable[..., None]
    # The document this one revises (an amendment's earlier revision), whose last approved snapshot approvers
    # compare against when this document has none of its own yet.
    revises: Callable[[models.Model], models.Model | None] | None = None


_approvables: dict[str, Approvable] = {}


def register_approvable(approvable: Approvable) -> Approvable:
    _approvables[approvable.model_label] = approvable
    return approvable


def get_approvable(model_label: str) -> Approvable | None:
    return _approvables.get(model_label)


def approvables() -> dict[str, Approvable]:
    return dict(_approvables)


def unregister_approvable(model_label: str) -> None:
    """For tests that register a throw-away document type."""
    _approvables.pop(model_label, None)


#
# Choices for a flow's conditions that live in later apps (customer levels are partners.PartnerLevel)
#

_condition_choices: dict[str, Callable[[], list[tuple[str, str]]]] = {}


def register_condition_choices(condition: str, choices: Callable[[], list[tuple[str, str]]]) -> None:
    """``choices()`` returns ``[(code, label), …]`` for a flow condition, e.g. ``"customer_levels"``;
    core cannot import the app that owns them (apps depend downward), so that app registers them here."""
    _condition_choices[condition] = choices


def condition_choices(condition: str) -> list[tuple[str, str]] | None:
    """The registered choices, or None when nobody registered any (the form then takes typed codes)."""
    provider = _condition_choices.get(condition)
    return list(provider()) if provider is not None else None
