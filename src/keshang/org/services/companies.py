"""Writes of our own companies and their bank accounts: one transaction each, audited; one default company."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.identifiers import normalize_credit_code
from keshang.core.models import Attachment, AuditAction, Currency
from keshang.core.services import delete_instance, save_instance

from ..models import Company, CompanyBankAccount
from ..selectors.companies import default_company

__all__ = [
    "COMPANY_FIELDS",
    "save_company",
    "delete_company",
    "save_company_bank_account",
    "delete_company_bank_account",
    "ensure_default_company",
]

COMPANY_FIELDS = (
    "name",
    "short_name",
    "credit_code",
    "legal_representative",
    "address",
    "phone",
    "email",
    "seal",
    "is_default",
    "is_active",
    "notes",
)


def _check_seal(company: Company, seal: Attachment | None) -> None:
    """The seal is one of the company's own image attachments."""
    if seal is None:
        return
    own = company.pk and seal.object_id == company.pk and seal.content_type.model_class() is Company
    if not own or not seal.mime_type.startswith("image/"):
        raise ValidationError({"seal": _("请选择本公司附件中的图片。")}, code="invalid_seal")


def save_company(*, actor, instance: Company | None = None, data: dict) -> Company:
    """Create or change a company. Its credit code is normalised (pasted with spaces is fine) and checked; making
    it the default takes the flag from the previous default in the same transaction."""
    unknown = set(data) - set(COMPANY_FIELDS)
    if unknown:
        raise ValueError(f"unknown company fields: {sorted(unknown)}")
    data = dict(data)
    if "credit_code" in data:
        try:
            data["credit_code"] = normalize_credit_code(data["credit_code"] or "") or None
        except ValidationError as error:
            raise ValidationError({"credit_code": error.messages}, code=error.code) from error
    with transaction.atomic():
        company = instance or Company()
        _check_seal(company, data.get("seal", company.seal if company.pk else None))
        if data.get("is_default"):
            # Every company row locked: two administrators making two companies the default wait for each other.
            others = Company.objects.select_for_update().order_by("pk").exclude(pk=company.pk)
            _take_default_from(list(others), actor=actor)
        return save_instance(actor=actor, instance=company, data=data)


def _take_default_from(rows, *, actor, related=None) -> None:
    """One default at a time: those of ``rows`` (locked by the caller) marked default lose the mark, audited."""
    for previous in rows:
        if previous.is_default:
            before = audit.snapshot(previous)
            previous.is_default = False
            previous.save(update_fields=["is_default", "updated_at"])
            audit.record(actor=actor, obj=previous, action=AuditAction.UPDATE, before=before, related=related)


def delete_company(*, actor, instance: Company) -> None:
    """A company no document names may be deleted (documents protect theirs); the default may not."""
    if instance.is_default:
        raise ValidationError({"is_default": _("默认销售方不能删除，请先将其他公司设为默认。")}, code="default_company")
    delete_instance(actor=actor, instance=instance)


def _check_currency(data: dict) -> None:
    """An account holds one of the currencies in use (what documents are written in): RMB or USDD is a typo."""
    if "currency" not in data:
        return
    code = data["currency"] = (data["currency"] or "").strip().upper()
    if code != "CNY" and not Currency.objects.filter(code=code, is_active=True).exists():
        raise ValidationError({"currency": _("币种“%(code)s”未启用。") % {"code": code}}, code="invalid_currency")


def save_company_bank_account(
    *, actor, company: Company, account: CompanyBankAccount | None = None, data: dict
) -> CompanyBankAccount:
    data = dict(data)
    _check_currency(data)
    with transaction.atomic():
        # The company's row locked first: concurrent saves of its accounts take turns, so one default stays one.
        Company.objects.select_for_update().get(pk=company.pk)
        account = account or CompanyBankAccount(company=company)
        if data.get("is_default"):
            others = CompanyBankAccount.objects.select_for_update().filter(company=company).exclude(pk=account.pk)
            _take_default_from(list(others), actor=actor, related=company)
        is_new = account.pk is None
        before = None if is_new else audit.snapshot(CompanyBankAccount.objects.get(pk=account.pk))
        for field, value in data.items():
            setattr(account, field, value)
        account.full_clean()
        account.save()
        audit.record(
            actor=actor,
            obj=account,
            action=AuditAction.CREATE if is_new else AuditAction.UPDATE,
            before=before,
            related=company,
        )
    return account


def delete_company_bank_account(*, actor, account: CompanyBankAccount) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor, obj=account, action=AuditAction.DELETE, before=audit.snapshot(account), related=account.company
        )
        account.delete()


def ensure_default_company() -> Company | None:
    """The seller a new document starts with. Every installation sells as someone: while no company exists at all
    (a new installation), the company the settings name (KESHANG_COMPANY_NAME …) is made the default, as the
    system; once any exists the administrators own the list, and None means none is active."""
    company = default_company()
    if company is not None or Company.objects.exists():
        return company
    configured = settings.KESHANG_COMPANY
    with transaction.atomic():
        company = Company.objects.create(
            name=configured["name"], address=configured["address"], phone=configured["phone"], is_default=True
        )
        audit.record(actor=None, obj=company, action=AuditAction.CREATE, user_name="setup")
    return company
