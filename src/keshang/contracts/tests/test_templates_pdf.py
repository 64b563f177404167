"""The templated contract PDF (issue 13): title, number, both parties, the body filled with the contract's values
(产品明细表 and 付款条款 where the template puts them), 第 N 页 共 M 页, and each party's signing area on the page,
side by side, clear of any text."""

import os
from pathlib import Path

import pypdfium2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keshang.core import attachments
from keshang.core.documents.printing import SignatureArea
from keshang.core.permissions import Action, Scope
from keshang.core.testing.files import png_bytes
from keshang.org.tests.factories import grant
from keshang.partners.models import BankAccount
from keshang.sales.tests.document_factories import line

from .. import services
from ..models import ContractKind
from ..printing import contract_pdf
from .factories import approved, effective, make_contract, make_contract_team

pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)


def pages(content: bytes):
    document = pypdfium2.PdfDocument(content)
    return [document[index] for index in range(len(document))]


def page_texts(content: bytes) -> list[str]:
    return [page.get_textpage().get_text_range() for page in pages(content)]


def char_boxes(page) -> list[tuple[float, float, float, float]]:
    """Every visible character's box (left, bottom, right, top) in PDF points."""
    text = page.get_textpage()
    boxes = []
    for index in range(text.count_chars()):
        if text.get_text_range(index, 1).strip():
            boxes.append(text.get_charbox(index))
    return boxes


def overlaps(area: SignatureArea, box) -> bool:
    left, bottom, right, top = box
    return left < area.x2 and right > area.x1 and bottom < area.y2 and top > area.y1


def dump_pngs(content: bytes, name: str) -> None:
    """KESHANG_PDF_PNG=/tmp/dir: the pages as PNGs, to look at them."""
    folder = os.environ.get("KESHANG_PDF_PNG")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(pages(content), start=1):
            page.render(scale=1.4).to_pil().save(Path(folder) / f"{name}-{number}.png")


@pytest.fixture
def templates():
    services.ensure_default_templates()


def test_a_templated_contract_prints_both_parties_the_body_and_page_numbers(templates):
    # given a sales contract made after the default templates exist, with many lines (several pages)
    team = make_contract_team()
    BankAccount.objects.create(
        partner=team.partner, bank_name="招商银行", account_name=team.partner.name, account_number="6225880212345678"
    )
    contract = approved(team, make_contract(team, *[line(team.product, "1") for _ in range(30)]))
    assert contract.template is not None
    grant(team.manager, "partners.partner", (Action.VIEW, Action.VIEW_SENSITIVE), Scope.DEPARTMENT_TREE)
    # when the manager (who may see the partner's sensitive values) prints it
    pdf = contract_pdf(contract, user=team.manager)
    dump_pngs(pdf.content, "sales")
    texts = page_texts(pdf.content)
    whole = "".join(texts)
    # then
    assert len(texts) >= 2
    assert "销售合同" in texts[0] and contract.number in texts[0]
    assert team.partner.name in texts[0] and contract.seller.name in texts[0]
    assert "6225880212345678" in whole
    assert "违约责任" in whole and "争议解决" in whole and "第1期" in whole
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页 共 {len(texts)} 页" in text
    assert pdf.filename.endswith(".pdf") and contract.number in pdf.filename


def test_the_signing_areas_lie_on_one_page_side_by_side_and_clear_of_text(templates):
    team = make_contract_team()
    for kind, partner, price in ((ContractKind.SALES, team.partner, None), (ContractKind.PURCHASE, team.supplier, "9")):
        # approved: no watermark, whose big letters lie under everything
        contract = approved(team, make_contract(team, line(team.product, "3", price=price), kind=kind, partner=partner))
        pdf = contract_pdf(contract, user=team.rep)
        dump_pngs(pdf.content, kind)
        last = pages(pdf.content)[pdf.ours.page]
        assert pdf.ours.page == pdf.theirs.page
        for area in (pdf.ours, pdf.theirs):
            assert 0 <= area.x1 < area.x2 <= A4[0] and 0 <= area.y1 < area.y2 <= A4[1]
            assert area.y2 - area.y1 > 42 * 72 / 25.4  # room for a 42 mm seal
            assert not any(overlaps(area, box) for box in char_boxes(last))
        left, right = (pdf.theirs, pdf.ours) if kind == ContractKind.SALES else (pdf.ours, pdf.theirs)
        assert left.x2 <= right.x1


def test_a_draft_prints_with_its_watermark(templates):
    team = make_contract_team()
    pdf = contract_pdf(make_contract(team), user=team.rep)
    assert "草稿" in "".join(page_texts(pdf.content))


def test_a_contract_without_template_prints_the_former_layout():
    team = make_contract_team()
    contract = make_contract(team)
    assert contract.template is None
    pdf = contract_pdf(contract, user=team.rep)
    assert team.partner.name in "".join(page_texts(pdf.content))


def test_our_seal_is_printed_in_our_area_once_the_contract_binds_us(templates, settings, tmp_path):
    # given our company with a seal, and a sales contract in force (we are 乙方, on the right)
    settings.MEDIA_ROOT = str(tmp_path)
    team = make_contract_team()
    contract = effective(team, make_contract(team))
    company = contract.seller
    image = attachments.upload_attachment(
        actor=None, obj=company, upload=SimpleUploadedFile("seal.png", png_bytes(), "image/png")
    )
    company.seal = image
    company.save(update_fields=["seal"])
    contract.refresh_from_db()
    # when
    pdf = contract_pdf(contract, user=team.rep)
    dump_pngs(pdf.content, "sealed")
    # then one image lies inside our area, none on a draft
    page = pages(pdf.content)[pdf.ours.page]
    images = [obj for obj in page.get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
    assert len(images) == 1
    left, bottom, right, top = images[0].get_bounds()
    assert pdf.ours.x1 <= left < right <= pdf.ours.x2 and pdf.ours.y1 <= bottom < top <= pdf.ours.y2
    draft = contract_pdf(make_contract(team), user=team.rep)
    assert not any(
        obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE for page in pages(draft.content) for obj in page.get_objects()
    )
