"""Factories of the sales app: opportunities and their stages (quotations and orders follow)."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from keshang.org.tests.factories import UserFactory
from keshang.partners.tests.factories import PartnerFactory
from keshang.sales.models import Opportunity, OpportunityStage
from keshang.sales.services import opportunities

__all__ = ["OpportunityStageFactory", "OpportunityFactory", "default_stages"]


class OpportunityStageFactory(DjangoModelFactory):
    class Meta:
        model = OpportunityStage

    name = factory.Sequence(lambda n: f"阶段{n}")
    order = factory.Sequence(lambda n: n + 1)
    probability = 10


def default_stages() -> dict[str, OpportunityStage]:
    """The six default stages (初步接洽 … 赢单, 输单) by name, as ``keshang setup`` creates them."""
    opportunities.ensure_default_stages()
    return {stage.name: stage for stage in OpportunityStage.objects.all()}


class OpportunityFactory(DjangoModelFactory):
    """Built through the service (history row, status from the stage); the partner belongs to the owner."""

    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"商机{n:04d}")
    owner = factory.SubFactory(UserFactory)
    partner = factory.LazyAttribute(lambda obj: PartnerFactory(owner=obj.owner))
    stage = factory.SubFactory(OpportunityStageFactory)
    expected_amount = Decimal("10000.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        contacts = kwargs.pop("contacts", None)
        if "department" not in kwargs and kwargs.get("owner") is not None:
            kwargs["department"] = kwargs["owner"].department
        return opportunities.create_opportunity(actor=None, data=kwargs, contacts=contacts)
