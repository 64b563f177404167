"""The personas' default roles on contracts: a purchaser makes purchase contracts with their own suppliers, a rep
sales contracts with their own customers and sees no margin, finance reads every contract and changes none."""

from decimal import Decimal

import pytest

from keshang.catalog.tests.factories import ProductFactory
from keshang.core.masking import Masker
from keshang.core.permissions import Action, Persona
from keshang.core.scope import has_action
from keshang.org.models import Role
from keshang.org.services import ensure_default_roles
from keshang.org.tests.factories import DepartmentFactory, UserFactory
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.tests.document_factories import line

from .. import services
from ..models import Contract, ContractKind

pytestmark = pytest.mark.django_db


def person(persona: str, department):
    user = UserFactory(department=department)
    user.roles.add(Role.objects.get(persona=persona))
    return user


@pytest.fixture
def people():
    ensure_default_roles()
    department = DepartmentFactory()
    return {persona: person(persona, department) for persona in Persona.values}


def test_a_purchaser_makes_a_purchase_contract_with_their_supplier_and_no_sales_contract(people):
    buyer = people[Persona.PURCHASER]
    supplier = PartnerFactory(owner=buyer, is_customer=False, is_supplier=True)
    product = ProductFactory(cost_price=Decimal("50"))
    contract = services.create_contract(
        actor=buyer,
        data={"kind": ContractKind.PURCHASE, "partner": supplier, "title": "钢材采购"},
        lines=[line(product, "100", price="48")],
        stages=[services.StageInput(name="货到付款", percent=Decimal("100"))],
    )
    assert contract.gross_amount == Decimal("4800.00")
    assert Contract.objects.visible_to(buyer).filter(pk=contract.pk).exists()
    assert not has_action(buyer, "sales.salesorder", Action.ADD)


def test_a_rep_sees_their_contract_without_its_margin_and_finance_reads_it_unmasked(people):
    rep = people[Persona.SALES]
    customer = PartnerFactory(owner=rep)
    product = ProductFactory(cost_price=Decimal("60"))
    contract = services.create_contract(
        actor=rep,
        data={"partner": customer, "title": "年度供货"},
        lines=[line(product, "10", price="100")],
        stages=[services.StageInput(name="全款", percent=Decimal("100"))],
    )
    assert contract.expected_margin == Decimal("400.00")
    assert Masker(rep, Contract).prepare([contract]).value(contract, "expected_margin") == "****"
    finance = people[Persona.FINANCE]
    assert Contract.objects.visible_to(finance).filter(pk=contract.pk).exists()
    assert Masker(finance, Contract).prepare([contract]).value(contract, "expected_margin") == Decimal("400.00")
    assert not Contract.objects.visible_to(finance, Action.CHANGE).exists()
    assert not Contract.objects.visible_to(people[Persona.WAREHOUSE]).exists()
