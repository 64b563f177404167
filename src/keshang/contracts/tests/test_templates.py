"""Contract templates (issue 13): saving (unknown fields refused by name, on the page and the API), versions
kept, one default per kind, the default a new contract takes, delete refused while used, the pages (edit page
with the field picker and no inline script, preview, 下载 Word) and the API."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from keshang.core.exceptions import ApplicationError
from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners.models import BankAccount
from keshang.sales.tests.document_factories import line

from .. import services
from ..models import ContractKind, ContractTemplate
from ..services.context import contract_context
from .factories import make_contract, make_contract_team

pytestmark = pytest.mark.django_db

KEEP = (Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE)
BODY = "<p>甲方：{{甲方名称}}，乙方：{{乙方名称}}</p><p>{{产品明细表}}</p>"


def word_file(text: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def keeper():
    user = UserFactory()
    grant(user, "contracts.contracttemplate", KEEP, Scope.ALL)
    return user


def save(actor, instance=None, **data):
    return services.save_template(actor=actor, instance=instance, data=data)


#
# Services
#


def test_unknown_fields_are_refused_naming_them():
    with pytest.raises(ApplicationError) as refusal:
        save(keeper(), name="坏模板", kind=ContractKind.SALES, body="<p>{{甲方名称}} {{客户星座}} {{乙方血型}}</p>")
    assert refusal.value.code == "unknown_template_fields"
    assert "{{客户星座}}" in refusal.value.message and "{{乙方血型}}" in refusal.value.message
    assert not ContractTemplate.objects.exists()


def test_every_saved_content_is_kept_as_a_version_and_audited():
    # given
    actor = keeper()
    template = save(actor, name="销售模板", kind=ContractKind.SALES, body="<p>{{甲方名称}}</p><script>x</script>")
    # when the body changes twice, and once only the name
    template = save(actor, template, body="<p>{{乙方名称}}</p>")
    template = save(
        actor, template, body="<p>{{合同编号}}</p>", docx=SimpleUploadedFile("t.docx", word_file("{{合同编号}}"))
    )
    template = save(actor, template, name="销售模板（新）")
    # then
    assert template.version == 3
    versions = list(template.versions.order_by("version"))
    assert [version.version for version in versions] == [1, 2, 3]
    assert versions[0].body == "<p>{{甲方名称}}</p>"  # stored cleaned
    assert versions[2].docx_sha256 and versions[2].docx_sha256 == template.docx_sha256
    assert versions[2].created_by == actor
    assert AuditEntry.objects.filter(object_id=str(template.pk), action=AuditAction.UPDATE).count() == 3


def test_a_new_default_takes_over_from_the_old_one():
    actor = keeper()
    old = save(actor, name="旧", kind=ContractKind.SALES, body=BODY, is_default=True)
    new = save(actor, name="新", kind=ContractKind.SALES, body=BODY, is_default=True)
    old.refresh_from_db()
    assert new.is_default and not old.is_default
    assert services.default_template_for(kind=ContractKind.SALES) == new


def test_a_new_contract_takes_the_default_template_of_its_kind():
    # given
    team = make_contract_team()
    services.ensure_default_templates()
    services.ensure_default_templates()  # idempotent
    assert ContractTemplate.objects.filter(is_default=True).count() == len(ContractKind.values)
    # when
    sales = make_contract(team)
    purchase = make_contract(
        team, line(team.product, "2", price="10"), kind=ContractKind.PURCHASE, partner=team.supplier, stage_list=[]
    )
    # then
    assert sales.template.kind == ContractKind.SALES and sales.template.name == "标准销售合同"
    assert purchase.template.kind == ContractKind.PURCHASE


def test_a_deactivated_default_is_not_taken():
    team = make_contract_team()
    template = save(keeper(), name="销售", kind=ContractKind.SALES, body=BODY, is_default=True)
    services.deactivate_template(actor=keeper(), template=template)
    assert make_contract(team).template is None


def test_a_template_used_by_a_contract_is_not_deleted():
    team = make_contract_team()
    actor = keeper()
    template = save(actor, name="销售", kind=ContractKind.SALES, body=BODY, is_default=True)
    make_contract(team)
    with pytest.raises(ApplicationError) as refusal:
        services.delete_template(actor=actor, instance=template)
    assert refusal.value.code == "protected"
    assert ContractTemplate.objects.filter(pk=template.pk).exists()
    unused = save(actor, name="备用", kind=ContractKind.SALES, body=BODY)
    services.delete_template(actor=actor, instance=unused)
    assert not ContractTemplate.objects.filter(pk=unused.pk).exists()


def test_the_partner_bank_account_is_masked_for_a_rep_without_view_sensitive():
    # given a customer with a bank account, and a sales contract with them (甲方 is the customer)
    team = make_contract_team()
    BankAccount.objects.create(
        partner=team.partner, bank_name="工商银行", account_name=team.partner.name, account_number="6222000011112222"
    )
    contract = make_contract(team)
    # when the rep (no view_sensitive on partners) and a partner manager with it read the context
    seeing = UserFactory()
    grant(seeing, "partners.partner", (Action.VIEW, Action.VIEW_SENSITIVE), Scope.ALL)
    masked = contract_context(contract, user=team.rep)
    clear = contract_context(contract, user=seeing)
    # then
    assert masked.party_a.name == team.partner.name and masked.party_b.name == contract.seller.name
    assert masked.party_a.bank_account != "6222000011112222" and "*" in masked.party_a.bank_account
    assert clear.party_a.bank_account == "6222000011112222"


#
# Pages
#


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_edit_page_has_the_picker_and_no_inline_script():
    response = client_for(keeper()).get(reverse("contracts:contracttemplate_add"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-merge-field="甲方名称"' in html and 'data-merge-field="产品明细表"' in html
    assert "data-merge-target" in html and 'enctype="multipart/form-data"' in html
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert scripts and all(not body.strip() for body in scripts)
    assert "contracts/template_editor.js" in html
    assert not re.search(r"\son[a-z]+=", html)


def test_the_picker_script_is_served():
    path = finders.find("contracts/template_editor.js")
    assert path is not None
    with open(path, encoding="utf-8") as file:
        assert "data-merge-field" in file.read()


def test_the_edit_page_refuses_unknown_fields_naming_them():
    client = client_for(keeper())
    response = client.post(
        reverse("contracts:contracttemplate_add"),
        {"name": "坏模板", "kind": ContractKind.SALES, "body": "<p>{{客户星座}}</p>", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "{{客户星座}}" in response.content.decode()
    assert not ContractTemplate.objects.exists()


def test_the_edit_page_saves_a_template_with_a_word_file():
    client = client_for(keeper())
    response = client.post(
        reverse("contracts:contracttemplate_add"),
        {
            "name": "带 Word 的模板",
            "kind": ContractKind.SALES,
            "body": BODY,
            "is_active": "on",
            "is_default": "on",
            "docx": SimpleUploadedFile("t.docx", word_file("甲方：{{甲方名称}}")),
        },
    )
    assert response.status_code == 302
    template = ContractTemplate.objects.get()
    assert template.docx and template.is_default and template.version == 1
    detail = client.get(reverse("contracts:contracttemplate_detail", args=[template.pk]))
    assert detail.status_code == 200 and "v1" in detail.content.decode()
    # the stored file is not linked on the edit page; saving without a new file keeps it
    edit_url = reverse("contracts:contracttemplate_edit", args=[template.pk])
    edit = client.get(edit_url).content.decode()
    assert "contract_templates/" not in edit and 'name="remove_docx"' in edit
    fields = {"name": "带 Word 的模板", "kind": ContractKind.SALES, "body": BODY, "is_active": "on", "is_default": "on"}
    assert client.post(edit_url, fields).status_code == 302
    template.refresh_from_db()
    assert template.docx and template.version == 1
    # and removing it is a new version
    assert client.post(edit_url, {**fields, "remove_docx": "on"}).status_code == 302
    template.refresh_from_db()
    assert not template.docx and template.version == 2


def test_a_refused_word_file_is_shown_on_its_field():
    client = client_for(keeper())
    response = client.post(
        reverse("contracts:contracttemplate_add"),
        {
            "name": "坏 Word",
            "kind": ContractKind.SALES,
            "body": BODY,
            "is_active": "on",
            "docx": SimpleUploadedFile("t.docx", word_file("{{不存在的字段}}")),
        },
    )
    assert response.status_code == 200 and "不存在的字段" in response.content.decode()
    assert not ContractTemplate.objects.exists()


def test_the_preview_fills_the_body_with_a_contract_the_user_may_view():
    # given
    team = make_contract_team()
    template = save(keeper(), name="销售", kind=ContractKind.SALES, body=BODY)
    contract = make_contract(team)
    grant(team.rep, "contracts.contracttemplate", (Action.VIEW,), Scope.ALL)
    grant(team.other_rep, "contracts.contracttemplate", (Action.VIEW,), Scope.ALL)
    url = reverse("contracts:contracttemplate_preview", args=[template.pk])
    # when / then: the rep sees their contract's values, as HTML and as PDF
    response = client_for(team.rep).get(url, {"contract": contract.pk})
    assert response.status_code == 200 and team.partner.name in response.content.decode()
    pdf = client_for(team.rep).get(url, {"contract": contract.pk, "format": "pdf"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # a colleague who may not view the contract gets a 404, not its data
    assert client_for(team.other_rep).get(url, {"contract": contract.pk}).status_code == 404


def test_the_word_download_has_the_contract_values():
    from docx import Document

    # given a sales contract whose template has a Word file
    team = make_contract_team()
    save(
        keeper(),
        name="销售",
        kind=ContractKind.SALES,
        body=BODY,
        is_default=True,
        docx=SimpleUploadedFile("t.docx", word_file("甲方：{{甲方名称}}；金额：{{合同金额}}")),
    )
    contract = make_contract(team)
    # when the rep opens the contract and downloads the Word file (page and API)
    detail = client_for(team.rep).get(reverse("contracts:contract_detail", args=[contract.pk]))
    word_url = reverse("contracts:contract_word", args=[contract.pk])
    assert word_url in detail.content.decode()
    response = client_for(team.rep).get(word_url)
    api = APIClient()
    api.force_authenticate(team.rep)
    api_response = api.get(f"/api/v1/contracts/contracts/{contract.pk}/docx/")
    # then
    for answer in (response, api_response):
        assert answer.status_code == 200
        assert contract.number is None or contract.number in answer["Content-Disposition"]
        text = "\n".join(paragraph.text for paragraph in Document(BytesIO(answer.content)).paragraphs)
        assert team.partner.name in text and "¥" in text
    # someone who may not view the contract gets a 404
    assert client_for(team.other_rep).get(word_url).status_code == 404


def test_no_word_link_without_a_word_file():
    team = make_contract_team()
    save(keeper(), name="销售", kind=ContractKind.SALES, body=BODY, is_default=True)
    contract = make_contract(team)
    detail = client_for(team.rep).get(reverse("contracts:contract_detail", args=[contract.pk]))
    assert reverse("contracts:contract_word", args=[contract.pk]) not in detail.content.decode()
    assert client_for(team.rep).get(reverse("contracts:contract_word", args=[contract.pk])).status_code == 404


def test_the_contract_pdf_page_prints_from_the_template():
    import pypdfium2

    team = make_contract_team()
    save(keeper(), name="销售", kind=ContractKind.SALES, body="<p>模板正文：{{甲方名称}}</p>", is_default=True)
    contract = make_contract(team)
    response = client_for(team.rep).get(reverse("contracts:contract_pdf", args=[contract.pk]))
    assert response.status_code == 200
    document = pypdfium2.PdfDocument(response.content)
    text = "".join(document[index].get_textpage().get_text_range() for index in range(len(document)))
    assert f"模板正文：{team.partner.name}" in text


#
# API
#


def test_the_api_refuses_unknown_fields_naming_them():
    api = APIClient()
    api.force_authenticate(keeper())
    response = api.post(
        "/api/v1/contracts/templates/",
        {"name": "坏", "kind": ContractKind.SALES, "body": "<p>{{客户星座}}</p>"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_template_fields" and "{{客户星座}}" in response.json()["message"]


def test_the_api_refuses_deleting_a_template_in_use():
    team = make_contract_team()
    actor = keeper()
    template = save(actor, name="销售", kind=ContractKind.SALES, body=BODY, is_default=True)
    make_contract(team)
    api = APIClient()
    api.force_authenticate(actor)
    response = api.delete(f"/api/v1/contracts/templates/{template.pk}/")
    assert response.status_code == 400 and response.json()["code"] == "protected"


class TestContractTemplateAPI(APIResourceTests):
    resource = "contracts.contracttemplate"
    basename = "contracts-api:contracttemplate"
    scoped = False
    scope = Scope.ALL

    def make_object(self, *, ctx, inside):
        return services.save_template(actor=None, data={"name": "模板", "kind": ContractKind.PURCHASE, "body": BODY})

    def create_data(self, *, ctx):
        return {"name": "API 模板", "kind": ContractKind.SALES, "body": BODY}

    def update_data(self, *, ctx, obj):
        return {"body": "<p>{{合同编号}}</p>"}
