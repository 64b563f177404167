"""The contract's print. A contract with a template (issue 13) prints as a contract: the kind as title, the number,
both parties' blocks, the template's body filled from ``services.context.contract_context`` (with the 产品明细表
and 付款条款 where the template puts them), the amount in figures and 大写 when the body does not say it, and the
甲方/乙方 signature blocks side by side with room for a seal, whose areas ``contract_pdf`` hands to signing.

Without a template it prints as before: the sales documents' layout (``sales.services.printing.document_layout``:
our company's block, the line table, amounts in figures and 大写) with the contract's parties, dates and payment
stages; ``contract_layout`` is also the printable HTML page. Either way a contract not approved, terminated or
expired prints with a watermark saying so, and our seal only once the contract binds us."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from keshang.core.documents.printing import (
    MM,
    SIGNING_HEIGHT,
    PrintLayout,
    SignatureArea,
    new_document_pdf,
    render_pdf_with_areas,
)
from keshang.core.money import amount_in_words_for, format_amount
from keshang.sales.services.printing import document_layout

from .models import Contract, ContractStatus
from .services.context import contract_context
from .templating import ContractContext, PartyContext, find_fields, pdf_write_options, render_for_pdf
from .templating.formatting import format_money

__all__ = ["contract_layout", "stage_text", "ContractPdf", "contract_pdf", "contract_filename", "template_preview_pdf"]

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
    if contract.template_id is None:
        layout = contract_layout(contract, user=user)
        content, (party_a, party_b) = render_pdf_with_areas(layout)
        filename = layout.filename
    else:
        context = contract_context(contract, user=user)
        content, (party_a, party_b) = _templated_pdf(contract, context, contract.template.body)
        filename = contract_filename(contract, "pdf")
    ours, theirs = (party_b, party_a) if contract.is_sales else (party_a, party_b)
    return ContractPdf(content=content, ours=ours, theirs=theirs, filename=filename)


def contract_filename(contract: Contract, extension: str) -> str:
    return f"{contract.get_kind_display()}-{contract}.{extension}".replace("/", "-")


#
# The templated PDF
#

# What the body must name for the PDF to leave the amount to it; otherwise a line after the body says it.
_AMOUNT_FIELDS = {"合同金额", "合同金额大写", "产品明细表"}
# Label column and each party's column of the parties' table (mm, of 182 mm text width).
_PARTY_WIDTHS = (30, 76, 76)
# The signature block: a line for the party and its name, the room for the seal and signature, two lines under it.
_LINE = 6
_BODY_LINE_HEIGHT = 1.35


def _party_rows(party_a: PartyContext, party_b: PartyContext) -> list[tuple[str, str, str]]:
    def bank(party: PartyContext) -> str:
        return " ".join(part for part in (party.bank_name, party.bank_account) if part)

    return [
        (_("名称"), party_a.name, party_b.name),
        (_("统一社会信用代码"), party_a.credit_code, party_b.credit_code),
        (_("地址"), party_a.address, party_b.address),
        (_("电话"), party_a.phone, party_b.phone),
        (_("开户行及账号"), bank(party_a), bank(party_b)),
        (_("签约代表"), party_a.signer, party_b.signer),
    ]


def _character_wrapping_html():
    """fpdf2's HTML renderer wrapping lines by character (Chinese puts no spaces between words, and wrapping by word
    left "2." alone on a line before a long sentence, or broke "0.05% / 日" at its space), with paragraphs' lines
    1.35 apart (fpdf2's 1.0 made wrapped Chinese lines touch)."""
    from fpdf.html import HTML2FPDF

    class CharacterWrappingHtml(HTML2FPDF):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._column = self.pdf.text_columns(skip_leading_spaces=True, wrapmode="CHAR")
            self._paragraph = self._column.paragraph()

        def _new_paragraph(self, *args, line_height=1.0, **kwargs):
            spaced = _BODY_LINE_HEIGHT if line_height in (None, 1.0) else line_height
            return super()._new_paragraph(*args, line_height=spaced, **kwargs)

    return CharacterWrappingHtml


def template_preview_pdf(body: str, contract: Contract, *, user) -> bytes:
    """A template's body printed with ``contract``'s data as ``user`` may see it (the 预览 page's PDF)."""
    return _templated_pdf(contract, contract_context(contract, user=user), body)[0]


def _templated_pdf(
    contract: Contract, context: ContractContext, body: str
) -> tuple[bytes, tuple[SignatureArea, SignatureArea]]:
    from fpdf.fonts import FontFace

    watermark = _watermark(contract)
    pdf = new_document_pdf(watermark=watermark)
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("noto", size=18)
    pdf.cell(0, 10, context.kind_label, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", size=9.5)
    numbers = [
        _("合同编号：%(number)s") % {"number": context.number or _("（提交后编号）")},
        _("签订日期：%(date)s") % {"date": context.sign_date.isoformat() if context.sign_date else ""},
    ]
    if context.sign_place:
        numbers.append(_("签订地点：%(place)s") % {"place": context.sign_place})
    pdf.cell(0, 6, "　　".join(numbers), align="R", new_x="LMARGIN", new_y="NEXT")
    if context.title:
        pdf.cell(0, 6, _("合同名称：%(title)s") % {"title": context.title}, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    with pdf.table(
        col_widths=_PARTY_WIDTHS,
        headings_style=FontFace(fill_color=(235, 239, 245)),
        line_height=5.5,
        text_align=("LEFT", "LEFT", "LEFT"),
    ) as table:
        heading = table.row()
        for text in ("", _("甲方"), _("乙方")):
            heading.cell(text)
        muted = FontFace(color=(90, 90, 90))
        for label, value_a, value_b in _party_rows(context.party_a, context.party_b):
            row = table.row()
            row.cell(label, style=muted)
            row.cell(value_a or "—")
            row.cell(value_b or "—")
    pdf.ln(4)

    pdf.set_font("noto", size=10.5)
    pdf.HTML2FPDF_CLASS = _character_wrapping_html()
    pdf.write_html(render_for_pdf(body, context), **pdf_write_options())
    if not _AMOUNT_FIELDS & set(find_fields(body)):
        pdf.ln(2)
        pdf.multi_cell(
            0,
            _LINE,
            _("合同金额（含税）：%(amount)s（大写：%(words)s）")
            % {
                "amount": format_money(context.gross_amount, context.currency),
                "words": amount_in_words_for(context.gross_amount, context.currency),
            },
            new_x="LMARGIN",
            new_y="NEXT",
        )

    areas = _signature_blocks(pdf, contract, context, width=width, sealed=not watermark)
    return bytes(pdf.output()), areas


def _signature_blocks(pdf, contract: Contract, context: ContractContext, *, width: float, sealed: bool):
    """甲方 and 乙方 side by side: 甲方（盖章）, the party's name, the room for the seal and signature, then
    签约代表 and 日期. The whole block stays on one page; the rooms are returned as PDF areas (甲方, 乙方)."""
    pdf.set_font("noto", size=10.5)
    column = width / 2
    name_lines = max(len(pdf.multi_cell(column - 6, _LINE, party.name, dry_run=True, output="LINES"))
                     for party in (context.party_a, context.party_b))  # fmt: skip
    height = _LINE * (3 + name_lines) + SIGNING_HEIGHT + 8
    pdf.ln(6)
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    room_top = top + _LINE * (1 + name_lines) + 1
    room_bottom = room_top + SIGNING_HEIGHT
    areas = []
    sides = ((_("甲方（盖章）"), context.party_a), (_("乙方（盖章）"), context.party_b))
    for index, (label, party) in enumerate(sides):
        left = pdf.l_margin + index * column
        pdf.set_xy(left, top)
        pdf.cell(column - 6, _LINE, label, new_x="LEFT", new_y="NEXT")
        pdf.multi_cell(column - 6, _LINE, party.name or "—", new_x="LEFT", new_y="NEXT")
        pdf.set_xy(left, room_bottom + 1)
        pdf.cell(column - 6, _LINE, _("签约代表（签字）：%(name)s") % {"name": party.signer}, new_x="LEFT",
                 new_y="NEXT")  # fmt: skip
        pdf.cell(column - 6, _LINE, _("日期：　　　　年　　月　　日"), new_x="LEFT", new_y="NEXT")
        areas.append(
            SignatureArea(
                page=pdf.page_no() - 1,
                x1=left * MM,
                y1=(pdf.h - room_bottom) * MM,
                x2=(left + column - 6) * MM,
                y2=(pdf.h - room_top) * MM,
            )
        )
    seal = contract.seller.seal if sealed else None
    if seal is not None:
        # Our seal in our room: 乙方's on a sales contract, 甲方's on the others.
        ours = 1 if contract.is_sales else 0
        pdf.image(seal.file.path, x=pdf.l_margin + ours * column + (column - 6 - 40) / 2, y=room_top + 2, w=40)
    pdf.set_xy(pdf.l_margin, room_bottom + 1 + 2 * _LINE)
    return tuple(areas)


def contract_pdf_file(contract: Contract, *, user) -> tuple[bytes, str]:
    """The contract's PDF and its file name, for its PDF page and API (``DocumentType.pdf``)."""
    printed = contract_pdf(contract, user=user)
    return printed.content, printed.filename
