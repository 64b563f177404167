"""What quotations and sales orders share: their lines, their totals, and what the approval engine is told
about them. One place prices a line (``build_line``), so a quotation, the order copied from it and the
benchmark's orders get the same cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.catalog.models import Product, ProductStatus, ProductUnit, Unit
from keshang.catalog.pricing import price_rules_for, resolve_price
from keshang.core import audit
from keshang.core.approvals import ApprovalFacts
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.core.money import document_totals, format_amount, price_line, quantize_amount, quantize_price, to_decimal

from .models import PricedDocument, PricedLine, PriceEntry

__all__ = [
    "LineInput",
    "LinePricing",
    "TransitionError",
    "build_line",
    "store_totals",
    "apply_header",
    "check_transition",
    "lock_document",
    "move_document",
    "check_version",
    "document_facts",
    "document_snapshot",
    "line_discount_percent",
    "replace_lines",
    "MANUAL_PRICE",
]

HUNDRED = Decimal("100")
MANUAL_PRICE = gettext_lazy("手工录入")


class TransitionError(ApplicationError):
    """A state move that is not allowed from the document's current state (STYLE.md §7)."""

    def __init__(self, message, *, code: str = "invalid_transition"):
        super().__init__(message, code=code)


@dataclass
class LineInput:
    """One line as a form or the API gives it. ``unit_price`` None takes the price the rules give."""

    product: Product
    quantity: Decimal
    unit: Unit | None = None
    price_entry: str = PriceEntry.GROSS
    unit_price: Decimal | None = None
    discount_percent: Decimal = Decimal("0")
    description: str = ""


@dataclass(frozen=True)
class LinePricing:
    """What prices a document's lines, read once for all of them: unit conversions and price rules."""

    partner: object
    on: object
    conversions: dict
    rules: dict

    @classmethod
    def load(cls, products, *, partner, on) -> LinePricing:
        products = list({product.pk: product for product in products}.values())
        conversions = {
            (product_id, unit_id): factor
            for product_id, unit_id, factor in ProductUnit.objects.filter(product__in=products).values_list(
                "product_id", "unit_id", "factor"
            )
        }
        rules = price_rules_for(products=products, partner=partner, on=on)
        return cls(partner=partner, on=on, conversions=conversions, rules=rules)


def unit_factor(product: Product, unit: Unit | None, conversions: dict) -> Decimal:
    """How many base units one ``unit`` of ``product`` is; an unknown unit is a field error."""
    if unit is None or unit.pk == product.unit_id:
        return Decimal("1")
    factor = conversions.get((product.pk, unit.pk))
    if factor is None:
        raise ValidationError(
            {"unit": _("商品“%(product)s”没有单位“%(unit)s”的换算。") % {"product": product, "unit": unit}}
        )
    return factor


def build_line(line: PricedLine, item: LineInput, *, pricing: LinePricing, position: int) -> PricedLine:
    """Fill ``line`` (unsaved) from ``item``: the default price from the catalog's rules when none was typed,
    then every amount from the one typed price (keshang.core.money.price_line)."""
    product = item.product
    if product.status != ProductStatus.ACTIVE:
        raise ValidationError({"product": _("商品“%(product)s”已停售，不能添加。") % {"product": product}})
    quantity = to_decimal(item.quantity)
    if quantity <= 0:
        raise ValidationError({"quantity": _("数量必须大于 0。")})
    factor = unit_factor(product, item.unit, pricing.conversions)
    quote = resolve_price(
        product=product,
        partner=pricing.partner,
        quantity=quantity,
        on=pricing.on,
        unit_factor=factor,
        rules=pricing.rules,
    )
    entry = item.price_entry if item.price_entry in PriceEntry.values else PriceEntry.GROSS
    typed = item.unit_price
    if typed is None:
        typed, entry, source = quote.price, PriceEntry.GROSS, quote.source
    else:
        typed = to_decimal(typed)
        if typed < 0:
            raise ValidationError({"unit_price": _("单价不能为负数。")})
        source = str(MANUAL_PRICE)
    amounts = price_line(
        quantity=quantity,
        unit_price=typed,
        entry=entry,
        vat_rate=product.vat_rate,
        discount_percent=item.discount_percent or 0,
    )
    line.position = position
    line.product = product
    line.description = item.description or ""
    line.unit_id = item.unit.pk if item.unit is not None else product.unit_id
    line.unit_factor = factor
    line.quantity = quantity
    line.vat_rate = Decimal(product.vat_rate)
    line.price_entry = entry
    line.unit_price_net = amounts.unit_price_net
    line.unit_price_gross = amounts.unit_price_gross
    line.discount_percent = to_decimal(item.discount_percent or 0)
    line.net_amount = amounts.net_amount
    line.tax_amount = amounts.tax_amount
    line.gross_amount = amounts.gross_amount
    line.discount_amount = amounts.discount_amount
    line.list_price = quantize_price(product.list_price * factor)
    line.min_price = quantize_price(product.min_price * factor) if product.min_price is not None else None
    line.price_source = source[:200]
    return line


def line_discount_percent(line: PricedLine) -> Decimal:
    """How far the line's effective tax-inclusive price is below the list price, in percent (0 when at or above
    it, or without a list price): a typed low price is a discount as much as a discount rate is."""
    if not line.list_price:
        return Decimal("0")
    effective = line.gross_amount / line.quantity if line.quantity else Decimal("0")
    percent = (1 - effective / line.list_price) * HUNDRED
    return max(quantize_amount(percent), Decimal("0"))


def is_below_min_price(line: PricedLine) -> bool:
    if line.min_price is None:
        return False
    effective = line.gross_amount / line.quantity if line.quantity else Decimal("0")
    # Compared in cents: a price that only differs from the minimum below a cent per unit is not below it.
    return quantize_amount(effective) < quantize_amount(line.min_price)


def store_totals(document: PricedDocument, lines: list[PricedLine]) -> None:
    """Totals, each the sum of the rounded lines (STYLE.md §5), and the figures approvals are decided on."""
    totals = document_totals(lines)
    document.net_amount = totals.net_amount
    document.tax_amount = totals.tax_amount
    document.gross_amount = totals.gross_amount
    document.discount_amount = totals.discount_amount
    document.max_discount_percent = max((line_discount_percent(line) for line in lines), default=Decimal("0"))
    document.below_min_price = any(is_below_min_price(line) for line in lines)


def lock_document(document, *, actor, action: str):
    """Re-read the row under lock, through the actor's scope (None: the system, e.g. an approval callback).

    With the customer, its level and the department, which approval's facts read (only the document's own row
    is locked)."""
    manager = type(document).objects
    queryset = manager.unscoped() if actor is None else manager.visible_to(actor, action)
    return queryset.select_for_update(of=("self",)).select_related("partner__level", "department").get(pk=document.pk)


def validation_exclusions(document, *also: str) -> list[str]:
    """Fields ``full_clean`` may skip: ``also`` and the foreign keys whose rows are loaded on the document (the
    caller's customer, owner, department): proving they exist would cost a query each, and the database's
    foreign keys still refuse a row deleted meanwhile."""
    loaded = [
        field.name
        for field in document._meta.concrete_fields
        if field.is_relation and field.is_cached(document) and getattr(document, field.name) is not None
    ]
    return [*also, *loaded]


def move_document(document, to: str, *, actor, allowed, message: str = "", before: dict | None = None) -> None:
    """One checked state move (STYLE.md §7): the pair must be in ``allowed``; saved and audited."""
    before = before if before is not None else audit.snapshot(document)
    check_transition(document, to=to, allowed=allowed)
    document.status = to
    document.save()
    audit.record(actor=actor, obj=document, action=AuditAction.STATE, before=before, message=message)


def check_transition(document, *, to: str, allowed: set[tuple[str, str]]) -> None:
    if (document.status, to) not in allowed:
        raise TransitionError(
            _("单据当前状态为“%(state)s”，不能变为“%(target)s”。")
            % {"state": document.get_status_display(), "target": dict(document._meta.get_field("status").choices)[to]}
        )


def apply_header(document: PricedDocument, data: dict, fields) -> None:
    """Copy the header ``fields`` present in ``data``; a contact must be one of the customer's."""
    for field in fields:
        if field in data:
            setattr(document, field, data[field])
    if document.contact_id and document.contact.partner_id != document.partner_id:
        message = _("联系人不属于所选客户。")
        raise ApplicationError(message, fields={"contact": [message]})


def check_version(document, expected_version: int | None) -> None:
    """Optimistic concurrency: a save based on an older version than the stored one is refused."""
    if expected_version is not None and int(expected_version) != document.version:
        raise ApplicationError(
            _("该单据已被他人修改（当前版本 %(version)s），请刷新后重新编辑。") % {"version": document.version},
            code="conflict",
        )


def document_facts(document: PricedDocument) -> ApprovalFacts:
    partner = document.partner
    level = partner.level.code if partner.level_id else ""
    return ApprovalFacts(
        amount=document.gross_amount,
        discount_percent=document.max_discount_percent,
        below_min_price=document.below_min_price,
        customer_level=level,
        department_id=document.department_id,
        department_path=document.department.path if document.department_id else None,
    )


def document_snapshot(document: PricedDocument) -> dict:
    """The document as approvers see it and later compare: header fields and the lines."""
    lines = list(document.lines.select_related("product", "unit"))
    fields = [
        [_("客户"), str(document.partner)],
        [_("负责人"), str(document.owner)],
        [_("不含税金额"), format_amount(document.net_amount)],
        [_("税额"), format_amount(document.tax_amount)],
        [_("价税合计"), format_amount(document.gross_amount)],
        [_("最大折扣率（%）"), str(document.max_discount_percent)],
        [_("有低于最低售价的明细"), _("是") if document.below_min_price else _("否")],
        [_("付款条件"), document.payment_terms],
        [_("交货条件"), document.delivery_terms],
        [_("备注"), document.notes],
    ]
    headers = [
        _("商品"),
        _("数量"),
        _("单位"),
        _("含税单价"),
        _("不含税单价"),
        _("折扣率（%）"),
        _("价税合计"),
        _("最低售价（含税）"),
    ]
    rows = [
        [
            str(line.product),
            f"{line.quantity.normalize():f}",
            str(line.unit),
            str(line.unit_price_gross),
            str(line.unit_price_net),
            str(line.discount_percent),
            format_amount(line.gross_amount),
            str(line.min_price) if line.min_price is not None else "",
        ]
        for line in lines
    ]
    return {"fields": fields, "lines": {"headers": headers, "rows": rows}, "taken_at": timezone.now().isoformat()}


def replace_lines(document: PricedDocument, line_model, items: list[LineInput], *, partner, on, new=False) -> list:
    """Delete the document's lines and write ``items`` instead (a draft's lines have no identity worth keeping),
    after validating every one; errors name the line. A ``new`` document, created in this transaction, has no
    lines to delete."""
    if not items:
        raise ValidationError({"lines": _("至少需要一行明细。")})
    pricing = LinePricing.load([item.product for item in items], partner=partner, on=on)
    parent_field = line_model.scope_parent
    lines = []
    errors = {}
    for position, item in enumerate(items, start=1):
        try:
            line = build_line(line_model(**{parent_field: document}), item, pricing=pricing, position=position)
            # Product and unit are rows already loaded (the unit checked against the product's conversions):
            # a query per line to prove they exist would only slow a document of many lines.
            line.full_clean(exclude=[parent_field, "product", "unit"])
        except ValidationError as error:
            messages = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            for texts in messages.values():
                errors.setdefault("lines", []).extend(
                    _("第 %(line)s 行：%(message)s") % {"line": position, "message": text} for text in texts
                )
            continue
        lines.append(line)
    if errors:
        raise ValidationError(errors)
    line_model.objects.filter(**{parent_field: document}).delete()
    line_model.objects.bulk_create(lines)
    return lines
