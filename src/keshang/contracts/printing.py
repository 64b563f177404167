"""The contract's print: the sales documents' layout (``sales.services.printing.document_layout``: our company's
block, the line table, amounts in figures and 大写, a seal only once it binds us) with the contract's parties,
dates and payment stages. A contract not approved, terminated or expired prints with a watermark saying so."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from keshang.core.documents.printing import PrintLayout, SignatureArea, render_pdf_with_areas
from keshang.core.money import format_amount
from keshang.sales.services.printing import document_layout

from .models import Contract, ContractStatus

__all__ = ["contract_layout", "stage_text", "ContractPdf", "contract_pdf"]

S = ContractStatus


def stage_text(stage) -> str:
    """第1期 预付款：30%，¥3,000.00，签订后 5 个工作日内."""
    share = f"{stage.percent.normalize():f}%" if stage.percent is not None else _("固定金额")
    if stage.trigger == "fixed_date":
        when = _("%(date)s 前") % {"date": stage.fixed_date.isoformat() if stage.fixed_date else ""}
    else:
        unit = _("个工作日") if stage.working_days else _("天")
        when = _("%(trigger)s %(days)s %(unit)s内") % {
            "trigger": stage.get_trigger_display(),
            "days": stage.days,
            "unit": unit,
        }
    due = _("（到期日 %(date)s）") % {"date": stage.due_date.isoformat()} if stage.due_date else ""
    return _("%(share)s，%(amount)s，%(when)s%(due)s") % {
        "share": share,
        "amount": format_amount(stage.amount),
        "when": when,
        "due": due,
    }


def _watermark(contract: Contract) -> str:
    if contract.status == S.DRAFT:
        return _("草稿")
    if contract.status == S.SUBMITTED:
        return _("未审批")
    if contract.status in (S.TERMINATED, S.EXPIRED):
        return contract.get_status_display()
    return ""


def contract_layout(contract: Contract, *, user) -> PrintLayout:
    us, them = contract.seller.name, contract.partner.name
    buyer_first = contract.is_sales
    party_a, party_b = (them, us) if buyer_first else (us, them)
    stages = [
        (_("第%(n)s期 %(name)s") % {"n": stage.position, "name": stage.name}, stage_text(stage))
        for stage in contract.payment_stages.all()
    ]
    return document_layout(
        contract,
        user=user,
        title=contract.get_kind_display(),
        number_label=_("合同编号"),
        header=[
            (_("合同名称"), contract.title),
            (_("签订日期"), contract.sign_date.isoformat()),
            (_("甲方"), party_a),
            (_("乙方"), party_b),
            (_("生效日期"), contract.effective_date.isoformat() if contract.effective_date else ""),
            (_("到期日期"), contract.end_date.isoformat() if contract.end_date else ""),
            (_("签订地点"), contract.sign_place),
            (_("对方签约人"), contract.partner_signer),
        ],
        terms=stages,
        signatures=[
            _("甲方（盖章）：%(name)s") % {"name": party_a},
            _("乙方（盖章）：%(name)s") % {"name": party_b},
        ],
        watermark=_watermark(contract),
    )


@dataclass(frozen=True)
class ContractPdf:
    """The contract as a PDF and where each party signs on it: ``ours`` (our company) and ``theirs`` (the
    customer or supplier), in PDF points (what a visible PDF signature is placed by)."""

    content: bytes
    ours: SignatureArea
    theirs: SignatureArea
    filename: str


def contract_pdf(contract: Contract, *, user) -> ContractPdf:
    """The contract's PDF as ``user`` may see it (masked fields masked), with its two signing areas."""
    layout = contract_layout(contract, user=user)
    content, (party_a, party_b) = render_pdf_with_areas(layout)
    ours, theirs = (party_b, party_a) if contract.is_sales else (party_a, party_b)
    return ContractPdf(content=content, ours=ours, theirs=theirs, filename=layout.filename)
