"""Amendments (补充协议, issue 13): a contract in force is changed by its next revision, never in place.

:func:`amend_contract` makes the revision: a draft with the same number, ``revision`` + 1 (shown ``-A1``,
``-A2`` …), ``revised_from`` the contract in force, its header, lines (exactly as priced) and payment stages
copied. It is edited, submitted and approved like any draft. Once approved (:func:`put_amendment_in_force`, from
the approval callback or an approval-free submission) the old revision becomes 已变更 (``superseded``,
read-only, its lines and stages kept) and the new one takes its place in force, in the same state, with the
orders made under the old one. One open amendment per contract at a time.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keshang.catalog.lines.pricing import copy_lines
from keshang.core import audit
from keshang.core.documents.totals import store_totals
from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction
from keshang.core.scope import recheck_scope

from ..models import Contract, ContractLine, ContractOrder, ContractStatus, PaymentStage

__all__ = ["amend_contract", "open_amendment", "put_amendment_in_force"]

S = ContractStatus
# The parts of a contract its revision copies besides the editable header (CONTRACT_FIELDS).
COPIED_FIELDS = ("exchange_rate", "quotation", "expected_margin", "owner", "department", "expiry_notified_for")


def open_amendment(contract: Contract) -> Contract | None:
    """The amendment of ``contract`` not yet in force (draft or waiting for approval), if any."""
    return Contract.objects.unscoped().filter(revised_from=contract).exclude(status=S.SUPERSEDED).first()


def amend_contract(*, actor, contract: Contract) -> Contract:
    """The next revision of a contract in force, as a draft (see the module's docstring)."""
    # contracts.py declares its workflow with these services and imports this module at its end: import late.
    from .contracts import CONTRACT_FIELDS, CONTRACT_WORKFLOW, _lock

    with transaction.atomic():
        source = _lock(contract, actor)
        CONTRACT_WORKFLOW.check_move(source, CONTRACT_WORKFLOW.get("amend"))
        pending = open_amendment(source)
        if pending is not None:
            raise ApplicationError(
                _("该合同已有未生效的补充协议 %(amendment)s，请先完成或删除它。") % {"amendment": pending},
                code="amendment_open",
            )
        revision = Contract(
            **{field: getattr(source, field) for field in (*CONTRACT_FIELDS, *COPIED_FIELDS)},
            number=source.number,
            revision=source.revision + 1,
            revised_from=source,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        revision.full_clean(exclude=["revised_from"])
        revision.save()
        lines = copy_lines(source.lines.all(), revision, ContractLine)
        PaymentStage.objects.bulk_create(
            PaymentStage(
                contract=revision,
                **{
                    field.name: getattr(stage, field.name)
                    for field in PaymentStage._meta.concrete_fields
                    if field.name not in ("id", "contract", "due_notified_for")
                },
            )
            for stage in source.payment_stages.all()
        )
        store_totals(revision, lines)
        revision.save()
        audit.record(
            actor=actor,
            obj=revision,
            action=AuditAction.CREATE,
            message=_("补充协议：变更 %(source)s") % {"source": source},
        )
        recheck_scope(user=actor, obj=revision)
    return revision


def put_amendment_in_force(contract: Contract, *, actor) -> None:
    """An approved amendment replaces the revision it amends (called under the approval's transaction, with
    ``contract`` locked): the old one becomes 已变更; the new one is in force in the old one's state, from its own
    (amended) dates, with the old one's orders."""
    from .contracts import IN_FORCE, _move, _write_stages

    old = Contract.objects.unscoped().select_for_update().get(pk=contract.revised_from_id)
    if old.status not in IN_FORCE:
        raise ApplicationError(
            _("原合同 %(contract)s 已不在履行中（%(state)s），补充协议不能生效。")
            % {"contract": old, "state": old.get_status_display()},
            code="amended_not_in_force",
        )
    state = old.status
    _move(old, S.SUPERSEDED, actor=actor, message=_("已由补充协议 %(revision)s 变更") % {"revision": contract})
    ContractOrder.objects.filter(contract=old).update(contract=contract)
    before = audit.snapshot(contract)
    contract.effective_date = contract.effective_date or contract.sign_date
    contract.effective_at = timezone.now()
    _move(contract, state, actor=actor, before=before, message=_("补充协议生效，替代 %(source)s") % {"source": old})
    _write_stages(contract, None)
