"""Our own companies (issue 11): the sellers and signers of documents, declared once through core.modelviews —
list, detail, edit, delete, history and API generated from one declaration."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from keshang.core import attachments
from keshang.core.models import AuditEntry
from keshang.core.permissions import Action
from keshang.core.testing.files import PDF_BYTES, png_bytes
from keshang.org.models import Company, CompanyBankAccount
from keshang.org.services import ensure_default_company, save_company, save_company_bank_account

from .factories import UserFactory, grant

pytestmark = pytest.mark.django_db

USCC = "91110000600037341L"


@pytest.fixture
def admin():
    user = UserFactory()
    grant(user, "org.company", (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE, Action.VIEW_SENSITIVE))
    return user


@pytest.fixture
def rep():
    user = UserFactory()
    grant(user, "org.company", (Action.VIEW,))
    return user


def test_a_credit_code_pasted_with_spaces_is_kept_as_its_18_characters(admin):
    company = save_company(actor=admin, data={"name": "上海鑫源贸易有限公司", "credit_code": "91 110000 600037341L"})
    assert company.credit_code == USCC
    with pytest.raises(ValidationError) as refused:
        save_company(actor=admin, data={"name": "另一家公司", "credit_code": "91110000600037341X"})
    assert "credit_code" in refused.value.message_dict


def test_making_a_company_the_default_takes_the_flag_from_the_previous_one(admin):
    first = ensure_default_company()
    second = save_company(actor=admin, data={"name": "深圳分公司", "is_default": True})
    assert Company.objects.get(pk=second.pk).is_default and not Company.objects.get(pk=first.pk).is_default
    assert AuditEntry.objects.filter(object_id=str(first.pk), action="update").exists()


def test_the_default_company_cannot_be_deleted(admin, client):
    company = ensure_default_company()
    client.force_login(admin)
    response = client.delete(f"/api/v1/org/companies/{company.pk}/")
    assert response.status_code == 400 and "is_default" in response.json()["fields"]
    assert Company.objects.filter(pk=company.pk).exists()


def test_the_default_companys_delete_page_says_why_instead_of_a_server_error(admin, client):
    # found by the action matrix's page pass (issue 12): the service's ValidationError escaped the page as a 500
    company = ensure_default_company()
    client.force_login(admin)
    response = client.post(f"/org/companies/{company.pk}/delete/", {}, follow=True)
    assert response.status_code == 200
    assert "默认销售方不能删除" in response.content.decode()
    assert Company.objects.filter(pk=company.pk).exists()


def test_the_seal_must_be_one_of_the_companys_own_images(admin):
    company = save_company(actor=admin, data={"name": "上海鑫源贸易有限公司"})
    other = save_company(actor=admin, data={"name": "深圳分公司"})
    image = attachments.upload_attachment(
        actor=admin, obj=company, upload=SimpleUploadedFile("seal.png", png_bytes(), "image/png")
    )
    foreign = attachments.upload_attachment(
        actor=admin, obj=other, upload=SimpleUploadedFile("seal.png", png_bytes(), "image/png")
    )
    assert save_company(actor=admin, instance=company, data={"seal": image}).seal_id == image.pk
    with pytest.raises(ValidationError) as refused:
        save_company(actor=admin, instance=company, data={"seal": foreign})
    assert refused.value.message_dict["seal"] == ["请选择本公司附件中的图片。"]
    with pytest.raises(ValidationError) as refused:
        attachments.upload_attachment(
            actor=admin, obj=company, upload=SimpleUploadedFile("seal.pdf", PDF_BYTES, "application/pdf")
        )
    assert refused.value.message_dict == {"file": ["这里只能上传以下类型的文件：.gif、.jpg、.jpeg、.png、.webp。"]}


def test_the_generated_pages_list_show_and_edit_a_company(admin, client):
    client.force_login(admin)
    response = client.post(
        reverse("org:company_add"),
        {"name": "上海鑫源贸易有限公司", "credit_code": "91-110000-600037341L", "is_active": "on"},
    )
    company = Company.objects.get(name="上海鑫源贸易有限公司")
    assert response.status_code == 302 and response["Location"] == reverse("org:company_detail", args=[company.pk])
    assert company.credit_code == USCC
    assert "上海鑫源贸易有限公司" in client.get(reverse("org:company_list")).content.decode()
    detail = client.get(reverse("org:company_detail", args=[company.pk])).content.decode()
    assert USCC in detail and reverse("org:company_bank_accounts", args=[company.pk]) in detail
    assert client.get(reverse("org:company_history", args=[company.pk])).status_code == 200


def test_a_rep_reads_companies_but_changes_nothing(rep, client):
    company = ensure_default_company()
    client.force_login(rep)
    assert client.get(reverse("org:company_detail", args=[company.pk])).status_code == 200
    page = client.get(reverse("org:company_detail", args=[company.pk])).content.decode()
    assert reverse("org:company_edit", args=[company.pk]) not in page
    assert client.post(reverse("org:company_edit", args=[company.pk]), {"name": "改名"}).status_code == 403
    response = client.patch(f"/api/v1/org/companies/{company.pk}/", {"name": "改名"}, content_type="application/json")
    assert response.status_code == 403
    assert Company.objects.get(pk=company.pk).name == company.name


def test_bank_account_numbers_are_masked_for_readers_without_the_right(admin, rep, client):
    company = ensure_default_company()
    save_company_bank_account(
        actor=admin,
        company=company,
        data={"bank_name": "工商银行", "account_name": company.name, "account_number": "6222021234567890"},
    )
    client.force_login(rep)
    page = client.get(reverse("org:company_bank_accounts", args=[company.pk])).content.decode()
    assert "6222021234567890" not in page and "工商银行" in page
    body = client.get("/api/v1/org/company-bank-accounts/").json()
    assert body["results"][0]["account_number"] != "6222021234567890"
    client.force_login(admin)
    assert "6222021234567890" in client.get(reverse("org:company_bank_accounts", args=[company.pk])).content.decode()
    assert CompanyBankAccount.objects.get().account_number == "6222021234567890"


def test_a_new_installation_sells_as_the_company_its_settings_name(settings):
    settings.KESHANG_COMPANY = {"name": "测试贸易有限公司", "address": "北京", "phone": "010-12345678"}
    company = ensure_default_company()
    assert (company.name, company.is_default) == ("测试贸易有限公司", True)
    assert ensure_default_company() == company and Company.objects.count() == 1


def test_with_every_company_inactive_there_is_no_default(admin):
    company = ensure_default_company()
    save_company(actor=admin, instance=company, data={"is_active": False})
    assert ensure_default_company() is None


def test_a_bank_accounts_currency_is_one_of_the_currencies_in_use(admin, client):
    from keshang.core.models import Currency

    Currency.objects.get_or_create(code="USD", defaults={"name": "美元"})
    company = save_company(actor=admin, data={"name": "客商国际贸易（香港）有限公司"})
    account = {"bank_name": "汇丰银行", "account_name": company.name, "account_number": "808-123456-838"}
    # a code no currency has (RMB for CNY) is refused by the service, the API and the form alike
    with pytest.raises(ValidationError) as refused:
        save_company_bank_account(actor=admin, company=company, data={**account, "currency": "RMB"})
    assert "currency" in refused.value.message_dict
    client.force_login(admin)
    response = client.post(
        "/api/v1/org/company-bank-accounts/", {**account, "company": company.pk, "currency": "RMB"}, "application/json"
    )
    assert response.status_code == 400 and "currency" in response.json()["fields"]
    page = client.get(reverse("org:companybankaccount_add", args=[company.pk])).content.decode()
    assert '<select name="currency"' in page and '<option value="USD">' in page
    assert not CompanyBankAccount.objects.exists()
    # while one in use is kept, typed in lower case or not
    assert (
        save_company_bank_account(actor=admin, company=company, data={**account, "currency": "usd"}).currency == "USD"
    )


def test_a_foreign_currency_document_prints_our_account_in_that_currency(admin):
    from keshang.core.models import Currency

    Currency.objects.get_or_create(code="USD", defaults={"name": "美元"})
    company = save_company(actor=admin, data={"name": "客商国际贸易（香港）有限公司"})
    cny = {"bank_name": "招商银行", "account_name": company.name, "account_number": "6214830212345678"}
    save_company_bank_account(actor=admin, company=company, data={**cny, "currency": "CNY", "is_default": True})
    usd = {"bank_name": "汇丰银行", "account_name": company.name, "account_number": "808-123456-838"}
    save_company_bank_account(actor=admin, company=company, data={**usd, "currency": "USD"})
    assert company.print_block(currency="USD")["bank"] == "汇丰银行 808-123456-838"
    assert company.print_block(currency="CNY")["bank"] == "招商银行 6214830212345678"
    # a currency without an account of its own prints the default one
    assert company.print_block(currency="EUR")["bank"] == "招商银行 6214830212345678"


def test_the_seal_field_names_the_tab_its_image_is_uploaded_on(admin, client):
    company = save_company(actor=admin, data={"name": "上海鑫源贸易有限公司"})
    client.force_login(admin)
    # a new company has no tab yet: save it first; an existing one uploads on its 公章与附件 tab (there is no 附件 tab)
    assert "保存后在“公章与附件”中上传" in client.get(reverse("org:company_add")).content.decode()
    page = client.get(reverse("org:company_edit", args=[company.pk])).content.decode()
    assert "先在“公章与附件”中上传" in page


def test_making_a_bank_account_the_default_takes_the_flag_from_the_previous_one_audited(admin):
    company = ensure_default_company()
    account = {"bank_name": "工商银行", "account_name": company.name, "account_number": "6222021234567890"}
    first = save_company_bank_account(actor=admin, company=company, data={**account, "is_default": True})
    second = save_company_bank_account(
        actor=admin, company=company, data={**account, "account_number": "6222029999999999", "is_default": True}
    )
    # then one default, and the account that lost the flag says so in its history (no silent queryset update)
    assert list(company.bank_accounts.filter(is_default=True)) == [second]
    assert AuditEntry.objects.filter(object_id=str(first.pk), action="update", user=admin).exists()
