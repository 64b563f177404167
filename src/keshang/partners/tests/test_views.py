import re

import pytest
from django.urls import reverse

from keshang.core.models import AuditEntry, Region
from keshang.core.permissions import Action, Scope
from keshang.core.regions import load_regions
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners.models import Contact, Partner
from keshang.partners.tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(client):
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT], Scope.OWN)
    grant(user, "org.user", [Action.VIEW], Scope.OWN)
    grant(user, "core.region", [Action.VIEW], Scope.ALL)
    client.force_login(user)
    return user


def partner_post(**overrides):
    data = {"kind": "company", "is_customer": "on", "name": "苏州新客户精密机械有限公司", "status": "potential"}
    data.update(overrides)
    return data


def test_a_rep_creates_a_customer_with_a_region(client, rep):
    load_regions()
    district = Region.objects.get(code="320505")
    city = district.parent
    # The picker posts the id chosen at each level; the deepest one is the value.
    response = client.post(
        reverse("partners:partner_add"), partner_post(owner=rep.pk, region=[city.parent_id, city.pk, district.pk])
    )
    assert response.status_code == 302
    partner = Partner.objects.get()
    assert partner.owner == rep and partner.region == district


def test_a_duplicate_of_ones_own_partner_is_named_and_can_be_confirmed(client, rep):
    PartnerFactory(name="苏州新客户精密机械有限公司", owner=rep)
    response = client.post(reverse("partners:partner_add"), partner_post(owner=rep.pk))
    content = response.content.decode()
    assert str(rep) in content and "仍然保存" in content
    assert Partner.objects.count() == 1
    confirmed = client.post(reverse("partners:partner_add"), partner_post(owner=rep.pk, confirm_duplicate="on"))
    assert confirmed.status_code == 302
    assert Partner.objects.count() == 2


def test_list_search_by_pinyin_and_scope(client, rep):
    PartnerFactory(name="华为技术有限公司", owner=rep)
    PartnerFactory(name="华为终端有限公司")
    content = client.get(reverse("partners:partner_list"), {"q": "hwjs"}).content.decode()
    assert "华为技术有限公司" in content and "华为终端有限公司" not in content


def test_contacts_tab_masks_mobile_without_view_sensitive_and_adds_contacts(client, rep):
    partner = PartnerFactory(owner=rep)
    ContactFactory(partner=partner, name="赵敏", mobile="13912345678")
    page = client.get(reverse("partners:partner_contacts", args=[partner.pk])).content.decode()
    assert "赵敏" in page and "139****5678" in page and "13912345678" not in page
    response = client.post(
        reverse("partners:contact_add", args=[partner.pk]),
        {"name": "周芷若", "mobile": "13700001111", "is_primary": "on"},
    )
    assert response.status_code == 302
    assert Contact.objects.filter(partner=partner, name="周芷若", is_primary=True).exists()
    history = client.get(reverse("partners:partner_history", args=[partner.pk])).content.decode()
    assert "周芷若" in history


def test_adding_a_contact_to_someone_elses_partner_is_404(client, rep):
    other = PartnerFactory()
    response = client.post(reverse("partners:contact_add", args=[other.pk]), {"name": "间谍"})
    assert response.status_code == 404
    assert not Contact.objects.filter(name="间谍").exists()


def test_invalid_phone_and_credit_code_get_field_messages(client, rep):
    response = client.post(
        reverse("partners:partner_add"), partner_post(owner=rep.pk, phone="12345", credit_code="ABC")
    )
    errors = response.context["form"].errors
    assert "请输入有效的电话号码" in str(errors["phone"])
    assert "统一社会信用代码" in str(errors["credit_code"])
    assert not Partner.objects.exists()


def test_export_is_scoped_and_audited(client, rep):
    PartnerFactory(name="我的客户", owner=rep)
    PartnerFactory(name="别人的客户")
    response = client.get(reverse("partners:partner_list"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "我的客户" in body and "别人的客户" not in body
    assert AuditEntry.objects.filter(action="export", user=rep).exists()


def test_a_parts_tab_add_button_adds_a_part_of_this_partner(client):
    # given a rep who may change their partner
    rep = UserFactory()
    grant(rep, "partners.partner", (Action.VIEW, Action.ADD, Action.CHANGE), Scope.OWN)
    partner = PartnerFactory(owner=rep)
    client.force_login(rep)
    # when
    page = client.get(reverse("partners:partner_contacts", args=[partner.pk])).content.decode()
    # then the button opens the contact form of this partner, not a new partner
    assert f'href="{reverse("partners:contact_add", args=[partner.pk])}"' in page


PASTED_CREDIT_CODE = "91 110000 600037341L"  # as copied from a business licence: grouped with spaces


def test_a_credit_code_pasted_with_spaces_fits_the_form_and_is_saved_normalised(client, rep):
    # given: the form's input does not cut the pasted code short
    page = client.get(reverse("partners:partner_add")).content.decode()
    maxlength = re.search(r'<input[^>]*name="credit_code"[^>]*maxlength="(\d+)"', page)
    assert maxlength is None or int(maxlength[1]) >= len(PASTED_CREDIT_CODE)
    # when
    response = client.post(reverse("partners:partner_add"), partner_post(owner=rep.pk, credit_code=PASTED_CREDIT_CODE))
    # then
    assert response.status_code == 302
    assert Partner.objects.get().credit_code == "91110000600037341L"


def test_a_credit_code_with_a_wrong_check_digit_is_refused_on_its_field(client, rep):
    response = client.post(
        reverse("partners:partner_add"), partner_post(owner=rep.pk, credit_code="91 110000 600037341X")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["credit_code"] == ["统一社会信用代码校验位不正确，请核对。"]
