"""Printing and e-mailing quotations and orders: each builds one ``PrintLayout`` that the printable page and the
PDF both draw (``core.documents.printing``), with the seller (one of our companies: name, credit code, address,
bank) at the top. A document that does not bind us yet — a draft, one waiting for approval, a cancelled or
superseded one — prints with a watermark saying so and without the seller's seal. Sensitive contact fields are
masked as on screen."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from huey.contrib.djhuey import db_task

from keshang.core import audit
from keshang.core.attachments import attachment_url_name
from keshang.core.documents.printing import PrintColumn, PrintLayout, render_pdf
from keshang.core.exceptions import ApplicationError
from keshang.core.masking import Masker
from keshang.core.models import AuditAction
from keshang.core.money import amount_in_words_for, format_amount, format_price
from keshang.core.permissions import Action
from keshang.partners.models import Contact

from ..models import Quotation, QuotationStatus, SalesDocument, SalesOrder, SalesOrderStatus
from .documents import lock_document
from .quotations import mark_quotation_sent

__all__ = ["document_layout", "quotation_layout", "order_layout", "send_quotation_email", "SENDABLE_STATES"]

SENDABLE_STATES = (QuotationStatus.APPROVED, QuotationStatus.SENT, QuotationStatus.ACCEPTED)

COLUMNS = (
    PrintColumn(gettext_lazy("序号"), 10, "CENTER"),
    PrintColumn(gettext_lazy("商品"), 46),
    PrintColumn(gettext_lazy("规格型号"), 34),
    PrintColumn(gettext_lazy("数量"), 16, "RIGHT"),
    PrintColumn(gettext_lazy("单位"), 11, "CENTER"),
    PrintColumn(gettext_lazy("含税单价"), 24, "RIGHT"),
    PrintColumn(gettext_lazy("折扣%"), 13, "RIGHT"),
    PrintColumn(gettext_lazy("价税合计"), 26, "RIGHT"),
)


def _watermark(document: SalesDocument) -> str:
    if document.status == "draft":
        return _("草稿")
    if document.status == "submitted":
        return _("未审批")
    if document.status in (
        QuotationStatus.SUPERSEDED,
        QuotationStatus.EXPIRED,
        QuotationStatus.REJECTED,
        SalesOrderStatus.CANCELLED,
    ):
        return document.get_status_display()
    return ""


def _contact_text(document: SalesDocument, user) -> str:
    contact = document.contact
    if contact is None:
        return ""
    # Both numbers go through the masker: a contact with only a landline must not print it in clear.
    masker = Masker(user, Contact)
    phone = masker.value(contact, "mobile") or masker.value(contact, "phone")
    return f"{contact.name} {phone}".strip()


def document_layout(
    document,
    *,
    user,
    title: str,
    number_label: str,
    header: list,
    signatures: list,
    terms: list | None = None,
    watermark: str | None = None,
):
    """The print of a priced document with product lines sold by one of our companies (a quotation, an order, a
    contract): ``terms`` are printed after the document's own payment and delivery terms; ``watermark`` None
    lets the sales states decide."""
    columns = [PrintColumn(str(column.label), column.width, column.align) for column in COLUMNS]
    rows = [
        [
            str(line.position),
            line.product.name + (f"\n{line.description}" if line.description else ""),
            line.product.specification,
            format(line.quantity.normalize(), ",f"),  # 1,200 as on the page
            line.unit.name,
            format_price(line.unit_price_gross),
            format(line.discount_percent.normalize(), "f"),
            format_amount(line.gross_amount),
        ]
        for line in document.lines.select_related("product", "unit")
    ]
    currency = document.currency
    suffix = "" if currency == "CNY" else f"（{currency}）"
    totals = [
        (_("不含税金额") + suffix, format_amount(document.net_amount)),
        (_("税额") + suffix, format_amount(document.tax_amount)),
        (_("价税合计") + suffix, format_amount(document.gross_amount)),
    ]
    extra_terms = terms or []
    terms = [
        (label, value)
        for label, value in (
            (_("付款条件"), document.payment_terms),
            (_("交货条件"), document.delivery_terms),
            (_("备注"), document.notes),
        )
        if value
    ]
    terms.extend(extra_terms)
    if currency != "CNY":
        terms.insert(0, (_("币种"), f"{currency}（{_('汇率')} {document.exchange_rate.normalize():f}）"))
    name = f"{document._meta.app_label}:{document._meta.model_name}"
    watermark = _watermark(document) if watermark is None else watermark
    seal = document.seller.seal if not watermark else None
    return PrintLayout(
        title=title,
        number=str(document),
        seller=document.seller.print_block(currency=currency),
        header=[(number_label, str(document)), *header],
        columns=columns,
        rows=rows,
        totals=totals,
        amount_in_words=amount_in_words_for(document.gross_amount, currency),
        terms=terms,
        signatures=signatures,
        watermark=watermark,
        filename=f"{title}-{document}.pdf".replace("/", "-"),
        back_url=reverse(f"{name}_detail", args=[document.pk]),
        pdf_url=reverse(f"{name}_pdf", args=[document.pk]),
        seal_path=seal.file.path if seal else "",
        seal_url=reverse(attachment_url_name(type(document.seller), "download"), args=[document.seller_id, seal.pk])
        if seal
        else "",
    )


def quotation_layout(quotation: Quotation, *, user) -> PrintLayout:
    seller = quotation.seller.name
    return document_layout(
        quotation,
        user=user,
        title=_("报价单"),
        number_label=_("报价单号"),
        header=[
            (_("报价日期"), quotation.quote_date.isoformat()),
            (_("客户"), str(quotation.partner)),
            (_("有效期至"), quotation.valid_until.isoformat()),
            (_("联系人"), _contact_text(quotation, user)),
            (_("业务员"), str(quotation.owner)),
        ],
        signatures=[_("报价方（盖章）：%(name)s") % {"name": seller}, _("客户确认（盖章）：")],
    )


def order_layout(order: SalesOrder, *, user) -> PrintLayout:
    seller = order.seller.name
    return document_layout(
        order,
        user=user,
        title=_("销售订单"),
        number_label=_("订单号"),
        header=[
            (_("订单日期"), order.order_date.isoformat()),
            (_("客户"), str(order.partner)),
            (_("交货日期"), order.delivery_date.isoformat() if order.delivery_date else ""),
            (_("联系人"), _contact_text(order, user)),
            (_("收货地址"), order.delivery_address),
            (_("业务员"), str(order.owner)),
            (_("来源报价单"), str(order.quotation) if order.quotation_id else ""),
        ],
        signatures=[_("供方（盖章）：%(name)s") % {"name": seller}, _("需方确认（盖章）：")],
    )


@db_task(retries=3, retry_delay=60)
def send_document_email_task(*, subject: str, body: str, to: list[str], filename: str, content: bytes) -> int:
    message = EmailMessage(subject=subject, body=body, to=to)
    message.attach(filename, content, "application/pdf")
    return message.send(fail_silently=False)


def send_quotation_email(*, actor, quotation: Quotation, to: str, subject: str, message: str) -> None:
    """Queue the e-mail with the PDF (drawn now, as the actor may see it); an approved quotation becomes sent.
    A quotation that was never approved is not sent out. The row is read under lock first, so what is checked is
    what is drawn and sent, even if it was revised or withdrawn a moment ago."""
    with transaction.atomic():
        quotation = lock_document(quotation, actor=actor, action=Action.VIEW)
        if quotation.status not in SENDABLE_STATES:
            raise ApplicationError(_("报价单批准后才能发送给客户。"), code="not_approved")
        layout = quotation_layout(quotation, user=actor)
        content = render_pdf(layout)
        if quotation.status == QuotationStatus.APPROVED:
            quotation = mark_quotation_sent(actor=actor, quotation=quotation)
        audit.record_event(
            actor=actor, obj=quotation, action=AuditAction.UPDATE, message=_("邮件发送至 %(to)s") % {"to": to}
        )
        filename = layout.filename
        transaction.on_commit(
            lambda: send_document_email_task(subject=subject, body=message, to=[to], filename=filename, content=content)
        )
