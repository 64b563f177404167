"""Contracts (合同): every write and the moves of their workflow, declared once in :data:`CONTRACT_WORKFLOW`.

draft → submitted (the approval engine) → approved → signing → effective → executing → completed, and
terminated (with a reason) or expired. The number (CS202612-00001, per kind) is given on first submission.
The header, lines and pricing are the sales documents' (``sales.services.documents``, ``catalog.lines``): a
contract's line is priced exactly as a quotation's for the same inputs. A purchase, packing or processing
contract is made with a supplier at the prices typed on it (the catalog's prices are selling prices).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keshang.catalog.lines.pricing import LineInput, copy_lines
from keshang.core import audit
from keshang.core.approvals import submit_for_approval
from keshang.core.documents.totals import store_totals
from keshang.core.documents.workflow import Move, Workflow, approval_moves
from keshang.core.exceptions import ApplicationError
from keshang.core.models import ApprovalStatus, AuditAction
from keshang.core.money import quantize_amount
from keshang.core.numbering import next_number
from keshang.core.permissions import Action
from keshang.core.scope import recheck_scope
from keshang.partners.models import Partner
from keshang.sales.models import Quotation, QuotationStatus, SalesOrder, SalesOrderStatus
from keshang.sales.services.documents import (
    apply_header,
    check_partner,
    check_version,
    lock_document,
    save_changed_document,
    save_new_document,
    validation_exclusions,
)

from ..models import (
    SALES_KINDS,
    Contract,
    ContractArchive,
    ContractKind,
    ContractLine,
    ContractOrder,
    ContractStatus,
    PaymentStage,
)
from ..models.contracts import NUMBER_PREFIX
from .stages import StageInput, build_stages
from .templates import default_template_for

__all__ = [
    "CONTRACT_WORKFLOW",
    "CONTRACT_FIELDS",
    "BACKDATE_RESOURCE",
    "create_contract",
    "create_contract_from_quotation",
    "create_contract_from_order",
    "update_contract",
    "set_payment_stages",
    "delete_contract",
    "submit_contract",
    "withdraw_contract",
    "contract_approved",
    "record_signed",
    "effect_signed",
    "lock_contract",
    "terminate_contract",
    "complete_contract",
    "expire_contracts",
    "stage_events",
]

S = ContractStatus
BACKDATE_RESOURCE = "contracts.backdate"
CONTRACT_FIELDS = (
    "kind",
    "category",
    "title",
    "seller",
    "partner",
    "contact",
    "partner_signer",
    "our_signer",
    "currency",
    "sign_date",
    "effective_date",
    "end_date",
    "sign_place",
    "capped",
    "payment_terms",
    "delivery_terms",
    "notes",
    "template",
)
EDITABLE_STATES = (S.DRAFT,)
# A contract in force: orders are made under it, it may be terminated, it expires at its end date.
IN_FORCE = (S.EFFECTIVE, S.EXECUTING)


def check_contract_partner(*, actor, partner, kind: str = ContractKind.SALES) -> None:
    """The other party is a customer for the sales kinds (the sales documents' rule: a customer the author may
    change) and a supplier for the others, which the author may change too."""
    if partner is None:
        return
    if kind in SALES_KINDS:
        check_partner(actor=actor, partner=partner)
        return
    if not partner.is_supplier:
        message = _("“%(partner)s”不是供应商，不能用于采购、包装或加工合同。") % {"partner": partner}
        raise ApplicationError(message, code="not_a_supplier", fields={"partner": [message]})
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    if not Partner.objects.visible_to(actor, Action.CHANGE).filter(pk=partner.pk).exists():
        message = _("您对“%(partner)s”没有修改权限（例如只读共享），不能为其创建合同。") % {"partner": partner}
        raise ApplicationError(message, code="partner_not_writable", fields={"partner": [message]})


def _lock(contract: Contract, actor, action: str = Action.CHANGE) -> Contract:
    return lock_document(contract, actor=actor, action=action)


def _move(contract: Contract, to: str, *, actor, message: str = "", before: dict | None = None) -> None:
    CONTRACT_WORKFLOW.move(contract, to, actor=actor, message=message, before=before)


def _apply(contract: Contract, data: dict) -> None:
    apply_header(contract, data, CONTRACT_FIELDS)
    if contract.kind not in ContractKind.values:
        message = _("合同类型无效。")
        raise ApplicationError(message, code="invalid_kind", fields={"kind": [message]})
    if contract.category_id and contract.category.kind and contract.category.kind != contract.kind:
        message = _("分类“%(category)s”不适用于%(kind)s。") % {
            "category": contract.category,
            "kind": contract.get_kind_display(),
        }
        raise ApplicationError(message, code="invalid_category", fields={"category": [message]})
    if contract.effective_date and contract.end_date and contract.end_date < contract.effective_date:
        message = _("到期日期不能早于生效日期。")
        raise ApplicationError(message, code="invalid_dates", fields={"end_date": [message]})
    if contract.capped and contract.kind != ContractKind.FRAMEWORK:
        contract.capped = False
    _apply_template(contract, data)


def _apply_template(contract: Contract, data: dict) -> None:
    """A contract (new, or a draft saved) without a template takes its kind's (and category's) default; a chosen one
    must be an active template of the contract's kind (issue 13, templates)."""
    if contract.template_id and "template" not in data and contract.template.kind != contract.kind:
        contract.template = None  # the kind changed: the new kind's default
    if not contract.template_id:
        contract.template = default_template_for(kind=contract.kind, category=contract.category)
    elif "template" in data and contract.template_id:
        template = contract.template
        if template.kind != contract.kind or not template.is_active:
            message = _("模板“%(template)s”不适用于%(kind)s。") % {
                "template": template,
                "kind": contract.get_kind_display(),
            }
            raise ApplicationError(message, code="invalid_template", fields={"template": [message]})


def _check_lines(kind: str, lines: Sequence[LineInput]) -> None:
    """A purchase, packing or processing contract states the price we pay: the catalog's are selling prices."""
    if kind in SALES_KINDS:
        return
    missing = [str(position) for position, item in enumerate(lines, start=1) if item.unit_price is None]
    if missing:
        message = _("采购、包装和加工合同须填写每行单价（第 %(lines)s 行未填写）。") % {"lines": "、".join(missing)}
        raise ApplicationError(message, code="price_required", fields={"lines": [message]})


def _checks(kind: str):
    """The header's counterparty check for a contract of ``kind``."""

    def check(*, actor, partner):
        check_contract_partner(actor=actor, partner=partner, kind=kind)

    return check


def expected_margin(contract: Contract) -> Decimal | None:
    """What a sales contract should earn, in CNY: its amount less its products' cost prices (both with VAT);
    None when a product has no cost price, or for purchases."""
    if contract.kind not in SALES_KINDS:
        return None
    cost = Decimal("0")
    for line in contract.lines.select_related("product"):
        if line.product.cost_price is None:
            return None
        cost += line.product.cost_price * line.quantity * line.unit_factor
    return quantize_amount(contract.gross_amount_cny - cost)


def stage_events(contract: Contract) -> dict[str, datetime.date]:
    """The triggers that have happened, with their dates: signing now; shipment, sign-off, acceptance and
    invoicing when inventory and finance report them (issues 14 and 16)."""
    return {"signed": contract.sign_date} if contract.status in (*IN_FORCE, S.COMPLETED) else {}


def _write_stages(contract: Contract, stages: Sequence[StageInput] | None, *, events=None) -> None:
    """Replace the stages (None keeps them, recomputed for the contract's amount and events as they are now)."""
    if stages is None:
        stages = [StageInput.from_stage(stage) for stage in contract.payment_stages.all()]
    rows = build_stages(contract, stages, events=stage_events(contract) if events is None else events)
    PaymentStage.objects.filter(contract=contract).delete()
    PaymentStage.objects.bulk_create(rows)


def _after_lines(contract: Contract, stages: Sequence[StageInput] | None) -> None:
    contract.expected_margin = expected_margin(contract)
    contract.save(update_fields=["expected_margin"])
    _write_stages(contract, stages)


def create_contract(
    *,
    actor,
    data: dict,
    lines: list[LineInput],
    stages: Sequence[StageInput] = (),
    quotation: Quotation | None = None,
    historic: bool = False,
    message: str = "",
) -> Contract:
    """A draft contract (``historic``: the system recording past business, e.g. demo data)."""
    kind = data.get("kind") or ContractKind.SALES
    _check_lines(kind, lines)
    with transaction.atomic():
        contract = Contract(quotation=quotation)
        data = {"sign_date": timezone.localdate(), **data}
        save_new_document(
            contract,
            ContractLine,
            actor=actor,
            data=data,
            lines=lines,
            apply=_apply,
            historic=historic,
            message=message,
            check_counterparty=_checks(kind),
            backdate_resource=BACKDATE_RESOURCE,
        )
        _after_lines(contract, stages)
    return contract


def create_contract_from_quotation(*, actor, quotation: Quotation) -> Contract:
    """A draft sales contract with an approved or accepted quotation's customer, terms and lines, as priced."""
    with transaction.atomic():
        quotation = Quotation.objects.visible_to(actor, Action.VIEW).select_for_update().get(pk=quotation.pk)
        if quotation.status not in (QuotationStatus.APPROVED, QuotationStatus.SENT, QuotationStatus.ACCEPTED):
            raise ApplicationError(_("只有已批准或客户已接受的报价单才能生成合同。"), code="quotation_not_approved")
        contract = _copy_into_contract(
            actor=actor, source=quotation, quotation=quotation, message=_("由报价单 %(q)s 生成") % {"q": quotation}
        )
    return contract


def create_contract_from_order(*, actor, order: SalesOrder) -> Contract:
    """A draft sales contract for a sales order (its customer, terms and lines as priced); the order is then
    made under the contract."""
    with transaction.atomic():
        order = SalesOrder.objects.visible_to(actor, Action.VIEW).select_for_update().get(pk=order.pk)
        if order.status == SalesOrderStatus.CANCELLED:
            raise ApplicationError(_("已取消的订单不能生成合同。"), code="order_cancelled")
        if ContractOrder.objects.filter(order=order).exists():
            raise ApplicationError(_("该订单已关联合同。"), code="order_has_contract")
        contract = _copy_into_contract(
            actor=actor, source=order, quotation=order.quotation, message=_("由销售订单 %(o)s 生成") % {"o": order}
        )
        ContractOrder.objects.create(contract=contract, order=order)
    return contract


def _copy_into_contract(*, actor, source, quotation, message: str) -> Contract:
    check_contract_partner(actor=actor, partner=source.partner)
    contract = Contract(
        kind=ContractKind.SALES,
        title=_("%(partner)s 销售合同") % {"partner": source.partner.name},
        seller=source.seller,
        partner=source.partner,
        contact=source.contact,
        quotation=quotation,
        currency=source.currency,
        sign_date=timezone.localdate(),
        payment_terms=source.payment_terms,
        delivery_terms=source.delivery_terms,
        notes=source.notes,
        owner=source.owner,
        department=source.department,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    apply_header(contract, {}, ())
    contract.title = contract.title[:200]
    contract.full_clean(exclude=validation_exclusions(contract, "number"))
    contract.save()
    lines = copy_lines(source.lines.all(), contract, ContractLine)
    store_totals(contract, lines)
    contract.save()
    _after_lines(contract, ())
    audit.record(actor=actor, obj=contract, action=AuditAction.CREATE, message=message)
    recheck_scope(user=actor, obj=contract, action=Action.VIEW)
    return contract


def update_contract(
    *,
    actor,
    contract: Contract,
    data: dict,
    lines: list[LineInput],
    stages: Sequence[StageInput] | None = None,
    expected_version: int | None = None,
) -> Contract:
    """Change a draft. ``stages`` None keeps the stages (their amounts follow the new total)."""
    with transaction.atomic():
        contract = _lock(contract, actor)
        check_version(contract, expected_version)
        if contract.status not in EDITABLE_STATES:
            raise ApplicationError(_("只有草稿合同可以修改；已生效的合同请签订补充协议。"), code="not_editable")
        kind = data.get("kind", contract.kind)
        _check_lines(kind, lines)
        save_changed_document(
            contract,
            ContractLine,
            actor=actor,
            data=data,
            lines=lines,
            apply=_apply,
            check_counterparty=_checks(kind),
            backdate_resource=BACKDATE_RESOURCE,
        )
        _after_lines(contract, stages)
    return contract


def set_payment_stages(*, actor, contract: Contract, stages: Sequence[StageInput]) -> Contract:
    """Replace a draft's payment stages (they must add up to its amount)."""
    with transaction.atomic():
        contract = _lock(contract, actor)
        if contract.status not in EDITABLE_STATES:
            raise ApplicationError(_("只有草稿合同可以修改付款阶段。"), code="not_editable")
        before = [str(stage) for stage in contract.payment_stages.all()]
        _write_stages(contract, stages)
        contract.version += 1
        contract.save(update_fields=["version", "updated_at"])
        audit.record(
            actor=actor,
            obj=contract,
            action=AuditAction.UPDATE,
            message=_("付款阶段：%(before)s → %(after)s")
            % {
                "before": "、".join(before) or "-",
                "after": "、".join(str(stage) for stage in contract.payment_stages.all()) or "-",
            },
        )
    return contract


def delete_contract(*, actor, contract: Contract) -> None:
    with transaction.atomic():
        contract = _lock(contract, actor, Action.DELETE)
        if ContractArchive.objects.filter(contract=contract).exists():
            raise ApplicationError(_("已归档的合同不能删除。"), code="archived")
        # An amendment's draft may be deleted too: its number is its contract's, so no gap is left (issue 13).
        if contract.status != S.DRAFT or (contract.number and not contract.revised_from_id):
            raise ApplicationError(_("只能删除未编号的草稿合同；其他合同请终止。"), code="not_deletable")
        before = audit.snapshot(contract)
        pk = contract.pk
        ContractOrder.objects.filter(contract=contract).delete()
        contract.delete()
        contract.pk = pk  # the audit row names the deleted contract
        audit.record(actor=actor, obj=contract, action=AuditAction.DELETE, before=before)


def submit_contract(*, actor, contract: Contract) -> Contract:
    """Number the contract (its kind's sequence) and ask for approval; approved at once when no flow applies."""
    with transaction.atomic():
        contract = _lock(contract, actor)
        CONTRACT_WORKFLOW.check(contract, to=S.SUBMITTED)
        if not contract.lines.exists():
            raise ApplicationError(_("合同没有明细，不能提交。"), code="no_lines")
        if contract.gross_amount > 0 and not contract.payment_stages.exists():
            message = _("请先设置付款阶段。")
            raise ApplicationError(message, code="no_stages", fields={"payment_stages": [message]})
        before = audit.snapshot(contract)
        if not contract.number:
            contract.number = next_number(NUMBER_PREFIX[contract.kind], on=timezone.localdate())
        contract.submitted_at = timezone.now()
        request = submit_for_approval(obj=contract, actor=actor)
        if request is None or request.status == ApprovalStatus.APPROVED:
            contract.approved_at = timezone.now()
            _move(contract, S.APPROVED, actor=actor, before=before, message=_("无需审批，自动批准"))
            if contract.revised_from_id:
                put_amendment_in_force(contract, actor=actor)
        else:
            _move(contract, S.SUBMITTED, actor=actor, before=before, message=_("提交审批"))
    return contract


def withdraw_contract(*, actor, contract: Contract) -> Contract:
    with transaction.atomic():
        contract = _lock(contract, actor)
        CONTRACT_WORKFLOW.withdraw_from_approval(contract, actor=actor)
    return contract


def contract_approved(contract: Contract, actor) -> None:
    """The approval engine's callback: the last approver approved."""
    contract.approved_at = timezone.now()
    _move(contract, S.APPROVED, actor=actor, message=_("审批通过"))
    if contract.revised_from_id:
        put_amendment_in_force(contract, actor=actor)


def record_signed(*, actor, contract: Contract, sign_date: datetime.date | None = None) -> Contract:
    """Both parties signed (on paper, or the signing finished): the contract takes effect, on its effective date
    or the sign date; the stages due after signing get their dates."""
    with transaction.atomic():
        contract = _lock(contract, actor)
        effect_signed(contract=contract, actor=actor, sign_date=sign_date, message=_("双方已签署，合同生效"))
    return contract


def effect_signed(*, contract: Contract, actor, sign_date: datetime.date | None, message: str) -> None:
    """The contract, locked by the caller, takes effect (record_signed's and electronic signing's common part)."""
    CONTRACT_WORKFLOW.check(contract, to=S.EFFECTIVE)
    before = audit.snapshot(contract)
    contract.sign_date = sign_date or contract.sign_date or timezone.localdate()
    contract.effective_date = contract.effective_date or contract.sign_date
    if contract.end_date and contract.end_date < contract.effective_date:
        message = _("到期日期不能早于生效日期。")
        raise ApplicationError(message, code="invalid_dates", fields={"end_date": [message]})
    contract.effective_at = timezone.now()
    _write_stages(contract, None, events={"signed": contract.sign_date})
    _move(contract, S.EFFECTIVE, actor=actor, before=before, message=message)
    if has_live_order(contract):
        # Made from an order, or ordered while being signed: it is being executed already.
        _move(contract, S.EXECUTING, actor=actor, message=_("已有合同订单"))


def lock_contract(contract: Contract, actor, action: str = Action.CHANGE) -> Contract:
    """The contract locked for a write, within the actor's scope for ``action``."""
    return _lock(contract, actor, action)


def terminate_contract(*, actor, contract: Contract, reason: str) -> Contract:
    if not (reason or "").strip():
        message = _("请填写终止原因。")
        raise ApplicationError(message, code="reason_required", fields={"reason": [message]})
    with transaction.atomic():
        contract = _lock(contract, actor)
        CONTRACT_WORKFLOW.check(contract, to=S.TERMINATED)
        before = audit.snapshot(contract)
        contract.closed_at = timezone.now()
        contract.termination_reason = reason.strip()[:200]
        _move(contract, S.TERMINATED, actor=actor, before=before, message=contract.termination_reason)
    return contract


def complete_contract(*, actor, contract: Contract) -> Contract:
    with transaction.atomic():
        contract = _lock(contract, actor)
        before = audit.snapshot(contract)
        contract.closed_at = timezone.now()
        _move(contract, S.COMPLETED, actor=actor, before=before)
    return contract


def expire_contracts(*, today: datetime.date | None = None) -> int:
    """The daily job: approved, signing and effective contracts whose end date has passed expire (one being
    executed stays open until completed or terminated). Returns how many expired."""
    today = today or timezone.localdate()
    expired = 0
    due = Contract.objects.unscoped().filter(status__in=(S.APPROVED, S.SIGNING, S.EFFECTIVE), end_date__lt=today)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            contract = Contract.objects.unscoped().select_for_update().get(pk=pk)
            if contract.status in (S.APPROVED, S.SIGNING, S.EFFECTIVE) and contract.end_date < today:
                contract.closed_at = timezone.now()
                _move(contract, S.EXPIRED, actor=None, message=_("已过到期日期"))
                expired += 1
    return expired


# Orders under a contract and amendments import this module's checks; imported here, after them, for the workflow.
from .amendments import amend_contract, open_amendment, put_amendment_in_force  # noqa: E402
from .orders import create_order_from_contract, has_live_order  # noqa: E402
from .signing import sign_contract  # noqa: E402

CONTRACT_WORKFLOW = Workflow(
    resource="contracts.contract",
    document_kwarg="contract",
    pending=S.SUBMITTED,
    moves=[
        Move(
            "submit",
            gettext_lazy("提交审批"),
            (S.DRAFT,),
            (S.SUBMITTED, S.APPROVED),
            service=submit_contract,
            style="btn-primary",
        ),
        *approval_moves(pending=S.SUBMITTED, approved=S.APPROVED, withdraw=withdraw_contract),
        Move(
            "start_signing",
            gettext_lazy("电子签署"),
            (S.APPROVED,),
            (S.SIGNING,),
            service=sign_contract,
            confirm=True,
            style="btn-primary",
            api_aliases=("sign",),
        ),
        Move(
            "record_signed",
            gettext_lazy("登记已签署"),
            (S.APPROVED, S.SIGNING),
            (S.EFFECTIVE,),
            service=record_signed,
            confirm=True,
            style="btn-success",
        ),
        Move("execute", gettext_lazy("开始执行"), (S.EFFECTIVE,), (S.EXECUTING,)),
        Move(
            "to_order",
            gettext_lazy("生成销售订单"),
            (S.APPROVED, S.SIGNING, *IN_FORCE),
            service=create_order_from_contract,
            permission=Action.VIEW,
            creates="sales.salesorder",
            allowed=lambda contract: contract.kind == ContractKind.SALES and not has_live_order(contract),
            style="btn-success",
        ),
        Move(
            "complete",
            gettext_lazy("执行完毕"),
            IN_FORCE,
            (S.COMPLETED,),
            service=complete_contract,
            confirm=True,
            style="btn-outline-success",
        ),
        Move(
            "terminate",
            gettext_lazy("终止合同"),
            (S.APPROVED, S.SIGNING, *IN_FORCE),
            (S.TERMINATED,),
            service=terminate_contract,
            reason="required",
            style="btn-outline-danger",
        ),
        Move("expire", gettext_lazy("过期"), (S.APPROVED, S.SIGNING, S.EFFECTIVE), (S.EXPIRED,)),
        # Amendments (issue 13): the next revision, a draft; once approved it replaces this one, which is kept.
        Move(
            "amend",
            gettext_lazy("签订补充协议"),
            IN_FORCE,
            service=amend_contract,
            allowed=lambda contract: open_amendment(contract) is None,
            style="btn-outline-primary",
        ),
        Move("supersede", gettext_lazy("已变更"), IN_FORCE, (S.SUPERSEDED,)),
        Move("amendment_in_force", gettext_lazy("补充协议生效"), (S.APPROVED,), IN_FORCE),
    ],
)
