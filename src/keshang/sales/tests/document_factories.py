"""Helpers for quotation and order tests: a sales team with grants, products, and approval flows."""

from dataclasses import dataclass
from decimal import Decimal

from keshang.catalog.lines.pricing import LineInput
from keshang.catalog.tests.factories import ProductFactory
from keshang.core.models import ApprovalFlow, ApprovalStep, ApproverKind
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.services import orders, quotations

__all__ = ["Team", "make_team", "line", "make_quotation", "make_order", "flow"]

DOCUMENT_ACTIONS = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.EXPORT)


@dataclass
class Team:
    """A manager over a rep in one department, a customer of the rep's, and a product listed at 113 (含税)."""

    manager: object
    rep: object
    other_rep: object
    partner: object
    product: object


def give_sales_grants(user, scope: str) -> None:
    for resource in ("sales.quotation", "sales.salesorder"):
        grant(user, resource, (*DOCUMENT_ACTIONS, Action.APPROVE), scope)
    grant(user, "sales.opportunity", DOCUMENT_ACTIONS, scope)
    grant(user, "partners.partner", (Action.VIEW, Action.CHANGE), scope)
    grant(user, "catalog.product", (Action.VIEW,), Scope.ALL)


def make_team() -> Team:
    department = DepartmentFactory()
    manager = UserFactory(department=department, name="王经理")
    rep = UserFactory(department=department, manager=manager, name="李销售")
    other_rep = UserFactory(department=DepartmentFactory(), name="外部销售")
    give_sales_grants(manager, Scope.DEPARTMENT_TREE)
    give_sales_grants(rep, Scope.OWN)
    give_sales_grants(other_rep, Scope.OWN)
    product = ProductFactory(list_price=Decimal("113"), min_price=Decimal("90"), vat_rate="0.13")
    return Team(manager=manager, rep=rep, other_rep=other_rep, partner=PartnerFactory(owner=rep), product=product)


def line(product, quantity="1", price=None, entry="gross", discount="0") -> LineInput:
    return LineInput(
        product=product,
        quantity=Decimal(quantity),
        unit_price=Decimal(price) if price is not None else None,
        price_entry=entry,
        discount_percent=Decimal(discount),
    )


def make_quotation(team: Team, *lines: LineInput, historic: bool = False, **data):
    return quotations.create_quotation(
        actor=team.rep,
        data={"partner": team.partner, **data},
        lines=list(lines) or [line(team.product)],
        historic=historic,
    )


def make_order(team: Team, *lines: LineInput, historic: bool = False, **data):
    """``historic``: an order of a past month, as the system records one (a rep may not back-date)."""
    return orders.create_sales_order(
        actor=team.rep,
        data={"partner": team.partner, **data},
        lines=list(lines) or [line(team.product)],
        historic=historic,
    )


def flow(document_type: str, *, name="审批", priority=100, steps=((ApproverKind.MANAGER, 1),), **conditions):
    """An active flow whose steps are (kind, levels_up) pairs; conditions as ApprovalFlow fields."""
    created = ApprovalFlow.objects.create(name=name, document_type=document_type, priority=priority, **conditions)
    for order, (kind, levels_up) in enumerate(steps, start=1):
        ApprovalStep.objects.create(flow=created, order=order, name=f"第{order}步", kind=kind, levels_up=levels_up)
    return created
