"""What the services of quotations and sales orders share: header checks, locking, versions, pricing the lines
in the document's currency, and what the approval engine is told about a document."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.catalog.lines.pricing import LineInput, LinePricing, replace_lines
from keshang.core import audit
from keshang.core.approvals import ApprovalFacts
from keshang.core.documents.dates import check_document_date
from keshang.core.documents.totals import TOTAL_FIELDS, store_totals
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction, Currency
from keshang.core.money import format_amount, format_price
from keshang.core.permissions import Action
from keshang.core.selectors import get_rate_to_cny
from keshang.org.services import ensure_default_company
from keshang.partners.models import Partner
from keshang.partners.services import record_partner_deal

from ..models import SalesDocument

__all__ = [
    "check_partner",
    "BACKDATE_RESOURCE",
    "apply_header",
    "lock_document",
    "check_version",
    "validation_exclusions",
    "write_lines",
    "document_facts",
    "document_snapshot",
    "save_new_document",
    "save_changed_document",
    "mark_partner_deal",
]


BACKDATE_RESOURCE = "sales.backdate"


def check_date(document, *, actor, backdate_resource: str = BACKDATE_RESOURCE) -> None:
    """The document's date lies in the open period (``core.documents.dates``); ``backdate_resource``
    (``sales.backdate`` for sales documents) opens earlier dates."""
    field = document.date_field
    check_document_date(on=getattr(document, field), actor=actor, field=field, backdate_resource=backdate_resource)


def check_partner(*, actor, partner) -> None:
    """The counterparty of a sales document (quotation, order, opportunity) is a customer, and one the author may
    change: a supplier-only partner is refused (``not_a_customer``), and so is a customer the author only reads,
    e.g. through a read-only share (``partner_not_writable``). One rule for the forms and the API (issue 12,
    findings 14 and 5). ``actor`` None is the system (demo data, jobs): it has no scope to check."""
    if partner is None:
        return
    if not partner.is_customer:
        message = _("“%(partner)s”不是客户，不能用于销售单据。") % {"partner": partner}
        raise ApplicationError(message, code="not_a_customer", fields={"partner": [message]})
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    if not Partner.objects.visible_to(actor, Action.CHANGE).filter(pk=partner.pk).exists():
        message = _("您对客户“%(partner)s”没有修改权限（例如只读共享），不能为其创建销售单据。") % {"partner": partner}
        raise ApplicationError(message, code="partner_not_writable", fields={"partner": [message]})


def apply_header(document: SalesDocument, data: dict, fields) -> None:
    """Copy the header ``fields`` present in ``data``. The seller is one of our active companies (the default one
    unless chosen); a contact must be one of the customer's; the currency must be one in use, and its rate on the
    document's date is fixed on the document (a missing rate is a clear error, never a silent 1)."""
    for field in fields:
        if field in data:
            setattr(document, field, data[field])
    if document.seller_id is None:
        document.seller = ensure_default_company()
        if document.seller is None:
            message = _("请先在“我方公司”中设置销售方。")
            raise ApplicationError(message, code="no_seller", fields={"seller": [message]})
    elif not document.seller.is_active:
        message = _("销售方“%(company)s”已停用。") % {"company": document.seller}
        raise ApplicationError(message, code="inactive_seller", fields={"seller": [message]})
    if document.contact_id and document.contact.partner_id != document.partner_id:
        message = _("联系人不属于所选客户。")
        raise ApplicationError(message, fields={"contact": [message]})
    document.currency = (document.currency or "CNY").upper()
    if document.currency != "CNY" and not Currency.objects.filter(code=document.currency, is_active=True).exists():
        message = _("币种“%(code)s”未启用。") % {"code": document.currency}
        raise ApplicationError(message, code="invalid_currency", fields={"currency": [message]})
    on = getattr(document, document.date_field) or timezone.localdate()
    try:
        document.exchange_rate = get_rate_to_cny(currency_code=document.currency, on=on)
    except ApplicationError as error:
        raise ApplicationError(error.message, code=error.code, fields={"currency": [error.message]}) from error


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


def check_version(document, expected_version: int | None) -> None:
    """Optimistic concurrency: a save based on an older version than the stored one is refused."""
    if expected_version is not None and int(expected_version) != document.version:
        raise ApplicationError(
            _("该单据已被他人修改（当前版本 %(version)s），请刷新后重新编辑。") % {"version": document.version},
            code="conflict",
        )


def write_lines(document: SalesDocument, line_model, items: list[LineInput], *, on, new: bool = False) -> None:
    """Price ``items`` for the document's customer, date and currency, replace its lines (a ``new`` document has
    none yet) and store its totals."""
    pricing = LinePricing.load(items, partner=document.partner, on=on, rate=document.exchange_rate)
    lines = replace_lines(document, line_model, items, pricing=pricing, new=new)
    store_totals(document, lines)


def save_new_document(
    document: SalesDocument,
    line_model,
    *,
    actor,
    data: dict,
    lines,
    apply,
    message: str = "",
    historic: bool = False,
    check_counterparty=check_partner,
    backdate_resource: str = BACKDATE_RESOURCE,
) -> None:
    """Create a document from its header (``apply`` checks and copies it) and lines: owned by ``data['owner']``
    (the actor by default) in the owner's department, priced, totalled and audited (``message``: where it came
    from, a copy's source). ``historic``: the system records past business (demo data, the benchmark), not held to
    the open period; no request passes it. Another app's documents (contracts) pass their own
    ``check_counterparty(actor=, partner=)`` (a supplier for a purchase contract) and ``backdate_resource``."""
    document.created_by = actor if getattr(actor, "pk", None) else None
    apply(document, data)
    check_counterparty(actor=actor, partner=document.partner)
    if not historic:
        check_date(document, actor=actor, backdate_resource=backdate_resource)
    document.owner = data.get("owner") or actor
    document.department = data.get("department") or document.owner.department
    document.full_clean(exclude=validation_exclusions(document, "number"))
    document.save()
    write_lines(document, line_model, lines, on=getattr(document, document.date_field), new=True)
    document.save(update_fields=TOTAL_FIELDS)
    audit.record(actor=actor, obj=document, action=AuditAction.CREATE, message=message)


def save_changed_document(
    document: SalesDocument,
    line_model,
    *,
    actor,
    data: dict,
    lines,
    apply,
    check_counterparty=check_partner,
    backdate_resource: str = BACKDATE_RESOURCE,
) -> None:
    """Apply a new header and lines to a locked, editable document: priced again, a new version, audited."""
    before = audit.snapshot(document)
    partner_id, on = document.partner_id, getattr(document, document.date_field)
    apply(document, data)
    if document.partner_id != partner_id:
        check_counterparty(actor=actor, partner=document.partner)
    if getattr(document, document.date_field) != on:
        check_date(document, actor=actor, backdate_resource=backdate_resource)
    document.full_clean(exclude=validation_exclusions(document, "number"))
    write_lines(document, line_model, lines, on=getattr(document, document.date_field))
    document.version += 1
    document.save()
    audit.record(actor=actor, obj=document, action=AuditAction.UPDATE, before=before)


def mark_partner_deal(document: SalesDocument, *, on=None) -> None:
    """A confirmed order or an accepted quotation is a deal: the customer's 最近成交 moves forward, so the pool's
    "no deal for N days" recycling leaves a customer who is buying with its owner."""
    record_partner_deal(partner_id=document.partner_id, at=on or timezone.now())


def document_facts(document: SalesDocument) -> ApprovalFacts:
    partner = document.partner
    level = partner.level.code if partner.level_id else ""
    return ApprovalFacts(
        # Flows compare amounts in CNY: a USD order of 20,000 is a CNY order of about 140,000.
        amount=document.gross_amount_cny,
        discount_percent=document.max_discount_percent,
        below_min_price=document.below_min_price,
        customer_level=level,
        department_id=document.department_id,
        department_path=document.department.path if document.department_id else None,
    )


def document_snapshot(document: SalesDocument) -> dict:
    """The document as approvers see it and later compare: header fields and the lines."""
    lines = list(document.lines.select_related("product", "unit"))
    fields = [
        [_("销售方"), str(document.seller)],
        [_("客户"), str(document.partner)],
        [_("负责人"), str(document.owner)],
        [_("币种"), document.currency],
        [_("不含税金额"), format_amount(document.net_amount)],
        [_("税额"), format_amount(document.tax_amount)],
        [_("价税合计"), format_amount(document.gross_amount)],
        [_("最大折扣率（%）"), str(document.max_discount_percent)],
        [_("有低于最低售价的明细"), _("是") if document.below_min_price else _("否")],
        [_("付款条件"), document.payment_terms],
        [_("交货条件"), document.delivery_terms],
        [_("备注"), document.notes],
    ]
    if document.currency != "CNY":
        fields.insert(6, [_("价税合计（人民币）"), format_amount(document.gross_amount_cny)])
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
            format_price(line.unit_price_gross),
            format_price(line.unit_price_net),
            str(line.discount_percent),
            format_amount(line.gross_amount),
            format_price(line.min_price) if line.min_price is not None else "",
        ]
        for line in lines
    ]
    return {"fields": fields, "lines": {"headers": headers, "rows": rows}, "taken_at": timezone.now().isoformat()}
