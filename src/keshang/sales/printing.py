"""Printing and e-mailing quotations: one context for the printable page and the PDF (drawn in ``pdf.py`` with
fpdf2 and Noto Sans SC from the ``pylopdf-fonts-zh-cn`` wheel, embedded and subset, so Chinese renders the same
on every reader). Sensitive contact fields are masked as on screen."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.masking import Masker
from keshang.core.models import AuditAction
from keshang.core.money import amount_in_words, format_amount
from keshang.partners.models import Contact

from .models import Quotation, QuotationStatus
from .quotations import mark_quotation_sent

__all__ = ["quotation_context", "quotation_pdf", "pdf_filename", "send_quotation_email"]


def _price(value) -> str:
    """A unit price to 2 places when it has no more, else as stored (up to 6)."""
    text = format(value.normalize(), "f")
    whole, _dot, fraction = text.partition(".")
    return f"{int(whole):,}.{fraction.ljust(2, '0')}"


def quotation_context(quotation: Quotation, *, user) -> dict:
    contact = quotation.contact
    contact_phone = ""
    if contact is not None:
        # Both numbers go through the masker: a contact with only a landline must not print it in clear.
        masker = Masker(user, Contact)
        contact_phone = masker.value(contact, "mobile") or masker.value(contact, "phone")
    lines = [
        {
            "position": line.position,
            "product": line.product.name,
            "code": line.product.code,
            "specification": line.product.specification,
            "description": line.description,
            "quantity": format(line.quantity.normalize(), "f"),
            "unit": line.unit.name,
            "price_gross": _price(line.unit_price_gross),
            "price_net": _price(line.unit_price_net),
            "discount": format(line.discount_percent.normalize(), "f"),
            "vat": f"{(line.vat_rate * 100).normalize():f}%",
            "amount": format_amount(line.gross_amount),
        }
        for line in quotation.lines.select_related("product", "unit")
    ]
    return {
        "company": settings.KESHANG_COMPANY,
        "quotation": quotation,
        "contact": contact,
        "contact_phone": contact_phone,
        "lines": lines,
        "net_amount": format_amount(quotation.net_amount),
        "tax_amount": format_amount(quotation.tax_amount),
        "gross_amount": format_amount(quotation.gross_amount),
        "amount_in_words": amount_in_words(quotation.gross_amount),
    }


def pdf_filename(quotation: Quotation) -> str:
    return f"quotation-{quotation}.pdf".replace("/", "-")


def quotation_pdf(quotation: Quotation, *, user) -> bytes:
    """The quotation as a PDF (drawn by ``sales.pdf``, imported here: fpdf2 and its font tools take ~30 MB
    that only processes printing something need)."""
    from .pdf import draw_quotation

    return draw_quotation(quotation, quotation_context(quotation, user=user))


@db_task(retries=3, retry_delay=60)
def send_document_email_task(*, subject: str, body: str, to: list[str], filename: str, content: bytes) -> int:
    message = EmailMessage(subject=subject, body=body, to=to)
    message.attach(filename, content, "application/pdf")
    return message.send(fail_silently=False)


def send_quotation_email(*, actor, quotation: Quotation, to: str, subject: str, message: str) -> None:
    """Queue the e-mail with the PDF (drawn now, as the actor may see it); an approved quotation becomes sent.
    A quotation that was never approved is not sent out."""
    if quotation.status not in (QuotationStatus.APPROVED, QuotationStatus.SENT, QuotationStatus.ACCEPTED):
        raise ApplicationError(_("报价单批准后才能发送给客户。"), code="not_approved")
    content = quotation_pdf(quotation, user=actor)
    with transaction.atomic():
        if quotation.status == QuotationStatus.APPROVED:
            quotation = mark_quotation_sent(actor=actor, quotation=quotation)
        audit.record_event(
            actor=actor, obj=quotation, action=AuditAction.UPDATE, message=_("邮件发送至 %(to)s") % {"to": to}
        )
        filename = pdf_filename(quotation)
        transaction.on_commit(
            lambda: send_document_email_task(subject=subject, body=message, to=[to], filename=filename, content=content)
        )
