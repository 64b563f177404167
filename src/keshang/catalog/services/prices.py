"""Writes to price rules, parts of a product (audited against it too), and the merge step that keeps a customer's
own prices when two customers are merged (``partners.services.merging``: registered in ``apps.py``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction

from ..models import PriceRule, PriceRuleKind, Product
from .base import check_fields, delete_row, save_row

__all__ = ["save_price_rule", "delete_price_rule", "move_price_rules"]

PRICE_RULE_FIELDS = {"kind", "partner_level", "partner", "min_quantity", "price", "valid_from", "valid_until"}


def save_price_rule(*, actor, product: Product, rule: PriceRule | None = None, data: dict) -> PriceRule:
    """Create or update a price rule; the target not belonging to the kind is cleared, so switching a
    rule from 客户专属价 to 数量阶梯价 in the form does not trip the kind/target constraint."""
    check_fields(data, PRICE_RULE_FIELDS, "price rule")
    data = dict(data)
    kind = data.get("kind", rule.kind if rule else None)
    if kind != PriceRuleKind.CUSTOMER:
        data["partner"] = None
    if kind != PriceRuleKind.LEVEL:
        data["partner_level"] = None
    if kind == PriceRuleKind.CUSTOMER and not data.get("partner", rule.partner if rule else None):
        message = _("客户专属价须选择客户。")
        raise ApplicationError(message, code="invalid", fields={"partner": [message]})
    if kind == PriceRuleKind.LEVEL and not data.get("partner_level", rule.partner_level if rule else None):
        message = _("客户级别价须选择客户级别。")
        raise ApplicationError(message, code="invalid", fields={"partner_level": [message]})
    return save_row(actor=actor, instance=rule or PriceRule(product=product), data=data, related=product)


def delete_price_rule(*, actor, rule: PriceRule) -> None:
    delete_row(actor=actor, instance=rule, protected_message=_("该价格规则仍被使用，不能删除。"), related=rule.product)


def move_price_rules(*, survivor, duplicate, actor) -> int:
    """The merge step: re-point the duplicate's customer prices at the survivor instead of deleting them with it,
    each audited on the survivor (and on its product, where price rules show in the history)."""
    count = 0
    for rule in PriceRule.objects.unscoped().filter(partner=duplicate).select_for_update().order_by("pk"):
        before = audit.snapshot(rule)
        rule.partner = survivor
        rule.save(update_fields=["partner"])
        audit.record(actor=actor, obj=rule, action=AuditAction.UPDATE, before=before, related=survivor)
        count += 1
    return count
