"""归档 (issue 13): a contract both sides signed is archived with its final file under a GD number; the paper copy's
place (柜 / 盒) is noted, and its loans (借阅) are recorded. An archived contract is never deleted."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.core import audit
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.core.numbering import next_number

from ..models import Contract, ContractArchive, ContractDocument, ContractLoan

__all__ = ["archive_contract", "update_archive_location", "lend_archive", "return_loan"]


def archive_contract(*, contract: Contract, document: ContractDocument, actor) -> ContractArchive:
    """Archive the contract (locked by the caller) with its final document; once."""
    if ContractArchive.objects.filter(contract=contract).exists():
        raise ApplicationError(_("该合同已归档。"), code="already_archived")
    archive = ContractArchive(
        contract=contract,
        number=next_number("GD", on=timezone.localdate()),
        document=document,
        sha256=document.sha256,
        archived_by=actor if getattr(actor, "pk", None) else None,
    )
    archive.full_clean()
    archive.save()
    audit.record(actor=actor, obj=archive, action=AuditAction.CREATE, message=_("合同归档"))
    return archive


def _lock(archive: ContractArchive) -> ContractArchive:
    return ContractArchive.objects.unscoped().select_for_update().get(pk=archive.pk)


def update_archive_location(*, actor, archive: ContractArchive, cabinet: str, box: str, notes: str) -> ContractArchive:
    with transaction.atomic():
        archive = _lock(archive)
        before = audit.snapshot(archive)
        archive.cabinet, archive.box, archive.notes = cabinet.strip()[:50], box.strip()[:50], notes.strip()
        archive.full_clean()
        archive.save(update_fields=["cabinet", "box", "notes"])
        audit.record(actor=actor, obj=archive, action=AuditAction.UPDATE, before=before)
    return archive


def lend_archive(*, actor, archive: ContractArchive, borrower, due_on: datetime.date, purpose: str) -> ContractLoan:
    """借出 the paper copy: one loan at a time."""
    with transaction.atomic():
        archive = _lock(archive)
        if archive.loans.filter(returned_at__isnull=True).exists():
            raise ApplicationError(_("该合同已借出，尚未归还。"), code="already_lent")
        if due_on < timezone.localdate():
            message = _("应还日期不能早于今天。")
            raise ApplicationError(message, code="invalid_dates", fields={"due_on": [message]})
        loan = ContractLoan(archive=archive, borrower=borrower, due_on=due_on, purpose=purpose.strip()[:200])
        loan.full_clean()
        loan.save()
        audit.record(
            actor=actor,
            obj=archive,
            action=AuditAction.UPDATE,
            after={},
            message=_("借出：%(who)s") % {"who": borrower},
        )
    return loan


def return_loan(*, actor, archive: ContractArchive) -> ContractLoan:
    """归还 the paper copy lent out."""
    with transaction.atomic():
        archive = _lock(archive)
        loan = archive.loans.filter(returned_at__isnull=True).first()
        if loan is None:
            raise ApplicationError(_("该合同没有未归还的借阅。"), code="not_lent")
        loan.returned_at = timezone.now()
        loan.save(update_fields=["returned_at"])
        audit.record(
            actor=actor,
            obj=archive,
            action=AuditAction.UPDATE,
            after={},
            message=_("归还：%(who)s") % {"who": loan.borrower},
        )
    return loan
