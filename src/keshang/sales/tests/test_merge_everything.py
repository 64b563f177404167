"""Merging two customers loses nothing (issue 11): every app moves its rows through a registered merge step, and
the check for rows left behind sees relations declared with ``related_name="+"`` too."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from keshang.catalog.models import PriceRule, PriceRuleKind
from keshang.core import attachments
from keshang.core.models import AuditEntry, Collaboration
from keshang.core.permissions import Action, Scope
from keshang.core.testing.files import PDF_BYTES
from keshang.org.tests.factories import UserFactory, grant
from keshang.partners import registry, services
from keshang.partners.models import Address, BankAccount, Handover, Partner, Qualification, SupplierProfile, Tag
from keshang.partners.tests.factories import ContactFactory, PartnerFactory
from keshang.sales.models import Competitor, Opportunity, Quotation, SalesOrder
from keshang.sales.services import opportunities, orders

from .document_factories import line, make_order, make_quotation, make_team
from .factories import default_stages

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in apps.get_models(include_auto_created=True)}


def rows_pointing_at(partner_pk: int) -> dict[str, int]:
    """Every row of every model whose foreign key names the partner, hidden relations included (the tags' link
    table too); only its search index, derived from its name, goes with it."""
    found = {}
    for field in Partner._meta.get_fields(include_hidden=True):
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one):
            if getattr(field.related_model, "derived_from_partner", False):
                continue
            count = field.related_model._base_manager.filter(**{field.field.name: partner_pk}).count()
            if count:
                found[field.related_model._meta.label] = count
    return found


def one_of_everything(team, partner, manager):
    """A customer with a record of every kind the apps keep about it."""
    ContactFactory(partner=partner)
    Address.objects.create(partner=partner, kind="shipping", detail="上海市浦东新区1号")
    BankAccount.objects.create(
        partner=partner, bank_name="工商银行", account_name=partner.name, account_number="6222000011112222"
    )
    Qualification.objects.create(partner=partner, name="营业执照")
    SupplierProfile.objects.create(partner=partner, main_products="螺丝")
    partner.tags.add(Tag.objects.create(name=f"重点-{partner.pk}"))
    attachments.upload_attachment(
        actor=manager, obj=partner, upload=SimpleUploadedFile("合同.pdf", PDF_BYTES, "application/pdf")
    )
    Collaboration.objects.create(
        content_type=ContentType.objects.get_for_model(Partner),
        object_id=partner.pk,
        user=UserFactory(),
        can_write=True,
    )
    PriceRule.objects.create(product=team.product, kind=PriceRuleKind.CUSTOMER, partner=partner, price=Decimal("99"))
    opportunity = opportunities.create_opportunity(
        actor=team.rep, data={"name": f"商机-{partner.pk}", "partner": partner, "expected_amount": Decimal("1000")}
    )
    opportunities.save_competitor(actor=team.rep, opportunity=opportunity, data={"name": "恒通工贸"})
    make_quotation(team, line(team.product), partner=partner)
    orders.confirm_sales_order(actor=team.rep, order=make_order(team, line(team.product, "2"), partner=partner))


@pytest.fixture
def merged_world():
    default_stages()
    team = make_team()
    manager = team.manager
    grant(manager, "partners.partner", (Action.VIEW, Action.CHANGE, Action.ASSIGN), Scope.DEPARTMENT_TREE)
    survivor = PartnerFactory(owner=team.rep, name="上海鑫源贸易有限公司")
    duplicate = PartnerFactory(owner=team.rep, name="上海鑫源贸易公司")
    for partner in (survivor, duplicate):
        one_of_everything(team, partner, manager)
    return team, manager, survivor, duplicate


def test_merging_two_customers_with_one_of_everything_loses_no_row(merged_world):
    team, manager, survivor, duplicate = merged_world
    before = row_counts()
    moved_rows = rows_pointing_at(duplicate.pk)
    assert {"sales.Quotation", "sales.SalesOrder", "sales.Opportunity", "catalog.PriceRule"} <= set(moved_rows)
    # when
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then nothing points at the duplicate any more, and every row is still there
    after = row_counts()
    assert rows_pointing_at(duplicate.pk) == {}
    changed = {label: after[label] - before[label] for label in before if after[label] != before[label]}
    assert changed.pop("partners.Partner") == -1
    assert changed.pop("partners.Handover") == 1
    assert changed.pop("core.AuditEntry") > 0
    assert changed.pop("partners.PartnerSearchGram") < 0  # the duplicate's search index, derived from its name
    # the duplicate's supplier profile is folded into the survivor's, its tag link re-made on the survivor
    assert changed == {"partners.SupplierProfile": -1}
    assert Quotation.objects.unscoped().filter(partner=survivor).count() == 2
    assert SalesOrder.objects.unscoped().filter(partner=survivor).count() == 2
    assert Opportunity.objects.unscoped().filter(partner=survivor).count() == 2
    assert Competitor.objects.unscoped().filter(opportunity__partner=survivor).count() == 2
    assert PriceRule.objects.filter(partner=survivor).count() == 2
    assert survivor.tags.count() == 2 and Collaboration.objects.for_object(survivor).count() == 2
    handover = Handover.objects.get(partner=survivor, kind="merge")
    assert handover.moved["sales"] == 3 and handover.moved["price_rules"] == 1
    moved_order = SalesOrder.objects.unscoped().filter(partner=survivor).order_by("pk").last()
    assert AuditEntry.objects.filter(object_id=str(moved_order.pk), related_object_id=survivor.pk).exists()


def test_a_relation_hidden_with_related_name_plus_and_no_merge_step_stops_the_merge(merged_world, monkeypatch):
    # given the price rules' step is missing, as in an app that forgot to register one
    team, manager, survivor, duplicate = merged_world
    monkeypatch.delitem(registry._merge_steps, "price_rules")
    before = row_counts()
    # when
    with pytest.raises(services.MergeError) as refused:
        services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    # then the merge stops instead of deleting the duplicate's customer prices with it
    assert refused.value.code == "merge_incomplete"
    assert row_counts() == before
    assert PriceRule.objects.filter(partner=duplicate).count() == 1


def test_a_partner_deal_date_survives_a_merge(merged_world):
    team, manager, survivor, duplicate = merged_world
    latest = max(Partner.objects.get(pk=pk).last_deal_at for pk in (survivor.pk, duplicate.pk))
    services.merge_partners(actor=manager, survivor=survivor, duplicate=duplicate)
    assert Partner.objects.get(pk=survivor.pk).last_deal_at == latest
