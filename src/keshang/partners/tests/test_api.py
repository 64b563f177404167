import pytest
from django.urls import reverse

from keshang.core.permissions import Action, Scope
from keshang.org.testing.api import APIResourceTests
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners.models import Partner
from keshang.partners.tests.factories import ContactFactory, PartnerFactory

SUPPORT = (
    ("org.user", (Action.VIEW,), Scope.DEPARTMENT),
    ("org.department", (Action.VIEW,), Scope.DEPARTMENT),
)


class TestPartnerAPI(APIResourceTests):
    resource = "partners.partner"
    basename = "partners-api:partner"
    related_grants = SUPPORT

    def make_object(self, *, ctx, inside):
        return PartnerFactory(owner=ctx.colleague if inside else ctx.stranger)

    def create_data(self, *, ctx):
        return {"name": "杭州新客户贸易有限公司", "phone": "0571-88886666"}

    def update_data(self, *, ctx, obj):
        return {"notes": "已拜访"}


class TestContactAPI(APIResourceTests):
    resource = "partners.partner"
    basename = "partners-api:contact"
    related_grants = SUPPORT

    def give(self, ctx, *actions, scope=None):
        # Parts are written with the partner's "change" grant: map add/delete onto it.
        mapped = {Action.CHANGE if action in (Action.ADD, Action.DELETE) else action for action in actions}
        super().give(ctx, *mapped, scope=scope)

    def model(self):
        from keshang.partners.models import Contact

        return Contact

    def make_object(self, *, ctx, inside):
        return ContactFactory(partner=PartnerFactory(owner=ctx.colleague if inside else ctx.stranger))

    def create_data(self, *, ctx):
        return {"partner": PartnerFactory(owner=ctx.colleague).pk, "name": "新联系人", "mobile": "13911112222"}

    def update_data(self, *, ctx, obj):
        return {"title": "采购经理"}

    def test_create_without_grant_is_403_and_writes_nothing(self, ctx):
        pytest.skip("adding a contact is changing its partner: covered by the partner's change grant")

    def test_delete_without_grant_is_403_and_keeps_the_row(self, ctx):
        pytest.skip("deleting a contact is changing its partner: covered by the partner's change grant")


@pytest.mark.django_db
def test_a_copy_of_someone_elses_partner_names_the_owner_but_nothing_else_and_is_refused(api_client):
    # given
    owner = UserFactory(name="韩梅梅")
    PartnerFactory(name="华为技术有限公司", owner=owner, phone="13800001234")
    rep = UserFactory()
    grant(rep, "partners.partner", [Action.VIEW, Action.ADD], Scope.OWN)
    grant(rep, "org.user", [Action.VIEW], Scope.OWN)
    api_client.force_authenticate(rep)
    # when
    response = api_client.post(reverse("partners-api:partner-list"), {"name": "华为技术"}, format="json")
    # then
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "duplicate_partner_owned"
    assert "韩梅梅" in body["message"] and "13800001234" not in str(body)
    confirmed = api_client.post(
        reverse("partners-api:partner-list"), {"name": "华为技术", "confirm_duplicate": True}, format="json"
    )
    assert confirmed.status_code == 400 and confirmed.json()["code"] == "duplicate_partner_owned"
    assert Partner.objects.count() == 1


@pytest.mark.django_db
def test_a_copy_of_ones_own_partner_is_a_warning_the_api_may_confirm(api_client):
    rep = UserFactory()
    grant(rep, "partners.partner", [Action.VIEW, Action.ADD], Scope.OWN)
    PartnerFactory(name="华为技术有限公司", owner=rep)
    api_client.force_authenticate(rep)
    warned = api_client.post(reverse("partners-api:partner-list"), {"name": "华为技术"}, format="json")
    assert warned.status_code == 400 and warned.json()["code"] == "duplicate_partner"
    confirmed = api_client.post(
        reverse("partners-api:partner-list"), {"name": "华为技术", "confirm_duplicate": True}, format="json"
    )
    assert confirmed.status_code == 201


@pytest.mark.django_db
def test_search_finds_by_pinyin_initials_and_contact_name_within_scope(api_client):
    rep = UserFactory()
    mine = PartnerFactory(name="华为技术有限公司", owner=rep)
    ContactFactory(partner=PartnerFactory(name="中兴通讯股份有限公司", owner=rep), name="张三丰")
    PartnerFactory(name="华为终端有限公司")  # someone else's
    grant(rep, "partners.partner", [Action.VIEW], Scope.OWN)
    api_client.force_authenticate(rep)
    by_initials = api_client.get(reverse("partners-api:partner-list"), {"q": "hwjs"}).json()["results"]
    by_chinese = api_client.get(reverse("partners-api:partner-list"), {"q": "华为"}).json()["results"]
    by_contact = api_client.get(reverse("partners-api:partner-list"), {"q": "张三"}).json()["results"]
    assert [row["id"] for row in by_initials] == [mine.pk]
    assert [row["id"] for row in by_chinese] == [mine.pk]
    assert [row["name"] for row in by_contact] == ["中兴通讯股份有限公司"]


@pytest.mark.django_db
def test_partner_phone_is_masked_without_view_sensitive(api_client):
    rep = UserFactory()
    partner = PartnerFactory(owner=rep, phone="13812345678")
    grant(rep, "partners.partner", [Action.VIEW], Scope.OWN)
    api_client.force_authenticate(rep)
    data = api_client.get(reverse("partners-api:partner-detail", kwargs={"pk": partner.pk})).json()
    assert data["phone"] == "138****5678"


@pytest.mark.django_db
def test_owner_cannot_be_changed_by_editing(api_client):
    rep = UserFactory()
    partner = PartnerFactory(owner=rep)
    grant(rep, "partners.partner", [Action.VIEW, Action.CHANGE], Scope.OWN)
    grant(rep, "org.user", [Action.VIEW], Scope.ALL)
    api_client.force_authenticate(rep)
    response = api_client.patch(
        reverse("partners-api:partner-detail", kwargs={"pk": partner.pk}), {"owner": UserFactory().pk}, format="json"
    )
    assert response.status_code == 400
    partner.refresh_from_db()
    assert partner.owner == rep


class TestAddressAPI(TestContactAPI):
    basename = "partners-api:address"

    def model(self):
        from keshang.partners.models import Address

        return Address

    def make_object(self, *, ctx, inside):
        partner = PartnerFactory(owner=ctx.colleague if inside else ctx.stranger)
        from keshang.partners import services

        return services.save_address(actor=None, partner=partner, data={"detail": "文三路 90 号", "is_default": True})

    def create_data(self, *, ctx):
        return {"partner": PartnerFactory(owner=ctx.colleague).pk, "kind": "billing", "detail": "滨江区江南大道 1 号"}

    def update_data(self, *, ctx, obj):
        return {"contact_name": "收货人"}


class TestBankAccountAPI(TestContactAPI):
    basename = "partners-api:bankaccount"

    def give(self, ctx, *actions, scope=None):
        super().give(ctx, *actions, scope=scope)
        # Entering an account needs the bank-account right too (issue 12, finding 10).
        grant(ctx.actor, "partners.bankaccount", [Action.ADD, Action.CHANGE], Scope.ALL)

    def model(self):
        from keshang.partners.models import BankAccount

        return BankAccount

    def make_object(self, *, ctx, inside):
        partner = PartnerFactory(owner=ctx.colleague if inside else ctx.stranger)
        from keshang.partners import services

        return services.save_bank_account(
            actor=None,
            partner=partner,
            data={"bank_name": "工商银行", "account_name": "测试", "account_number": "6222020200112233"},
        )

    def create_data(self, *, ctx):
        return {
            "partner": PartnerFactory(owner=ctx.colleague).pk,
            "bank_name": "建设银行",
            "account_name": "新账户",
            "account_number": "6217000011112222",
        }

    def update_data(self, *, ctx, obj):
        return {"bank_name": "中国建设银行"}


@pytest.mark.django_db
def test_a_credit_code_pasted_with_spaces_is_accepted_and_stored_normalised(api_client):
    rep = UserFactory()
    grant(rep, "partners.partner", [Action.VIEW, Action.ADD, Action.CHANGE], Scope.OWN)
    api_client.force_authenticate(rep)
    created = api_client.post(
        reverse("partners-api:partner-list"), {"name": "甲公司", "credit_code": "91 110000 600037341L"}, format="json"
    )
    assert created.status_code == 201 and created.json()["credit_code"] == "91110000600037341L"
    url = reverse("partners-api:partner-detail", kwargs={"pk": created.json()["id"]})
    wrong = api_client.patch(url, {"credit_code": "91-110000-600037341X"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid"
    assert wrong.json()["fields"] == {"credit_code": ["统一社会信用代码校验位不正确，请核对。"]}
