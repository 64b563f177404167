import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings

from keshang.core.models import AuditAction, AuditEntry
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import services
from keshang.partners.models import BankAccount, Contact, Partner
from keshang.partners.tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return UserFactory(department=DepartmentFactory(name="华东销售组"))


def test_create_derives_keys_and_search_text_and_audits(rep):
    partner = services.create_partner(
        actor=rep, data={"name": "深圳市华为技术有限公司", "short_name": "华为", "phone": "0755-28780808"}
    )
    assert partner.owner == rep
    assert partner.department == rep.department
    assert partner.phone_key == "+8675528780808"
    assert "hwjs" in partner.search_text
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(partner.pk)).exists()


def test_a_copy_of_someone_elses_partner_is_refused_naming_only_it_and_its_owner(rep):
    # given: another rep owns 华为 under a slightly different written name
    other = UserFactory(name="李雷")
    services.create_partner(actor=other, data={"name": "华为技术有限公司", "phone": "13800000001"})
    # when the rep saves a near-copy, even after ticking "save anyway"
    with pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(actor=rep, data={"name": "深圳华为技术有限公司（深圳）"}, confirm_duplicate=True)
    # then
    assert error.value.code == "duplicate_partner_owned"
    message = error.value.message
    assert "华为技术有限公司" in message and "李雷" in message and "名称相同" in message
    assert "13800000001" not in message
    assert error.value.blocking and error.value.owned_by_others
    assert error.value.fields == {"name": [message]}
    assert Partner.objects.count() == 1


def test_a_copy_of_ones_own_partner_warns_and_may_be_confirmed(rep):
    # given
    services.create_partner(actor=rep, data={"name": "华为技术有限公司"})
    # when
    with pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(actor=rep, data={"name": "华为技术有限公司（深圳）"})
    services.create_partner(actor=rep, data={"name": "华为技术有限公司（深圳）"}, confirm_duplicate=True)
    # then
    assert error.value.code == "duplicate_partner" and not error.value.blocking
    assert Partner.objects.count() == 2


def test_a_copy_of_a_pool_partner_warns_and_may_be_confirmed(rep):
    services.create_partner(actor=None, data={"name": "华为技术有限公司", "owner": None})
    with pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(actor=rep, data={"name": "华为技术有限公司"})
    assert error.value.code == "duplicate_partner"
    assert "公海" in error.value.message
    services.create_partner(actor=rep, data={"name": "华为技术有限公司"}, confirm_duplicate=True)
    assert Partner.objects.count() == 2


def test_the_owner_the_new_partner_gets_decides_whose_copy_it_is(rep):
    # given: a manager enters a customer for a rep who already has it
    services.create_partner(actor=rep, data={"name": "华为技术有限公司"})
    manager = UserFactory(department=rep.department)
    # when / then: a copy for the rep is a warning, a copy for the manager is refused
    services.create_partner(actor=manager, data={"name": "华为技术", "owner": rep}, confirm_duplicate=True)
    with pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(actor=manager, data={"name": "华为技术"}, confirm_duplicate=True)
    assert error.value.code == "duplicate_partner_owned"


@override_settings(KESHANG_PARTNER_DUPLICATES="warn")
def test_the_warn_policy_lets_a_rep_confirm_a_copy_of_someone_elses_partner(rep):
    services.create_partner(actor=UserFactory(), data={"name": "华为技术有限公司"})
    with pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(actor=rep, data={"name": "华为技术有限公司"})
    assert error.value.code == "duplicate_partner"
    services.create_partner(actor=rep, data={"name": "华为技术有限公司"}, confirm_duplicate=True)
    assert Partner.objects.count() == 2


@override_settings(KESHANG_PARTNER_DUPLICATES="block")
def test_the_block_policy_refuses_even_ones_own_copy(rep):
    services.create_partner(actor=rep, data={"name": "华为技术有限公司"})
    with pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(actor=rep, data={"name": "华为技术有限公司"}, confirm_duplicate=True)
    assert error.value.blocking and error.value.code == "duplicate_partner_blocked"


def test_same_phone_is_a_duplicate_whatever_the_format_and_says_so(rep):
    # given: another rep's partner with another name and the same number
    services.create_partner(actor=UserFactory(), data={"name": "甲公司", "phone": "+86 138-1234-5678"})
    # when
    with pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(actor=rep, data={"name": "乙公司", "phone": "13812345678"})
    # then: the reason is the phone, and the phone field carries it
    assert "电话相同" in error.value.message and "名称相同" not in error.value.message
    assert set(error.value.fields) == {"phone"}


def test_an_invalid_credit_code_is_refused_with_a_chinese_message(rep):
    with pytest.raises(ValidationError) as error:
        services.create_partner(actor=rep, data={"name": "丙公司", "credit_code": "91440300123456789X"})
    assert "统一社会信用代码" in str(error.value)


def test_editing_without_changing_identity_skips_the_duplicate_check(rep):
    first = services.create_partner(actor=rep, data={"name": "华为技术有限公司"})
    PartnerFactory(name="华为技术", owner=UserFactory())  # a duplicate from before duplicate control refused it
    services.update_partner(actor=rep, partner=first, data={"notes": "重点跟进"})
    first.refresh_from_db()
    assert first.notes == "重点跟进"


def test_one_primary_contact_per_partner(rep):
    partner = PartnerFactory(owner=rep)
    first = ContactFactory(partner=partner, is_primary=True)
    second = ContactFactory(partner=partner, is_primary=True)
    first.refresh_from_db()
    assert not first.is_primary and second.is_primary
    entries = AuditEntry.objects.for_object(partner)
    assert entries.filter(action=AuditAction.CREATE, content_type__model="contact").count() == 2


def test_contacts_are_searchable_by_pinyin_initials(rep):
    contact = ContactFactory(partner=PartnerFactory(owner=rep), name="王小明")
    assert "wxm" in Contact.objects.get(pk=contact.pk).search_text


def test_bank_account_numbers_are_encrypted_at_rest_and_masked_in_the_audit_trail(rep):
    grant(rep, "partners.bankaccount", [Action.ADD, Action.CHANGE], Scope.ALL)  # issue 12, finding 10
    partner = PartnerFactory(owner=rep)
    account = services.save_bank_account(
        actor=rep,
        partner=partner,
        data={"bank_name": "招商银行", "account_name": "测试公司", "account_number": "6225880112345678"},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_number FROM partners_bankaccount WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]
    assert "6225880112345678" not in stored
    assert BankAccount.objects.get(pk=account.pk).account_number == "6225880112345678"
    entry = AuditEntry.objects.get(content_type__model="bankaccount", action=AuditAction.CREATE)
    assert "6225880112345678" not in str(entry.after)
    assert entry.after["account_number"].endswith("5678")


def test_a_repeated_credit_code_blocks_whatever_the_language(rep):
    from django.utils import translation
    from stdnum.cn import uscc

    code = "91330100MA2" + "ABCDE0"
    code = code[:17] + uscc.calc_check_digit(code[:17])
    services.create_partner(actor=UserFactory(), data={"name": "甲公司", "credit_code": code})
    with translation.override("en"), pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(actor=rep, data={"name": "乙公司", "credit_code": code}, confirm_duplicate=True)
    assert error.value.blocking


@pytest.mark.parametrize("policy", ["block_others", "warn", "block"])
def test_a_repeated_credit_code_is_refused_under_every_policy_even_for_ones_own_partner(rep, settings, policy):
    settings.KESHANG_PARTNER_DUPLICATES = policy
    services.create_partner(actor=rep, data={"name": "甲公司", "credit_code": "91110000600037341L"})
    with pytest.raises(services.DuplicatePartnerError) as error:
        services.create_partner(
            actor=rep, data={"name": "乙公司", "credit_code": "91110000600037341L"}, confirm_duplicate=True
        )
    assert error.value.code == "duplicate_partner_blocked"
    assert set(error.value.fields) == {"credit_code"}


def test_an_unknown_duplicate_policy_is_a_configuration_error(settings):
    from keshang.partners.checks import duplicate_policy_setting

    settings.KESHANG_PARTNER_DUPLICATES = "blok"
    assert [message.id for message in duplicate_policy_setting()] == ["partners.E001"]
    settings.KESHANG_PARTNER_DUPLICATES = "block_others"
    assert duplicate_policy_setting() == []
