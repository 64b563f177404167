"""Quotations and orders name the company that sells (issue 11): the default company unless another is chosen;
their prints carry its name, credit code and bank, and its seal only once the document binds."""

import io

import pypdfium2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keshang.core import attachments
from keshang.core.exceptions import ApplicationError
from keshang.core.testing.files import png_bytes
from keshang.org.services import ensure_default_company, save_company, save_company_bank_account
from keshang.sales.services import orders, quotations

from .document_factories import make_quotation, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return make_team()


def test_a_document_is_sold_by_the_default_company_unless_another_is_chosen(team):
    default = ensure_default_company()
    branch = save_company(actor=None, data={"name": "深圳鑫源分公司"})
    assert make_quotation(team).seller == default
    quotation = make_quotation(team, seller=branch)
    assert quotation.seller == branch
    quotation = quotations.submit_quotation(actor=team.rep, quotation=quotation)
    quotation = quotations.accept_quotation(
        actor=team.rep, quotation=quotations.mark_quotation_sent(actor=team.rep, quotation=quotation)
    )
    assert orders.create_order_from_quotation(actor=team.rep, quotation=quotation).seller == branch


def test_an_inactive_company_cannot_sell(team):
    branch = save_company(actor=None, data={"name": "深圳鑫源分公司", "is_active": False})
    with pytest.raises(ApplicationError) as refused:
        make_quotation(team, seller=branch)
    assert refused.value.code == "inactive_seller"


def test_the_print_carries_the_seller_and_its_seal_only_once_binding(client, team):
    company = ensure_default_company()
    company = save_company(
        actor=None, instance=company, data={"name": "上海鑫源贸易有限公司", "credit_code": "91110000600037341L"}
    )
    save_company_bank_account(
        actor=None,
        company=company,
        data={"bank_name": "工商银行上海分行", "account_name": company.name, "account_number": "6222021234567890"},
    )
    seal = attachments.upload_attachment(
        actor=None, obj=company, upload=SimpleUploadedFile("seal.png", png_bytes(), "image/png")
    )
    save_company(actor=None, instance=company, data={"seal": seal})
    draft = make_quotation(team)
    client.force_login(team.rep)
    page = client.get(reverse("sales:quotation_print", args=[draft.pk])).content.decode()
    assert "上海鑫源贸易有限公司" in page and "91110000600037341L" in page and "工商银行上海分行" in page
    assert "print-seal" not in page  # a draft carries no seal
    approved = quotations.submit_quotation(actor=team.rep, quotation=draft)
    page = client.get(reverse("sales:quotation_print", args=[approved.pk])).content.decode()
    assert 'data-testid="print-seal"' in page
    pdf = pypdfium2.PdfDocument(io.BytesIO(client.get(reverse("sales:quotation_pdf", args=[approved.pk])).content))
    page = pdf[0]
    text = page.get_textpage().get_text_range()
    assert "上海鑫源贸易有限公司" in text and "91110000600037341L" in text
    assert any(obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects())
