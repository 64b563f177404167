"""Which flow applies to a document, and who decides each of its steps (DESIGN.md rule 6).

* Active flows of the document type are tried by priority; the first whose set conditions all hold applies.
  When none does and the document breaks the price rules (``core.documents.pricecontrol``), the price-control
  flow applies: price control holds for every priced document whatever its own flows say.
* ``same_department`` on a role step means the submitter's department or one of its ancestors; a submitter
  without a department has no such holders.
* Who approves is the flow's decision, not anyone's data scope: flows, users and departments are read for the
  system here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext

from keshang.core.documents.pricecontrol import PRICE_CONTROL_TYPE, breaks_price_control
from keshang.core.models import ApprovalFlow, ApprovalStep, ApproverKind
from keshang.core.people import department_model, user_model

from .registry import ApprovalFacts

__all__ = ["find_flow", "resolve_approvers"]


def find_flow(*, obj: models.Model, facts: ApprovalFacts) -> ApprovalFlow | None:
    """The first active flow of ``obj``'s document type, by priority, whose set conditions all hold."""
    # The engine reads flows for the system: the submitter needs no grant on flow configuration.
    flows = (
        ApprovalFlow.objects.unscoped()
        .filter(document_type=obj._meta.label_lower, is_active=True)
        .order_by("priority", "pk")
    )
    # Departments are read only for a flow whose other conditions hold: most submissions (an order below
    # every flow's amount) then need no second query.
    for flow in flows:
        if _flow_matches(flow, facts):
            return flow
    if breaks_price_control(facts):
        return price_control_flow()
    return None


def price_control_flow() -> ApprovalFlow:
    """The flow of every priced document that breaks the price rules and matched no flow of its own type
    (``core.documents.pricecontrol``): the first of its type by priority, active or not (price control cannot be
    switched off, only routed), created with one step, the submitter's manager, when there is none."""
    flows = ApprovalFlow.objects.unscoped().filter(document_type=PRICE_CONTROL_TYPE)
    flow = flows.order_by("-is_active", "priority", "pk").first()
    if flow is None:
        flow = ApprovalFlow.objects.create(
            name=gettext("价格管控：低于最低售价或折扣超限"),
            document_type=PRICE_CONTROL_TYPE,
            description=gettext("所有带价单据，未匹配其他流程时适用"),
        )
        ApprovalStep.objects.create(
            flow=flow, order=1, name=gettext("上级审批"), kind=ApproverKind.MANAGER, levels_up=1
        )
    return flow


def _department_path(department_id: int | None) -> str | None:
    if department_id is None:
        return None
    return department_model().objects.unscoped().filter(pk=department_id).values_list("path", flat=True).first()


def _flow_matches(flow: ApprovalFlow, facts: ApprovalFacts) -> bool:
    if flow.min_amount is not None and facts.amount < flow.min_amount:
        return False
    if flow.min_discount_percent is not None and facts.discount_percent < flow.min_discount_percent:
        return False
    if flow.below_min_price and not facts.below_min_price:
        return False
    if flow.customer_levels and facts.customer_level not in flow.customer_levels:
        return False
    if flow.kinds and facts.kind not in flow.kinds:
        return False
    # An unknown margin (a product without a cost price) matches no margin condition.
    if flow.max_margin_percent is not None and (
        facts.margin_percent is None or facts.margin_percent > flow.max_margin_percent
    ):
        return False
    if flow.nonstandard_terms and not facts.nonstandard_terms:
        return False
    departments = list(flow.departments.all())
    if departments:
        department_path = facts.department_path or _department_path(facts.department_id)
        if department_path is None:
            return False
        return any(department_path.startswith(department.path) for department in departments)
    return True


def resolve_approvers(step: ApprovalStep, submitter) -> list:
    """The active users who approve ``step`` for ``submitter`` (the submitter included, if they are one)."""
    User, Department = user_model(), department_model()
    # Who approves is the flow's decision, not the submitter's data scope: users are read for the system.
    users = User.objects.unscoped().filter(is_active=True)
    if step.kind == ApproverKind.ROLE:
        if step.role is None or not step.role.is_active:
            return []
        users = users.filter(roles=step.role)
        if step.same_department:
            if submitter.department_id is None:
                return []
            path = Department.objects.unscoped().values_list("path", flat=True).get(pk=submitter.department_id)
            ancestors = [int(part) for part in path.strip("/").split("/") if part]
            users = users.filter(department_id__in=ancestors)
        return list(users.order_by("pk").distinct())
    if step.kind == ApproverKind.USER:
        return list(users.filter(pk__in=[user.pk for user in step.users.all()]).order_by("pk"))
    manager = submitter
    for _level in range(max(step.levels_up, 1)):
        manager = User.objects.unscoped().filter(pk=manager.manager_id).first() if manager.manager_id else None
        if manager is None:
            return []
    return [manager] if manager.is_active else []
