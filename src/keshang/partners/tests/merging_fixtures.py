"""The merge tests' people and partners: a sales manager and two partners of their department, each with a full
set of parts (contacts, addresses, bank accounts, attachments, handovers, shares; the duplicate a supplier with a
qualification and a profile)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from keshang.core import attachments
from keshang.core.models import Collaboration
from keshang.core.permissions import Action, Scope
from keshang.org.tests.factories import DepartmentFactory, UserFactory, grant
from keshang.partners import services
from keshang.partners.models import Handover, HandoverKind, Partner, Qualification, SupplierProfile, Tag
from keshang.partners.tests.factories import ContactFactory, PartnerFactory


@pytest.fixture
def manager():
    """A sales manager: "assign" on the partners of their department."""
    user = UserFactory(department=DepartmentFactory())
    grant(user, "partners.partner", [Action.VIEW, Action.CHANGE, Action.ASSIGN], Scope.DEPARTMENT)
    return user


def rep_in(department):
    return UserFactory(department=department)


@pytest.fixture
def pair(manager):
    """Two partners of the manager's department, each with a full set of parts."""
    colleague = rep_in(manager.department)
    survivor = PartnerFactory(name="华为技术有限公司", owner=colleague, tags=[Tag.objects.create(name="大客户")])
    duplicate = PartnerFactory(
        name="深圳华为技术有限公司",
        owner=manager,
        phone="0755-28780808",
        credit_code="914403001922038216",
        is_supplier=True,
        tags=[Tag.objects.create(name="长期合作")],
    )
    for partner, mobile in ((survivor, "13900000001"), (duplicate, "13900000002")):
        services.save_contact(actor=None, partner=partner, data={"name": f"主联系人{mobile}", "is_primary": True})
        ContactFactory(partner=partner, mobile=mobile)
        services.save_address(actor=None, partner=partner, data={"detail": "坂田基地", "is_default": True})
        services.save_bank_account(
            actor=None,
            partner=partner,
            data={
                "bank_name": "招商银行",
                "account_name": partner.name,
                "account_number": "6225880001",
                "is_default": True,
            },
        )
        attachments.upload_attachment(
            actor=None, obj=partner, upload=SimpleUploadedFile("资料.txt", b"hello", content_type="text/plain")
        )
        Handover.objects.create(partner=partner, kind=HandoverKind.ASSIGN, to_owner=partner.owner)
    Qualification.objects.create(partner=duplicate, name="ISO 9001")
    SupplierProfile.objects.create(partner=duplicate, main_products="通信设备", rating_quality=5)
    share = UserFactory()
    partner_type = ContentType.objects.get_for_model(Partner)
    Collaboration.objects.create(content_type=partner_type, object_id=survivor.pk, user=share, can_write=False)
    Collaboration.objects.create(content_type=partner_type, object_id=duplicate.pk, user=share, can_write=True)
    Collaboration.objects.create(content_type=partner_type, object_id=duplicate.pk, user=UserFactory())
    return survivor, duplicate
