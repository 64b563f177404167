"""The contract's PDF: both parties, the lines, the stages, page numbers of the whole, and a signing area per
party that lies on the page, below the text, side by side."""

import pypdfium2
import pytest

from keshang.core.documents.printing import SignatureArea
from keshang.sales.tests.document_factories import line

from ..models import ContractKind
from ..printing import contract_pdf
from .factories import approved, make_contract, make_contract_team

pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)


def page_texts(content: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(content)
    return [document[index].get_textpage().get_text_range() for index in range(len(document))]


def inside_page(area: SignatureArea) -> bool:
    return 0 <= area.x1 < area.x2 <= A4[0] and 0 <= area.y1 < area.y2 <= A4[1]


def test_the_pdf_shows_both_parties_the_stages_and_numbers_its_pages_of_the_whole():
    team = make_contract_team()
    contract = approved(team, make_contract(team, *[line(team.product, "1") for _ in range(40)]))
    pdf = contract_pdf(contract, user=team.rep)
    texts = page_texts(pdf.content)
    assert len(texts) >= 2
    whole = "".join(texts)
    assert contract.number in whole and team.partner.name in whole and contract.seller.name in whole
    assert "第1期 第1期" in whole and "30%" in whole
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页 共 {len(texts)} 页" in text
    # the customer is 甲方 on a sales contract (left), we are 乙方 (right), both on the last page
    assert inside_page(pdf.ours) and inside_page(pdf.theirs)
    assert pdf.theirs.x2 <= pdf.ours.x1 and pdf.ours.page == pdf.theirs.page == len(texts) - 1
    assert pdf.ours.y2 - pdf.ours.y1 > 100


def test_on_a_purchase_contract_we_sign_on_the_left():
    team = make_contract_team()
    contract = make_contract(
        team, line(team.product, "2", price="10"), kind=ContractKind.PURCHASE, partner=team.supplier
    )
    pdf = contract_pdf(contract, user=team.rep)
    assert pdf.ours.x2 <= pdf.theirs.x1
    assert "草稿" in "".join(page_texts(pdf.content))
