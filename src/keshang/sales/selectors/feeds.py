"""What sales gives the shared pages through their registries (registered in ``apps.py``): events for a customer's,
a contact's and an opportunity's timeline, hits for the global search, and quotations about to expire for the home
page's reminders. Every read goes through the reader's data scope."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from keshang.core.deadlines import Deadline
from keshang.core.money import format_amount
from keshang.core.search import SearchHit
from keshang.core.timeline import TimelineEvent

from ..models import QuotationStatus
from .documents import list_quotations, list_sales_orders
from .opportunities import list_opportunities, list_stage_changes

__all__ = [
    "partner_quotation_events",
    "partner_order_events",
    "partner_opportunity_events",
    "contact_quotation_events",
    "contact_order_events",
    "opportunity_events",
    "search_quotations",
    "search_orders",
    "search_opportunities",
    "expiring_quotations",
]

# The moments of a document worth a line on a timeline: (field, what happened).
QUOTATION_MOMENTS = (
    ("created_at", "创建"),
    ("submitted_at", "提交"),
    ("approved_at", "批准"),
    ("sent_at", "发送给客户"),
    ("closed_at", "客户答复"),
)
ORDER_MOMENTS = (("created_at", "创建"), ("confirmed_at", "确认"), ("closed_at", "关闭"), ("cancelled_at", "取消"))


def _document_events(documents, *, kind: str, moments, url_name: str) -> list[TimelineEvent]:
    events = []
    for document in documents:
        url = reverse(url_name, args=[document.pk])
        for field, what in moments:
            at = getattr(document, field, None)
            if at is None:
                continue
            title = f"{document} {_(what)}"
            amount = f"{format_amount(document.gross_amount)} {document.currency}"
            detail = f"{_('价税合计')} {amount} · {document.get_status_display()}"
            events.append(
                TimelineEvent(at=at, kind=kind, title=title, url=url, actor=str(document.owner), detail=detail)
            )
    return events


def _quotation_events(*, user, limit: int, **where) -> list[TimelineEvent]:
    """The quotations the reader may see that match ``where``, each with the moments it went through."""
    quotations = list_quotations(user=user).filter(**where).order_by("-pk")[:limit]
    return _document_events(quotations, kind=_("报价单"), moments=QUOTATION_MOMENTS, url_name="sales:quotation_detail")


def _order_events(*, user, limit: int, **where) -> list[TimelineEvent]:
    orders = list_sales_orders(user=user).filter(**where).order_by("-pk")[:limit]
    return _document_events(orders, kind=_("销售订单"), moments=ORDER_MOMENTS, url_name="sales:salesorder_detail")


def partner_quotation_events(partner, *, user, limit: int) -> list[TimelineEvent]:
    return _quotation_events(user=user, limit=limit, partner=partner)


def partner_order_events(partner, *, user, limit: int) -> list[TimelineEvent]:
    return _order_events(user=user, limit=limit, partner=partner)


def contact_quotation_events(contact, *, user, limit: int) -> list[TimelineEvent]:
    """The quotations addressed to the contact (their 联系人)."""
    return _quotation_events(user=user, limit=limit, contact=contact)


def contact_order_events(contact, *, user, limit: int) -> list[TimelineEvent]:
    return _order_events(user=user, limit=limit, contact=contact)


def _stage_events(changes) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            at=change.changed_at,
            kind=_("商机"),
            title=f"{change.opportunity}：{change.from_stage or _('新建')} → {change.to_stage}",
            url=reverse("sales:opportunity_detail", args=[change.opportunity_id]),
            actor=str(change.changed_by or ""),
        )
        for change in changes
    ]


def partner_opportunity_events(partner, *, user, limit: int) -> list[TimelineEvent]:
    changes = list_stage_changes(user=user).filter(opportunity__partner=partner).order_by("-changed_at")[:limit]
    return _stage_events(changes)


def opportunity_events(opportunity, *, user, limit: int) -> list[TimelineEvent]:
    """An opportunity's stage moves and the quotations made for it."""
    changes = list_stage_changes(user=user).filter(opportunity=opportunity).order_by("-changed_at")[:limit]
    quotations = list_quotations(user=user).filter(opportunity=opportunity).order_by("-pk")[:limit]
    return [
        *_stage_events(changes),
        *_document_events(quotations, kind=_("报价单"), moments=QUOTATION_MOMENTS, url_name="sales:quotation_detail"),
    ]


def _document_hits(documents, url_name: str) -> list[SearchHit]:
    return [
        SearchHit(
            title=str(document),
            url=reverse(url_name, args=[document.pk]),
            detail=f"{document.partner} · {format_amount(document.gross_amount)} {document.currency} · "
            f"{document.get_status_display()}",
        )
        for document in documents
    ]


def _number_or_customer(query: str) -> Q:
    return Q(number__icontains=query) | Q(partner__name__icontains=query)


def search_quotations(query: str, *, user, limit: int) -> list[SearchHit]:
    found = list_quotations(user=user).filter(_number_or_customer(query)).order_by("-pk")[:limit]
    return _document_hits(found, "sales:quotation_detail")


def search_orders(query: str, *, user, limit: int) -> list[SearchHit]:
    found = list_sales_orders(user=user).filter(_number_or_customer(query)).order_by("-pk")[:limit]
    return _document_hits(found, "sales:salesorder_detail")


def search_opportunities(query: str, *, user, limit: int) -> list[SearchHit]:
    found = list_opportunities(user=user).filter(Q(name__icontains=query) | Q(partner__name__icontains=query))
    return [
        SearchHit(
            title=opportunity.name,
            url=reverse("sales:opportunity_detail", args=[opportunity.pk]),
            detail=f"{opportunity.partner} · {opportunity.stage}",
        )
        for opportunity in found.order_by("-updated_at", "-pk")[:limit]
    ]


def expiring_quotations(*, user, today: datetime.date, until: datetime.date) -> list[Deadline]:
    """Quotations out with the customer (approved or sent) whose validity ends by ``until``: the rep follows up
    or revises before they lapse. Only those the reader may change — it is their follow-up to make."""
    due = (
        list_quotations(user=user, action="change")
        .filter(status__in=(QuotationStatus.APPROVED, QuotationStatus.SENT), valid_until__lte=until)
        .order_by("valid_until", "pk")[:50]
    )
    return [
        Deadline(
            due=quotation.valid_until,
            kind=_("报价到期"),
            title=f"{quotation} · {quotation.partner}",
            url=reverse("sales:quotation_detail", args=[quotation.pk]),
        )
        for quotation in due
    ]
